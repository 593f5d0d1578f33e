//! The Drupal 11 judge: every built-in task accepts its reference answer, and a golden
//! table of scripted bad answers fails with the checks named.

use tuneforge_core::reporter::Silent;
use tuneforge_model::eval::exec::Status;
use tuneforge_model::eval::judge::{DrupalJudge, Verdict};
use tuneforge_model::eval::suite::{CompiledTask, DRUPAL11, drupal_tasks};
use tuneforge_php::class_index::ClassIndex;
use tuneforge_php::gate::GateTools;
use tuneforge_php::rules::Checker;

fn judge_all(answers: &[(&CompiledTask, &str)], classes: Option<&ClassIndex>) -> Vec<Verdict> {
    let checker = Checker::new(None, Default::default());
    let tools = GateTools::detect(true, None, None, None);
    assert!(
        tools.php.present(),
        "php must be installed (scripts/test.sh installs php-cli)"
    );
    let scratch = tempfile::tempdir().unwrap();
    DrupalJudge {
        checker: &checker,
        tools: &tools,
        classes,
    }
    .judge(answers, scratch.path(), &Silent)
    .unwrap()
    .verdicts
}

#[test]
fn every_built_in_task_accepts_its_reference() {
    let tasks = drupal_tasks("drupal11.jsonl", DRUPAL11).unwrap();
    let answers: Vec<(&CompiledTask, &str)> = tasks
        .iter()
        .map(|t| (t, t.task.reference.as_deref().unwrap()))
        .collect();
    let verdicts = judge_all(&answers, None);
    let failures: Vec<String> = tasks
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| !v.passed)
        .map(|(t, v)| format!("{}: {:?}", t.task.id, v.failed))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn bad_answers_fail_with_the_checks_named() {
    let suite = r##"{"id":"hello-block","category":"attribute-plugins","prompt":"Write a block plugin `hello_block` in module `hello`.","must":["#\\[Block\\("],"must_not":["@Block\\("],"rules":["drupal-service-in-class"]}"##;
    let tasks = drupal_tasks("golden.jsonl", suite).unwrap();
    let task = &tasks[0];
    let good = "```php\n<?php\n\ndeclare(strict_types=1);\n\nnamespace Drupal\\hello\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Says hello.\n */\n#[Block(\n  id: 'hello_block',\n  admin_label: new TranslatableMarkup('Hello'),\n)]\nfinal class HelloBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build(): array {\n    return ['#markup' => $this->t('Hello')];\n  }\n\n}\n```\n";
    let no_code = "Create a class with the Block attribute.";
    let syntax = "```php\n<?php\n\nclass HelloBlock extends BlockBase {\n  public function build( {\n}\n```\n";
    let annotated = good.replace(
        "#[Block(\n  id: 'hello_block',\n  admin_label: new TranslatableMarkup('Hello'),\n)]\n",
        "",
    )
    .replace(" * Says hello.\n", " * Says hello.\n *\n * @Block(\n *   id = \"hello_block\",\n *   admin_label = @Translation(\"Hello\")\n * )\n");
    let locator = good.replace(
        "return ['#markup' => $this->t('Hello')];",
        "return ['#markup' => \\Drupal::service('renderer')->renderPlain($x)];",
    );
    let invented = good.replace(
        "use Drupal\\Core\\Block\\BlockBase;",
        "use Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\Block\\BlockHelperThatDoesNotExist;",
    );
    let mut index = ClassIndex::default();
    for class in [
        "Drupal\\Core\\DrupalKernel",
        "Drupal\\Core\\Block\\Attribute\\Block",
        "Drupal\\Core\\Block\\BlockBase",
        "Drupal\\Core\\StringTranslation\\TranslatableMarkup",
    ] {
        index.insert(class, false);
    }
    let answers = [
        (task, good),
        (task, no_code),
        (task, syntax),
        (task, annotated.as_str()),
        (task, locator.as_str()),
        (task, invented.as_str()),
    ];
    let verdicts = judge_all(&answers, Some(&index));
    let table: Vec<(bool, Status, Vec<String>)> = verdicts
        .into_iter()
        .map(|v| (v.passed, v.status, v.failed))
        .collect();
    assert_eq!(table[0], (true, Status::Ok, vec![]), "the good answer");
    assert_eq!(table[1].1, Status::NoCode);
    assert!(
        table[1].2.contains(&"has-code".to_owned()),
        "{:?}",
        table[1]
    );
    assert_eq!(table[2].1, Status::SyntaxError, "{:?}", table[2]);
    assert!(
        table[3].2.contains(&"must:#\\[Block\\(".to_owned())
            && table[3].2.contains(&"must-not:@Block\\(".to_owned()),
        "{:?}",
        table[3]
    );
    assert!(
        table[4].2.contains(&"drupal-service-in-class".to_owned()),
        "{:?}",
        table[4]
    );
    assert!(
        table[5].2.contains(&"import-unknown-class".to_owned()),
        "{:?}",
        table[5]
    );
    assert!(table[1..].iter().all(|(passed, _, _)| !passed));
}
