//! `tuneforge gate` on hand-made samples (the `Sample` record), in a workspace and on a
//! file anywhere, with and without the external tools.

mod common;

use common::*;

fn sample(id: &str, answer: &str) -> String {
    serde_json::json!({
        "id": id,
        "messages": [
            {"role": "system", "content": "You write Drupal 11 code."},
            {"role": "user", "content": "Show me."},
            {"role": "assistant", "content": answer}
        ],
        "train_on": "last_assistant",
        "metadata": {"domain": "drupal-routing", "source": "test", "generator": "template:test@1", "timestamp": "2026-01-01T00:00:00Z"}
    })
    .to_string()
}

fn samples() -> String {
    [
        sample(
            "routing-ok",
            "```yaml\ndemo.page:\n  path: '/demo'\n  defaults:\n    _controller: '\\Drupal\\demo\\Controller\\Page::build'\n  requirements:\n    _permission: 'access content'\n```\n",
        ),
        sample(
            "routing-open",
            "```yaml\ndemo.delete:\n  path: '/demo/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\demo\\Controller\\Page::delete'\n  requirements:\n    _permission: 'administer demo'\n```\n",
        ),
        sample(
            "sql",
            "```php\n$rows = $this->connection->query(\"SELECT nid FROM {node} WHERE type = '$type'\")->fetchCol();\n```\n",
        ),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn the_gate_stage_accepts_rejects_and_lists_why() {
    let (_tmp, ws) = workspace();
    std::fs::create_dir_all(ws.join("sft")).unwrap();
    std::fs::write(ws.join("sft/combined.jsonl"), samples()).unwrap();
    let out = tf_in(&ws).args(["--json", "gate"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let accepted = read_jsonl(&ws.join("quality/accepted.jsonl"));
    let ids: Vec<&str> = accepted.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["routing-ok"]);
    let rejected = read_jsonl(&ws.join("quality/rejected.jsonl"));
    let pairs: Vec<(&str, &str)> = rejected
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["rule"].as_str().unwrap()))
        .collect();
    assert!(
        pairs.contains(&("routing-open", "route-csrf-missing")),
        "{pairs:?}"
    );
    assert!(pairs.contains(&("sql", "sql-concatenation")), "{pairs:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("quality/report.json")).unwrap()).unwrap();
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(report["thresholds"]["error"], 0);
    assert_eq!(report["skipped"][0]["rule"], "removed-symbol");

    // The tools are part of the fingerprint: the stage is fresh until they or the config
    // change; switching the tools off makes it stale and then absent in the report.
    let status = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(status.contains("  gate      fresh"), "{status}");
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    std::fs::write(
        ws.join("pipeline.yaml"),
        cfg.replace("  external_tools: true", "  external_tools: false"),
    )
    .unwrap();
    let status = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(
        status.contains("setting gate.external_tools changed: true → false"),
        "{status}"
    );
    if which_php_tools() {
        assert!(status.contains("input tool:php changed"), "{status}");
    }
    let out = tf_in(&ws)
        .args(["--json", "run", "--only", "gate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("quality/report.json")).unwrap()).unwrap();
    assert!(
        report["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["version"] == "absent"),
        "{report}"
    );
    assert_eq!(
        report["rejected"], 2,
        "the native rules alone still reject both"
    );
}

/// Whether php and phpcs are on PATH (scripts/test.sh installs them).
fn which_php_tools() -> bool {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
    };
    on_path("php") && on_path("phpcs")
}

#[test]
fn gate_a_file_anywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("samples.jsonl");
    std::fs::write(&file, samples() + "{broken\n").unwrap();
    let out_dir = tmp.path().join("q");
    let out = tf()
        .current_dir(tmp.path())
        .arg("gate")
        .arg(&file)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("3 samples: 1 accepted, 2 rejected, 1 unreadable"),
        "{text}"
    );
    assert!(out_dir.join("rejected.jsonl").is_file());
    let out = tf().args(["gate", "/no/such.jsonl"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
