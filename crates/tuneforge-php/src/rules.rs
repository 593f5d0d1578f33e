//! The Drupal 11 rules of `tuneforge check` and the quality gate: each with an id, a
//! severity, a message and a fix hint. PHP is read with tree-sitter (never by regex over
//! the text, which cannot tell a string from code); Drupal YAML through its facts.
//!
//! The removed/deprecated-symbol rules read the mined deprecation list
//! ([`crate::deprecations`]); without one they are reported as skipped, never as passed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tree_sitter::Node;

use crate::analyze::is_php;
use crate::deprecations::Deprecation;
use crate::facts::{PhpFacts, php_facts_of};
use crate::parse::{Position, parse, position_in, syntax_errors, text, use_clause, visit};
use crate::yaml::{YamlFacts, yaml_facts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub hint: &'static str,
}

macro_rules! rules {
    ($($name:ident = ($id:literal, $sev:ident, $summary:literal, $hint:literal);)*) => {
        $(pub const $name: Rule = Rule { id: $id, severity: Severity::$sev, summary: $summary, hint: $hint };)*
        /// Every rule, in the order of this table.
        pub const RULES: &[Rule] = &[$($name),*];
    };
}

rules! {
    SYNTAX_ERROR = ("syntax-error", Error, "PHP that does not parse",
        "fix the syntax; the error is at or just before this position");
    PLUGIN_ANNOTATION = ("plugin-annotation", Warning, "plugin declared by a docblock annotation",
        "declare it with the PHP attribute core has for this plugin type (e.g. #[Block(id: …, admin_label: new TranslatableMarkup(…))] from Drupal\\Core\\Block\\Attribute\\Block); annotations are deprecated for plugin types with attributes");
    PLUGIN_BOTH = ("plugin-annotation-and-attribute", Info, "plugin declared by both an attribute and an annotation",
        "remove the docblock annotation; the attribute is what Drupal 11 reads");
    PROCEDURAL_HOOK = ("procedural-hook", Warning, "procedural hook implementation where an OOP hook applies (Drupal 11.1+)",
        "move it to a method of a class in src/Hook/ marked #[Hook('<hook>')] (Drupal\\Core\\Hook\\Attribute\\Hook), with its services injected");
    DRUPAL_SERVICE = ("drupal-service-in-class", Warning, "\\Drupal::service() inside a class",
        "inject the service: take it in the constructor (or create() for plugins and forms) instead of asking the global container");
    DRUPAL_STATIC = ("drupal-static-in-class", Warning, "\\Drupal:: shortcut inside a class",
        "inject the service behind the shortcut (e.g. entity_type.manager, messenger, current_user, config.factory) through the constructor or create()");
    REMOVED_SYMBOL = ("removed-symbol", Error, "use of a symbol removed from Drupal 11",
        "use the replacement the deprecation names; the change record explains the move");
    DEPRECATED_SYMBOL = ("deprecated-symbol", Warning, "use of a symbol deprecated for removal",
        "use the replacement the deprecation names before it is removed");
    LEGACY_API = ("legacy-api", Error, "a procedural API removed before Drupal 10",
        "use its service or entity API replacement");
    SQL_CONCAT = ("sql-concatenation", Error, "SQL built by concatenation or interpolation",
        "pass values as placeholders (:name => $value) or use the query builder with ->condition()");
    MARKUP_UNESCAPED = ("markup-unescaped", Error, "#markup built from variables by concatenation or interpolation",
        "use '#plain_text', a render array with '#theme'/'#type', or $this->t() with @/% placeholders");
    T_CONCAT = ("t-concatenation", Warning, "t() with a concatenated or interpolated string",
        "pass a literal with placeholders: t('Hello @name', ['@name' => $name]); concatenated strings cannot be translated");
    STRICT_TYPES = ("strict-types-missing", Info, "no declare(strict_types=1)",
        "add declare(strict_types=1); after the opening tag (this project requires it)");
    PHP_REMOVED_FUNCTION = ("php-removed-function", Error, "a PHP function removed or deprecated in PHP 8",
        "use the modern equivalent (foreach instead of each(), closures instead of create_function(), preg_* instead of ereg*, mb_convert_encoding() instead of utf8_encode())");
    PHP_REMOVED_CAST = ("php-removed-cast", Error, "the (unset) or (real) cast, removed in PHP 8",
        "assign null or use (float)");
    PHP_DOLLAR_BRACE = ("php-dollar-brace-interpolation", Warning, "\"${var}\" string interpolation, deprecated in PHP 8.2",
        "write \"{$var}\" instead");
    PHP_SHORT_TAG = ("php-short-open-tag", Error, "a short open tag <?",
        "use <?php");
    EVAL = ("eval", Error, "eval()",
        "never evaluate code from strings; call the code directly");
    UNSERIALIZE = ("unserialize-without-allowed-classes", Warning, "unserialize() without allowed_classes",
        "pass ['allowed_classes' => FALSE] (or the list you expect), or store JSON");
    GLOBAL_IN_CLASS = ("global-in-class", Warning, "a global variable inside a class",
        "inject what the global held (current_user for $user, the request stack, config)");
    DEBUG_CODE = ("debug-code", Warning, "debugging output left in code",
        "remove it, or log through an injected logger");
    ROUTE_NO_ACCESS = ("route-access-missing", Error, "a route without an access requirement",
        "add requirements: _permission, _entity_access, _custom_access or _role");
    ROUTE_CSRF = ("route-csrf-missing", Error, "a state-changing route without CSRF protection",
        "add requirements: _csrf_token: 'TRUE' (links from Url::fromRoute get the token), or make it a form route (_form)");
    ROUTE_OPEN_ADMIN = ("route-admin-open-access", Error, "an /admin route open to everyone (_access: 'TRUE')",
        "require a permission: _permission: 'administer …'");
    INFO_CORE = ("info-core-version-requirement", Error, "an .info.yml whose core_version_requirement does not admit Drupal 11",
        "set core_version_requirement: ^10.3 || ^11 (or ^11)");
    INFO_LEGACY_CORE = ("info-legacy-core-key", Warning, "the Drupal 8 'core: 8.x' key in an .info.yml",
        "remove it; core_version_requirement says which Drupal versions the extension supports");
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub hint: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub rule: &'static str,
    pub reason: String,
}

/// Options of a check run.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub require_strict_types: bool,
    /// Whether a Composer constraint admits a Drupal 11 release (Composer's semantics live
    /// in `tuneforge-sources`, above this crate). Without it, an .info.yml is only checked
    /// for having a `core_version_requirement`.
    pub admits_drupal_11: Option<fn(&str) -> bool>,
}

/// The deprecation list, indexed by symbol.
#[derive(Debug, Default)]
pub struct DeprecationIndex {
    by_symbol: HashMap<String, Deprecation>,
}

impl DeprecationIndex {
    pub fn new(records: Vec<Deprecation>) -> Self {
        let mut by_symbol = HashMap::new();
        for r in records {
            if let Some(s) = r.symbol.clone() {
                by_symbol.entry(s.to_ascii_lowercase()).or_insert(r);
            }
        }
        Self { by_symbol }
    }

    pub fn len(&self) -> usize {
        self.by_symbol.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_symbol.is_empty()
    }

    /// PHP names are case-insensitive (functions, classes, methods).
    fn get(&self, symbol: &str) -> Option<&Deprecation> {
        self.by_symbol
            .get(&symbol.trim_start_matches('\\').to_ascii_lowercase())
    }
}

pub struct Checker {
    deprecations: Option<DeprecationIndex>,
    options: CheckOptions,
}

/// Procedural hooks that stay procedural in Drupal 11 (install-time and info hooks, theme
/// preprocess before 11.2): no OOP form to move them to.
const PROCEDURAL_ONLY: &[&str] = &[
    "install",
    "uninstall",
    "schema",
    "requirements",
    "update_dependencies",
    "update_last_removed",
    "hook_info",
    "module_implements_alter",
    "install_tasks",
    "install_tasks_alter",
    "removed_post_updates",
];

/// Procedural APIs removed before Drupal 10 that models still write (from the Drupal 8/9
/// change records); the mined list cannot know them, since 11.x no longer has their code.
const LEGACY_APIS: &[(&str, &str)] = &[
    (
        "drupal_set_message",
        "\\Drupal::messenger()->addMessage(), or the injected messenger service",
    ),
    (
        "db_query",
        "the injected database connection: $this->connection->query()",
    ),
    ("db_select", "$this->connection->select()"),
    ("db_insert", "$this->connection->insert()"),
    ("db_update", "$this->connection->update()"),
    ("db_delete", "$this->connection->delete()"),
    (
        "entity_load",
        "$entityTypeManager->getStorage($type)->load($id)",
    ),
    (
        "entity_load_multiple",
        "$entityTypeManager->getStorage($type)->loadMultiple($ids)",
    ),
    ("node_load", "Node::load() or the node storage"),
    ("user_load", "User::load() or the user storage"),
    ("file_load", "File::load() or the file storage"),
    ("drupal_render", "the renderer service: $renderer->render()"),
    (
        "format_date",
        "the date.formatter service: $dateFormatter->format()",
    ),
    (
        "file_unmanaged_copy",
        "the file_system service: $fileSystem->copy()",
    ),
    (
        "file_unmanaged_move",
        "the file_system service: $fileSystem->move()",
    ),
    (
        "file_unmanaged_delete",
        "the file_system service: $fileSystem->delete()",
    ),
    (
        "drupal_get_path",
        "the extension.list.module service: ->getPath()",
    ),
    (
        "entity_get_form_display",
        "the entity_display.repository service",
    ),
    (
        "entity_get_display",
        "the entity_display.repository service",
    ),
    (
        "variable_get",
        "the config.factory service (configuration) or state",
    ),
    (
        "variable_set",
        "the config.factory service (configuration) or state",
    ),
    ("check_plain", "Html::escape()"),
    ("drupal_goto", "return a RedirectResponse"),
];

const PHP_REMOVED: &[&str] = &[
    "each",
    "create_function",
    "money_format",
    "ereg",
    "eregi",
    "ereg_replace",
    "eregi_replace",
    "split",
    "spliti",
    "mysql_query",
    "mysql_connect",
    "mysql_fetch_assoc",
    "mysql_real_escape_string",
    "utf8_encode",
    "utf8_decode",
    "get_magic_quotes_gpc",
    "restore_include_path",
];

const DEBUG_FUNCTIONS: &[&str] = &[
    "var_dump",
    "print_r",
    "var_export",
    "debug_zval_dump",
    "dpm",
    "dsm",
    "dvm",
    "kint",
    "ksm",
    "dd",
    "dump",
];

/// Route paths whose last segment names a state change.
const STATE_CHANGING: &[&str] = &[
    "delete",
    "remove",
    "toggle",
    "enable",
    "disable",
    "approve",
    "publish",
    "unpublish",
    "cancel",
    "revert",
    "clear",
    "flush",
    "reset",
];

/// Verbs that are also nouns of listing pages (`/admin/structure/block`): a state change
/// only right after a `{parameter}` (`/user/{user}/block`).
const STATE_CHANGING_AFTER_PARAMETER: &[&str] = &["block", "unblock"];

impl Checker {
    pub fn new(deprecations: Option<DeprecationIndex>, options: CheckOptions) -> Self {
        Self {
            deprecations,
            options,
        }
    }

    /// Rules that cannot run, and why.
    pub fn skipped(&self) -> Vec<Skipped> {
        match &self.deprecations {
            Some(_) => Vec::new(),
            None => [REMOVED_SYMBOL.id, DEPRECATED_SYMBOL.id]
                .into_iter()
                .map(|rule| Skipped {
                    rule,
                    reason: "skipped: no deprecation list (run `tuneforge rules mine <core>` or the rules stage)".to_owned(),
                })
                .collect(),
        }
    }

    /// The findings of one file, by its path (which decides PHP or YAML) and text.
    pub fn check(&self, path: &str, source: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if is_php(path) {
            let module = path
                .rsplit('/')
                .next()
                .filter(|n| {
                    [".module", ".inc", ".install", ".theme"]
                        .iter()
                        .any(|e| n.ends_with(e))
                })
                .and_then(|n| n.split('.').next());
            self.check_php(path, source, module, &mut out);
        } else if path.ends_with(".yml") || path.ends_with(".yaml") {
            check_yaml(path, source, self.options.admits_drupal_11, &mut out);
        }
        sort_findings(&mut out);
        out
    }

    /// A PHP file's findings and its facts from one parse (`analyze` wants both).
    /// `module` prefixes its procedural hooks.
    pub fn check_php_with_facts(
        &self,
        path: &str,
        source: &str,
        module: Option<&str>,
    ) -> (Vec<Finding>, PhpFacts) {
        let mut out = Vec::new();
        let facts = self.check_php(path, source, module, &mut out);
        sort_findings(&mut out);
        (out, facts)
    }

    fn check_php(
        &self,
        path: &str,
        source: &str,
        module: Option<&str>,
        out: &mut Vec<Finding>,
    ) -> PhpFacts {
        let position_in_src = |n: Node<'_>| position_in(n, source);
        let finding = |rule: &Rule, pos: Position, message: String| Finding {
            file: path.to_owned(),
            line: pos.line,
            column: pos.column,
            rule: rule.id,
            severity: rule.severity,
            message,
            hint: rule.hint,
        };
        let trimmed = source.trim_start();
        let head = trimmed.get(..5).unwrap_or(trimmed).to_ascii_lowercase();
        if head.starts_with("<?")
            && !head.starts_with("<?php")
            && !head.starts_with("<?=")
            && !head.starts_with("<?xml")
        {
            out.push(finding(
                &PHP_SHORT_TAG,
                Position { line: 1, column: 1 },
                PHP_SHORT_TAG.summary.to_owned(),
            ));
        }
        let tree = parse(source);
        for pos in syntax_errors(&tree, source) {
            out.push(finding(&SYNTAX_ERROR, pos, "syntax error".to_owned()));
        }
        let facts = php_facts_of(&tree, source, module);
        if self.options.require_strict_types && !facts.strict_types && source.contains("<?php") {
            out.push(finding(
                &STRICT_TYPES,
                Position { line: 1, column: 1 },
                STRICT_TYPES.summary.to_owned(),
            ));
        }
        for class in &facts.classes {
            if let Some(p) = &class.plugin {
                let pos = Position {
                    line: class.line,
                    column: 1,
                };
                if p.declared_by == "annotation" {
                    out.push(finding(
                        &PLUGIN_ANNOTATION,
                        pos,
                        format!(
                            "{} plugin {} is declared by the @{} annotation",
                            p.plugin_type, class.name, p.plugin_type
                        ),
                    ));
                } else if p.also_annotated {
                    out.push(finding(
                        &PLUGIN_BOTH,
                        pos,
                        format!(
                            "{} has both #[{}] and an @{} annotation",
                            class.name, p.plugin_type, p.plugin_type
                        ),
                    ));
                }
            }
            for call in &class.drupal_calls {
                if call.in_static_method {
                    continue;
                }
                let pos = Position {
                    line: call.line,
                    column: call.column,
                };
                match &call.service {
                    Some(service) => out.push(finding(
                        &DRUPAL_SERVICE,
                        pos,
                        format!("\\Drupal::service('{service}') in {}", class.name),
                    )),
                    None if call.method == "service" => out.push(finding(
                        &DRUPAL_SERVICE,
                        pos,
                        format!("\\Drupal::service() in {}", class.name),
                    )),
                    None => out.push(finding(
                        &DRUPAL_STATIC,
                        pos,
                        format!("\\Drupal::{}() in {}", call.method, class.name),
                    )),
                }
            }
        }
        // Themes implement hooks procedurally; a #[LegacyHook] function is the kept twin of
        // an OOP hook.
        let theme = path.ends_with(".theme");
        for hook in facts
            .hooks
            .iter()
            .filter(|h| h.style == "procedural" && !h.legacy && !theme)
        {
            let stays = PROCEDURAL_ONLY.contains(&hook.hook.as_str())
                || hook.hook.starts_with("update_")
                || hook.hook.starts_with("post_update_")
                || hook.hook.starts_with("preprocess");
            if !stays {
                out.push(finding(
                    &PROCEDURAL_HOOK,
                    Position {
                        line: hook.line,
                        column: 1,
                    },
                    format!("{}() implements hook_{}", hook.implementation, hook.hook),
                ));
            }
        }

        // Names as the file resolves them, for the deprecation list.
        let mut imports: BTreeMap<String, String> = BTreeMap::new();
        let mut namespace = String::new();
        visit(tree.root_node(), &mut |n| {
            match n.kind() {
                "namespace_definition" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        namespace = text(name, source).to_owned();
                    }
                }
                "namespace_use_clause" => {
                    if let Some((key, full)) = use_clause(n, source) {
                        imports.insert(key.to_ascii_lowercase(), full);
                    }
                    return false;
                }
                _ => {}
            }
            true
        });
        let resolve = |name: &str| -> String {
            if let Some(abs) = name.strip_prefix('\\') {
                return abs.to_owned();
            }
            let (first, rest) = name
                .split_once('\\')
                .map_or((name, None), |(f, r)| (f, Some(r)));
            if let Some(full) = imports.get(&first.to_ascii_lowercase()) {
                return match rest {
                    Some(r) => format!("{full}\\{r}"),
                    None => full.clone(),
                };
            }
            if namespace.is_empty() {
                name.to_owned()
            } else {
                format!("{namespace}\\{name}")
            }
        };
        let deprecated = |symbol: &str, node: Node<'_>, out: &mut Vec<Finding>| {
            let Some(index) = &self.deprecations else {
                return;
            };
            let Some(d) = index.get(symbol) else { return };
            let removed_by_11 = d
                .removed_in
                .split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m <= 11);
            let rule = if removed_by_11 {
                &REMOVED_SYMBOL
            } else {
                &DEPRECATED_SYMBOL
            };
            let mut message = format!(
                "{} is deprecated in drupal:{} and removed from drupal:{}",
                d.symbol.as_deref().unwrap_or(symbol),
                d.deprecated_in,
                d.removed_in
            );
            if !d.replacement.is_empty() {
                message.push_str(&format!(": {}", d.replacement));
            }
            if let Some(cr) = d.change_records.first() {
                message.push_str(&format!(" ({cr})"));
            }
            out.push(finding(rule, position_in_src(node), message));
        };

        let mut class_depth = 0usize;
        walk_classes(tree.root_node(), &mut class_depth, &mut |n, in_class| {
            match n.kind() {
                "function_call_expression" => {
                    let Some(f) = n.child_by_field_name("function") else {
                        return;
                    };
                    let name = text(f, source).trim_start_matches('\\');
                    let lower = name.to_ascii_lowercase();
                    let args = n.child_by_field_name("arguments");
                    let first = args
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| a.named_child(0));
                    if lower == "eval" {
                        out.push(finding(
                            &EVAL,
                            position_in_src(n),
                            "eval() runs a string as code".to_owned(),
                        ));
                    } else if PHP_REMOVED.contains(&lower.as_str()) {
                        out.push(finding(
                            &PHP_REMOVED_FUNCTION,
                            position_in_src(n),
                            format!("{name}() is removed or deprecated in PHP 8"),
                        ));
                    } else if DEBUG_FUNCTIONS.contains(&lower.as_str())
                        // print_r($x, TRUE) and var_export($x, TRUE) return a string.
                        && !(matches!(lower.as_str(), "print_r" | "var_export")
                            && args.is_some_and(|a| a.named_child_count() >= 2))
                    {
                        out.push(finding(
                            &DEBUG_CODE,
                            position_in_src(n),
                            format!("{name}() left in code"),
                        ));
                    } else if let Some((_, instead)) = LEGACY_APIS.iter().find(|(f, _)| *f == lower)
                    {
                        out.push(finding(
                            &LEGACY_API,
                            position_in_src(n),
                            format!("{name}() was removed before Drupal 10; use {instead}"),
                        ));
                    } else if lower == "unserialize" {
                        let has_options = args.is_some_and(|a| a.named_child_count() >= 2);
                        if !has_options {
                            out.push(finding(
                                &UNSERIALIZE,
                                position_in_src(n),
                                "unserialize() can instantiate any class".to_owned(),
                            ));
                        }
                    } else if lower == "t"
                        && let Some(arg) = first.filter(|a| built_from_variables(*a, source))
                    {
                        out.push(finding(
                            &T_CONCAT,
                            position_in_src(arg),
                            "t() gets a string built at run time".to_owned(),
                        ));
                    }
                    if lower == "db_query"
                        && let Some(arg) = first.filter(|a| built_from_variables(*a, source))
                    {
                        out.push(finding(
                            &SQL_CONCAT,
                            position_in_src(arg),
                            "the query string is built from variables".to_owned(),
                        ));
                    }
                    // An unqualified call falls back to the global function; Drupal's procedural
                    // API is global, so that is the name the list has.
                    deprecated(name, n, out);
                }
                "member_call_expression" => {
                    let name = n
                        .child_by_field_name("name")
                        .map(|x| text(x, source))
                        .unwrap_or("");
                    let first = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| a.named_child(0));
                    match name {
                        "query" => {
                            if let Some(arg) = first.filter(|a| built_from_variables(*a, source)) {
                                out.push(finding(
                                    &SQL_CONCAT,
                                    position_in_src(arg),
                                    "->query() gets SQL built from variables".to_owned(),
                                ));
                            }
                        }
                        "t" | "formatPlural" => {
                            if let Some(arg) = first.filter(|a| built_from_variables(*a, source)) {
                                out.push(finding(
                                    &T_CONCAT,
                                    position_in_src(arg),
                                    format!("->{name}() gets a string built at run time"),
                                ));
                            }
                        }
                        _ => {}
                    }
                }
                "scoped_call_expression" => {
                    let scope = n
                        .child_by_field_name("scope")
                        .map(|s| text(s, source))
                        .unwrap_or("");
                    let name = n
                        .child_by_field_name("name")
                        .map(|x| text(x, source))
                        .unwrap_or("");
                    if !matches!(scope, "self" | "static" | "parent") {
                        let class = resolve(scope);
                        deprecated(&format!("{class}::{name}"), n, out);
                        deprecated(&class, n, out);
                    }
                }
                "object_creation_expression" => {
                    if let Some(c) = n
                        .named_child(0)
                        .filter(|c| matches!(c.kind(), "name" | "qualified_name"))
                    {
                        deprecated(&resolve(text(c, source)), n, out);
                    }
                }
                "namespace_use_clause" => {
                    if let Some((_, full)) = use_clause(n, source) {
                        deprecated(&full, n, out);
                    }
                }
                "class_constant_access_expression" => {
                    let class = n.named_child(0).map(|c| text(c, source));
                    let constant = n.named_child(1).map(|c| text(c, source));
                    if let (Some(class), Some(constant)) = (class, constant)
                        && !matches!(class, "self" | "static" | "parent")
                        && constant != "class"
                    {
                        deprecated(&format!("{}::{constant}", resolve(class)), n, out);
                    }
                }
                "base_clause" | "class_interface_clause" => {
                    let mut c = n.walk();
                    for name in n.named_children(&mut c) {
                        deprecated(&resolve(text(name, source)), name, out);
                    }
                }
                "array_element_initializer" => {
                    let key = n.named_child(0);
                    let value = n.named_child(1);
                    if let (Some(k), Some(v)) = (key, value)
                        && matches!(text(k, source), "'#markup'" | "\"#markup\"")
                        && built_from_variables(v, source)
                    {
                        out.push(finding(
                            &MARKUP_UNESCAPED,
                            position_in_src(v),
                            "#markup gets variables spliced into HTML".to_owned(),
                        ));
                    }
                }
                "cast_expression" => {
                    let ty = n
                        .child_by_field_name("type")
                        .map(|t| text(t, source).to_ascii_lowercase());
                    if let Some(t) = ty.filter(|t| t.contains("unset") || t.contains("real")) {
                        out.push(finding(
                            &PHP_REMOVED_CAST,
                            position_in_src(n),
                            format!("{t} cast"),
                        ));
                    }
                }
                "dynamic_variable_name"
                    if n.parent().is_some_and(|p| p.kind() == "encapsed_string")
                        && text(n, source).starts_with("${") =>
                {
                    out.push(finding(
                        &PHP_DOLLAR_BRACE,
                        position_in_src(n),
                        format!("{} in a string", text(n, source)),
                    ));
                }
                "global_declaration" if in_class => {
                    out.push(finding(
                        &GLOBAL_IN_CLASS,
                        position_in_src(n),
                        format!("{} inside a class", text(n, source).trim_end_matches(';')),
                    ));
                }
                _ => {}
            }
        });
        facts
    }
}

fn sort_findings(out: &mut [Finding]) {
    out.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
}

/// Visit every node, telling whether it is inside a class body.
fn walk_classes<'t>(node: Node<'t>, depth: &mut usize, f: &mut dyn FnMut(Node<'t>, bool)) {
    f(node, *depth > 0);
    let is_class = matches!(
        node.kind(),
        "class_declaration" | "trait_declaration" | "enum_declaration" | "anonymous_class"
    );
    if is_class {
        *depth += 1;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk_classes(child, depth, f);
    }
    if is_class {
        *depth -= 1;
    }
}

/// A string made at run time from variables: `'a' . $b`, `"a $b"`, `sprintf(…, $b)` is not
/// counted (a format string is a literal).
fn built_from_variables(node: Node<'_>, source: &str) -> bool {
    match node.kind() {
        "binary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| text(o, source));
            op == Some(".") && has_variable(node, source)
        }
        "encapsed_string" => has_variable(node, source),
        "parenthesized_expression" => node
            .named_child(0)
            .is_some_and(|c| built_from_variables(c, source)),
        _ => false,
    }
}

/// Whether a call returns safe markup whatever surrounds it: `t()` / `->t()` /
/// `formatPlural()` of a literal string (placeholders escape their values), and the
/// escaping helpers of `Html`, `Xss` and `SafeMarkup`.
fn is_safe_call(n: Node<'_>, source: &str) -> bool {
    let name = n
        .child_by_field_name("name")
        .or_else(|| n.child_by_field_name("function"))
        .map(|x| text(x, source).trim_start_matches('\\'));
    let first_arg = n
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
        .and_then(|a| a.named_child(0));
    match (n.kind(), name) {
        ("function_call_expression" | "member_call_expression", Some("t" | "formatPlural")) => {
            first_arg.is_some_and(|a| {
                a.kind() == "string" || (a.kind() == "encapsed_string" && !has_variable(a, source))
            })
        }
        (
            "scoped_call_expression",
            Some("escape" | "filter" | "filterAdmin" | "checkPlain" | "checkAdminXss"),
        ) => {
            let scope = n.child_by_field_name("scope").map(|s| text(s, source));
            scope.is_some_and(|s| {
                let short = s.rsplit('\\').next().unwrap_or(s);
                matches!(short, "Html" | "Xss" | "SafeMarkup")
            })
        }
        _ => false,
    }
}

fn has_variable(node: Node<'_>, source: &str) -> bool {
    let mut found = false;
    visit(node, &mut |n| {
        if found {
            return false;
        }
        if matches!(
            n.kind(),
            "function_call_expression" | "member_call_expression" | "scoped_call_expression"
        ) && is_safe_call(n, source)
        {
            return false;
        }
        if matches!(
            n.kind(),
            "variable_name"
                | "dynamic_variable_name"
                | "member_access_expression"
                | "subscript_expression"
        ) {
            found = true;
            return false;
        }
        true
    });
    found
}

fn check_yaml(
    path: &str,
    source: &str,
    admits_11: Option<fn(&str) -> bool>,
    out: &mut Vec<Finding>,
) {
    let finding = |rule: &Rule, line: usize, message: String| Finding {
        file: path.to_owned(),
        line: line.max(1),
        column: 1,
        rule: rule.id,
        severity: rule.severity,
        message,
        hint: rule.hint,
    };
    if path.ends_with(".info.yml") {
        let doc: Result<serde_json::Value, _> = serde_saphyr::from_str(source);
        let Ok(doc) = doc else { return };
        let line_of = |key: &str| {
            source
                .lines()
                .position(|l| l.starts_with(&format!("{key}:")))
                .map_or(1, |i| i + 1)
        };
        if doc.get("core").is_some() {
            out.push(finding(
                &INFO_LEGACY_CORE,
                line_of("core"),
                "core: key of Drupal 8".to_owned(),
            ));
        }
        match doc.get("core_version_requirement").and_then(|v| v.as_str()) {
            None => out.push(finding(
                &INFO_CORE,
                1,
                "no core_version_requirement".to_owned(),
            )),
            Some(req) => {
                if admits_11.is_some_and(|admits| !admits(req)) {
                    out.push(finding(
                        &INFO_CORE,
                        line_of("core_version_requirement"),
                        format!("core_version_requirement {req:?} does not admit Drupal 11"),
                    ));
                }
            }
        }
        return;
    }
    let Ok(Some(YamlFacts::Routes { routes })) = yaml_facts(path, source) else {
        return;
    };
    const ACCESS: &[&str] = &[
        "_permission",
        "_access",
        "_entity_access",
        "_entity_create_access",
        "_entity_create_any_access",
        "_custom_access",
        "_role",
        "_user_is_logged_in",
        "_access_admin_menu_block_page",
        "_field_ui_view_mode_access",
        "_field_ui_form_mode_access",
        "_access_theme",
    ];
    for route in routes {
        let has_access = route
            .requirements
            .keys()
            .any(|k| ACCESS.contains(&k.as_str()) || k.ends_with("_access"));
        if !has_access {
            out.push(finding(
                &ROUTE_NO_ACCESS,
                route.line,
                format!("route {} has no access requirement", route.name),
            ));
            continue;
        }
        let path_str = route.path.as_deref().unwrap_or("");
        let open = route
            .requirements
            .get("_access")
            .and_then(|v| v.as_str())
            // Drupal opens a route on exactly 'TRUE'.
            .is_some_and(|v| v == "TRUE");
        if open && path_str.starts_with("/admin") {
            out.push(finding(
                &ROUTE_OPEN_ADMIN,
                route.line,
                format!("route {} ({path_str}) is open to everyone", route.name),
            ));
        }
        // Forms carry their own CSRF token; so do routes checked by the request header.
        let is_form = matches!(route.handler_key.as_deref(), Some("_form" | "_entity_form"));
        // The request-header check skips GET and HEAD: it protects only routes limited to
        // other methods.
        let unsafe_methods_only = !route.methods.is_empty()
            && route
                .methods
                .iter()
                .all(|m| !matches!(m.to_ascii_uppercase().as_str(), "GET" | "HEAD"));
        let protected = route.requirements.contains_key("_csrf_token")
            || (route
                .requirements
                .contains_key("_csrf_request_header_token")
                && unsafe_methods_only);
        let writes = route.methods.iter().any(|m| {
            matches!(
                m.to_ascii_uppercase().as_str(),
                "POST" | "PUT" | "PATCH" | "DELETE"
            )
        });
        let segments: Vec<&str> = path_str.split('/').filter(|s| !s.is_empty()).collect();
        let last = segments
            .iter()
            .rev()
            .find(|s| !s.starts_with('{'))
            .copied()
            .unwrap_or("");
        let after_parameter = segments.len() >= 2
            && segments[segments.len() - 2].starts_with('{')
            && STATE_CHANGING_AFTER_PARAMETER.contains(&last);
        // A controller reached by a link whose path names a state change (…/delete).
        let controller = route.handler_key.as_deref() == Some("_controller");
        let state_changing =
            writes || (controller && (STATE_CHANGING.contains(&last) || after_parameter));
        if state_changing && !is_form && !protected {
            out.push(finding(
                &ROUTE_CSRF,
                route.line,
                format!(
                    "route {} ({path_str}) changes state without _csrf_token",
                    route.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> Checker {
        let index = DeprecationIndex::new(vec![
            Deprecation {
                source: "docblock".into(),
                file: "includes/common.inc".into(),
                line: 10,
                kind: "function".into(),
                symbol: Some("format_size".into()),
                deprecated_in: "10.2.0".into(),
                removed_in: "11.0.0".into(),
                replacement: "Use \\Drupal\\Core\\StringTranslation\\ByteSizeMarkup::create()."
                    .into(),
                change_records: vec!["https://www.drupal.org/node/2999981".into()],
            },
            Deprecation {
                source: "docblock".into(),
                file: "modules/file/file.module".into(),
                line: 25,
                kind: "function".into(),
                symbol: Some("file_get_content_headers".into()),
                deprecated_in: "11.2.0".into(),
                removed_in: "12.0.0".into(),
                replacement: "Use FileInterface::getDownloadHeaders() instead.".into(),
                change_records: vec![],
            },
            Deprecation {
                source: "docblock".into(),
                file: "lib/Drupal/Core/File/FileSystemInterface.php".into(),
                line: 5,
                kind: "constant".into(),
                symbol: Some("Drupal\\Core\\File\\FileSystemInterface::EXISTS_REPLACE".into()),
                deprecated_in: "10.3.0".into(),
                removed_in: "12.0.0".into(),
                replacement: "Use FileExists::Replace.".into(),
                change_records: vec![],
            },
            Deprecation {
                source: "docblock".into(),
                file: "lib/Drupal/Core/Old.php".into(),
                line: 5,
                kind: "class".into(),
                symbol: Some("Drupal\\Core\\Old\\Thing".into()),
                deprecated_in: "10.1.0".into(),
                removed_in: "11.0.0".into(),
                replacement: "Use NewThing.".into(),
                change_records: vec![],
            },
        ]);
        Checker::new(
            Some(index),
            CheckOptions {
                require_strict_types: true,
                admits_drupal_11: Some(|c| c.contains("11")),
            },
        )
    }

    /// (rule, file name, violating source, clean source)
    const CASES: &[(&str, &str, &str, &str)] = &[
        (
            "syntax-error",
            "a.php",
            "<?php\nfunction f( {\n",
            "<?php\nfunction f() {}\n",
        ),
        (
            "plugin-annotation",
            "src/Plugin/Block/B.php",
            "<?php\nnamespace Drupal\\d\\Plugin\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n/**\n * @Block(\n *   id = \"d_b\",\n *   admin_label = @Translation(\"B\")\n * )\n */\nclass B extends BlockBase {}\n",
            "<?php\nnamespace Drupal\\d\\Plugin\\Block;\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n#[Block(id: 'd_b')]\nclass B extends BlockBase {}\n",
        ),
        (
            "plugin-annotation-and-attribute",
            "src/Plugin/Block/B.php",
            "<?php\nuse Drupal\\Core\\Block\\Attribute\\Block;\n/**\n * @Block(\n *   id = \"d_b\"\n * )\n */\n#[Block(id: 'd_b')]\nclass B {}\n",
            "<?php\nuse Drupal\\Core\\Block\\Attribute\\Block;\n/**\n * A block.\n */\n#[Block(id: 'd_b')]\nclass B {}\n",
        ),
        (
            "procedural-hook",
            "d.module",
            "<?php\n/**\n * Implements hook_form_alter().\n */\nfunction d_form_alter(&$form) {}\n",
            "<?php\n/**\n * Implements hook_install().\n */\nfunction d_install() {}\n",
        ),
        (
            "drupal-service-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    return \\Drupal::service('renderer');\n  }\n}\n",
            "<?php\nclass C {\n  public function __construct(private RendererInterface $renderer) {}\n  public static function create($c) {\n    return new static(\\Drupal::service('renderer'));\n  }\n}\n",
        ),
        (
            "drupal-static-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    \\Drupal::messenger()->addStatus('x');\n  }\n}\n",
            "<?php\nfunction d_f() {\n  \\Drupal::messenger()->addStatus('x');\n}\n",
        ),
        (
            "removed-symbol",
            "a.php",
            "<?php\n$s = format_size(100);\nuse Drupal\\Core\\Old\\Thing;\n$t = new Thing();\n",
            "<?php\n$s = ByteSizeMarkup::create(100);\n",
        ),
        (
            "deprecated-symbol",
            "a.php",
            "<?php\n$h = file_get_content_headers($file);\n",
            "<?php\n$h = $file->getDownloadHeaders();\n",
        ),
        (
            "legacy-api",
            "a.php",
            "<?php\ndrupal_set_message('Saved');\n",
            "<?php\n$this->messenger()->addStatus('Saved');\n",
        ),
        (
            "sql-concatenation",
            "a.php",
            "<?php\n$r = $this->connection->query(\"SELECT * FROM {node} WHERE title = '\" . $title . \"'\");\n",
            "<?php\n$r = $this->connection->query('SELECT * FROM {node} WHERE title = :t', [':t' => $title]);\n",
        ),
        (
            "markup-unescaped",
            "a.php",
            "<?php\n$build = ['#markup' => '<p>' . $name . '</p>'];\n",
            "<?php\n$build = ['#markup' => $this->t('<p>@name</p>', ['@name' => $name])];\n",
        ),
        (
            "t-concatenation",
            "a.php",
            "<?php\n$m = $this->t(\"Hello $name\");\n",
            "<?php\n$m = $this->t('Hello @name', ['@name' => $name]);\n",
        ),
        (
            "strict-types-missing",
            "a.php",
            "<?php\nclass A {}\n",
            "<?php\n\ndeclare(strict_types=1);\n\nclass A {}\n",
        ),
        (
            "php-removed-function",
            "a.php",
            "<?php\n$f = create_function('$a', 'return $a;');\n",
            "<?php\n$f = fn($a) => $a;\n",
        ),
        (
            "php-removed-cast",
            "a.php",
            "<?php\n$a = (unset) $b;\n",
            "<?php\n$a = null;\n",
        ),
        (
            "php-dollar-brace-interpolation",
            "a.php",
            "<?php\n$s = \"Hello ${name}\";\n",
            "<?php\n$s = \"Hello {$name}\";\n",
        ),
        (
            "php-short-open-tag",
            "a.php",
            "<? echo 1;\n",
            "<?php echo 1;\n",
        ),
        (
            "eval",
            "a.php",
            "<?php\neval($code);\n",
            "<?php\n$f($code);\n",
        ),
        (
            "unserialize-without-allowed-classes",
            "a.php",
            "<?php\n$v = unserialize($data);\n",
            "<?php\n$v = unserialize($data, ['allowed_classes' => FALSE]);\n",
        ),
        (
            "global-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    global $user;\n  }\n}\n",
            "<?php\nfunction d_f() {\n  global $conf;\n}\n",
        ),
        (
            "debug-code",
            "a.php",
            "<?php\nvar_dump($x);\n",
            "<?php\n$this->logger->debug('x');\n",
        ),
        (
            "route-access-missing",
            "d.routing.yml",
            "d.page:\n  path: '/d'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::page'\n",
            "d.page:\n  path: '/d'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::page'\n  requirements:\n    _permission: 'access content'\n",
        ),
        (
            "route-csrf-missing",
            "d.routing.yml",
            "d.delete:\n  path: '/d/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::delete'\n  requirements:\n    _permission: 'administer d'\n",
            "d.delete:\n  path: '/d/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::delete'\n  requirements:\n    _permission: 'administer d'\n    _csrf_token: 'TRUE'\n",
        ),
        (
            "route-admin-open-access",
            "d.routing.yml",
            "d.settings:\n  path: '/admin/config/d'\n  defaults:\n    _form: '\\Drupal\\d\\Form\\SettingsForm'\n  requirements:\n    _access: 'TRUE'\n",
            "d.settings:\n  path: '/admin/config/d'\n  defaults:\n    _form: '\\Drupal\\d\\Form\\SettingsForm'\n  requirements:\n    _permission: 'administer site configuration'\n",
        ),
        (
            "info-core-version-requirement",
            "d.info.yml",
            "name: D\ntype: module\ncore_version_requirement: ^9 || ^10\n",
            "name: D\ntype: module\ncore_version_requirement: ^10.3 || ^11\n",
        ),
        (
            "info-legacy-core-key",
            "d.info.yml",
            "name: D\ntype: module\ncore: 8.x\ncore_version_requirement: ^11\n",
            "name: D\ntype: module\ncore_version_requirement: ^11\n",
        ),
    ];

    #[test]
    fn every_rule_fires_on_its_violation_and_not_on_the_clean_form() {
        let checker = checker();
        for (rule, path, bad, good) in CASES {
            let found = checker.check(path, bad);
            assert!(
                found.iter().any(|f| f.rule == *rule),
                "{rule}: not found in the violating sample; found {found:#?}"
            );
            let clean = checker.check(path, good);
            assert!(
                clean.iter().all(|f| f.rule != *rule),
                "{rule}: fired on the clean sample: {clean:#?}"
            );
        }
        let covered: Vec<&str> = CASES.iter().map(|c| c.0).collect();
        for rule in RULES {
            assert!(covered.contains(&rule.id), "{} has no test case", rule.id);
        }
        assert!(RULES.len() >= 20);
    }

    #[test]
    fn deprecated_class_constants_through_grouped_imports() {
        let src = "<?php\n\ndeclare(strict_types=1);\n\nuse Drupal\\Core\\File\\{FileSystemInterface as FS};\n\n$f->copy($a, $b, FS::EXISTS_REPLACE);\n$c = FS::class;\n";
        let found = checker().check("a.php", src);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (found[0].rule, found[0].line, found[0].column),
            ("deprecated-symbol", 7, 18)
        );
        assert!(found[0].message.contains("FileExists::Replace"));
    }

    #[test]
    fn spliced_input_is_caught_even_through_t() {
        let c = checker();
        for bad in [
            "$b = ['#markup' => '<p>' . $this->t($input) . '</p>'];",
            "$b = ['#markup' => \"<p>{$this->t($input)}</p>\"];",
            "$b = ['#markup' => '<p>' . $items->filter() . '</p>'];",
        ] {
            let src = format!("<?php\n\ndeclare(strict_types=1);\n\n{bad}\n");
            assert!(
                c.check("a.php", &src)
                    .iter()
                    .any(|f| f.rule == "markup-unescaped"),
                "{bad}"
            );
        }
        let escaped = "<?php\n\ndeclare(strict_types=1);\n\n$b = ['#markup' => '<p>' . Html::escape($name) . '</p>'];\n";
        assert!(
            c.check("a.php", escaped).is_empty(),
            "{:#?}",
            c.check("a.php", escaped)
        );
    }

    #[test]
    fn state_changing_links_need_a_token() {
        let c = checker();
        let routes = "a.flush:\n  path: '/admin/flush'\n  defaults:\n    _controller: '\\\\M::flush'\n  requirements:\n    _permission: 'x'\nb.block:\n  path: '/user/{user}/block'\n  defaults:\n    _controller: '\\\\M::block'\n  requirements:\n    _permission: 'x'\nc.get:\n  path: '/m/{node}/delete'\n  defaults:\n    _controller: '\\\\M::delete'\n  requirements:\n    _permission: 'x'\n    _csrf_request_header_token: 'TRUE'\n";
        let flagged: Vec<usize> = c
            .check("m.routing.yml", routes)
            .iter()
            .filter(|f| f.rule == "route-csrf-missing")
            .map(|f| f.line)
            .collect();
        assert_eq!(flagged, [1, 7, 13]);
    }

    #[test]
    fn known_good_drupal_patterns_pass() {
        let c = checker();
        let markup = "<?php\n\ndeclare(strict_types=1);\n\n$b = ['#markup' => '<p>' . $this->t('Hello') . '</p>'];\n";
        assert!(
            c.check("a.php", markup).is_empty(),
            "{:#?}",
            c.check("a.php", markup)
        );
        let legacy = "<?php\n\ndeclare(strict_types=1);\n\n/**\n * Implements hook_help().\n */\n#[LegacyHook]\nfunction m_help($r) {}\n";
        assert!(
            c.check("m.module", legacy).is_empty(),
            "{:#?}",
            c.check("m.module", legacy)
        );
        let facts = crate::facts::php_facts(legacy, Some("m"));
        assert!(facts.hooks[0].legacy, "{facts:?}");
        let theme = "<?php\n\ndeclare(strict_types=1);\n\n/**\n * Implements hook_preprocess_page().\n */\nfunction t_form_alter(&$f) {}\n/**\n * Implements hook_form_alter().\n */\nfunction t_x(&$f) {}\n";
        assert!(
            c.check("t.theme", theme).is_empty(),
            "{:#?}",
            c.check("t.theme", theme)
        );
        let upper = "<?PHP\n\ndeclare(strict_types=1);\n\necho 1;\n";
        assert!(
            c.check("a.php", upper).is_empty(),
            "{:#?}",
            c.check("a.php", upper)
        );
    }

    #[test]
    fn routes_that_protect_themselves_are_not_flagged() {
        let routes = "a.delete:\n  path: '/a/{x}/delete'\n  defaults:\n    _entity_form: 'a.delete'\n  requirements:\n    _entity_access: 'a.delete'\nb.cancel:\n  path: '/b/cancel'\n  defaults:\n    _form: '\\Drupal\\m\\Confirm\\CancelConfirm'\n  requirements:\n    _permission: 'x'\nc.blocks:\n  path: '/admin/structure/c/block'\n  defaults:\n    _controller: '\\Drupal\\m\\C::list'\n  requirements:\n    _permission: 'x'\nd.api:\n  path: '/api/d'\n  methods: [POST]\n  defaults:\n    _controller: '\\Drupal\\m\\D::post'\n  requirements:\n    _permission: 'x'\n    _csrf_request_header_token: 'TRUE'\ne.open:\n  path: '/admin/e'\n  defaults:\n    _controller: '\\Drupal\\m\\E::x'\n  requirements:\n    _access: 'true'\n";
        let found = checker().check("m.routing.yml", routes);
        let rules: Vec<&str> = found.iter().map(|f| f.rule).collect();
        assert!(rules.is_empty(), "{found:#?}");
        let only_format = "f.json:\n  path: '/f'\n  defaults:\n    _controller: '\\Drupal\\m\\F::x'\n  requirements:\n    _format: json\n";
        let found = checker().check("m.routing.yml", only_format);
        assert_eq!(found[0].rule, "route-access-missing", "{found:#?}");
    }

    #[test]
    fn findings_carry_position_severity_and_hint() {
        let found = checker().check(
            "a.php",
            "<?php\n\ndeclare(strict_types=1);\n\n$s = format_size(100);\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(
            (f.line, f.column, f.rule, f.severity),
            (5, 6, "removed-symbol", Severity::Error)
        );
        assert!(f.message.contains("removed from drupal:11.0.0"));
        assert!(f.message.contains("ByteSizeMarkup::create()"));
        assert!(f.message.contains("https://www.drupal.org/node/2999981"));
        assert!(!f.hint.is_empty());
    }

    #[test]
    fn without_a_list_the_symbol_rules_are_skipped_not_passed() {
        let checker = Checker::new(None, CheckOptions::default());
        let skipped = checker.skipped();
        let rules: Vec<&str> = skipped.iter().map(|s| s.rule).collect();
        assert_eq!(rules, ["removed-symbol", "deprecated-symbol"]);
        assert!(
            skipped[0]
                .reason
                .starts_with("skipped: no deprecation list")
        );
        assert!(
            checker
                .check("a.php", "<?php\nformat_size(1);\n")
                .is_empty()
        );
    }
}
