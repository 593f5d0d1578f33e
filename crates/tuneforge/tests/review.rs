//! `tuneforge review` through the real binary and its HTTP API, and `process` honouring
//! what was decided: proxy captures wait for an accept, rejected ones stay out, a new
//! domain and an edited answer reach the dataset; the raw captures are never rewritten.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{read_jsonl, stderr, tf_in, workspace};
use serde_json::{Value, json};

/// One HTTP/1.1 request over a fresh connection: the status and the body.
fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let token = token.map_or(String::new(), |t| format!("x-review-token: {t}\r\n"));
    // One write: the whole request is there before the server answers and closes.
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{token}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn collect(ws: &std::path::Path, query: &str, answer: &str) {
    let out = tf_in(ws)
        .args([
            "collect",
            "--query",
            query,
            "--local-answer",
            "I am not sure.",
            "--expert-answer",
            answer,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn decisions_made_in_review_reach_the_dataset_and_the_captures_stay_as_they_were() {
    let (_tmp, ws) = workspace();
    collect(
        &ws,
        "How do I name a ZDDC revision?",
        "Use the trackingnumber and revision.",
    );
    collect(
        &ws,
        "Write a single-file HTML page.",
        "Here is the html page.",
    );
    // A capture the proxy made (as `capture_rescue` writes it).
    let raw = ws.join("raw/interactions.jsonl");
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&raw)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let mut captured = first.clone();
    captured["metadata"]["interaction_id"] = json!("int_1_proxy");
    captured["metadata"]["source"] = json!("proxy-capture");
    captured["messages"][0]["content"] = json!("How do I call the build system from vanilla JS?");
    let mut text = std::fs::read_to_string(&raw).unwrap();
    text.push_str(&format!("{captured}\n"));
    std::fs::write(&raw, &text).unwrap();
    let manual_id = first["metadata"]["interaction_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let out = tf_in(&ws).arg("process").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("int_1_proxy excluded: captured by the proxy and not accepted yet"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        read_jsonl(&ws.join("processed/interactions.jsonl")).len(),
        2
    );

    let mut review = Command::new(assert_cmd::cargo::cargo_bin("tuneforge"))
        .args(["--no-progress", "--workspace"])
        .arg(&ws)
        .arg("review")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kept open to the end: the server's later lines have somewhere to go.
    let mut stderr_lines = BufReader::new(review.stderr.take().unwrap()).lines();
    let first_line = stderr_lines.next().unwrap().unwrap();
    let url = first_line
        .strip_prefix("tuneforge review: http://")
        .unwrap_or_else(|| panic!("{first_line}"));
    let (addr, token) = url.split_once("/?token=").unwrap();
    let (addr, token) = (addr.to_owned(), token.to_owned());

    // Without the token: nothing.
    assert_eq!(http(&addr, "GET", "/", None, "").0, 403);
    assert_eq!(http(&addr, "GET", "/api/captures", Some("0000"), "").0, 403);
    let (status, page) = http(&addr, "GET", &format!("/?token={token}"), None, "");
    assert_eq!(status, 200);
    assert!(page.contains("tuneforge review"));

    let (status, body) = http(&addr, "GET", "/api/captures", Some(&token), "");
    assert_eq!(status, 200, "{body}");
    let listed: Value = serde_json::from_str(&body).unwrap();
    let captures = listed["captures"].as_array().unwrap();
    assert_eq!(captures.len(), 3);
    assert_eq!(captures[0]["interaction_id"], "int_1_proxy", "newest first");
    assert!(captures.iter().all(|c| c["verdict"] == "pending"));
    assert!(
        listed["domains"]
            .as_array()
            .unwrap()
            .contains(&json!("build-system"))
    );

    let decide = |body: Value| {
        http(
            &addr,
            "POST",
            "/api/decisions",
            Some(&token),
            &body.to_string(),
        )
    };
    let (status, body) = decide(json!({
        "interaction_id": "int_1_proxy", "verdict": "accept", "domain": "build-system",
        "expert_answer": "Run `npm run build` from a script tag? No: call it from package.json."
    }));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        decide(json!({"interaction_id": manual_id, "verdict": "reject"})).0,
        200
    );
    // Mistakes are refused with the reason.
    let (status, body) =
        decide(json!({"interaction_id": "int_1_proxy", "verdict": "accept", "domain": "nope"}));
    assert_eq!(status, 400);
    assert!(body.contains("not configured"), "{body}");
    assert_eq!(
        decide(json!({"interaction_id": "int_404", "verdict": "accept"})).0,
        404
    );
    assert_eq!(
        decide(json!({"interaction_id": "int_1_proxy", "verdict": "maybe"})).0,
        400
    );

    let status = Command::new("kill")
        .args(["-INT", &review.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(review.wait().unwrap().success());

    // The captures are as they were; the decisions are beside them.
    assert_eq!(std::fs::read_to_string(&raw).unwrap(), text);
    let decisions = read_jsonl(&ws.join("raw/reviews.jsonl"));
    assert_eq!(decisions.len(), 2);

    let out = tf_in(&ws).arg("process").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rejected in review (raw/reviews.jsonl:2)"),
        "{}",
        stderr(&out)
    );
    let processed = read_jsonl(&ws.join("processed/interactions.jsonl"));
    assert_eq!(
        processed.len(),
        2,
        "the second manual one and the accepted capture"
    );
    let accepted = processed
        .iter()
        .find(|s| s["metadata"]["interaction_id"] == "int_1_proxy")
        .expect("the accepted capture is in");
    assert_eq!(accepted["metadata"]["domain"], "build-system");
    let last = accepted["messages"].as_array().unwrap().last().unwrap();
    assert!(
        last["content"].as_str().unwrap().contains("package.json"),
        "{accepted}"
    );
    assert!(
        processed
            .iter()
            .all(|s| s["metadata"]["interaction_id"] != manual_id.as_str())
    );
}
