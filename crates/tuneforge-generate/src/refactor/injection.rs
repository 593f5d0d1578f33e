//! `\Drupal::` calls in a controller, form, hook class or autowired service → constructor
//! injection (with `create()` where the class is built by a factory).
//!
//! Only classes the rewrite is sure about: they extend `ControllerBase` or `FormBase`
//! (whose `create()` the new one overrides), or they are built by autowiring (a hook class
//! in `src/Hook/`, a service its module autowires without listed arguments: those get an
//! autowired constructor and no `create()`), and have no constructor or `create()` yet, and
//! every call names a service whose type is known (core's, or one the module registers).
//! Properties the base class already declares (`$entityTypeManager`, `$messenger`, …) are
//! assigned, not redeclared, since PHP forbids retyping an inherited property.

use tree_sitter::Node;
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::facts::ClassFacts;
use tuneforge_php::parse::{parse, string_value, text, visit};
use tuneforge_php::rules::Checker;
use tuneforge_php::yaml::YamlFacts;

use super::ancestry::InheritedFactory;
use super::hooks::camel;
use super::{edit_uses, generator, short, verify};
use crate::Emitter;
use crate::corpus::{Corpus, SourceFile};
use crate::phrasing::{fenced, fill};

/// Core services by id: their interface (or class) and the property name they get.
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "entity_type.manager",
        "Drupal\\Core\\Entity\\EntityTypeManagerInterface",
        "entityTypeManager",
    ),
    (
        "entity_field.manager",
        "Drupal\\Core\\Entity\\EntityFieldManagerInterface",
        "entityFieldManager",
    ),
    (
        "messenger",
        "Drupal\\Core\\Messenger\\MessengerInterface",
        "messenger",
    ),
    (
        "current_user",
        "Drupal\\Core\\Session\\AccountProxyInterface",
        "currentUser",
    ),
    (
        "config.factory",
        "Drupal\\Core\\Config\\ConfigFactoryInterface",
        "configFactory",
    ),
    (
        "datetime.time",
        "Drupal\\Component\\Datetime\\TimeInterface",
        "time",
    ),
    ("database", "Drupal\\Core\\Database\\Connection", "database"),
    (
        "logger.factory",
        "Drupal\\Core\\Logger\\LoggerChannelFactoryInterface",
        "loggerFactory",
    ),
    ("state", "Drupal\\Core\\State\\StateInterface", "state"),
    (
        "renderer",
        "Drupal\\Core\\Render\\RendererInterface",
        "renderer",
    ),
    (
        "date.formatter",
        "Drupal\\Core\\Datetime\\DateFormatterInterface",
        "dateFormatter",
    ),
    (
        "module_handler",
        "Drupal\\Core\\Extension\\ModuleHandlerInterface",
        "moduleHandler",
    ),
    (
        "cache.default",
        "Drupal\\Core\\Cache\\CacheBackendInterface",
        "cache",
    ),
    (
        "file_system",
        "Drupal\\Core\\File\\FileSystemInterface",
        "fileSystem",
    ),
    (
        "file_url_generator",
        "Drupal\\Core\\File\\FileUrlGeneratorInterface",
        "fileUrlGenerator",
    ),
    (
        "request_stack",
        "Symfony\\Component\\HttpFoundation\\RequestStack",
        "requestStack",
    ),
    (
        "path.current",
        "Drupal\\Core\\Path\\CurrentPathStack",
        "currentPath",
    ),
    (
        "current_route_match",
        "Drupal\\Core\\Routing\\RouteMatchInterface",
        "routeMatch",
    ),
    (
        "language_manager",
        "Drupal\\Core\\Language\\LanguageManagerInterface",
        "languageManager",
    ),
    ("token", "Drupal\\Core\\Utility\\Token", "token"),
    ("http_client", "GuzzleHttp\\ClientInterface", "httpClient"),
    (
        "email.validator",
        "Drupal\\Component\\Utility\\EmailValidatorInterface",
        "emailValidator",
    ),
    (
        "password_generator",
        "Drupal\\Core\\Password\\PasswordGeneratorInterface",
        "passwordGenerator",
    ),
    (
        "plugin.manager.mail",
        "Drupal\\Core\\Mail\\MailManagerInterface",
        "mailManager",
    ),
    ("queue", "Drupal\\Core\\Queue\\QueueFactory", "queueFactory"),
    ("flood", "Drupal\\Core\\Flood\\FloodInterface", "flood"),
    ("lock", "Drupal\\Core\\Lock\\LockBackendInterface", "lock"),
    (
        "tempstore.private",
        "Drupal\\Core\\TempStore\\PrivateTempStoreFactory",
        "tempStoreFactory",
    ),
    (
        "asset.query_string",
        "Drupal\\Core\\Asset\\AssetQueryStringInterface",
        "assetQueryString",
    ),
    (
        "theme.registry",
        "Drupal\\Core\\Theme\\Registry",
        "themeRegistry",
    ),
    (
        "path_alias.manager",
        "Drupal\\path_alias\\AliasManagerInterface",
        "aliasManager",
    ),
    (
        "url_generator",
        "Drupal\\Core\\Routing\\UrlGeneratorInterface",
        "urlGenerator",
    ),
    (
        "cache_tags.invalidator",
        "Drupal\\Core\\Cache\\CacheTagsInvalidatorInterface",
        "cacheTagsInvalidator",
    ),
    ("user.data", "Drupal\\user\\UserDataInterface", "userData"),
    (
        "keyvalue",
        "Drupal\\Core\\KeyValueStore\\KeyValueFactoryInterface",
        "keyValueFactory",
    ),
    (
        "entity.repository",
        "Drupal\\Core\\Entity\\EntityRepositoryInterface",
        "entityRepository",
    ),
    (
        "class_resolver",
        "Drupal\\Core\\DependencyInjection\\ClassResolverInterface",
        "classResolver",
    ),
    (
        "keyvalue.expirable",
        "Drupal\\Core\\KeyValueStore\\KeyValueExpirableFactoryInterface",
        "keyValueExpirableFactory",
    ),
    (
        "typed_data_manager",
        "Drupal\\Core\\TypedData\\TypedDataManagerInterface",
        "typedDataManager",
    ),
    (
        "link_generator",
        "Drupal\\Core\\Utility\\LinkGeneratorInterface",
        "linkGenerator",
    ),
    (
        "string_translation",
        "Drupal\\Core\\StringTranslation\\TranslationInterface",
        "stringTranslation",
    ),
    (
        "csrf_token",
        "Drupal\\Core\\Access\\CsrfTokenGenerator",
        "csrfToken",
    ),
    (
        "transliteration",
        "Drupal\\Component\\Transliteration\\TransliterationInterface",
        "transliteration",
    ),
    (
        "form_builder",
        "Drupal\\Core\\Form\\FormBuilderInterface",
        "formBuilder",
    ),
    (
        "theme.manager",
        "Drupal\\Core\\Theme\\ThemeManagerInterface",
        "themeManager",
    ),
    (
        "menu.link_tree",
        "Drupal\\Core\\Menu\\MenuLinkTreeInterface",
        "menuLinkTree",
    ),
    (
        "path.validator",
        "Drupal\\Core\\Path\\PathValidatorInterface",
        "pathValidator",
    ),
    (
        "access_manager",
        "Drupal\\Core\\Access\\AccessManagerInterface",
        "accessManager",
    ),
    (
        "redirect.destination",
        "Drupal\\Core\\Routing\\RedirectDestinationInterface",
        "redirectDestination",
    ),
    (
        "entity.definition_update_manager",
        "Drupal\\Core\\Entity\\EntityDefinitionUpdateManagerInterface",
        "entityDefinitionUpdateManager",
    ),
    (
        "config.installer",
        "Drupal\\Core\\Config\\ConfigInstallerInterface",
        "configInstaller",
    ),
];

/// `\Drupal::<method>()` shortcuts: the service behind each, and what the call becomes
/// (`{p}` is the property, `{args}` the call's arguments).
const SHORTCUTS: &[(&str, &str, &str)] = &[
    ("entityTypeManager", "entity_type.manager", "$this->{p}"),
    ("messenger", "messenger", "$this->{p}"),
    ("currentUser", "current_user", "$this->{p}"),
    ("config", "config.factory", "$this->{p}->get{args}"),
    ("configFactory", "config.factory", "$this->{p}"),
    ("time", "datetime.time", "$this->{p}"),
    ("database", "database", "$this->{p}"),
    ("logger", "logger.factory", "$this->{p}->get{args}"),
    ("state", "state", "$this->{p}"),
    ("moduleHandler", "module_handler", "$this->{p}"),
    ("languageManager", "language_manager", "$this->{p}"),
    ("requestStack", "request_stack", "$this->{p}"),
    (
        "request",
        "request_stack",
        "$this->{p}->getCurrentRequest()",
    ),
    ("routeMatch", "current_route_match", "$this->{p}"),
    ("token", "token", "$this->{p}"),
    ("httpClient", "http_client", "$this->{p}"),
    ("cache", "cache.default", "$this->{p}"),
    ("queue", "queue", "$this->{p}->get{args}"),
    (
        "entityQuery",
        "entity_type.manager",
        "$this->{p}->getStorage{args}->getQuery()",
    ),
    ("keyValue", "keyvalue", "$this->{p}->get{args}"),
    (
        "keyValueExpirable",
        "keyvalue.expirable",
        "$this->{p}->get{args}",
    ),
    (
        "entityQueryAggregate",
        "entity_type.manager",
        "$this->{p}->getStorage{args}->getAggregateQuery()",
    ),
    ("lock", "lock", "$this->{p}"),
    ("flood", "flood", "$this->{p}"),
    ("typedDataManager", "typed_data_manager", "$this->{p}"),
    ("urlGenerator", "url_generator", "$this->{p}"),
    ("linkGenerator", "link_generator", "$this->{p}"),
    ("translation", "string_translation", "$this->{p}"),
    ("csrfToken", "csrf_token", "$this->{p}"),
    ("transliteration", "transliteration", "$this->{p}"),
    ("formBuilder", "form_builder", "$this->{p}"),
    ("theme", "theme.manager", "$this->{p}"),
    ("menuTree", "menu.link_tree", "$this->{p}"),
    ("pathValidator", "path.validator", "$this->{p}"),
    ("accessManager", "access_manager", "$this->{p}"),
    ("destination", "redirect.destination", "$this->{p}"),
    (
        "entityDefinitionUpdateManager",
        "entity.definition_update_manager",
        "$this->{p}",
    ),
    (
        "isConfigSyncing",
        "config.installer",
        "$this->{p}->isSyncing()",
    ),
    // Container parameters, not services.
    ("root", "%app.root%", "$this->{p}"),
    ("installProfile", "%install_profile%", "$this->{p}"),
];

/// Container parameters by name: their PHP type and the property name they get.
const PARAMETERS: &[(&str, &str, &str)] = &[
    ("app.root", "string", "root"),
    ("install_profile", "string|false|null", "installProfile"),
];

/// Properties the base classes declare already.
const CONTROLLER_BASE: &[&str] = &[
    "entityTypeManager",
    "entityFormBuilder",
    "languageManager",
    "configFactory",
    "keyValue",
    "currentUser",
    "stateService",
    "moduleHandler",
    "formBuilder",
    "messenger",
    "loggerFactory",
    "redirectDestination",
    "stringTranslation",
];
const FORM_BASE: &[&str] = &[
    "requestStack",
    "routeMatch",
    "configFactory",
    "redirectDestination",
    "stringTranslation",
    "messenger",
    "loggerFactory",
];

/// A property declaration: `protected $database;`, `private ?Foo $bar = NULL;`.
static DECLARED_PROPERTY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?m)^\s*(?:public|protected|private)\s+(?:static\s+)?(?:readonly\s+)?(?:\??[\w\\]+\s+)?\$(\w+)\s*[;=]")
        .expect("a valid pattern")
});

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Dependency {
    pub(super) service: String,
    pub(super) type_fqcn: String,
    pub(super) property: String,
}

impl Dependency {
    /// The container parameter this stands for (`app.root` for `%app.root%`), if it is one.
    pub(super) fn parameter(&self) -> Option<&str> {
        self.service.strip_prefix('%')?.strip_suffix('%')
    }

    /// The service id as PHP names it: `'entity_type.manager'`, or `Foo::class` for a
    /// service registered under its class name (the file imports the class).
    fn php_id(&self) -> String {
        if self.service.contains('\\') {
            format!("{}::class", short(&self.service))
        } else {
            format!("'{}'", self.service)
        }
    }

    /// What a factory calls on the container for it.
    pub(super) fn container_get(&self, container: &str) -> String {
        match self.parameter() {
            Some(name) => format!("{container}->getParameter('{name}')"),
            None => format!("{container}->get({})", self.php_id()),
        }
    }

    /// The attribute that names it to autowiring.
    pub(super) fn autowire_attribute(&self) -> String {
        match self.parameter() {
            Some(name) => format!("#[Autowire(param: '{name}')]"),
            None => format!("#[Autowire(service: {})]", self.php_id()),
        }
    }

    /// It as an argument of a services.yml entry.
    pub(super) fn yaml_argument(&self) -> String {
        match self.parameter() {
            Some(_) => format!("'{}'", self.service),
            None => format!("'@{}'", self.service),
        }
    }

    /// The classes the injection needs imported: the type (not a PHP type such as
    /// `string`) and the class of a class-named service.
    pub(super) fn imports(&self) -> impl Iterator<Item = &str> {
        let ty = self
            .type_fqcn
            .contains('\\')
            .then_some(self.type_fqcn.as_str());
        let service = self.service.contains('\\').then_some(self.service.as_str());
        ty.into_iter().chain(service)
    }
}

/// `entityTypeManager` → `entity_type_manager`.
pub(super) fn snake(camel: &str) -> String {
    let mut out = String::new();
    for c in camel.chars() {
        if c.is_uppercase() {
            out.push('_');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The type and property of a service: core's table, else the module's services.yml, else
/// any services.yml of the sources (core's `core.services.yml` among them), preferring the
/// interface an alias names (`Drupal\Core\Foo\FooInterface: '@foo'`) over the class.
fn service_type(corpus: &Corpus, module: Option<&str>, id: &str) -> Option<(String, String)> {
    if let Some(name) = id.strip_prefix('%').and_then(|p| p.strip_suffix('%')) {
        let (_, ty, prop) = PARAMETERS.iter().find(|(n, _, _)| *n == name)?;
        return Some(((*ty).to_owned(), (*prop).to_owned()));
    }
    if let Some((_, ty, prop)) = SERVICES.iter().find(|(s, _, _)| *s == id) {
        return Some(((*ty).to_owned(), (*prop).to_owned()));
    }
    let own: Option<usize> = module.and_then(|module| {
        let ext = corpus.extensions.iter().find(|e| e.name == module)?;
        corpus.extension_file(ext, &format!("{module}.services.yml"))
    });
    let files = own.into_iter().chain(
        (0..corpus.files.len()).filter(|&i| corpus.files[i].path.ends_with(".services.yml")),
    );
    for yml in files {
        let Some(YamlFacts::Services { services }) = corpus.yaml(yml) else {
            continue;
        };
        let Some(mut entry) = services.iter().find(|s| s.id == id) else {
            continue;
        };
        if let Some(target) = &entry.alias_of {
            entry = services.iter().find(|s| &s.id == target)?;
        }
        let interface = services
            .iter()
            .find(|s| s.alias_of.as_deref() == Some(entry.id.as_str()) && s.id.contains('\\'))
            .map(|s| s.id.clone());
        let class = interface
            .or_else(|| entry.class.clone())
            .or_else(|| entry.id.contains('\\').then(|| entry.id.clone()))?;
        // A service named by its class (`Drupal\\x\\FooBar`) becomes `$fooBar`.
        if id.contains('\\') {
            let name = short(id);
            let mut chars = name.chars();
            let property = chars
                .next()
                .map(|c| c.to_lowercase().chain(chars).collect())
                .unwrap_or_default();
            return Some((class, property));
        }
        let local = module
            .and_then(|m| id.strip_prefix(&format!("{m}.")))
            .unwrap_or(id);
        return Some((class, camel(local, false)));
    }
    None
}

pub(super) struct Call {
    pub(super) range: std::ops::Range<usize>,
    pub(super) replacement: String,
}

/// How a rewritten class receives its services.
#[derive(Clone)]
pub(super) enum Wiring {
    /// A `create()` factory (controllers, forms): the properties the base class declares.
    Create(&'static [&'static str]),
    /// An autowired constructor: a hook class (a service since Drupal 11.1), or a service
    /// its module's `services.yml` autowires.
    Autowire(&'static str),
    /// A plugin whose base class has the standard plugin constructor
    /// (`$configuration, $plugin_id, $plugin_definition`): it implements
    /// `ContainerFactoryPluginInterface`, and its `create()` passes those on.
    Plugin,
    /// A class the class resolver builds (a constraint validator): it implements
    /// `ContainerInjectionInterface`, whose `create()` passes the services in.
    ClassResolved(&'static str),
    /// A class that inherits a container factory whose constructor it must not repeat (a
    /// field widget, a views plugin, an entity handler): its override calls the parent's
    /// and sets the new properties on the instance it returns.
    Inherited(InheritedFactory),
}

/// Plugin base classes whose constructor is exactly `(array $configuration, $plugin_id,
/// $plugin_definition)`, so a subclass can add services after those three.
const STANDARD_PLUGIN_BASES: &[&str] = &[
    "PluginBase",
    "BlockBase",
    "FilterBase",
    "ConditionPluginBase",
    "ActionBase",
    "QueueWorkerBase",
    "ProcessPluginBase",
    "ArgumentPluginBase",
    "FieldPluginBase",
    "SortPluginBase",
    "RenderElementBase",
    "FormElementBase",
    "ImageEffectBase",
];

/// Properties the standard plugin bases declare through their traits (`MessengerTrait`,
/// `StringTranslationTrait`): assigned, not promoted.
const PLUGIN_BASE: &[&str] = &["messenger", "stringTranslation"];

/// Whether the rewrite applies to a class and how it will be wired, or why not.
pub(super) fn applies(corpus: &Corpus, file: usize, c: &ClassFacts) -> Result<Wiring, String> {
    let base = c.extends.as_deref().map(short).unwrap_or("");
    let wiring = match base {
        "ControllerBase" => Wiring::Create(CONTROLLER_BASE),
        "FormBase" => Wiring::Create(FORM_BASE),
        "" if c.fqcn.contains("\\Hook\\") && corpus.files[file].rel.contains("/src/Hook/") => {
            Wiring::Autowire("hook class")
        }
        "" if autowired_service(corpus, file, c) => Wiring::Autowire("autowired service"),
        b if STANDARD_PLUGIN_BASES.contains(&b) && c.plugin.is_some() => {
            if c.implements
                .iter()
                .any(|i| short(i) == "ContainerFactoryPluginInterface")
            {
                return Err("already implements ContainerFactoryPluginInterface; merging into its create() is not mechanical".to_owned());
            }
            Wiring::Plugin
        }
        "ConstraintValidator"
            if c.extends.as_deref().map(|e| e.trim_start_matches('\\'))
                == Some("Symfony\\Component\\Validator\\ConstraintValidator") =>
        {
            if c.implements
                .iter()
                .any(|i| short(i) == "ContainerInjectionInterface")
            {
                return Err("already implements ContainerInjectionInterface; merging into its create() is not mechanical".to_owned());
            }
            Wiring::ClassResolved("constraint validator")
        }
        "" => {
            return Err("extends nothing and is neither a hook class nor an autowired service: nothing builds it with its services".to_owned());
        }
        _ => by_ancestry(corpus, c)?,
    };
    if c.methods
        .iter()
        .any(|m| m == "__construct" || m == "create" || m == "createInstance")
    {
        return Err(
            "already has a constructor or create(); merging into it is not mechanical".to_owned(),
        );
    }
    if c.drupal_calls.iter().any(|d| d.in_static_method) {
        return Err(
            "calls \\Drupal:: from a static method, which injection cannot reach".to_owned(),
        );
    }
    let conflict = match &wiring {
        // Subclasses that inherit the override, or call it from theirs, get the services.
        Wiring::Inherited(_) => corpus.subclasses(&c.fqcn).find(|(file, child)| {
            child
                .methods
                .iter()
                .any(|m| m == "create" || m == "createInstance")
                && !corpus.files[*file].text.contains("parent::create")
        }),
        _ => builds_itself(corpus, &c.fqcn),
    };
    if let Some((_, child)) = conflict {
        return Err(format!(
            "{} extends it with its own constructor or factory, which would not pass (or set) the new services",
            child.fqcn
        ));
    }
    Ok(wiring)
}

/// A subclass in the sources that declares its own constructor or container factory.
pub(super) fn builds_itself<'c>(corpus: &'c Corpus, fqcn: &str) -> Option<(usize, &'c ClassFacts)> {
    corpus.subclasses(fqcn).find(|(_, child)| {
        child
            .methods
            .iter()
            .any(|m| m == "__construct" || m == "create" || m == "createInstance")
    })
}

/// The wiring of a class whose direct base says nothing, from its ancestors in the
/// sources: a `ControllerBase`/`FormBase` descendant with no constructor on the way gets
/// its own constructor and `create()`; any other class that inherits a container
/// factory overrides it.
fn by_ancestry(corpus: &Corpus, c: &ClassFacts) -> Result<Wiring, String> {
    let chain = super::ancestry::ancestors(corpus, c)?;
    let constructor_at = chain
        .iter()
        .position(|(_, a)| a.methods.iter().any(|m| m == "__construct"));
    let factory_at = chain.iter().position(|(_, a)| {
        a.method_outlines
            .iter()
            .any(|m| m.is_static && (m.name == "create" || m.name == "createInstance"))
    });
    if let Some(at) = factory_at
        && constructor_at.is_none_or(|ctor| ctor > at)
    {
        match chain[at].1.fqcn.as_str() {
            "Drupal\\Core\\Controller\\ControllerBase" => {
                return Ok(Wiring::Create(CONTROLLER_BASE));
            }
            "Drupal\\Core\\Form\\FormBase" => return Ok(Wiring::Create(FORM_BASE)),
            _ => {}
        }
    }
    match super::ancestry::inherited_factory(corpus, &chain)? {
        Some(factory) => Ok(Wiring::Inherited(factory)),
        None => Err(format!(
            "extends {}, and nothing it inherits builds it from the container (no create() or createInstance() taking the container)",
            c.extends.as_deref().map(short).unwrap_or("nothing")
        )),
    }
}

/// Whether the class's module registers it as a service that is autowired (by its own
/// `autowire: true` or the file's `_defaults`).
fn autowired_service(corpus: &Corpus, file: usize, c: &ClassFacts) -> bool {
    let Some(ext) = corpus.extension(file) else {
        return false;
    };
    let Some(yml) = corpus.extension_file(ext, &format!("{}.services.yml", ext.name)) else {
        return false;
    };
    let Some(YamlFacts::Services { services }) = corpus.yaml(yml) else {
        return false;
    };
    let defaults = services.iter().any(|s| s.id == "_defaults" && s.autowire);
    services.iter().any(|s| {
        (s.class.as_deref() == Some(c.fqcn.as_str()) || s.id == c.fqcn)
            && s.alias_of.is_none()
            && (s.autowire || defaults)
            && s.arguments.is_empty()
    })
}

/// Every class with `\Drupal::` calls: a sample with the class rewritten for constructor
/// injection, or a dropped candidate with the reason it is not rewritten.
pub(super) fn run(
    corpus: &Corpus,
    checker: &Checker,
    deprecations: &[Deprecation],
    out: &mut Emitter,
) {
    let generator = generator("injection");
    let removed = super::removed::removed_in_11(deprecations);
    for (file, c) in corpus.classes() {
        if c.drupal_calls.is_empty() || c.kind != "class" {
            continue;
        }
        let f = &corpus.files[file];
        let module = corpus.extension(file).map(|e| e.name.clone());
        if tuneforge_core::source_path::is_test_path(&f.rel) {
            out.drop(&generator, f.cite(), "test code is not rewritten");
            continue;
        }
        if c.deprecated.is_some() {
            out.drop(
                &generator,
                f.cite(),
                "the class is @deprecated: a refactor of it teaches code on its way out",
            );
            continue;
        }
        let has_constructor = c.methods.iter().any(|m| m == "__construct");
        let static_calls = c.drupal_calls.iter().any(|d| d.in_static_method);
        if has_constructor && !static_calls && !c.name.ends_with("EntityBase") {
            match super::extend::extend(corpus, checker, file, c, module.as_deref()) {
                Ok(extended) => {
                    let (user, answer) =
                        super::extend::sample(out, f, c, module.as_deref(), &extended);
                    out.emit(&generator, "drupal-services", file, user, answer);
                }
                Err(reason) => out.drop(&generator, f.cite(), reason),
            }
            continue;
        }
        match injected_class(corpus, checker, &removed, file, c, module.as_deref()) {
            Ok(rewritten) => {
                let (user, answer) = injection_sample(out, f, c, module.as_deref(), &rewritten);
                out.emit(&generator, "drupal-services", file, user, answer);
            }
            Err(reason) => out.drop(&generator, f.cite(), reason),
        }
    }
}

/// A class rewritten for injection, ready to be a sample.
struct Rewritten<'d> {
    /// The file, verified against the rules.
    output: String,
    deps: Vec<Dependency>,
    /// The removed functions replaced on the way.
    used: Vec<&'d Deprecation>,
    wiring: Wiring,
}

/// The file of class `c` with removed functions replaced (first: their service
/// replacements are injected with the rest) and its `\Drupal::` calls injected; it must
/// pass the rules without the findings the rewrite exists for. The reason when not.
fn injected_class<'d>(
    corpus: &Corpus,
    checker: &Checker,
    removed: &[&'d Deprecation],
    file: usize,
    c: &ClassFacts,
    module: Option<&str>,
) -> Result<Rewritten<'d>, String> {
    let f = &corpus.files[file];
    let wiring = applies(corpus, file, c)?;
    let (inherited, create) = match &wiring {
        Wiring::Create(inherited) => (*inherited, Factory::Container),
        Wiring::Autowire(_) => (&[][..], Factory::None),
        Wiring::Plugin => (PLUGIN_BASE, Factory::Plugin),
        Wiring::Inherited(factory) => (&[][..], Factory::Inherited(factory)),
        Wiring::ClassResolved(_) => (&[][..], Factory::Injection),
    };
    let (source, used) = match super::removed::replace_removed(&f.text, removed, true)? {
        Some((text, used)) => (text, used),
        None => (f.text.clone(), Vec::new()),
    };
    let (output, deps) = rewrite(corpus, module, &source, &c.name, inherited, create)?;
    verify(
        checker,
        &f.path,
        &output,
        &[
            "drupal-service-in-class",
            "drupal-static-in-class",
            "removed-symbol",
        ],
    )?;
    Ok(Rewritten {
        output,
        deps,
        used,
        wiring,
    })
}

/// The request (phrased by the sample's key) and the answer: the rewritten class, what
/// it now takes and why the properties are declared as they are.
fn injection_sample(
    out: &Emitter<'_>,
    f: &SourceFile,
    c: &ClassFacts,
    module: Option<&str>,
    rewritten: &Rewritten<'_>,
) -> (String, String) {
    let base = c.extends.as_deref().map(short).unwrap_or("");
    let services: Vec<String> = rewritten
        .deps
        .iter()
        .map(|d| format!("`{}`", d.service))
        .collect();
    let key = format!("{}#injection", f.cite());
    let ask = match &rewritten.wiring {
        Wiring::Create(_) => out.pick(
            &key,
            &[
            "Refactor this class to use dependency injection instead of `\\Drupal::` calls:\n\n{code}",
                "This {base} subclass from {module} fetches services from the global container. Rewrite it for Drupal 11 with constructor injection and create().\n\n{code}",
                "Replace the static \\Drupal service calls in `{class}` with injected services.\n\n{code}",
            ],
        ),
        Wiring::Plugin => out.pick(
            &key,
            &[
                "This {kind} plugin from {module} calls `\\Drupal::` for its services. Rewrite it for Drupal 11 with dependency injection.\n\n{code}",
                "Make `{class}` implement `ContainerFactoryPluginInterface` and inject the services it now fetches with `\\Drupal::`.\n\n{code}",
            ],
        ),
        Wiring::ClassResolved(_) => out.pick(
            &key,
            &[
                "This {what} from {module} calls `\\Drupal::` for its services. Rewrite it for Drupal 11 with dependency injection.\n\n{code}",
                "Inject the services `{class}` fetches with `\\Drupal::` instead.\n\n{code}",
            ],
        ),
        Wiring::Inherited(_) => out.pick(
            &key,
            &[
                "Refactor this class to use dependency injection instead of `\\Drupal::` calls:\n\n{code}",
                "`{class}` extends `{base}`, whose `{factory}()` builds it. Replace its `\\Drupal::` calls with injected services without overriding the constructor.\n\n{code}",
            ],
        ),
        Wiring::Autowire(_) => out.pick(
            &key,
            &[
                "Refactor this {what} to use constructor injection instead of `\\Drupal::` calls:\n\n{code}",
                "`{class}` in {module} is {a_what} but still fetches services from the global container. Rewrite it for Drupal 11 with an autowired constructor.\n\n{code}",
            ],
        ),
    };
    let what = match &rewritten.wiring {
        Wiring::Autowire(what) | Wiring::ClassResolved(what) => what,
        Wiring::Create(_) | Wiring::Plugin | Wiring::Inherited(_) => "class",
    };
    let factory = match &rewritten.wiring {
        Wiring::Inherited(f) => f.method.as_str(),
        _ => "create",
    };
    let kind = c
        .plugin
        .as_ref()
        .map(|p| crate::templates::words(&p.plugin_type))
        .unwrap_or_default();
    let user = fill(
        ask,
        &[
            ("base", base),
            ("what", what),
            ("a_what", &tuneforge_core::text::with_article(what)),
            ("kind", &kind),
            (
                "module",
                module.unwrap_or(if is_core_library(&f.rel) {
                    "Drupal core"
                } else {
                    "a module"
                }),
            ),
            ("class", &c.name),
            ("factory", factory),
            ("code", &fenced("php", &f.text)),
        ],
    );
    let answer = match &rewritten.wiring {
        Wiring::Create(_) => format!(
            "{}\n\n`create()` now takes {} from the container and passes them to the constructor; every `\\Drupal::` call became a property of the object. Properties that `{base}` already declares are assigned in the constructor rather than redeclared (PHP does not allow retyping an inherited property); the others are promoted, read-only constructor parameters. The class no longer depends on the global container, so a unit test can pass mocks.",
            fenced("php", &rewritten.output),
            crate::templates::list_of(&services),
        ),
        Wiring::Plugin => format!(
            "{}\n\nThe plugin now implements `ContainerFactoryPluginInterface`, so the plugin manager builds it with `create()`, which takes {} from the container and passes them to the constructor after the three arguments every plugin receives (`$configuration`, `$plugin_id`, `$plugin_definition`), which go on to `{base}`'s constructor. Every `\\Drupal::` call became a property of the object; properties `{base}` already declares through its traits are assigned rather than redeclared. The class no longer depends on the global container, so a unit test can pass mocks.",
            fenced("php", &rewritten.output),
            crate::templates::list_of(&services),
        ),
        Wiring::ClassResolved(what) => format!(
            "{}\n\nDrupal builds {} through the class resolver, which calls `create()` on classes that implement `ContainerInjectionInterface`. So the class now implements it: `create()` takes {} from the container and passes {} to the constructor as {}, and every `\\Drupal::` call became a property of the object. The class no longer depends on the global container, so a unit test can pass mocks.",
            fenced("php", &rewritten.output),
            tuneforge_core::text::with_article(what),
            crate::templates::list_of(&services),
            if services.len() == 1 { "it" } else { "them" },
            if services.len() == 1 {
                "a promoted, read-only parameter"
            } else {
                "promoted, read-only parameters"
            },
        ),
        Wiring::Inherited(factory) => {
            let the_services = format!(
                "the {} {}",
                crate::templates::list_of(&services),
                if services.len() == 1 {
                    "service"
                } else {
                    "services"
                }
            );
            format!(
                "{}\n\n`{owner}::{method}()` builds this class with the constructor arguments its parents need, so the class does not override the constructor (which would have to repeat them, and break when they change). Its `{method}()` override lets `parent::{method}()` build the instance and then sets {} from the container on it; every `\\Drupal::` call became a property of the object. The class no longer reaches for the global container: a test builds it through `{method}()` with a container that holds mocks.",
                fenced("php", &rewritten.output),
                the_services,
                owner = short(&factory.owner),
                method = factory.method,
            )
        }
        Wiring::Autowire(what) => format!(
            "{}\n\nAs {}, the class is built by the container with autowiring, so it needs no `create()`: the constructor takes {} as {}, {}, and every `\\Drupal::` call became a property of the object. The class no longer depends on the global container, so a unit test can pass mocks.",
            fenced("php", &rewritten.output),
            tuneforge_core::text::with_article(what),
            crate::templates::list_of(&services),
            if services.len() == 1 {
                "a promoted, read-only parameter"
            } else {
                "promoted, read-only parameters"
            },
            autowire_note(&rewritten.deps),
        ),
    };
    let answer = if rewritten.used.is_empty() {
        answer
    } else {
        format!(
            "{answer}\n\nThe class also called functions Drupal 11 removed:\n{}",
            super::removed::notes(&rewritten.used)
        )
    };
    (user, answer)
}

/// Whether a source path is in core's own library (`lib/Drupal/…`), outside any module.
fn is_core_library(rel: &str) -> bool {
    rel.starts_with("lib/Drupal/") || rel.starts_with("core/lib/Drupal/")
}

/// How an autowired constructor names what it takes: services with
/// `#[Autowire(service: …)]`, container parameters with `#[Autowire(param: …)]`.
pub(super) fn autowire_note(deps: &[Dependency]) -> String {
    let (parameters, services): (Vec<&Dependency>, Vec<&Dependency>) =
        deps.iter().partition(|d| d.parameter().is_some());
    let named = |ds: &[&Dependency]| -> String {
        let names: Vec<String> = ds
            .iter()
            .map(|d| format!("`{}`", d.parameter().unwrap_or(&d.service)))
            .collect();
        crate::templates::list_of(&names)
    };
    let mut note = Vec::new();
    if !services.is_empty() {
        note.push(format!(
            "`#[Autowire(service: …)]` names {} (not every service has an autowiring alias for its interface)",
            named(&services)
        ));
    }
    if !parameters.is_empty() {
        note.push(format!(
            "`#[Autowire(param: …)]` names the container {} {}",
            if parameters.len() == 1 {
                "parameter"
            } else {
                "parameters"
            },
            named(&parameters)
        ));
    }
    note.join("; ")
}

/// How the rewritten class is built, which decides its `create()`.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Factory<'a> {
    /// No `create()`: the container autowires the constructor (a hook class, a service).
    None,
    /// `create(ContainerInterface $container)` (controllers, forms).
    Container,
    /// `create(ContainerInterface $container)` of `ContainerInjectionInterface`, which the
    /// class declares it implements (a class the class resolver builds).
    Injection,
    /// The plugin factory's `create($container, $configuration, $plugin_id,
    /// $plugin_definition)`, passing the three on to the parent constructor.
    Plugin,
    /// An override of the inherited factory that sets properties on the parent's instance.
    Inherited(&'a InheritedFactory),
}

/// With a factory, a `create()` that pulls the services from the container; without, the
/// constructor alone (an autowired service, such as a hook class).
pub(super) fn rewrite(
    corpus: &Corpus,
    module: Option<&str>,
    source: &str,
    class: &str,
    inherited: &[&str],
    create: Factory,
) -> Result<(String, Vec<Dependency>), String> {
    let tree = parse(source);
    let body = class_body(&tree, source, class)?;
    let (deps, mut calls) = container_calls(corpus, module, body, source)?;
    let insert_at = member_position(source, body);
    // Properties the class, its traits or its ancestors declare are assigned like
    // inherited ones: declaring one again would clash (or retype an inherited property,
    // which PHP forbids).
    let mut declared = super::ancestry::own_properties(corpus, source, body);
    if let Some((_, facts)) = corpus.class_file(&super::resolve_name(source, class))
        && let Ok(chain) = super::ancestry::ancestors(corpus, facts)
    {
        declared.extend(super::ancestry::inherited_properties(corpus, &chain));
    }
    let members = injection_members(class, &deps, inherited, &declared, create);
    let mut edited = source.to_owned();
    // Calls are replaced from the last, so earlier offsets stay valid; the members go in
    // last, at an offset before every call (calls sit in method bodies, after properties).
    calls.sort_by_key(|c| std::cmp::Reverse(c.range.start));
    for call in &calls {
        edited.replace_range(call.range.clone(), &call.replacement);
    }
    edited.insert_str(insert_at, &members);
    let mut add: Vec<&str> = deps.iter().flat_map(Dependency::imports).collect();
    match create {
        Factory::Container => {
            add.push("Symfony\\Component\\DependencyInjection\\ContainerInterface")
        }
        Factory::None => add.push("Symfony\\Component\\DependencyInjection\\Attribute\\Autowire"),
        Factory::Plugin => {
            add.push("Symfony\\Component\\DependencyInjection\\ContainerInterface");
            add.push("Drupal\\Core\\Plugin\\ContainerFactoryPluginInterface");
            edited = implement(&edited, class, "ContainerFactoryPluginInterface")?;
        }
        Factory::Injection => {
            add.push("Symfony\\Component\\DependencyInjection\\ContainerInterface");
            add.push("Drupal\\Core\\DependencyInjection\\ContainerInjectionInterface");
            edited = implement(&edited, class, "ContainerInjectionInterface")?;
        }
        Factory::Inherited(factory) => add.extend(factory.imports.iter().map(String::as_str)),
    }
    if let Some(clash) = import_clash(source, class, &add) {
        return Err(clash);
    }
    Ok((edit_uses(&edited, &add, &[]), deps))
}

/// Why importing `add` into `source` would break it: a different class imported, or the
/// class itself declared, under the same short name.
pub(super) fn import_clash(source: &str, class: &str, add: &[&str]) -> Option<String> {
    add.iter().find_map(|fqcn| {
        let name = short(fqcn);
        let resolved = super::resolve_name(source, name);
        let taken = if name == class {
            resolved != *fqcn
        } else {
            super::use_lines_imported(source, name) && resolved != *fqcn
        };
        taken.then(|| {
            format!("importing {fqcn} would clash with another class named {name} in the file")
        })
    })
}

/// The class declaration of `class` with `interface` (a short name the file imports) added
/// to what it implements.
fn implement(source: &str, class: &str, interface: &str) -> Result<String, String> {
    let tree = parse(source);
    let body = class_body(&tree, source, class)?;
    // The declaration's header runs from `class Name` to the body's opening brace.
    let header_end = body.start_byte();
    let header_start = source[..header_end]
        .rfind(&format!("class {class}"))
        .ok_or_else(|| format!("cannot find the declaration of {class}"))?;
    let header = &source[header_start..header_end];
    let new_header = match header.find(" implements ") {
        Some(at) => {
            let (before, after) = header.split_at(at + " implements ".len());
            format!("{before}{interface}, {after}")
        }
        None => format!("{} implements {interface} ", header.trim_end()),
    };
    let mut out = source.to_owned();
    out.replace_range(header_start..header_end, &new_header);
    Ok(out)
}

/// The properties a class body declares, by name.
pub(super) fn declared_properties(source: &str, body: Node<'_>) -> Vec<String> {
    DECLARED_PROPERTY
        .captures_iter(&source[body.byte_range()])
        .map(|c| c[1].to_owned())
        .collect()
}

/// The body of the class named `class`.
pub(super) fn class_body<'t>(
    tree: &'t tree_sitter::Tree,
    source: &str,
    class: &str,
) -> Result<Node<'t>, String> {
    let mut class_node: Option<Node> = None;
    visit(tree.root_node(), &mut |n| {
        if n.kind() == "class_declaration"
            && n.child_by_field_name("name").map(|x| text(x, source)) == Some(class)
        {
            class_node = Some(n);
        }
        class_node.is_none()
    });
    let class_node = class_node.ok_or("the class is not in the parse tree")?;
    Ok(class_node
        .child_by_field_name("body")
        .ok_or("the class has no body")?)
}

/// Every `\Drupal::` call in a class body: the services they need (each once, in order of
/// first use) and the edit of each call. Any call the rewrite cannot be sure about makes
/// the whole class an error (the last such call's reason): half a rewrite is no sample.
pub(super) fn container_calls(
    corpus: &Corpus,
    module: Option<&str>,
    body: Node<'_>,
    source: &str,
) -> Result<(Vec<Dependency>, Vec<Call>), String> {
    let mut deps: Vec<Dependency> = Vec::new();
    let mut calls: Vec<Call> = Vec::new();
    let mut problem: Option<String> = None;
    visit(body, &mut |n| {
        if n.kind() != "scoped_call_expression" {
            return true;
        }
        let scope = n
            .child_by_field_name("scope")
            .map(|s| text(s, source))
            .unwrap_or("");
        if scope != "\\Drupal" && scope != "Drupal" {
            return true;
        }
        if tuneforge_php::rules::bc_fallback(source, n.start_position().row + 1) {
            problem = Some(
                "a \\Drupal:: call is the backwards-compatibility fallback for a constructor argument: the service is injected already"
                    .to_owned(),
            );
            return false;
        }
        let args = n
            .child_by_field_name("arguments")
            .map(|a| text(a, source))
            .unwrap_or("()");
        let typed = service_of_call(n, source).and_then(|(service, template)| {
            let Some((type_fqcn, property)) = service_type(corpus, module, &service) else {
                return Err(format!("the type of the service '{service}' is not known"));
            };
            Ok((service, template, type_fqcn, property))
        });
        let (service, template, type_fqcn, property) = match typed {
            Ok(t) => t,
            Err(p) => {
                problem = Some(p);
                return false;
            }
        };
        if !deps.iter().any(|d| d.service == service) {
            deps.push(Dependency {
                service: service.clone(),
                type_fqcn,
                property: property.clone(),
            });
        }
        let property = deps
            .iter()
            .find(|d| d.service == service)
            .map(|d| d.property.clone())
            .unwrap_or(property);
        let replacement = template.replace("{p}", &property).replace("{args}", args);
        // `$this->foo = \Drupal::service('foo')` fills an optional argument's property on
        // first use: with the service injected there is nothing left to fill.
        let assigned_to = n
            .parent()
            .filter(|p| p.kind() == "assignment_expression")
            .and_then(|p| p.child_by_field_name("left"))
            .map(|l| text(l, source));
        if assigned_to == Some(replacement.as_str()) {
            problem = Some(format!(
                "the \\Drupal:: call fills {replacement} when the constructor was not given it: a fallback for an optional argument"
            ));
            return false;
        }
        calls.push(Call {
            range: n.byte_range(),
            replacement,
        });
        false
    });
    if let Some(p) = problem {
        return Err(p);
    }
    if deps.is_empty() {
        return Err("no \\Drupal:: call found in the class body".to_owned());
    }
    Ok((deps, calls))
}

/// The service behind a `\Drupal::` call and what the call becomes (`{p}` is the
/// property, `{args}` the call's arguments): `service('id')` with a literal id, or a
/// known shortcut. A named cache bin is a different service per bin, so it is refused.
fn service_of_call(n: Node<'_>, source: &str) -> Result<(String, &'static str), String> {
    let method = n
        .child_by_field_name("name")
        .map(|s| text(s, source))
        .unwrap_or("");
    let args_node = n.child_by_field_name("arguments");
    let args = args_node.map(|a| text(a, source)).unwrap_or("()");
    if method == "service" {
        let value = args_node
            .and_then(|a| a.named_child(0))
            .and_then(|arg| arg.named_child(0));
        let id = value.and_then(|v| string_value(v, source)).or_else(|| {
            // `\Drupal::service(Foo::class)`: a service registered under its class name.
            let v = value.filter(|v| v.kind() == "class_constant_access_expression")?;
            let class = v.named_child(0)?;
            let constant = v.named_child(1)?;
            (text(constant, source) == "class")
                .then(|| super::resolve_name(source, text(class, source)))
        });
        match id {
            Some(id) => Ok((id, "$this->{p}")),
            None => Err(format!(
                "\\Drupal::service{args} does not name its service with a literal"
            )),
        }
    } else if method == "classResolver" && args != "()" {
        // With a class, the shortcut resolves an instance of it.
        Ok((
            "class_resolver".to_owned(),
            "$this->{p}->getInstanceFromDefinition{args}",
        ))
    } else if method == "cache" && args != "()" {
        Err(format!(
            "\\Drupal::cache{args}: a named cache bin is not rewritten"
        ))
    } else {
        match SHORTCUTS.iter().find(|(m, _, _)| *m == method) {
            Some((_, s, t)) => Ok(((*s).to_owned(), *t)),
            None => Err(format!("no known service behind \\Drupal::{method}()")),
        }
    }
}

/// Where new members go: after the class's opening brace, its trait uses and
/// properties, with one blank line before them.
fn member_position(source: &str, body: Node<'_>) -> usize {
    let open = body.start_byte() + 1;
    let mut insert_at = source[open..].find('\n').map_or(open, |n| open + n + 1);
    loop {
        let rest = &source[insert_at..];
        let line_end = rest.find('\n').map_or(rest.len(), |n| n + 1);
        let line = rest[..line_end].trim();
        let member = line.is_empty()
            || line.starts_with("use ")
            || ((line.starts_with("protected ")
                || line.starts_with("private ")
                || line.starts_with("public ")
                || line.starts_with("const "))
                && line.ends_with(';')
                && !line.contains("function"));
        if !member || line_end == 0 {
            break;
        }
        insert_at += line_end;
    }
    // Back up over trailing blank lines so one blank line separates the new members.
    while source[..insert_at].ends_with("\n\n") && insert_at > open + 1 {
        insert_at -= 1;
    }
    insert_at
}

/// The constructor taking `deps` and, with `create`, the `create()` that passes them in.
/// Properties the base class or the class itself declares (`inherited`, `declared`) are
/// assigned; the others are promoted parameters.
fn injection_members(
    class: &str,
    deps: &[Dependency],
    inherited: &[&str],
    declared: &[String],
    create: Factory,
) -> String {
    if let Factory::Inherited(factory) = create {
        return factory_override(factory, deps, inherited, declared);
    }
    let mut params = Vec::new();
    let mut assigns = Vec::new();
    // Forms are serialized with the form state; a readonly property cannot be restored
    // when they are woken up (FormBase's __wakeup), so form properties stay writable.
    let readonly = if inherited == FORM_BASE {
        ""
    } else {
        "readonly "
    };
    for d in deps {
        let ty = short(&d.type_fqcn);
        // An autowired constructor (a hook class) names each service: not every core type
        // has an autowiring alias, and a module's services are registered by id.
        let autowire = if create == Factory::None {
            format!("    {}\n", d.autowire_attribute())
        } else {
            String::new()
        };
        if inherited.contains(&d.property.as_str()) || declared.contains(&d.property) {
            params.push(format!("{autowire}    {ty} ${},", snake(&d.property)));
            assigns.push(format!(
                "    $this->{} = ${};",
                d.property,
                snake(&d.property)
            ));
        } else {
            params.push(format!(
                "{autowire}    protected {readonly}{ty} ${},",
                d.property
            ));
        }
    }
    let body_text = if assigns.is_empty() {
        " {}".to_owned()
    } else {
        format!(" {{\n{}\n  }}", assigns.join("\n"))
    };
    let gets: Vec<String> = deps
        .iter()
        .map(|d| format!("      {},", d.container_get("$container")))
        .collect();
    match create {
        Factory::None => format!(
            "\n  /**\n   * Constructs a {class} object.\n   */\n  public function __construct(\n{}\n  ){body_text}\n",
            params.join("\n"),
        ),
        Factory::Container | Factory::Injection => format!(
            "\n  /**\n   * Constructs a {class} object.\n   */\n  public function __construct(\n{}\n  ){body_text}\n\n  /**\n   * {{@inheritdoc}}\n   */\n  public static function create(ContainerInterface $container): static {{\n    return new static(\n{}\n    );\n  }}\n",
            params.join("\n"),
            gets.join("\n"),
        ),
        Factory::Plugin => {
            let mut body = vec![
                "    parent::__construct($configuration, $plugin_id, $plugin_definition);"
                    .to_owned(),
            ];
            body.extend(assigns.iter().cloned());
            format!(
                "\n  /**\n   * Constructs a {class} object.\n   */\n  public function __construct(\n    array $configuration,\n    $plugin_id,\n    $plugin_definition,\n{}\n  ) {{\n{}\n  }}\n\n  /**\n   * {{@inheritdoc}}\n   */\n  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {{\n    return new static(\n      $configuration,\n      $plugin_id,\n      $plugin_definition,\n{}\n    );\n  }}\n",
                params.join("\n"),
                body.join("\n"),
                gets.join("\n"),
            )
        }
        Factory::Inherited(_) => unreachable!("returned above"),
    }
}

/// The override of an inherited container factory: the new properties (those no
/// ancestor declares), then the factory, which lets the parent build the instance and sets
/// each service on it.
fn factory_override(
    factory: &InheritedFactory,
    deps: &[Dependency],
    inherited: &[&str],
    declared: &[String],
) -> String {
    let mut out = String::new();
    for d in deps {
        if inherited.contains(&d.property.as_str()) || declared.contains(&d.property) {
            continue;
        }
        out.push_str(&format!(
            "\n  /**\n   * The {}.\n   */\n  protected {} ${};\n",
            property_words(&d.property),
            short(&d.type_fqcn),
            d.property
        ));
    }
    let container = factory.container();
    let sets: Vec<String> = deps
        .iter()
        .map(|d| {
            format!(
                "    $instance->{} = {};",
                d.property,
                d.container_get(container)
            )
        })
        .collect();
    let returns = factory
        .returns
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "\n  /**\n   * {{@inheritdoc}}\n   */\n  public static function {method}({params}){returns} {{\n    $instance = parent::{method}({names});\n{sets}\n    return $instance;\n  }}\n",
        method = factory.method,
        params = factory.params,
        names = factory.names.join(", "),
        sets = sets.join("\n"),
    ));
    out
}

/// A property's name as words for its docblock: `entityTypeManager` → `entity type
/// manager`.
fn property_words(property: &str) -> String {
    snake(property).replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_parameters() {
        assert_eq!(snake("entityTypeManager"), "entity_type_manager");
        assert_eq!(snake("time"), "time");
    }
}
