//! The Drupal pipeline end to end through the real binary: the built-in sample corpus
//! through discover, acquire, clean, analyze, generate, gate and package.
// Its helpers say on stderr what they skipped, as the tests themselves may.
#![allow(clippy::print_stderr)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;

const FAMILIES: [&str; 8] = [
    "plugin",
    "hook-class",
    "service",
    "route-controller",
    "component",
    "dependency-injection",
    "explain-class",
    "upgrade-10-11",
];

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_sample_corpus_becomes_a_gated_grouped_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    let out = tf()
        .args(["quickstart", "--no-train"])
        .arg(&ws)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("teacher: skipped: no teacher.base_url"),
        "{}",
        stdout(&out)
    );

    // The packaged dataset is validated, and the stages that have nothing to work on in a
    // Drupal workspace are idle, with the reason, not "missing".
    let report = json(&ws.join("validation/report.json"));
    assert_eq!(report["errors"], 0, "{report}");
    let status: serde_json::Value = serde_json::from_slice(
        &tf_in(&ws)
            .args(["--json", "status"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let state = |name: &str| {
        status["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == name)
            .map(|s| s["state"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(state("rules"), "idle", "{status}");
    assert_eq!(state("process"), "idle", "{status}");
    assert_eq!(state("validate"), "fresh", "{status}");
    assert_eq!(state("package"), "fresh", "{status}");

    // The sample modules are Drupal extensions (GPL-2.0-or-later, from their info.yml), the
    // change records drupal.org content (CC-BY-SA-2.0): the card says `other` and lists both.
    let manifest = json(&ws.join("dataset/v1/manifest.json"));
    let by_license = &manifest["package"]["license_samples"];
    assert!(
        by_license["GPL-2.0-or-later"].as_u64().unwrap() > 300,
        "{by_license}"
    );
    assert!(
        by_license["CC-BY-SA-2.0"].as_u64().unwrap() > 0,
        "{by_license}"
    );
    assert!(by_license.get("unknown").is_none(), "{by_license}");
    let card = std::fs::read_to_string(ws.join("dataset/v1/README.md")).unwrap();
    assert!(card.contains("license: other\n"), "{card}");
    assert!(
        card.contains("| sample-modules | GPL-2.0-or-later |"),
        "{card}"
    );

    // The card shows the composition, drawn and tabled; `stats` recomputes the same numbers
    // from the splits, and names what it cannot read.
    assert!(
        card.contains("![Samples by generator](composition.svg)"),
        "{card}"
    );
    // explain-class is a third of what the sample corpus generates; the policy holds it to
    // its share and the card says what went.
    assert!(
        card.contains("| generator over max_generator_share |"),
        "{card}"
    );
    let svg = std::fs::read_to_string(ws.join("dataset/v1/composition.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    let recorded = &manifest["package"]["stats"];
    let out = tf_in(&ws).args(["--json", "stats"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(&printed, recorded);
    assert_eq!(
        printed["samples"].as_u64().unwrap(),
        manifest["counts"]["train"].as_u64().unwrap()
            + manifest["counts"]["valid"].as_u64().unwrap()
            + manifest["counts"]["test"].as_u64().unwrap()
    );
    let out = tf_in(&ws).args(["stats", "no/such/dir"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no/such/dir: no such dataset"),
        "{}",
        stderr(&out)
    );

    // Every template family yields at least 20 samples that pass the gate.
    let gate = json(&ws.join("quality/report.json"));
    for family in FAMILIES {
        let rate = &gate["by_generator"][format!("template:{family}@2")];
        assert!(rate["accepted"].as_u64().unwrap() >= 20, "{family}: {rate}");
    }
    for kind in ["template", "refactor", "docs"] {
        assert!(
            gate["by_kind"][kind]["pass_rate"].as_f64().unwrap() > 0.5,
            "{kind}"
        );
    }

    // Samples cite their source file, date it by the corpus, and carry their group.
    let v1 = ws.join("dataset/v1");
    let mut group_split: BTreeMap<String, &str> = BTreeMap::new();
    for split in ["train", "valid", "test"] {
        let rows = read_jsonl(&v1.join(format!("{split}.jsonl")));
        assert!(!rows.is_empty(), "{split} is empty");
        for s in &rows {
            let m = &s["metadata"];
            let source = m["source"].as_str().unwrap();
            assert!(
                source.starts_with("path:sample-modules@")
                    || source.starts_with("https://www.drupal.org/"),
                "{source}"
            );
            if source.starts_with("path:") {
                assert_eq!(m["timestamp"], "2026-11-01T00:00:00Z");
            }
            let group = m["group"].as_str().unwrap().to_owned();
            let before = group_split.insert(group.clone(), split);
            assert!(
                before.is_none_or(|b| b == split),
                "group {group} is in {before:?} and {split}"
            );
        }
    }

    // The manifest: sources pinned, rules, counts per generator and split, pass rates.
    let manifest = json(&v1.join("manifest.json"));
    let package = &manifest["package"];
    assert_eq!(package["sources"][0]["name"], "sample-modules");
    assert!(package["sources"][0]["tree_hash"].as_str().unwrap().len() == 64);
    assert!(package["rules"]["clean"]["dedup"].is_object());
    assert!(
        package["by_generator"]["template:plugin@2"]["train"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(package["gate"]["by_generator"]["refactor:annotation@1"]["pass_rate"].is_number());
    // The built-in evaluation suites are decontamination references by default.
    assert_eq!(
        package["decontamination"]["eval_prompts"],
        "123 prompts compared"
    );
    let files: BTreeSet<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for f in [
        "train.jsonl",
        "messages/train.jsonl",
        "alpaca/test.jsonl",
        "axolotl.yaml",
        "dataset_info.json",
    ] {
        assert!(files.contains(f), "{f} is not in the manifest");
    }
    let card = std::fs::read_to_string(v1.join("README.md")).unwrap();
    assert!(card.starts_with("---\nconfigs:\n"), "{card}");
    let info = json(&v1.join("dataset_info.json"));
    assert_eq!(info["tuneforge_train"]["file_name"], "messages/train.jsonl");

    // Hugging Face `datasets` loads the directory through the card's front matter.
    if let Some(python) = test_python() {
        let out = std::process::Command::new(python)
            .arg("-c")
            .arg(
                "import json, sys\nfrom datasets import load_dataset\nd = load_dataset(sys.argv[1])\n\
                 print(json.dumps({k: [v.num_rows, sorted(v.column_names)] for k, v in d.items()}))",
            )
            .arg(&v1)
            .env("HF_DATASETS_OFFLINE", "1")
            .env("HF_HUB_OFFLINE", "1")
            .env("HF_HOME", tmp.path().join("hf"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let loaded: serde_json::Value =
            serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
        for (split, file) in [
            ("train", "train"),
            ("validation", "valid"),
            ("test", "test"),
        ] {
            let rows = read_jsonl(&v1.join(format!("{file}.jsonl"))).len();
            assert_eq!(loaded[split][0], rows, "{split}");
            assert_eq!(
                loaded[split][1],
                serde_json::json!(["id", "messages", "metadata", "train_on"])
            );
        }
    }
}

/// The tests' Python (`scripts/python-env.sh`), or `None` to skip that part (an error
/// under `TUNEFORGE_REQUIRE_PYTHON=1`, which CI sets).
fn test_python() -> Option<std::path::PathBuf> {
    match std::env::var_os("TUNEFORGE_TEST_PYTHON").map(std::path::PathBuf::from) {
        Some(p) if p.exists() => Some(p),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!(
                "TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_TEST_PYTHON is not a file; run scripts/python-env.sh"
            )
        }
        _ => {
            eprintln!("skipped the Hugging Face datasets check: no TUNEFORGE_TEST_PYTHON");
            None
        }
    }
}

#[test]
fn two_drupal_quickstarts_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        tf().args(["quickstart", "--no-train"])
            .arg(tmp.path().join(name))
            .assert()
            .success();
    }
    let data = |name: &str| {
        tree(&tmp.path().join(name))
            .into_iter()
            .filter(|(k, _)| !k.starts_with(".tuneforge/"))
            .collect::<Vec<_>>()
    };
    let (a, b) = (data("a"), data("b"));
    assert_eq!(a.len(), b.len());
    for ((ka, va), (kb, vb)) in a.iter().zip(&b) {
        assert_eq!(ka, kb);
        assert!(va == vb, "{ka} differs between two quickstarts");
    }
}

/// A teacher on loopback answering every request with one OSS-Instruct answer; counts
/// requests.
fn teacher_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let content = format!(
                "## Problem\nWrite a Drupal 11 service that counts things (variant {n}).\n\n## Solution\nA small final class:\n\n```php\n<?php\n\ndeclare(strict_types=1);\n\nnamespace Drupal\\counter;\n\n/**\n * Counts things.\n */\nfinal class Counter {{\n\n  /**\n   * The count so far.\n   */\n  private int $count = 0;\n\n  /**\n   * Adds one and returns the new count.\n   */\n  public function increment(): int {{\n    return ++$this->count;\n  }}\n\n}}\n```\n"
            );
            let reply = serde_json::json!({
                "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50}
            })
            .to_string();
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    (url, count)
}

#[test]
fn teacher_samples_are_gated_and_a_rerun_costs_nothing() {
    let (url, requests) = teacher_server();
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    tf().args(["quickstart", "--no-train"])
        .arg(&ws)
        .assert()
        .success();
    let config = ws.join("pipeline.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text = text.replacen(
        "  base_url: null\n  model: null\n",
        &format!("  base_url: {url}\n  model: tiny-teacher\n"),
        1,
    );
    text = text.replacen("  max_seeds: 100 ", "  max_seeds: 5 ", 1);
    std::fs::write(&config, text).unwrap();
    let out = tf_in(&ws).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    let synthetic = read_jsonl(&ws.join("sft/synthetic.jsonl"));
    assert_eq!(synthetic.len(), 5);
    assert_eq!(
        synthetic[0]["metadata"]["generator"],
        "teacher:tiny-teacher"
    );
    let gate = json(&ws.join("quality/report.json"));
    assert_eq!(gate["by_generator"]["teacher:tiny-teacher"]["accepted"], 5);
    let dataset = tree(&ws.join("dataset"));

    // Same seed, same cache: nothing is sent and the dataset is the same bytes.
    let out = tf_in(&ws).args(["run", "--force"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        requests.load(Ordering::SeqCst),
        5,
        "the cache answered every seed"
    );
    assert_eq!(tree(&ws.join("dataset")), dataset);
}

#[test]
fn captured_interactions_join_the_drupal_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    tf().args(["quickstart", "--no-train"])
        .arg(&ws)
        .assert()
        .success();
    let expert = "Declare it with the attribute:\n\n```php\n<?php\n\ndeclare(strict_types=1);\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Says hello.\n */\n#[Block(\n  id: 'demo_hello',\n  admin_label: new TranslatableMarkup('Hello'),\n)]\nfinal class HelloBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build(): array {\n    return ['#markup' => $this->t('Hello')];\n  }\n\n}\n```\n";
    for (query, local, answer) in [
        (
            "How do I declare a block plugin in Drupal 11?",
            "Use an @Block annotation.",
            expert,
        ),
        (
            "How do I declare a block plugin in Drupal 11?",
            "Use drupal_set_message().",
            "Use an annotation:\n\n```php\n<?php\n/**\n * @Block(id = \"x\")\n */\nclass X extends \\Drupal\\Core\\Block\\BlockBase { public function build() { drupal_set_message('x'); return []; } }\n```\n",
        ),
    ] {
        tf_in(&ws)
            .args([
                "collect",
                "--domain",
                "drupal-plugins",
                "--local-model",
                "qwen",
                "--expert-model",
                "big",
            ])
            .args([
                "--query",
                query,
                "--local-answer",
                local,
                "--expert-answer",
                answer,
            ])
            .assert()
            .success();
    }
    let out = tf_in(&ws).arg("run").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // Through generate and the gate: the good expert answer passes, the bad one does not.
    let joined = read_jsonl(&ws.join("sft/interactions.jsonl"));
    assert_eq!(joined.len(), 2);
    assert_eq!(joined[0]["train_on"], "last_assistant");
    assert_eq!(joined[0]["metadata"]["domain"], "drupal-plugins");
    let gate = json(&ws.join("quality/report.json"));
    assert_eq!(
        gate["by_generator"]["interaction"]["accepted"], 1,
        "{}",
        gate["by_generator"]
    );
    assert_eq!(gate["by_generator"]["interaction"]["rejected"], 1);
    // `package` wrote the dataset with it; `process` left the dataset to `package`.
    let v2 = ws.join("dataset/v2");
    let all: Vec<serde_json::Value> = ["train", "valid", "test"]
        .iter()
        .flat_map(|s| read_jsonl(&v2.join(format!("{s}.jsonl"))))
        .collect();
    assert_eq!(
        all.iter()
            .filter(|s| s["metadata"]["generator"] == "interaction")
            .count(),
        1
    );
    assert!(
        stdout(&out).contains("process   skipped: interactions are packaged"),
        "{}",
        stdout(&out)
    );
}
