//! `template:explain-class` walks through `{@inheritdoc}` methods with the contract the
//! sources document for them, found on a parent class or an interface.

use tuneforge_generate::corpus::{Corpus, SourceFile};
use tuneforge_generate::{GenerateOptions, generate};
use tuneforge_php::rules::Checker;

mod common;

fn file(rel: &str, text: &str) -> SourceFile {
    common::site_file(rel, text)
}

#[test]
fn inherited_docs_are_read_from_the_interface_that_documents_them() {
    let files = vec![
        file(
            "modules/demo/demo.info.yml",
            "name: Demo\ntype: module\ncore_version_requirement: ^11\n",
        ),
        file(
            "modules/demo/src/GreeterInterface.php",
            "<?php\n\nnamespace Drupal\\demo;\n\n/**\n * Greets visitors.\n */\ninterface GreeterInterface {\n\n  /**\n   * Returns a greeting for the visitor.\n   */\n  public function greet(string $name): string;\n\n}\n",
        ),
        file(
            "modules/demo/src/Greeter.php",
            "<?php\n\nnamespace Drupal\\demo;\n\n/**\n * Greets visitors politely.\n */\nclass Greeter implements GreeterInterface {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function greet(string $name): string {\n    return 'Hello ' . $name;\n  }\n\n  /**\n   * {@inheritdoc}\n   */\n  public function wave(): string {\n    return 'o/';\n  }\n\n}\n",
        ),
        // An entity reaches for services through \Drupal: that is not injection advice.
        file(
            "modules/demo/src/Entity/Badge.php",
            "<?php\n\nnamespace Drupal\\demo\\Entity;\n\nuse Drupal\\Core\\Config\\Entity\\ConfigEntityBase;\n\n/**\n * Defines the badge entity.\n */\nclass Badge extends ConfigEntityBase {\n\n  /**\n   * Returns the badge's breakpoints.\n   */\n  public function breakpoints(): array {\n    return \\Drupal::service('breakpoint.manager')->getBreakpointsByGroup('demo');\n  }\n\n}\n",
        ),
        // A base class that others extend: injection would change their constructor call.
        file(
            "modules/demo/src/ListBase.php",
            "<?php\n\nnamespace Drupal\\demo;\n\n/**\n * Base class for demo lists.\n */\nabstract class ListBase {\n\n  /**\n   * Returns the lister.\n   */\n  public function lister(): string {\n    return \\Drupal::state()->get('demo.lister', '');\n  }\n\n}\n",
        ),
        file(
            "modules/demo/src/NodeList.php",
            "<?php\n\nnamespace Drupal\\demo;\n\n/**\n * Lists nodes.\n */\nclass NodeList extends ListBase {\n\n  public function __construct(protected string $type) {}\n\n}\n",
        ),
    ];
    let checker = Checker::new(None, Default::default());
    let corpus = Corpus::new(files, &checker);
    let g = generate(
        &corpus,
        &checker,
        &[],
        &GenerateOptions {
            seed: 3,
            only: vec!["explain-class".to_owned()],
        },
    );
    let answer = g
        .samples
        .iter()
        .find(|s| s.metadata.source.ends_with("src/Greeter.php"))
        .map(|s| s.messages[1].content.clone())
        .unwrap_or_else(|| panic!("no explanation of Greeter: {:?}", g.dropped));
    assert!(
        answer.contains(
            "- `greet($name): string`: returns a greeting for the visitor (as `GreeterInterface` documents it)."
        ),
        "{answer}"
    );
    // A contract the sources do not document is not invented.
    assert!(
        answer.contains(
            "- `wave(): string`: implements the contract documented on the interface it implements."
        ),
        "{answer}"
    );
    let entity = g
        .samples
        .iter()
        .find(|s| s.metadata.source.ends_with("src/Entity/Badge.php"))
        .map(|s| s.messages[1].content.clone())
        .unwrap_or_else(|| panic!("no explanation of Badge: {:?}", g.dropped));
    assert!(
        entity.contains("the container does not build entities")
            && !entity.contains("should be injected"),
        "{entity}"
    );
    let base = g
        .samples
        .iter()
        .find(|s| s.metadata.source.ends_with("src/ListBase.php"))
        .map(|s| s.messages[1].content.clone())
        .unwrap_or_else(|| panic!("no explanation of ListBase: {:?}", g.dropped));
    assert!(
        base.contains(
            "changes the constructor that the class in these sources that extends it calls"
        ),
        "{base}"
    );
}
