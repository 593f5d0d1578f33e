//! `tuneforge collect` through the real binary: concurrency, torn lines, inputs.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::process::Stdio;

use common::*;

#[test]
fn eight_concurrent_collectors_never_lose_or_tear_a_line() {
    let (_tmp, ws) = workspace();
    let bin = assert_cmd::cargo::cargo_bin("tuneforge");
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let bin = bin.clone();
            let ws = ws.clone();
            std::thread::spawn(move || {
                for i in 0..100 {
                    // Long texts make a torn or interleaved write visible.
                    let answer = format!("answer {w}-{i} ").repeat(300);
                    let status = std::process::Command::new(&bin)
                        .args(["--no-progress", "--workspace"])
                        .arg(&ws)
                        .args(["collect", "--query", &format!("query {w}-{i}")])
                        .args(["--local-answer", "weak", "--expert-answer", &answer])
                        .stdout(Stdio::null())
                        .status()
                        .unwrap();
                    assert!(status.success());
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let text = std::fs::read_to_string(ws.join("raw/interactions.jsonl")).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 800);
    let mut queries = HashSet::new();
    let mut ids = HashSet::new();
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("every line is a whole record");
        let q = v["messages"][0]["content"].as_str().unwrap().to_owned();
        let expected = format!("answer {} ", q.trim_start_matches("query ")).repeat(300);
        assert_eq!(v["messages"][3]["content"], expected.as_str());
        queries.insert(q);
        ids.insert(v["metadata"]["interaction_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(queries.len(), 800);
    assert_eq!(ids.len(), 800);
    tf_in(&ws).arg("validate").assert().success();
}

#[test]
fn a_torn_last_line_is_closed_off_and_reported_by_validate() {
    let (_tmp, ws) = workspace();
    let raw = ws.join("raw/interactions.jsonl");
    let whole = sample_lines()[0].clone();
    let torn = &sample_lines()[1][..200];
    std::fs::write(&raw, format!("{whole}\n{torn}")).unwrap();

    let out = tf_in(&ws)
        .args([
            "collect",
            "--query",
            "new q",
            "--local-answer",
            "l",
            "--expert-answer",
            "e",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("line 2 was cut off"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("as line 3 of raw/interactions.jsonl"),
        "{}",
        stdout(&out)
    );

    let text = std::fs::read_to_string(&raw).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], whole);
    assert_eq!(lines[1], torn, "the torn line is kept, not lost");
    let new: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(new["messages"][0]["content"], "new q");
    assert_eq!(new["metadata"]["source"], "manual-expert-consultation");

    let st = tf_in(&ws).args(["--json", "status"]).output().unwrap();
    let st: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(st["interactions"], 2, "the torn line is not an interaction");

    let out = tf_in(&ws).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "errors fail validate");
    let err = stderr(&out);
    assert!(err.contains("raw/interactions.jsonl:2: error:"), "{err}");
    // process skips the torn line and says so; the other two records go through.
    let out = tf_in(&ws).args(["--json", "process"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["run"]["stages"][0]["ran"], true);
    let processed = read_jsonl(&ws.join("processed/interactions.jsonl"));
    assert_eq!(processed.len(), 2);
}

#[test]
fn texts_come_from_files_and_stdin_and_domains_are_detected_or_checked() {
    let (tmp, ws) = workspace();
    let q = tmp.path().join("q.md");
    std::fs::write(
        &q,
        "Why does my build.sh not copy template.html into dist/?\r\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tuneforge"))
        .args(["--no-progress", "--json", "--workspace"])
        .arg(&ws)
        .args(["collect", "--query-file"])
        .arg(&q)
        .args(["--local-answer", "use cp", "--expert-answer-file", "-"])
        .args([
            "--local-model",
            "qwen2.5-coder-7b-instruct",
            "--expert-model",
            "claude-sonnet-4",
        ])
        .args(["--adapter", "build-lora-v1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Quote the glob: cp \"$src\"/*.html dist/")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["domain"], "build-system");
    assert_eq!(doc["detection"]["scores"][0]["domain"], "html-architecture");
    let rec = &read_jsonl(&ws.join("raw/interactions.jsonl"))[0];
    assert_eq!(rec["messages"][2]["content"], "consult claude-sonnet-4");
    assert_eq!(
        rec["messages"][3]["content"],
        "Quote the glob: cp \"$src\"/*.html dist/"
    );
    assert_eq!(rec["metadata"]["adapter"], "build-lora-v1");
    assert!(
        rec["metadata"]["interaction_id"]
            .as_str()
            .unwrap()
            .starts_with("int_")
    );

    // --explain shows the matched keywords.
    let out = tf_in(&ws)
        .args([
            "collect",
            "--explain",
            "--query",
            "debug my SPA",
            "--local-answer",
            "x",
            "--expert-answer",
            "y",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("\"debug\"×1"), "{text}");
    assert!(text.contains("domain html-architecture"), "{text}");
    assert!(text.contains("tied"), "{text}");

    // An unconfigured domain is refused with the allowed list.
    let out = tf_in(&ws)
        .args([
            "collect",
            "--domain",
            "cooking",
            "--query",
            "q",
            "--local-answer",
            "l",
            "--expert-answer",
            "e",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("zddc-naming, html-architecture"),
        "{}",
        stderr(&out)
    );

    // Two texts from stdin are refused.
    let out = tf_in(&ws)
        .args([
            "collect",
            "--query-file",
            "-",
            "--local-answer-file",
            "-",
            "--expert-answer",
            "e",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only one text can come from stdin"),
        "{}",
        stderr(&out)
    );

    // Texts may start with a dash: markdown lists, PEM blocks.
    let out = tf_in(&ws)
        .args([
            "--json",
            "collect",
            "--query",
            "- list item?",
            "--local-answer",
            "-x",
        ])
        .args([
            "--expert-answer",
            "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
