//! The families built from a module's templates and YAML files, on small reproductions of
//! Drupal core's 11.x files: a theme's Twig override, a module's template, config schema
//! entries, links and permissions.

use tuneforge_generate::corpus::{Corpus, SourceFile};
use tuneforge_generate::{GenerateOptions, Generated, generate};
use tuneforge_php::rules::Checker;

mod common;

fn file(rel: &str, text: &str) -> SourceFile {
    common::site_file(rel, text)
}

const NODE_TEMPLATE: &str = "{#\n/**\n * @file\n * Default theme implementation to display a node.\n *\n * Available variables:\n * - node: The node entity.\n * - label: The title of the node.\n * - content: All node items.\n * - attributes: HTML attributes for the containing element.\n *\n * @see template_preprocess_node()\n */\n#}\n<article{{ attributes }}>\n  <h2>{{ label }}</h2>\n  {{ content }}\n</article>\n";

fn corpus() -> Vec<SourceFile> {
    vec![
        file(
            "modules/demo/demo.info.yml",
            "name: Demo\ntype: module\ncore_version_requirement: ^11\n",
        ),
        file(
            "modules/demo/demo.module",
            "<?php\n\nfunction template_preprocess_node(array &$variables): void {\n  $variables['label'] = $variables['elements']['#node']->label();\n}\n",
        ),
        file("modules/demo/templates/node.html.twig", NODE_TEMPLATE),
        // A deprecated template is not an example.
        file(
            "modules/demo/templates/old-report.html.twig",
            "{#\n/**\n * @file\n * Default theme implementation for old reports.\n *\n * @deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. There is no\n *   replacement.\n */\n#}\n<div>\n  {{ messages }}\n</div>\n",
        ),
        // A template without a docblock says nothing to ask for.
        file(
            "modules/demo/templates/bare.html.twig",
            "<div>\n  {{ content }}\n</div>\n",
        ),
        file(
            "themes/shiny/shiny.info.yml",
            "name: Shiny\ntype: theme\nbase theme: false\ncore_version_requirement: ^11\n",
        ),
        file(
            "themes/shiny/templates/content/node.html.twig",
            "{#\n/**\n * @file\n * Shiny's theme override to display a node.\n *\n * Available variables:\n * - label: The title of the node.\n * - content: All node items.\n * - attributes: HTML attributes for the containing element.\n *\n * @see template_preprocess_node()\n * @see template_preprocess_gone()\n */\n#}\n{{ attach_library('shiny/node') }}\n<article{{ attributes.addClass('node') }}>\n  <h2>{{ label|t }}</h2>\n  {{ content|without('links') }}\n</article>\n",
        ),
        file(
            "modules/demo/config/schema/demo.schema.yml",
            "# Schema for the demo module.\n\ndemo.settings:\n  type: config_object\n  label: 'Demo settings'\n  mapping:\n    page_size:\n      type: integer\n      label: 'Items per page'\n      constraints:\n        Range:\n          min: 1\n    intro:\n      type: text\n      label: 'Introduction'\n\ndemo.alias:\n  type: demo.settings\n\ndemo.wide:\n  type: mapping\n  label: 'Wide'\n  mapping:\n    k1:\n      type: string\n    k2:\n      type: string\n    k3:\n      type: string\n    k4:\n      type: string\n    k5:\n      type: string\n    k6:\n      type: string\n    k7:\n      type: string\n    k8:\n      type: string\n    k9:\n      type: string\n    k10:\n      type: string\n    k11:\n      type: string\n    k12:\n      type: string\n\nfield.widget.settings.demo_widget:\n  type: field.widget.settings.string_textfield\n  label: 'Demo widget settings'\n  mapping:\n    rows:\n      type: integer\n      label: 'Rows'\n",
        ),
        file(
            "modules/demo/config/install/demo.settings.yml",
            "page_size: 10\nintro: ''\n",
        ),
        file(
            "modules/demo/demo.links.menu.yml",
            "demo.settings:\n  title: 'Demo settings'\n  parent: system.admin_config_system\n  route_name: demo.settings\n",
        ),
        file(
            "modules/demo/demo.permissions.yml",
            "administer demo:\n  title: 'Administer demo'\n  restrict access: true\nview demo:\n  title: 'View demo pages'\npermission_callbacks:\n  - \\Drupal\\demo\\DemoPermissions::permissions\n",
        ),
        // Test modules are not examples.
        file(
            "modules/demo/tests/modules/demo_test/demo_test.permissions.yml",
            "access demo test:\n  title: 'Access the test'\n",
        ),
    ]
}

fn run() -> Generated {
    let checker = Checker::new(None, Default::default());
    let corpus = Corpus::new(corpus(), &checker);
    generate(
        &corpus,
        &checker,
        &[],
        &GenerateOptions {
            seed: 11,
            only: vec![
                "twig-template".to_owned(),
                "config-schema".to_owned(),
                "menu-links".to_owned(),
                "permissions".to_owned(),
            ],
        },
    )
}

fn sample<'g>(g: &'g Generated, generator: &str, path: &str) -> (&'g str, &'g str) {
    let s = g
        .samples
        .iter()
        .find(|s| s.metadata.generator.starts_with(generator) && s.metadata.source.ends_with(path))
        .unwrap_or_else(|| panic!("no {generator} sample from {path}: {:?}", g.dropped));
    (&s.messages[0].content, &s.messages[1].content)
}

#[test]
fn a_theme_override_is_asked_for_by_what_it_renders_and_prints() {
    let g = run();
    let (user, answer) = sample(
        &g,
        "template:twig-template",
        "themes/shiny/templates/content/node.html.twig",
    );
    assert!(
        user.contains("to display a node")
            && user.contains("It prints `label`, `content` and `attributes`.")
            && user.contains("Attach the `shiny/node` library."),
        "{user}"
    );
    assert!(
        answer.starts_with("`templates/content/node.html.twig`:")
            && answer.contains("Its variables are prepared by `template_preprocess_node()`.")
            && answer.contains("It overrides the demo module's `node.html.twig`")
            && answer.contains("`attributes.addClass()`")
            && answer.contains("`content|without(…)`")
            && answer.contains("`|t`"),
        "{answer}"
    );
    // A preprocess the sources do not define is not named.
    let notes = answer.rsplit("```").next().unwrap();
    assert!(!notes.contains("template_preprocess_gone"), "{notes}");
    let (_, module) = sample(
        &g,
        "template:twig-template",
        "modules/demo/templates/node.html.twig",
    );
    assert!(
        module.contains("A theme overrides it by putting a template of the same file name"),
        "{module}"
    );
    assert!(
        g.dropped.iter().any(|d| d.source.ends_with("old-report.html.twig")
            && d.reason.contains("@deprecated")),
        "{:?}",
        g.dropped
    );
    assert!(
        g.dropped.iter().any(|d| d.source.ends_with("bare.html.twig")
            && d.reason.contains("no @file docblock")),
        "{:?}",
        g.dropped
    );
}

#[test]
fn a_schema_entry_is_asked_for_from_the_default_configuration() {
    let g = run();
    let (user, answer) = sample(&g, "template:config-schema", "demo.schema.yml");
    assert!(
        user.contains("page_size: 10") && user.contains("demo.settings"),
        "{user}"
    );
    assert!(
        answer.contains("In `config/schema/demo.schema.yml`:")
            && answer.contains("demo.settings:\n  type: config_object")
            && !answer.contains("demo.alias")
            && answer.contains("`type: config_object` brings the keys")
            && answer.contains("The `Range` constraint is checked")
            && answer.contains("Values typed `label` or `text` are translatable"),
        "{answer}"
    );
    assert!(
        g.dropped
            .iter()
            .any(|d| d.reason.contains("`demo.alias` declares no mapping keys")),
        "{:?}",
        g.dropped
    );
}

#[test]
fn links_and_permissions_list_their_entries() {
    let g = run();
    let (user, answer) = sample(&g, "template:menu-links", "demo.links.menu.yml");
    assert!(
        user.contains("\"Demo settings\" (`demo.settings`: route `demo.settings`, under `system.admin_config_system`)"),
        "{user}"
    );
    assert!(answer.contains("static menu link"), "{answer}");
    let (user, answer) = sample(
        &g,
        "template:permissions",
        "modules/demo/demo.permissions.yml",
    );
    assert!(
        user.contains("- `administer demo`: \"Administer demo\", restricted\n- `view demo`: \"View demo pages\"")
            && !user.contains("permission_callbacks"),
        "{user}"
    );
    assert!(
        answer.contains("`restrict access: true` adds a warning")
            && answer.contains(
                "`permission_callbacks` names `\\Drupal\\demo\\DemoPermissions::permissions`"
            ),
        "{answer}"
    );
    assert!(
        !g.samples
            .iter()
            .any(|s| s.metadata.source.contains("/tests/")),
        "test modules are not examples"
    );
}
