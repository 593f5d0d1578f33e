//! `tuneforge rules mine` on a core-like tree, and the `rules` stage on an acquired core.

mod common;

use std::path::Path;

use common::*;

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A tree shaped like a Drupal checkout: `core/lib/Drupal.php` and a module.
fn core_like(root: &Path) {
    write(root, "core/lib/Drupal.php", "<?php\nclass Drupal {}\n");
    write(
        root,
        "core/modules/file/file.module",
        "<?php\n\n/**\n * Returns headers.\n *\n * @deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. Use\n *   Drupal\\file\\Entity\\FileInterface::getDownloadHeaders() instead.\n *\n * @see https://www.drupal.org/node/3494172\n */\nfunction file_get_content_headers($file) {}\n",
    );
    write(
        root,
        "core/authorize.php",
        "<?php\n@trigger_error('authorize.php is deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. There is no replacement. See https://www.drupal.org/node/3512364', E_USER_DEPRECATED);\n",
    );
    write(
        root,
        "core/lib/Drupal/Component/Utility/Old.php",
        "<?php\nnamespace Drupal\\Component\\Utility;\n\nclass Old {\n  /**\n   * @deprecated in drupal:10.2.0 and is removed from drupal:11.0.0. Use\n   *   \\Drupal\\Core\\StringTranslation\\ByteSizeMarkup::create() instead.\n   * @see https://www.drupal.org/node/2999981\n   */\n  public static function formatSize($size) {}\n}\n",
    );
    write(
        root,
        "core/modules/file/src/Uses.php",
        "<?php\nnamespace Drupal\\file;\n\nfunction headers($file) {\n  return file_get_content_headers($file);\n}\n",
    );
    write(
        root,
        "vendor/acme/Dep.php",
        "<?php\n/** @deprecated in drupal:1.0.0 and is removed from drupal:2.0.0. */\nfunction x() {}\n",
    );
}

#[test]
fn mine_writes_the_list_in_the_fixture_shape() {
    let tmp = tempfile::tempdir().unwrap();
    core_like(tmp.path());
    let out_file = tmp.path().join("deprecations.jsonl");
    let out = tf()
        .args(["--json", "rules", "mine"])
        .arg(tmp.path())
        .arg("--out")
        .arg(&out_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["deprecations"], 3);
    let records = read_jsonl(&out_file);
    let files: Vec<&str> = records
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "authorize.php",
            "lib/Drupal/Component/Utility/Old.php",
            "modules/file/file.module"
        ]
    );
    // Same keys as the fixture the rest of the team builds on.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/drupal/deprecations-sample.jsonl");
    let sample: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(fixture)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert!(records.iter().all(|r| keys(r) == keys(&sample)));
    let method = &records[1];
    assert_eq!(
        method["symbol"],
        "Drupal\\Component\\Utility\\Old::formatSize"
    );
    assert_eq!(method["kind"], "method");
    assert_eq!(method["removed_in"], "11.0.0");
    assert_eq!(
        method["change_records"][0],
        "https://www.drupal.org/node/2999981"
    );

    let out = tf()
        .args(["rules", "mine", "/no/such/dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}

#[test]
fn the_rules_stage_mines_the_acquired_core() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("drupal");
    core_like(&repo);
    let git = |args: &[&str]| git_in(&repo, args);
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "core"]);

    let (_tmp, ws) = workspace();
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    std::fs::write(
        ws.join("pipeline.yaml"),
        cfg.replace(
            "sources: []",
            &format!(
                "sources:\n  - {{type: drupal-core, url: {}, branch: 11.x}}",
                repo.display()
            ),
        ),
    )
    .unwrap();
    let out = tf_in(&ws)
        .args(["--json", "run", "--from", "discover"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stderr(&out), stdout(&out));
    let records = read_jsonl(&ws.join("rules/deprecations.jsonl"));
    assert_eq!(records.len(), 3);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stage(&report, "rules")["ran"], true, "{report}");
    // analyze reads the mined list: the use of a deprecated function is in the facts.
    let facts = read_jsonl(&ws.join("analysis/facts.jsonl"));
    let uses = facts
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap()
                .ends_with("modules/file/src/Uses.php")
        })
        .unwrap();
    assert_eq!(
        uses["deprecated_uses"][0]["rule"], "deprecated-symbol",
        "{uses}"
    );
    assert_eq!(uses["deprecated_uses"][0]["line"], 5);
    // A rerun finds everything fresh.
    let out = tf_in(&ws).args(["--json", "run"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in ["rules", "clean", "analyze"] {
        assert_eq!(stage(&report, name)["ran"], false, "{report}");
    }
}

#[test]
fn check_prints_findings_like_a_linter_and_uses_a_mined_list() {
    let tmp = tempfile::tempdir().unwrap();
    let module = tmp.path().join("demo");
    write(
        &module,
        "src/Controller/Page.php",
        "<?php\n\nnamespace Drupal\\demo\\Controller;\n\nclass Page {\n  public function build() {\n    $n = \\Drupal::entityTypeManager()->getStorage('node')->load(1);\n    return ['#markup' => '<h1>' . $n->label() . '</h1>', '#size' => format_size(10)];\n  }\n}\n",
    );
    write(
        &module,
        "demo.routing.yml",
        "demo.page:\n  path: '/demo'\n  defaults:\n    _controller: '\\Drupal\\demo\\Controller\\Page::build'\n",
    );
    write(
        &module,
        "demo.info.yml",
        "name: Demo\ntype: module\ncore_version_requirement: ^10.3 || ^11\n",
    );
    write(&module, "vendor/x/Bad.php", "<?php\neval($x);\n");

    // Without a list: findings, and the symbol rules said to be skipped.
    let out = tf().arg("check").arg(&module).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "errors found: {}", stderr(&out));
    let text = stdout(&out);
    let page = module.join("src/Controller/Page.php").display().to_string();
    assert!(
        text.contains(&format!(
            "{page}:7:10: warning[drupal-static-in-class] \\Drupal::entityTypeManager() in Page"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{page}:8:26: error[markup-unescaped]")),
        "{text}"
    );
    assert!(text.contains("demo.routing.yml:1:1: error[route-access-missing] route demo.page has no access requirement"), "{text}");
    assert!(
        text.contains("    hint: add requirements: _permission"),
        "{text}"
    );
    assert!(
        text.contains("removed-symbol: skipped: no deprecation list"),
        "{text}"
    );
    assert!(!text.contains("info-core-version-requirement"), "{text}");
    assert!(
        !text.contains("vendor"),
        "vendored code is not checked: {text}"
    );

    // With a list, as JSON.
    let list = tmp.path().join("deprecations.jsonl");
    std::fs::write(
        &list,
        "{\"source\": \"docblock\", \"file\": \"includes/common.inc\", \"line\": 1, \"kind\": \"function\", \"symbol\": \"format_size\", \"deprecated_in\": \"10.2.0\", \"removed_in\": \"11.0.0\", \"replacement\": \"Use ByteSizeMarkup::create().\", \"change_records\": [\"https://www.drupal.org/node/2999981\"]}\n",
    )
    .unwrap();
    let out = tf()
        .args(["--json", "check"])
        .arg(&module)
        .arg("--deprecations")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"], 3);
    assert!(report["skipped"].as_array().unwrap().is_empty());
    let removed = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "removed-symbol")
        .unwrap();
    assert_eq!(
        (removed["line"].as_u64(), removed["severity"].as_str()),
        (Some(8), Some("error"))
    );
    assert!(
        removed["message"]
            .as_str()
            .unwrap()
            .contains("ByteSizeMarkup::create()")
    );

    // A clean file passes; a bad list names its line.
    let clean = tmp.path().join("Clean.php");
    std::fs::write(
        &clean,
        "<?php\n\ndeclare(strict_types=1);\n\nfinal class Clean {}\n",
    )
    .unwrap();
    let out = tf()
        .arg("check")
        .arg(&clean)
        .arg("--strict-types")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).contains("1 files checked: 0 errors, 0 warnings, 0 notes"));
    std::fs::write(&list, "{\"source\": 1}\n").unwrap();
    let out = tf()
        .arg("check")
        .arg(&clean)
        .arg("--deprecations")
        .arg(&list)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("deprecations.jsonl:1: not a deprecation record"),
        "{}",
        stderr(&out)
    );
}
