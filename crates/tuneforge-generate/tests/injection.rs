//! `refactor:injection` beyond the direct base class, on small reproductions of what
//! Drupal core's 11.x branch does: a field widget inheriting `WidgetBase::create()`, a
//! form two levels below `FormBase`, a constraint validator, a class that has the service
//! already, a lazy fallback, class-named services and container parameters.

use tuneforge_generate::corpus::{Corpus, SourceFile};
use tuneforge_generate::{GenerateOptions, Generated, generate};
use tuneforge_php::rules::Checker;

mod common;

fn file(rel: &str, text: &str) -> SourceFile {
    common::site_file(rel, text)
}

/// Stand-ins for the core classes the rewrites read, with core's signatures.
fn core() -> Vec<SourceFile> {
    vec![
        file(
            "core/lib/Drupal/Core/Field/WidgetBase.php",
            "<?php\n\nnamespace Drupal\\Core\\Field;\n\nuse Symfony\\Component\\DependencyInjection\\ContainerInterface;\n\nabstract class WidgetBase {\n\n  public function __construct($plugin_id, $plugin_definition, FieldDefinitionInterface $field_definition, array $settings, array $third_party_settings) {\n  }\n\n  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition) {\n    return new static($plugin_id, $plugin_definition, $configuration['field_definition'], $configuration['settings'], $configuration['third_party_settings']);\n  }\n\n}\n",
        ),
        file(
            "core/lib/Drupal/Core/Form/FormBase.php",
            "<?php\n\nnamespace Drupal\\Core\\Form;\n\nuse Symfony\\Component\\DependencyInjection\\ContainerInterface;\n\nabstract class FormBase {\n\n  protected $requestStack;\n\n  public static function create(ContainerInterface $container) {\n    return new static();\n  }\n\n}\n",
        ),
        file(
            "core/lib/Drupal/Core/Form/ConfirmFormBase.php",
            "<?php\n\nnamespace Drupal\\Core\\Form;\n\nabstract class ConfirmFormBase extends FormBase {\n\n  public function getCancelText() {\n    return 'Cancel';\n  }\n\n}\n",
        ),
    ]
}

fn module() -> Vec<SourceFile> {
    vec![
        file(
            "modules/custom/demo/demo.info.yml",
            "name: Demo\ntype: module\ncore_version_requirement: ^11\n",
        ),
        file(
            "modules/custom/demo/demo.services.yml",
            "services:\n  _defaults:\n    autowire: true\n  Drupal\\demo\\DemoHistory: ~\n  demo.tracker:\n    class: Drupal\\demo\\Tracker\n    arguments: ['@current_user']\n",
        ),
        file(
            "modules/custom/demo/src/DemoHistory.php",
            "<?php\n\nnamespace Drupal\\demo;\n\n/**\n * Keeps the demo history.\n */\nclass DemoHistory {\n\n  public function read(): array {\n    return [];\n  }\n\n}\n",
        ),
        // Inherits WidgetBase::create(), whose constructor it must not repeat.
        file(
            "modules/custom/demo/src/Plugin/Field/FieldWidget/OwnerWidget.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Field\\FieldWidget;\n\nuse Drupal\\Core\\Field\\WidgetBase;\n\n/**\n * A widget that shows the owner.\n */\nclass OwnerWidget extends WidgetBase {\n\n  public function owner(): int {\n    return (int) \\Drupal::currentUser()->id();\n  }\n\n}\n",
        ),
        // Its subclass overrides create() without calling the parent's: not rewritten.
        file(
            "modules/custom/demo/src/Plugin/Field/FieldWidget/BaseListWidget.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Field\\FieldWidget;\n\nuse Drupal\\Core\\Field\\WidgetBase;\n\nabstract class BaseListWidget extends WidgetBase {\n\n  public function now(): int {\n    return \\Drupal::time()->getRequestTime();\n  }\n\n}\n",
        ),
        file(
            "modules/custom/demo/src/Plugin/Field/FieldWidget/ListWidget.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Field\\FieldWidget;\n\nuse Symfony\\Component\\DependencyInjection\\ContainerInterface;\n\nclass ListWidget extends BaseListWidget {\n\n  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition) {\n    return new static($plugin_id, $plugin_definition, $configuration['field_definition'], [], []);\n  }\n\n}\n",
        ),
        // Two levels below FormBase with no constructor on the way: constructor + create().
        file(
            "modules/custom/demo/src/Form/ResetConfirmForm.php",
            "<?php\n\nnamespace Drupal\\demo\\Form;\n\nuse Drupal\\Core\\Form\\ConfirmFormBase;\n\n/**\n * Confirms a reset.\n */\nclass ResetConfirmForm extends ConfirmFormBase {\n\n  public function submit(): void {\n    \\Drupal::state()->delete('demo.counter');\n  }\n\n}\n",
        ),
        // A constraint validator: the class resolver builds it.
        file(
            "modules/custom/demo/src/Plugin/Validation/Constraint/UniqueTitleValidator.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Validation\\Constraint;\n\nuse Symfony\\Component\\Validator\\Constraint;\nuse Symfony\\Component\\Validator\\ConstraintValidator;\n\n/**\n * Validates the UniqueTitle constraint.\n */\nclass UniqueTitleValidator extends ConstraintValidator {\n\n  public function validate(mixed $value, Constraint $constraint): void {\n    $ids = \\Drupal::entityTypeManager()->getStorage('node')->getQuery()->accessCheck(FALSE)->condition('title', $value)->execute();\n    if ($ids) {\n      $this->context->addViolation('Taken.');\n    }\n  }\n\n}\n",
        ),
        // The constructor takes the current user already: the call uses it.
        file(
            "modules/custom/demo/src/Tracker.php",
            "<?php\n\nnamespace Drupal\\demo;\n\nuse Drupal\\Core\\Session\\AccountInterface;\n\n/**\n * Tracks views.\n */\nclass Tracker {\n\n  public function __construct(\n    protected AccountInterface $currentUser,\n  ) {}\n\n  public function track(): bool {\n    return \\Drupal::currentUser()->isAuthenticated();\n  }\n\n}\n",
        ),
        // A one-line constructor that grows past 80 columns goes one parameter per line.
        file(
            "modules/custom/demo/src/Hook/PageHooks.php",
            "<?php\n\nnamespace Drupal\\demo\\Hook;\n\nuse Drupal\\Core\\Extension\\ThemeHandlerInterface;\nuse Drupal\\Core\\Hook\\Attribute\\Hook;\n\nclass PageHooks {\n\n  public function __construct(protected ThemeHandlerInterface $themeHandler) {}\n\n  #[Hook('page_top')]\n  public function pageTop(array &$page_top): void {\n    $page_top['demo'] = ['#markup' => \\Drupal::installProfile() ?: $this->themeHandler->getDefault()];\n  }\n\n}\n",
        ),
        // A deprecated class is not an example, not even rewritten.
        file(
            "modules/custom/demo/src/Hook/OldHooks.php",
            "<?php\n\nnamespace Drupal\\demo\\Hook;\n\n/**\n * Old hooks.\n *\n * @deprecated in drupal:11.3.0 and is removed from drupal:12.0.0. Use\n *   \\Drupal\\demo\\Hook\\DemoHooks instead.\n */\nclass OldHooks {\n\n  public function cron(): void {\n    \\Drupal::state()->set('demo.old', 1);\n  }\n\n}\n",
        ),
        // The call fills an optional argument's property on first use: a fallback.
        file(
            "modules/custom/demo/src/Hook/LazyLabel.php",
            "<?php\n\nnamespace Drupal\\demo\\Hook;\n\nuse Drupal\\Core\\StringTranslation\\TranslationInterface;\n\nclass LazyLabel {\n\n  protected ?TranslationInterface $stringTranslation = NULL;\n\n  protected function translation(): TranslationInterface {\n    if (!$this->stringTranslation) {\n      $this->stringTranslation = \\Drupal::service('string_translation');\n    }\n    return $this->stringTranslation;\n  }\n\n}\n",
        ),
        // A hook class: a service named by its class, and a container parameter.
        file(
            "modules/custom/demo/src/Hook/DemoHooks.php",
            "<?php\n\nnamespace Drupal\\demo\\Hook;\n\nuse Drupal\\Core\\Hook\\Attribute\\Hook;\nuse Drupal\\demo\\DemoHistory;\n\n/**\n * Hook implementations for demo.\n */\nclass DemoHooks {\n\n  #[Hook('cron')]\n  public function cron(): void {\n    $entries = \\Drupal::service(DemoHistory::class)->read();\n    $path = \\Drupal::root() . '/' . count($entries);\n    \\Drupal::logger('demo')->notice($path);\n  }\n\n}\n",
        ),
    ]
}

fn run() -> Generated {
    let checker = Checker::new(None, Default::default());
    let mut files = core();
    files.extend(module());
    let corpus = Corpus::new(files, &checker);
    generate(
        &corpus,
        &checker,
        &[],
        &GenerateOptions {
            seed: 7,
            only: vec!["refactor:injection".to_owned()],
        },
    )
}

/// The answer rewriting the class in `file_name`.
fn answer(g: &Generated, file_name: &str) -> String {
    g.samples
        .iter()
        .find(|s| {
            s.metadata.generator.starts_with("refactor:injection")
                && s.metadata.source.ends_with(file_name)
        })
        .map(|s| s.messages[1].content.clone())
        .unwrap_or_else(|| panic!("no sample from {file_name}: {:?}", g.dropped))
}

fn dropped<'g>(g: &'g Generated, file_name: &str) -> &'g str {
    g.dropped
        .iter()
        .find(|d| d.source.ends_with(file_name))
        .map(|d| d.reason.as_str())
        .unwrap_or_else(|| panic!("{file_name} is not dropped"))
}

#[test]
fn an_inherited_factory_is_overridden_not_the_constructor() {
    let g = run();
    let widget = answer(&g, "OwnerWidget.php");
    assert!(
        widget.contains("  protected AccountProxyInterface $currentUser;")
            && widget.contains("  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition) {\n    $instance = parent::create($container, $configuration, $plugin_id, $plugin_definition);\n    $instance->currentUser = $container->get('current_user');\n    return $instance;\n  }")
            && widget.contains("use Symfony\\Component\\DependencyInjection\\ContainerInterface;")
            && widget.contains("use Drupal\\Core\\Session\\AccountProxyInterface;")
            && widget.contains("return (int) $this->currentUser->id();")
            && !widget.contains("function __construct")
            && widget.contains("`WidgetBase::create()` builds this class"),
        "{widget}"
    );
    assert!(
        dropped(&g, "BaseListWidget.php").contains("ListWidget extends it"),
        "{:?}",
        g.dropped
    );
}

#[test]
fn a_form_below_form_base_gets_a_constructor_and_create() {
    let g = run();
    let form = answer(&g, "ResetConfirmForm.php");
    assert!(
        form.contains("    protected StateInterface $state,")
            && form.contains("  public static function create(ContainerInterface $container): static {\n    return new static(\n      $container->get('state'),\n    );\n  }")
            && form.contains("$this->state->delete('demo.counter');"),
        "{form}"
    );
}

#[test]
fn a_constraint_validator_implements_container_injection() {
    let g = run();
    let validator = answer(&g, "UniqueTitleValidator.php");
    assert!(
        validator.contains(
            "class UniqueTitleValidator extends ConstraintValidator implements ContainerInjectionInterface {"
        ) && validator.contains("use Drupal\\Core\\DependencyInjection\\ContainerInjectionInterface;")
            && validator.contains("$container->get('entity_type.manager'),")
            && validator.contains("through the class resolver"),
        "{validator}"
    );
}

#[test]
fn a_service_the_constructor_has_is_used_not_injected_again() {
    let g = run();
    let tracker = answer(&g, "Tracker.php");
    assert!(
        tracker.contains("return $this->currentUser->isAuthenticated();")
            && tracker.contains("nothing new needs injecting")
            && !tracker.contains("AccountProxyInterface")
            && !tracker.contains("services.yml"),
        "{tracker}"
    );
}

#[test]
fn a_lazy_fallback_or_a_deprecated_class_is_not_rewritten() {
    let g = run();
    assert!(
        dropped(&g, "OldHooks.php").contains("@deprecated"),
        "{:?}",
        g.dropped
    );
    assert!(
        dropped(&g, "LazyLabel.php").contains("a fallback for an optional argument"),
        "{:?}",
        g.dropped
    );
}

#[test]
fn a_long_constructor_is_one_parameter_per_line() {
    let g = run();
    let hooks = answer(&g, "PageHooks.php");
    assert!(
        hooks.contains("  public function __construct(\n    protected ThemeHandlerInterface $themeHandler,\n    #[Autowire(param: 'install_profile')] protected readonly string|false|null $installProfile,\n  ) {}")
            && hooks.contains("`#[Autowire(param: …)]` names the container parameter `install_profile`"),
        "{hooks}"
    );
}

#[test]
fn class_named_services_and_parameters_are_autowired_by_name() {
    let g = run();
    let hooks = answer(&g, "DemoHooks.php");
    assert!(
        hooks.contains("    #[Autowire(service: DemoHistory::class)]\n    protected readonly DemoHistory $demoHistory,")
            && hooks.contains("    #[Autowire(param: 'app.root')]\n    protected readonly string $root,")
            && hooks.contains("$entries = $this->demoHistory->read();")
            && hooks.contains("$path = $this->root . '/'")
            && !hooks.contains("use string;"),
        "{hooks}"
    );
}
