//! The interactions workflow end to end through the real binary.

mod common;

use std::process::Stdio;

use common::*;

#[test]
fn quickstart_builds_a_validated_versioned_dataset() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("qs");
    let out = tf()
        .args(["quickstart", "--preset", "interactions"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("tuneforge --workspace"),
        "prints the next collect command: {text}"
    );
    assert!(text.contains("collect --query"), "{text}");

    let v1 = dir.join("dataset/v1");
    let train = read_jsonl(&v1.join("train.jsonl"));
    let valid = read_jsonl(&v1.join("valid.jsonl"));
    let test = read_jsonl(&v1.join("test.jsonl"));
    // 60 sample lines, one whitespace-only duplicate.
    assert_eq!(train.len() + valid.len() + test.len(), 59);
    assert_eq!(
        read_jsonl(&dir.join("processed/interactions.jsonl")).len(),
        59
    );
    for s in train.iter().chain(&valid).chain(&test) {
        assert_eq!(s["train_on"], "last_assistant");
        assert_eq!(s["messages"].as_array().unwrap().len(), 4);
    }
    // Domains below 10 samples (general-coding 6, reasoning-architecture 8) stay in train.
    for small in ["general-coding", "reasoning-architecture"] {
        let d = v1.join("domains").join(small);
        assert!(!read_jsonl(&d.join("train.jsonl")).is_empty());
        assert!(read_jsonl(&d.join("valid.jsonl")).is_empty());
        assert!(read_jsonl(&d.join("test.jsonl")).is_empty());
    }
    // Export formats: only the expert's answer is a target; preference pairs reject the local one.
    let raw: Vec<serde_json::Value> = read_jsonl(&dir.join("raw/interactions.jsonl"));
    let msgs = read_jsonl(&v1.join("messages/train.jsonl"));
    assert_eq!(msgs.len(), train.len());
    for m in &msgs {
        let turns = m["messages"].as_array().unwrap();
        assert_eq!(turns.len(), 2);
        assert_eq!(turns[1]["role"], "assistant");
    }
    let alpaca = read_jsonl(&v1.join("alpaca/train.jsonl"));
    assert_eq!(alpaca[0]["output"], train[0]["messages"][3]["content"]);
    assert_eq!(alpaca[0]["input"], "");
    let pref = read_jsonl(&v1.join("preference/train.jsonl"));
    assert_eq!(pref[0]["chosen"], train[0]["messages"][3]["content"]);
    assert_eq!(pref[0]["rejected"], train[0]["messages"][1]["content"]);
    assert!(raw.len() == 60);

    // Manifests: stage manifests and the dataset manifest with hashes and counts.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("processed/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["stage"], "process");
    assert_eq!(
        manifest["fingerprint"]["inputs"][0]["path"],
        "raw/interactions.jsonl"
    );
    assert_eq!(
        manifest["report"]["duplicates"].as_array().unwrap().len(),
        1
    );
    let outputs = manifest["outputs"].as_array().unwrap();
    assert!(
        outputs
            .iter()
            .any(|o| o["path"] == "dataset/v1/train.jsonl" && o["records"] == train.len())
    );
    assert!(dir.join("processed/timings.json").is_file());
    assert!(dir.join("validation/manifest.json").is_file());
    let snapshot = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(
        std::fs::read(snapshot.path().join("train.jsonl")).unwrap(),
        std::fs::read(v1.join("train.jsonl")).unwrap()
    );

    // Everything is fresh afterwards.
    let st = tf_in(&dir).args(["--json", "status"]).output().unwrap();
    let st: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    for name in ["discover", "process", "validate"] {
        assert_eq!(stage(&st, name)["state"], "fresh", "{name}");
    }
    assert_eq!(st["dataset_version"], 1);
}

#[test]
fn two_quickstarts_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["a", "b"] {
        tf().args(["quickstart", "--preset", "interactions"])
            .arg(tmp.path().join(name))
            .assert()
            .success();
    }
    let a = tree(&tmp.path().join("a"));
    let b = tree(&tmp.path().join("b"));
    let data = |t: &std::collections::BTreeMap<String, Vec<u8>>| {
        t.iter()
            .filter(|(k, _)| !k.starts_with(".tuneforge/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(data(&a).len(), data(&b).len());
    for ((ka, va), (kb, vb)) in data(&a).iter().zip(data(&b).iter()) {
        assert_eq!(ka, kb);
        assert!(va == vb, "{ka} differs between two quickstarts");
    }
}

#[test]
fn seeded_secrets_never_reach_the_dataset() {
    let (_tmp, ws) = workspace();
    let secrets = [
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "sk-ant-api03-abcdefghijklmnopqrstuvwx",
        "hunter2hunter2",
        "alice.secret@corp-mail.io",
    ];
    tf_in(&ws)
        .args(["collect", "--domain", "coding-debugging"])
        .args(["--query", "my boto3 client fails, config: aws_access_key_id = AKIAIOSFODNN7EXAMPLE and token ghp_0123456789abcdefghijABCDEFGHIJ012345"])
        .args(["--local-answer", "try export ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwx"])
        .args(["--expert-answer", "Rotate it. Your DB_PASSWORD=hunter2hunter2 leaked too; tell alice.secret@corp-mail.io."])
        .assert()
        .success();
    let out = tf_in(&ws).args(["run"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let logs = format!("{}{}", stdout(&out), stderr(&out));
    let dataset = tree(&ws.join("dataset"));
    let processed = tree(&ws.join("processed"));
    for secret in secrets {
        assert!(!logs.contains(secret), "{secret} in the output");
        for (path, bytes) in dataset.iter().chain(processed.iter()) {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(secret), "{secret} reached {path}");
        }
    }
    let train = String::from_utf8_lossy(&dataset["v1/train.jsonl"]).into_owned();
    for kind in [
        "aws_key",
        "github_token",
        "anthropic_key",
        "password",
        "email",
    ] {
        assert!(
            dataset
                .values()
                .any(|b| String::from_utf8_lossy(b).contains(&format!("<REDACTED:{kind}>"))),
            "no {kind} placeholder; train: {train}"
        );
    }
    let manifest: serde_json::Value = serde_json::from_slice(&dataset["v1/manifest.json"]).unwrap();
    assert_eq!(manifest["redactions"]["aws_key"], 1);
    assert_eq!(manifest["redactions"]["email"], 1);
}

#[test]
fn same_inputs_and_seed_give_identical_splits_and_seed_changes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = generated_interactions(400);
    let mut trees = Vec::new();
    for (name, seed) in [("a", 42), ("b", 42), ("c", 7)] {
        let ws = tmp.path().join(name);
        tf().args(["init", "--preset", "interactions"])
            .arg(&ws)
            .assert()
            .success();
        std::fs::write(ws.join("raw/interactions.jsonl"), &raw).unwrap();
        let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
        std::fs::write(
            ws.join("pipeline.yaml"),
            cfg.replace("seed: 42", &format!("seed: {seed}")),
        )
        .unwrap();
        tf_in(&ws).arg("run").assert().success();
        trees.push(tree(&ws.join("dataset")));
    }
    assert_eq!(trees[0], trees[1]);
    assert_ne!(trees[0]["v1/test.jsonl"], trees[2]["v1/test.jsonl"]);
}

#[test]
fn kill_during_process_then_rerun_matches_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = generated_interactions(20_000);
    let make = |name: &str| {
        let ws = tmp.path().join(name);
        tf().args(["init", "--preset", "interactions"])
            .arg(&ws)
            .assert()
            .success();
        std::fs::write(ws.join("raw/interactions.jsonl"), &raw).unwrap();
        ws
    };
    let clean = make("clean");
    let started = std::time::Instant::now();
    tf_in(&clean).arg("process").assert().success();
    let full = started.elapsed();

    let killed = make("killed");
    let bin = assert_cmd::cargo::cargo_bin("tuneforge");
    // Kill at points spread over a whole run: reading, redacting, writing, committing.
    for fraction in [0.05, 0.3, 0.6, 0.85, 0.95, 0.99] {
        let mut child = std::process::Command::new(&bin)
            .args(["--no-progress", "--workspace"])
            .arg(&killed)
            .args(["process", "--force"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(fraction));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    tf_in(&killed).arg("process").assert().success();
    let a = tree(&clean.join("dataset"));
    let b = tree(&killed.join("dataset"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a == b, "dataset differs after kill + rerun");
    assert!(
        tree(&clean.join("processed")) == tree(&killed.join("processed")),
        "processed/ differs"
    );
}

#[test]
fn status_names_the_changed_input_and_setting_and_run_obeys_flags() {
    let (_tmp, ws) = workspace();
    std::fs::write(
        ws.join("raw/interactions.jsonl"),
        generated_interactions(30),
    )
    .unwrap();
    let st = tf_in(&ws).args(["--json", "status"]).output().unwrap();
    let st: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(stage(&st, "process")["state"], "missing");

    tf_in(&ws).arg("run").assert().success();
    // Fresh: nothing runs.
    let out = tf_in(&ws).args(["--json", "run"]).output().unwrap();
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in run["stages"].as_array().unwrap() {
        assert_eq!(s["ran"], false, "{s}");
    }

    // A setting changes: process is stale and says which setting.
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    std::fs::write(
        ws.join("pipeline.yaml"),
        cfg.replace(
            "split: {train: 0.8, valid: 0.1, test: 0.1}",
            "split: {train: 0.7, valid: 0.2, test: 0.1}",
        ),
    )
    .unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("setting process.split.train changed: 0.8 → 0.7"),
        "{text}"
    );
    assert!(
        text.contains("upstream stage process is not fresh"),
        "{text}"
    );
    std::fs::write(ws.join("pipeline.yaml"), cfg).unwrap();

    // A new interaction: the input changed.
    tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q?",
            "--local-answer",
            "l",
            "--expert-answer",
            "e",
        ])
        .assert()
        .success();
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(
        text.contains("input raw/interactions.jsonl changed"),
        "{text}"
    );

    // --only runs just that stage; --from runs from it on even when fresh.
    let out = tf_in(&ws)
        .args(["--json", "run", "--only", "process"])
        .output()
        .unwrap();
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["stages"].as_array().unwrap().len(), 1);
    assert_eq!(run["stages"][0]["ran"], true);
    let out = tf_in(&ws)
        .args(["--json", "run", "--from", "process"])
        .output()
        .unwrap();
    let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["stages"][0]["ran"], true);
    assert_eq!(run["stages"][1]["ran"], true);
    // The content did not change between those runs: still one version more, not two.
    assert!(ws.join("dataset/v2").is_dir());
    assert!(!ws.join("dataset/v3").exists());

    // An edited output makes the stage stale.
    let train = ws.join("dataset/v2/train.jsonl");
    let mut bytes = std::fs::read(&train).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(&train, bytes).unwrap();
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(
        text.contains("output dataset/v2/train.jsonl was modified"),
        "{text}"
    );
    let out = tf_in(&ws).args(["run", "--only", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "stages: discover, acquire, rules, clean, analyze, generate, gate, package, process, validate"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn retrain_advice_counts_new_interactions_and_domain_crossings() {
    let (_tmp, ws) = workspace();
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    std::fs::write(
        ws.join("pipeline.yaml"),
        cfg.replace("new_interactions: 50 ", "new_interactions: 5  ")
            .replace("domain_examples: 200", "domain_examples: 3  "),
    )
    .unwrap();
    for i in 0..4 {
        tf_in(&ws)
            .args([
                "collect",
                "--domain",
                "build-system",
                "--query",
                &format!("question {i}"),
            ])
            .args([
                "--local-answer",
                "l",
                "--expert-answer",
                &format!("answer {i}"),
            ])
            .assert()
            .success();
    }
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(!text.contains("new interactions since"), "4 < 5: {text}");
    tf_in(&ws).arg("run").assert().success();
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(
        text.contains("domain build-system has 4 examples"),
        "{text}"
    );
    tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q5",
            "--local-answer",
            "l",
            "--expert-answer",
            "e5",
        ])
        .assert()
        .success();
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(
        text.contains("retrain advised: 5 new interactions since `init`"),
        "{text}"
    );
}

#[test]
fn snapshots_are_numbered_within_a_day_and_an_unchanged_dataset_is_not_copied_twice() {
    let (_tmp, ws) = workspace();
    let raw = ws.join("raw/interactions.jsonl");
    std::fs::write(&raw, generated_interactions(20)).unwrap();
    let snapshot = || {
        let out = tf_in(&ws)
            .args(["--json", "process", "--snapshot"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["snapshot"].clone()
    };
    let names = || {
        let mut names: Vec<String> = std::fs::read_dir(ws.join("snapshots"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first = snapshot();
    assert_eq!(first["created"], true, "{first}");
    let again = snapshot();
    assert_eq!(again["created"], false, "{again}");
    assert_eq!(again["dir"], first["dir"]);
    assert_eq!(names().len(), 1);

    let more = generated_interactions(30);
    std::fs::write(&raw, more).unwrap();
    let second = snapshot();
    assert_eq!(second["created"], true, "{second}");
    let names = names();
    assert_eq!(names.len(), 2);
    assert!(names[1].ends_with("-2"), "{names:?}");
    assert!(
        ws.join("snapshots")
            .join(&names[0])
            .join("manifest.json")
            .is_file()
    );
}

#[test]
fn a_damaged_dataset_is_caught_by_validate_and_repaired_by_process() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    tf().args(["quickstart", "--preset", "interactions"])
        .arg(&ws)
        .assert()
        .success();
    let before = tree(&ws.join("dataset"));
    let alpaca = ws.join("dataset/v1/alpaca/train.jsonl");
    let text = std::fs::read_to_string(&alpaca).unwrap();
    let shorter: Vec<&str> = text.lines().collect();
    std::fs::write(&alpaca, shorter[..shorter.len() - 1].join("\n") + "\n").unwrap();

    let out = tf_in(&ws)
        .args(["--json", "validate", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // One JSON document, with the findings in it.
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    let findings = doc["validation"]["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "dataset/v1/alpaca/train.jsonl"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("differs from its hash")),
        "{findings:?}"
    );

    let out = tf_in(&ws).args(["process", "--force"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("dataset/v1 repaired"),
        "{}",
        stdout(&out)
    );
    assert!(
        !ws.join("dataset/v2").exists(),
        "same content, same version"
    );
    assert_eq!(tree(&ws.join("dataset")), before);
    tf_in(&ws).args(["validate"]).assert().success();

    // A version half-deleted by an interrupted run (its manifest gone first) is replaced.
    std::fs::remove_file(ws.join("dataset/v1/manifest.json")).unwrap();
    tf_in(&ws).arg("run").assert().success();
    assert_eq!(tree(&ws.join("dataset")), before);
}

#[test]
fn rerunning_after_a_lost_manifest_gives_the_same_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    tf().args(["quickstart", "--preset", "interactions"])
        .arg(&ws)
        .assert()
        .success();
    let manifest = ws.join("processed/manifest.json");
    let first = std::fs::read(&manifest).unwrap();
    // As if killed after the dataset was committed but before the manifest was written.
    std::fs::remove_file(&manifest).unwrap();
    tf_in(&ws).arg("run").assert().success();
    assert_eq!(std::fs::read(&manifest).unwrap(), first);
}

#[test]
fn secrets_in_unreadable_lines_never_reach_messages_or_manifests() {
    let (_tmp, ws) = workspace();
    let mut raw = generated_interactions(3);
    raw.push_str("{\"messages\": \"my aws key AKIAIOSFODNN7EXAMPLE\", \"metadata\": {}}\n");
    std::fs::write(ws.join("raw/interactions.jsonl"), raw).unwrap();
    let out = tf_in(&ws).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the bad line fails validate");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("raw/interactions.jsonl:4:"), "{all}");
    assert!(!all.contains("AKIA"), "{all}");
    for dir in ["processed", "validation", "dataset"] {
        for (path, bytes) in tree(&ws.join(dir)) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains("AKIA"),
                "{dir}/{path}"
            );
        }
    }
    // status still answers with a damaged manifest.
    std::fs::write(ws.join("processed/manifest.json"), "{\"stage\": ").unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("manifest unreadable"),
        "{}",
        stdout(&out)
    );
}

/// `run` shows the warnings of a validation it ran, not only how many there were.
#[test]
fn run_shows_the_warnings_of_its_validation() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    tf().args(["quickstart", "--preset", "interactions"])
        .arg(&ws)
        .assert()
        .success();
    let out = tf_in(&ws).args(["run", "--force"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    let count = summary
        .lines()
        .find(|l| l.starts_with("validate"))
        .and_then(|l| l.split(": no errors, ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no warning count in: {summary}"));
    assert!(count > 0, "{summary}");
    let shown = stderr(&out)
        .lines()
        .filter(|l| l.contains(": warning: "))
        .count();
    assert_eq!(shown, count, "{}", stderr(&out));
}

/// The warning that a domain was split for the first time is said when it happens, not when
/// a small domain disappears.
#[test]
fn a_domain_that_disappears_is_not_said_to_be_split() {
    let (_tmp, ws) = workspace();
    let raw = ws.join("raw/interactions.jsonl");
    let with_domains = |n_rare: usize| {
        let mut out = String::new();
        for (i, line) in generated_interactions(20 + n_rare).lines().enumerate() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["metadata"]["domain"] = if i < n_rare {
                "html-architecture"
            } else {
                "coding-debugging"
            }
            .into();
            out.push_str(&v.to_string());
            out.push('\n');
        }
        out
    };
    let process = || {
        let out = tf_in(&ws).args(["process"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    std::fs::write(&raw, with_domains(1)).unwrap();
    process();
    std::fs::write(&raw, with_domains(0)).unwrap();
    let err = process();
    assert!(!err.contains("now has enough samples"), "{err}");
    std::fs::write(&raw, with_domains(1)).unwrap();
    process();
    std::fs::write(&raw, with_domains(15)).unwrap();
    let err = process();
    assert!(
        err.contains("domain html-architecture now has enough samples to be split"),
        "{err}"
    );
}
