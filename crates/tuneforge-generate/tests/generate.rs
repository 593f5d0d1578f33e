//! Generators over a small in-memory corpus: one module with modern and legacy code.

use tuneforge_generate::corpus::{Corpus, SourceFile};
use tuneforge_generate::{GenerateOptions, generate};
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::rules::Checker;

const MODULE: &str = "modules/custom/demo/";

mod common;

fn file(rel: &str, text: &str) -> SourceFile {
    common::site_file(&format!("{MODULE}{rel}"), text)
}

/// A file outside the module: core's annotation class for blocks, which an upgrade
/// sample names.
fn core_file(rel: &str, text: &str) -> SourceFile {
    common::site_file(rel, text)
}

fn corpus() -> Vec<SourceFile> {
    vec![
        core_file(
            "core/lib/Drupal/Core/Block/Annotation/Block.php",
            "<?php\n\nnamespace Drupal\\Core\\Block\\Annotation;\n\nuse Drupal\\Component\\Annotation\\Plugin;\n\n/**\n * Defines a Block annotation object.\n *\n * @Annotation\n */\nclass Block extends Plugin {\n\n  public $id;\n\n}\n",
        ),
        core_file(
            "themes/demo_theme/demo_theme.info.yml",
            "name: Demo theme\ntype: theme\nbase theme: false\ncore_version_requirement: ^11\n",
        ),
        // A theme's hook class: asked for in a theme, explained as a theme's.
        core_file(
            "themes/demo_theme/src/Hook/DemoThemeHooks.php",
            "<?php\n\nnamespace Drupal\\demo_theme\\Hook;\n\nuse Drupal\\Core\\Hook\\Attribute\\Hook;\n\n/**\n * Preprocess hooks for the demo theme.\n */\nclass DemoThemeHooks {\n\n  /**\n   * Implements hook_preprocess_html().\n   */\n  #[Hook('preprocess_html')]\n  public function preprocessHtml(array &$variables): void {\n    $variables['attributes']['class'][] = 'demo';\n  }\n\n}\n",
        ),
        // As core's components are: a name, no description.
        core_file(
            "themes/demo_theme/components/badge/badge.component.yml",
            "$schema: https://git.drupalcode.org/project/drupal/-/raw/HEAD/core/assets/schemas/v1/metadata.schema.json\nname: Badge\nstatus: stable\nprops:\n  type: object\n  properties:\n    status:\n      type: string\nslots:\n  label:\n    type: string\n",
        ),
        core_file(
            "themes/demo_theme/components/badge/badge.twig",
            "<span class=\"badge badge--{{ status }}\">{% block label %}{% endblock %}</span>\n",
        ),
        // A service with a constructor and its arguments in services.yml, still calling
        // \Drupal:: in one place: one more constructor parameter and YAML argument.
        file(
            "demo.services.yml",
            "services:\n  demo.reporter:\n    class: Drupal\\demo\\Reporter\n    arguments: ['@entity_type.manager']\n",
        ),
        file(
            "src/Reporter.php",
            "<?php\n\nnamespace Drupal\\demo;\n\nuse Drupal\\Core\\Entity\\EntityTypeManagerInterface;\n\n/**\n * Reports on demo content.\n */\nclass Reporter {\n\n  public function __construct(\n    protected EntityTypeManagerInterface $entityTypeManager,\n  ) {}\n\n  /**\n   * Reports the count.\n   */\n  public function report(): void {\n    $count = $this->entityTypeManager->getStorage('node')->getQuery()->accessCheck(TRUE)->count()->execute();\n    \\Drupal::messenger()->addStatus((string) $count);\n  }\n\n}\n",
        ),
        // Core's BC pattern: the container call is the fallback for a missing argument.
        file(
            "src/Grants.php",
            "<?php\n\nnamespace Drupal\\demo;\n\nuse Drupal\\Core\\Messenger\\MessengerInterface;\n\n/**\n * Grants things.\n */\nclass Grants {\n\n  public function __construct(\n    protected ?MessengerInterface $messenger = NULL,\n  ) {\n    if (!$messenger) {\n      @trigger_error('Calling without $messenger is deprecated in drupal:11.3.0.', E_USER_DEPRECATED);\n      $this->messenger = \\Drupal::messenger();\n    }\n  }\n\n}\n",
        ),
        // A `_form` route and its form: the route entry and what the form builder calls.
        file(
            "demo.routing.yml",
            "demo.settings:\n  path: '/admin/config/demo'\n  defaults:\n    _form: '\\Drupal\\demo\\Form\\SettingsForm'\n    _title: 'Demo settings'\n  requirements:\n    _permission: 'administer site configuration'\n",
        ),
        file(
            "src/Form/SettingsForm.php",
            "<?php\n\nnamespace Drupal\\demo\\Form;\n\nuse Drupal\\Core\\Form\\ConfigFormBase;\nuse Drupal\\Core\\Form\\FormStateInterface;\n\n/**\n * Configures the demo module.\n */\nclass SettingsForm extends ConfigFormBase {\n\n  public function getFormId() {\n    return 'demo_settings';\n  }\n\n  protected function getEditableConfigNames() {\n    return ['demo.settings'];\n  }\n\n  public function buildForm(array $form, FormStateInterface $form_state) {\n    $form['greeting'] = ['#type' => 'textfield', '#title' => $this->t('Greeting'), '#config_target' => 'demo.settings:greeting'];\n    return parent::buildForm($form, $form_state);\n  }\n\n  protected function helper() {\n    return 1;\n  }\n\n}\n",
        ),
        // A block plugin that reaches for the container: ContainerFactoryPluginInterface.
        file(
            "src/Plugin/Block/CountBlock.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Shows how many articles there are.\n */\n#[Block(\n  id: 'demo_count',\n  admin_label: new TranslatableMarkup('Count'),\n)]\nfinal class CountBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build(): array {\n    $count = \\Drupal::entityTypeManager()->getStorage('node')->getQuery()->accessCheck(TRUE)->count()->execute();\n    return ['#markup' => $this->t('@count articles', ['@count' => $count])];\n  }\n\n}\n",
        ),
        // A hook class that still reaches for the container: an autowired constructor.
        file(
            "src/Hook/DemoHooks.php",
            "<?php\n\nnamespace Drupal\\demo\\Hook;\n\nuse Drupal\\Core\\Hook\\Attribute\\Hook;\n\n/**\n * Hook implementations for demo.\n */\nclass DemoHooks {\n\n  /**\n   * Implements hook_cron().\n   */\n  #[Hook('cron')]\n  public function cron(): void {\n    \\Drupal::messenger()->addStatus('Ran.');\n  }\n\n}\n",
        ),
        // The migrate module's attribute class and a source plugin still annotated with it.
        core_file(
            "core/modules/migrate/src/Attribute/MigrateSource.php",
            "<?php\n\nnamespace Drupal\\migrate\\Attribute;\n\n/**\n * Defines a migration source plugin attribute.\n */\n#[\\Attribute(\\Attribute::TARGET_CLASS)]\nfinal class MigrateSource {\n\n  public function __construct(\n    public readonly string $id,\n    public readonly ?string $source_module = NULL,\n  ) {}\n\n}\n",
        ),
        file(
            "src/Plugin/migrate/source/DemoRows.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\migrate\\source;\n\nuse Drupal\\migrate\\Plugin\\migrate\\source\\SqlBase;\n\n/**\n * Reads demo rows.\n *\n * @MigrateSource(\n *   id = \"demo_rows\",\n *   source_module = \"demo\"\n * )\n */\nclass DemoRows extends SqlBase {\n\n  public function query() {\n    return $this->select('demo', 'd')->fields('d');\n  }\n\n}\n",
        ),
        file(
            "src/Plugin/migrate/source/BadRows.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\migrate\\source;\n\nuse Drupal\\migrate\\Plugin\\migrate\\source\\SqlBase;\n\n/**\n * Reads bad rows.\n *\n * @MigrateSource(\n *   id = \"bad_rows\",\n *   source_provider = \"demo\"\n * )\n */\nclass BadRows extends SqlBase {\n\n  public function query() {\n    return $this->select('bad', 'b')->fields('b');\n  }\n\n}\n",
        ),
        file(
            "src/Plugin/Block/RetiredBlock.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n\n/**\n * Shows a retired note.\n *\n * @deprecated in drupal:11.3.0 and is removed from drupal:12.0.0. There is no\n *   replacement.\n */\n#[Block(id: 'demo_retired')]\nclass RetiredBlock extends BlockBase {\n\n  public function build(): array {\n    return [];\n  }\n\n}\n",
        ),
        file(
            "demo.info.yml",
            "name: Demo\ntype: module\ncore_version_requirement: ^10.3 || ^11\n",
        ),
        file(
            "src/Plugin/Block/GreetingBlock.php",
            "<?php\n\ndeclare(strict_types=1);\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Shows a greeting to visitors.\n */\n#[Block(\n  id: 'demo_greeting',\n  admin_label: new TranslatableMarkup('Greeting'),\n)]\nfinal class GreetingBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build(): array {\n    return ['#markup' => $this->t('Hello')];\n  }\n\n}\n",
        ),
        file(
            "src/Plugin/Block/LegacyBlock.php",
            "<?php\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Annotation\\Translation;\nuse Drupal\\Core\\Block\\Annotation\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n\n/**\n * Shows a legacy note.\n *\n * @Block(\n *   id = \"demo_legacy\",\n *   admin_label = @Translation(\"Legacy\")\n * )\n */\nclass LegacyBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build() {\n    return ['#markup' => $this->t('Old')];\n  }\n\n}\n",
        ),
        file(
            "src/Controller/StatsController.php",
            "<?php\n\nnamespace Drupal\\demo\\Controller;\n\nuse Drupal\\Core\\Controller\\ControllerBase;\n\n/**\n * Shows site statistics.\n */\nclass StatsController extends ControllerBase {\n\n  /**\n   * Builds the page.\n   */\n  public function page() {\n    $count = \\Drupal::entityTypeManager()->getStorage('node')->getQuery()->accessCheck(TRUE)->count()->execute();\n    $when = \\Drupal::service('date.formatter')->format(\\Drupal::time()->getRequestTime());\n    return ['#plain_text' => $this->t('@count nodes at @when', ['@count' => $count, '@when' => $when])];\n  }\n\n}\n",
        ),
        file(
            "demo.module",
            "<?php\n\n/**\n * @file\n * Hooks of the demo module.\n */\n\nuse Drupal\\Core\\Routing\\RouteMatchInterface;\n\n/**\n * Implements hook_help().\n */\nfunction demo_help($route_name, RouteMatchInterface $route_match) {\n  if ($route_name === 'help.page.demo') {\n    return '<p>' . t('Demo module, @size.', ['@size' => format_size(2048)]) . '</p>';\n  }\n}\n",
        ),
    ]
}

fn deprecations() -> Vec<Deprecation> {
    vec![Deprecation {
        source: "docblock".into(),
        file: "includes/common.inc".into(),
        line: 1,
        kind: "function".into(),
        symbol: Some("format_size".into()),
        deprecated_in: "10.2.0".into(),
        removed_in: "11.0.0".into(),
        replacement: "Use \\Drupal\\Core\\StringTranslation\\ByteSizeMarkup::create() instead."
            .into(),
        change_records: vec!["https://www.drupal.org/node/2999981".into()],
        condition: None,
    }]
}

fn run(seed: u64) -> tuneforge_generate::Generated {
    let records = deprecations();
    let checker = Checker::new(
        Some(tuneforge_php::rules::DeprecationIndex::new(records.clone())),
        Default::default(),
    );
    let corpus = Corpus::new(corpus(), &checker);
    generate(
        &corpus,
        &checker,
        &records,
        &GenerateOptions {
            seed,
            only: Vec::new(),
        },
    )
}

fn by(g: &tuneforge_generate::Generated, generator: &str) -> Vec<String> {
    g.samples
        .iter()
        .filter(|s| s.metadata.generator == generator)
        .map(|s| s.messages[1].content.clone())
        .collect()
}

#[test]
fn each_generator_makes_what_its_facts_allow() {
    let g = run(42);
    // The attribute plugin is an example; the annotated one and the controller are not.
    let plugin = by(&g, "template:plugin@2");
    assert_eq!(plugin.len(), 1);
    assert!(plugin[0].contains("final class GreetingBlock"));
    let upgrade = by(&g, "template:upgrade-10-11@2");
    assert_eq!(upgrade.len(), 1, "{:?}", g.dropped);
    assert!(
        upgrade[0].contains("- * @Block(") && upgrade[0].contains("+#[Block("),
        "{}",
        upgrade[0]
    );
    // It names the annotation class the sources declare and claims no Drupal version.
    assert!(
        upgrade[0].contains("(`Drupal\\Core\\Block\\Annotation\\Block`), which still works"),
        "{}",
        upgrade[0]
    );
    assert!(!upgrade[0].contains("In Drupal 10"), "{}", upgrade[0]);
    // What core does is counted in the sources, not claimed.
    assert!(
        upgrade[0].contains(
            "; 3 of the 4 block plugins in these sources are declared with the attribute"
        ),
        "{}",
        upgrade[0]
    );
    // Each of this plugin's arguments is shown in both forms.
    assert!(
        upgrade[0].contains("- `admin_label = @Translation(\"Greeting\")` becomes `admin_label: new TranslatableMarkup('Greeting')`"),
        "{}",
        upgrade[0]
    );
    // A class marked @deprecated is an example of nothing.
    assert!(
        g.samples
            .iter()
            .all(|s| !s.metadata.source.ends_with("RetiredBlock.php")),
        "a deprecated class made a sample"
    );
    assert!(
        g.dropped
            .iter()
            .any(|d| d.source.ends_with("RetiredBlock.php") && d.reason.contains("@deprecated")),
        "{:?}",
        g.dropped
    );

    let annotation = by(&g, "refactor:annotation@1");
    assert_eq!(annotation.len(), 2, "{:?}", g.dropped);
    // The attribute class is the one the sources declare, whatever the file's namespace.
    let migrate = annotation
        .iter()
        .find(|a| a.contains("class DemoRows"))
        .expect("the @MigrateSource plugin is converted");
    assert!(
        migrate.contains("use Drupal\\migrate\\Attribute\\MigrateSource;")
            && migrate.contains("source_module: 'demo'"),
        "{migrate}"
    );
    // A key the attribute's constructor does not take would fail at discovery: dropped.
    assert!(
        g.dropped.iter().any(|d| d.source.ends_with("BadRows.php")
            && d.reason.contains("`source_provider` is not a parameter")),
        "{:?}",
        g.dropped
    );
    let annotation: Vec<&String> = annotation
        .iter()
        .filter(|a| a.contains("demo_legacy"))
        .collect();
    assert_eq!(annotation.len(), 1);
    assert!(
        annotation[0].contains(
            "#[Block(\n  id: 'demo_legacy',\n  admin_label: new TranslatableMarkup('Legacy'),\n)]"
        ),
        "{}",
        annotation[0]
    );
    assert!(!annotation[0].contains("use Drupal\\Core\\Annotation\\Translation;"));

    let injection = by(&g, "refactor:injection@1");
    assert_eq!(injection.len(), 4, "{:?}", g.dropped);
    assert!(
        g.dropped
            .iter()
            .any(|d| d.source.ends_with("src/Grants.php")
                && d.reason.contains("backwards-compatibility fallback")),
        "{:?}",
        g.dropped
    );
    // The service keeps its constructor, which gains the messenger, and so does its
    // services.yml entry.
    let service = injection
        .iter()
        .find(|a| a.contains("class Reporter"))
        .expect("the service is extended");
    assert!(
        service.contains("    protected EntityTypeManagerInterface $entityTypeManager,\n    protected readonly MessengerInterface $messenger,\n  ) {}")
            && service.contains("$this->messenger->addStatus((string) $count);")
            && service.contains("use Drupal\\Core\\Messenger\\MessengerInterface;")
            && service.contains("    arguments: ['@entity_type.manager', '@messenger']")
            && service.contains("must pass the new arguments too"),
        "{service}"
    );
    // The plugin implements ContainerFactoryPluginInterface and passes the plugin's three
    // arguments on to BlockBase.
    let plugin = injection
        .iter()
        .find(|a| a.contains("class CountBlock"))
        .expect("the block plugin is rewritten");
    assert!(
        plugin.contains("final class CountBlock extends BlockBase implements ContainerFactoryPluginInterface {")
            && plugin.contains("use Drupal\\Core\\Plugin\\ContainerFactoryPluginInterface;")
            && plugin.contains("parent::__construct($configuration, $plugin_id, $plugin_definition);")
            && plugin.contains("public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {")
            && plugin.contains("$container->get('entity_type.manager'),")
            && plugin.contains("protected readonly EntityTypeManagerInterface $entityTypeManager,"),
        "{plugin}"
    );
    // The hook class gets an autowired constructor and no create().
    let hooks = injection
        .iter()
        .find(|a| a.contains("class DemoHooks"))
        .expect("the hook class is rewritten");
    assert!(
        hooks.contains("#[Autowire(service: 'messenger')]")
            && hooks.contains("$this->messenger->addStatus('Ran.')")
            && !hooks.contains("function create("),
        "{hooks}"
    );
    let injection: Vec<&String> = injection
        .iter()
        .filter(|a| a.contains("StatsController"))
        .collect();
    let code = injection[0].split("```").nth(1).unwrap();
    assert!(
        code.contains("$this->entityTypeManager->getStorage('node')"),
        "{code}"
    );
    assert!(
        code.contains("protected readonly DateFormatterInterface $dateFormatter"),
        "{code}"
    );
    assert!(
        code.contains("$this->entityTypeManager = $entity_type_manager;"),
        "inherited properties are assigned: {code}"
    );
    assert!(code.contains("$container->get('datetime.time')"), "{code}");
    assert!(
        !code.contains("\\Drupal::"),
        "the code calls no \\Drupal:: any more: {code}"
    );

    // The procedural hook moves to a class and its removed function is replaced on the way.
    let hook = by(&g, "refactor:hook@1");
    assert_eq!(hook.len(), 1, "{:?}", g.dropped);
    assert!(hook[0].contains("#[Hook('help')]\n  public function help($route_name, RouteMatchInterface $route_match) {"), "{}", hook[0]);
    assert!(
        hook[0].contains("ByteSizeMarkup::create(2048)"),
        "{}",
        hook[0]
    );

    // Every sample is cited, dated by its source and grouped by its file.
    for s in &g.samples {
        let cited = s
            .metadata
            .source
            .strip_prefix("path:site@0123456789ab:")
            .unwrap();
        let rel = s
            .metadata
            .group
            .as_deref()
            .unwrap()
            .strip_prefix("code/site/")
            .unwrap();
        assert!(rel.ends_with(cited), "{rel} is grouped by {cited}");
        assert_eq!(s.metadata.timestamp, "2026-11-01T00:00:00Z");
    }
    // A component with a name and no description, in a theme, is asked for as such.
    let component: Vec<&tuneforge_core::records::Sample> = g
        .samples
        .iter()
        .filter(|s| s.metadata.generator == "template:component@2")
        .collect();
    assert_eq!(component.len(), 1, "{:?}", g.dropped);
    let ask = &component[0].messages[0].content;
    assert!(ask.contains("demo_theme") && ask.contains("theme"), "{ask}");
    assert!(!ask.contains("module"), "{ask}");
    assert!(
        ask.contains("a component named \"Badge\"") || ask.contains("A component named \"Badge\""),
        "{ask}"
    );

    let theme_hooks: Vec<&tuneforge_core::records::Sample> = g
        .samples
        .iter()
        .filter(|s| {
            s.metadata.generator == "template:hook-class@2"
                && s.metadata.source.ends_with("DemoThemeHooks.php")
        })
        .collect();
    assert_eq!(theme_hooks.len(), 1, "{:?}", g.dropped);
    let (ask, answer) = (
        &theme_hooks[0].messages[0].content,
        &theme_hooks[0].messages[1].content,
    );
    assert!(!ask.contains(" module"), "{ask}");
    assert!(
        answer.contains("the theme's `src/Hook/` directory") && answer.contains("`.theme` file"),
        "{answer}"
    );

    let forms = by(&g, "template:route-form@2");
    assert_eq!(forms.len(), 1, "{:?}", g.dropped);
    assert!(
        forms[0].contains("_form: '\\Drupal\\demo\\Form\\SettingsForm'")
            && forms[0].contains("public function buildForm(")
            && !forms[0].contains("function helper(")
            && forms[0].contains("(1 other method left out)"),
        "{}",
        forms[0]
    );

    let explained = by(&g, "template:explain-class@2");
    // An annotated plugin is explained with what the sources show, and no more: a key the
    // attribute's constructor does not take keeps the annotation (as `source_module` does
    // on Drupal 11 core, whose #[MigrateSource] lacks it); a plugin type without an
    // attribute class in the sources is declared by annotation.
    let rows = explained
        .iter()
        .find(|e| e.contains("`BadRows`"))
        .expect("BadRows is explained");
    assert!(rows.contains("it takes no `source_provider`"), "{rows}");
    let rows = explained
        .iter()
        .find(|e| e.contains("`DemoRows`"))
        .expect("DemoRows is explained");
    assert!(
        rows.contains("new code should declare it that way"),
        "{rows}"
    );
    let legacy = explained
        .iter()
        .find(|e| e.contains("`LegacyBlock`"))
        .expect("LegacyBlock is explained");
    assert!(
        legacy.contains("The sources declare no attribute class for this plugin type")
            && !legacy.contains("deprecated"),
        "{legacy}"
    );
    // The explanation walks through the methods: what each does and touches.
    let greeting = explained
        .iter()
        .find(|e| e.contains("`GreetingBlock`"))
        .expect("GreetingBlock is explained");
    assert!(
        greeting.contains("- `build(): array`: implements the contract documented on `BlockBase` or an interface it implements; translates its text; builds a render array."),
        "{greeting}"
    );
    assert!(
        explained
            .iter()
            .any(|e| e.contains("`\\Drupal::service('date.formatter')`")),
        "{explained:?}"
    );
    assert!(
        g.dropped
            .iter()
            .any(|d| d.generator == "template:route-controller@2"
                || d.reason.contains("refactor material"))
            || by(&g, "template:route-controller@2").is_empty()
    );
}

#[test]
fn the_same_seed_gives_the_same_samples_and_another_seed_other_wording() {
    let a = run(42);
    let b = run(42);
    assert_eq!(a.samples, b.samples);
    let c = run(7);
    assert_eq!(a.samples.len(), c.samples.len());
    let prompts = |g: &tuneforge_generate::Generated| {
        g.samples
            .iter()
            .map(|s| s.messages[0].content.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(prompts(&a), prompts(&c), "phrasings follow the seed");
}
