//! `tuneforge compat` through the real binary.

mod common;

use common::*;

#[test]
fn prints_flags_as_a_table_and_as_json() {
    let out = tf()
        .args(["compat", "^10.3 || ^11", "--core", "11.3.5"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    for line in [
        "versions          >=10.3.0.0-dev <12.0.0.0-dev",
        "any Drupal 11     yes",
        "Drupal 11.0       yes",
        "latest Drupal 11  yes (11.3.5.0)",
        "no upper bound    no",
    ] {
        assert!(text.contains(line), "missing {line:?} in {text}");
    }
    let out = tf()
        .args(["--json", "compat", ">=8.8", "--core", "11.1.0"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["admits_any_11"], true);
    assert_eq!(doc["unbounded_upper"], true);
    assert_eq!(doc["core"], "11.1.0.0");
}

#[test]
fn an_unparseable_constraint_is_reported_not_a_crash() {
    let out = tf().args(["--json", "compat", "~>11"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["parsed"], false);
    assert!(doc["error"].as_str().unwrap().contains("~>"));
    let out = tf()
        .args(["compat", "^11", "--core", "eleven"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--core eleven"), "{}", stderr(&out));
}

#[test]
fn core_must_be_a_drupal11_release() {
    let out = tf()
        .args(["compat", "^11", "--core", "10.2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a Drupal 11 release"),
        "{}",
        stderr(&out)
    );
}
