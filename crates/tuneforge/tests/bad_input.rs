//! Bad input gets a clear error naming the file, the line and the fix, never a panic.

mod common;

use common::*;

fn assert_clean_failure(out: &std::process::Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in: {err}");
    }
}

#[test]
fn outside_a_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tf().current_dir(tmp.path()).arg("status").output().unwrap();
    assert_clean_failure(&out, 2, &["no pipeline.yaml", "tuneforge init"]);
}

#[test]
fn malformed_truncated_and_wrong_configs() {
    let (_tmp, ws) = workspace();
    let cfg_path = ws.join("pipeline.yaml");
    let good = std::fs::read_to_string(&cfg_path).unwrap();

    std::fs::write(&cfg_path, good.replace("seed: 42", "seed: 42\nsed: 1")).unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert_clean_failure(&out, 2, &["pipeline.yaml:5:1: unknown field `sed`", "seed"]);

    std::fs::write(
        &cfg_path,
        good.replace("max_text_bytes: 1048576", "max_text_bytes: lots"),
    )
    .unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert_clean_failure(&out, 2, &["pipeline.yaml:", "lots"]);

    std::fs::write(
        &cfg_path,
        good.replace(
            "formats: [messages, alpaca, preference]",
            "formats: [messages, csv]",
        ),
    )
    .unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert_clean_failure(&out, 2, &["csv", "messages, alpaca, preference"]);

    // Truncated inside a flow sequence, as a crashed editor or a full disk leaves it.
    let cut = good.find("formats: [messages,").unwrap() + "formats: [mess".len();
    std::fs::write(&cfg_path, &good[..cut]).unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("pipeline.yaml"), "{}", stderr(&out));

    std::fs::write(&cfg_path, b"seed: 1\n\xff\xfe\n").unwrap();
    let out = tf_in(&ws).arg("status").output().unwrap();
    assert_clean_failure(&out, 2, &["not valid UTF-8"]);
}

#[test]
fn empty_invalid_utf8_and_oversized_texts() {
    let (tmp, ws) = workspace();
    let out = tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q",
            "--local-answer",
            "l",
            "--expert-answer",
            "  \n",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 2, &["--expert-answer is empty"]);

    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, b"line one\nabc\xffdef").unwrap();
    let out = tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q",
            "--local-answer",
            "l",
            "--expert-answer-file",
        ])
        .arg(&bad)
        .output()
        .unwrap();
    assert_clean_failure(&out, 2, &["bad.txt", "invalid UTF-8 at line 2, column 4"]);

    let big = tmp.path().join("big.txt");
    std::fs::write(&big, "x".repeat(10 << 20)).unwrap();
    let out = tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q",
            "--local-answer",
            "l",
            "--expert-answer-file",
        ])
        .arg(&big)
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        2,
        &["big.txt", "10485760 bytes", "collect.max_text_bytes"],
    );
    assert!(
        !ws.join("raw/interactions.jsonl").exists(),
        "nothing was appended"
    );

    // Raised limit: a 10 MB answer goes through the whole workflow.
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    std::fs::write(
        ws.join("pipeline.yaml"),
        cfg.replace("max_text_bytes: 1048576", "max_text_bytes: 20000000"),
    )
    .unwrap();
    tf_in(&ws)
        .args([
            "collect",
            "--query",
            "q",
            "--local-answer",
            "l",
            "--expert-answer-file",
        ])
        .arg(&big)
        .assert()
        .success();
    tf_in(&ws).arg("run").assert().success();
}

#[test]
fn validate_reports_every_bad_line_with_its_number() {
    let (_tmp, ws) = workspace();
    let lines = sample_lines();
    let mut bad_domain: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
    bad_domain["metadata"]["domain"] = "cooking".into();
    let mut bad_roles: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    bad_roles["messages"][1]["role"] = "user".into();
    let mut empty: serde_json::Value = serde_json::from_str(&lines[4]).unwrap();
    empty["messages"][3]["content"] = "   ".into();
    let content = [
        lines[0].clone(),
        "{not json".to_owned(),
        bad_domain.to_string(),
        bad_roles.to_string(),
        empty.to_string(),
        lines[0].clone(),
        String::new(),
    ]
    .join("\n");
    std::fs::write(ws.join("raw/interactions.jsonl"), content + "\n").unwrap();
    let out = tf_in(&ws).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for needle in [
        "raw/interactions.jsonl:2: error:",
        "raw/interactions.jsonl:3: error: domain \"cooking\" is not configured",
        "raw/interactions.jsonl:4: error: message 2 has role user, expected assistant",
        "raw/interactions.jsonl:5: error: message 4 (assistant) is empty",
        "raw/interactions.jsonl:6: warning: duplicate id",
        "raw/interactions.jsonl:7: error: empty line",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in {err}");
    }
    // process kept what it could and listed the rest.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("processed/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(m["report"]["samples"], 1);
    assert_eq!(m["report"]["unreadable"].as_array().unwrap().len(), 2);
    assert_eq!(m["report"]["excluded"].as_array().unwrap().len(), 3);
    assert_eq!(m["report"]["duplicates"].as_array().unwrap().len(), 1);

    // A hand-edited dataset line is caught as an error.
    let train = ws.join("dataset/v1/train.jsonl");
    let mut rec: serde_json::Value = read_jsonl(&train)[0].clone();
    rec["messages"][3]["content"] = "edited".into();
    std::fs::write(&train, format!("{rec}\n")).unwrap();
    let out = tf_in(&ws).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("dataset/v1/train.jsonl:1: error: id is not the blake3"),
        "{}",
        stderr(&out)
    );

    // The same sample in two splits is leakage.
    let ws2 = ws.parent().unwrap().join("leak");
    tf().args(["quickstart", "--preset", "interactions"])
        .arg(&ws2)
        .assert()
        .success();
    let v1 = ws2.join("dataset/v1");
    let first_train = std::fs::read_to_string(v1.join("train.jsonl")).unwrap();
    let first_train = first_train.lines().next().unwrap().to_owned();
    let mut test = std::fs::read_to_string(v1.join("test.jsonl")).unwrap();
    test.push_str(&first_train);
    test.push('\n');
    std::fs::write(v1.join("test.jsonl"), test).unwrap();
    let out = tf_in(&ws2).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("leakage: the same prompt and answer are also in train.jsonl line 1"),
        "{err}"
    );
    assert!(err.contains("is also in train.jsonl line 1"), "{err}");
    assert!(
        err.contains("processed/interactions.jsonl has 59 samples but the dataset has 60"),
        "{err}"
    );
}

/// Training requests are checked before anything is looked for or claimed: no environment
/// is needed to hear about a typo, and no run number is spent on it.
#[test]
fn bad_train_requests_fail_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tf().args(["quickstart", "--preset", "interactions", "--no-progress"])
        .arg(&ws)
        .assert()
        .success();
    let cache = tmp.path().join("empty-cache");
    let train = |args: &[&str]| {
        tf_in(&ws)
            .env("TUNEFORGE_CACHE_DIR", &cache)
            .arg("train")
            .args(args)
            .output()
            .unwrap()
    };
    let out = train(&["--model", "qwen2.5-coder-7b", "--domain", "nope"]);
    assert_clean_failure(
        &out,
        2,
        &["no domain `nope`; its domains are", "coding-debugging"],
    );
    assert!(!stderr(&out).contains("no dataset yet"), "{}", stderr(&out));
    let out = train(&["--model", "qwen2.5-coder-7b", "--domain", "../x"]);
    assert_clean_failure(&out, 2, &["cannot name a domain's runs"]);
    let out = train(&["--model", "qwen2.5-coder-7b", "--profile", "rtx9090"]);
    assert_clean_failure(&out, 2, &["unknown profile `rtx9090`", "rtx4070-12gb"]);
    let out = train(&[]);
    assert_clean_failure(
        &out,
        2,
        &["no model", "qwen2.5-coder-7b-instruct", "tiny-model"],
    );
    // This machine has no GPU: a 7B model is refused before anything is downloaded.
    if !std::path::Path::new("/proc/driver/nvidia/version").exists() {
        let out = train(&["--model", "qwen2.5-coder-7b"]);
        assert_clean_failure(&out, 2, &["needs a CUDA GPU", "--allow-cpu"]);
    }
    for (flag, value) in [
        ("--micro-batch", "0"),
        ("--epochs", "0"),
        ("--max-seq-len", "4"),
    ] {
        let out = train(&["--model", "x", flag, value]);
        assert_clean_failure(&out, 2, &[flag]);
    }
    let out = train(&["--resume"]);
    assert_clean_failure(&out, 2, &["no unfinished run with a checkpoint to resume"]);
    assert!(
        !ws.join("adapters").exists(),
        "no run directory was claimed"
    );
}

/// An error says its cause once, and a stage run where it has nothing to work on says what
/// is missing rather than quoting a raw file error.
#[test]
fn errors_name_their_cause_once() {
    let (_tmp, ws) = workspace();
    let out = tf_in(&ws)
        .args(["collect", "--query-file", "/no/such/query.md"])
        .args(["--local-answer", "a", "--expert-answer", "b"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");

    let out = tf_in(&ws)
        .args(["run", "--only", "generate"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 2, &["nothing has been cleaned yet"]);
    assert!(!stderr(&out).contains("os error"), "{}", stderr(&out));
}
