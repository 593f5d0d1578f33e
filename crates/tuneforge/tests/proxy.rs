//! `tuneforge proxy` as users run it: the real binary in a workspace, in front of a
//! loopback upstream: a request through it, its log line and journal, Ctrl-C, `kill -9`
//! mid-stream, and a full disk.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use common::{stderr, tf_in, workspace};
use tuneforge_proxy::journal::read_journal;

const EVENT: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";

/// An OpenAI-compatible upstream on threads: a streaming request gets one event and then
/// nothing (a model thinking forever); any other request the same chat completion.
fn upstream() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://{addr}/v1")
}

fn answer(mut stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    if String::from_utf8_lossy(&body).contains("\"stream\":true") {
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{EVENT}\r\n",
            EVENT.len()
        );
        std::thread::sleep(std::time::Duration::from_secs(600));
        return;
    }
    let answer = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"from upstream"},"finish_reason":"stop"}]}"#;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

/// How a test starts `tuneforge proxy`.
#[derive(Default)]
struct Start<'a> {
    /// `--listen` (default: a free port).
    listen: Option<&'a str>,
    /// A file size limit in 512-byte blocks (`ulimit -f`, through `sh -c`).
    file_blocks: Option<u32>,
    extra: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
}

/// `tuneforge proxy` in `ws` in front of `local`, its stderr lines, and the address it
/// printed.
fn start_proxy(
    ws: &std::path::Path,
    local: &str,
    how: Start<'_>,
) -> (
    std::process::Child,
    std::io::Lines<BufReader<std::process::ChildStderr>>,
    String,
) {
    let mut command = Command::new("sh");
    let limit = how
        .file_blocks
        .map_or(String::new(), |n| format!("trap '' XFSZ; ulimit -f {n}; "));
    command
        .arg("-c")
        .arg(format!("{limit}exec \"$0\" \"$@\""))
        .arg(assert_cmd::cargo::cargo_bin("tuneforge"))
        .args(["--no-progress", "--workspace"])
        .arg(ws)
        .args([
            "proxy",
            "--listen",
            how.listen.unwrap_or("127.0.0.1:0"),
            "--local",
            local,
        ])
        .args(how.extra)
        .envs(how.env.iter().copied())
        .stderr(Stdio::piped())
        .stdout(Stdio::null());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("tuneforge proxy: http://")
        .and_then(|rest| rest.split("/v1").next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    assert!(first.contains(local), "{first}");
    (child, lines, addr)
}

/// A request over a fresh connection; the raw response once the server closes it.
fn ask(addr: &str, body: &str) -> String {
    let mut stream = send(addr, body);
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn send(addr: &str, body: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /v1/chat/completions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    stream
}

/// Ctrl-C, and the clean exit that must follow.
fn interrupt(child: &mut std::process::Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "Ctrl-C is a clean stop: {exit:?}");
}

const PLAIN: &str = r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#;
const STREAMED: &str = r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;

#[test]
fn the_proxy_forwards_logs_and_stops_on_ctrl_c() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, mut lines, addr) = start_proxy(&ws, &local, Start::default());
    let answer = ask(&addr, PLAIN);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("from upstream"), "{answer}");

    // The log line of that request (after the banner's second line).
    let logged = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("POST "))
        .unwrap();
    assert!(
        logged.starts_with("POST /v1/chat/completions 200") && logged.ends_with("(complete)"),
        "{logged}"
    );

    interrupt(&mut child);
    let journal = read_journal(&ws.join("raw/proxy")).unwrap();
    assert_eq!(journal.exchanges.len(), 1);
    assert!(journal.exchanges[0].response.is_some());
}

/// `kill -9` while an answer streams: the journal holds the request and no torn line, and a
/// proxy restarted on the same port serves at once.
#[test]
fn a_proxy_killed_mid_stream_leaves_a_readable_journal_and_restarts() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, _lines, addr) = start_proxy(&ws, &local, Start::default());
    let mut stream = send(&addr, STREAMED);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("Hel") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let journal = read_journal(&ws.join("raw/proxy")).unwrap();
    assert!(journal.problems.is_empty(), "{:?}", journal.problems);
    assert_eq!(journal.exchanges.len(), 1);
    assert!(
        journal.exchanges[0].response.is_none(),
        "the proxy died before the answer ended"
    );
    assert_eq!(
        journal.exchanges[0].request.body.as_bytes(),
        STREAMED.as_bytes()
    );

    let (mut again, _lines, same) = start_proxy(
        &ws,
        &local,
        Start {
            listen: Some(&addr),
            ..Start::default()
        },
    );
    assert_eq!(same, addr);
    let answer = ask(&addr, PLAIN);
    assert!(answer.contains("from upstream"), "{answer}");
    // Ctrl-C this time: the journal is written out before the process ends.
    interrupt(&mut again);
    let journal = read_journal(&ws.join("raw/proxy")).unwrap();
    assert_eq!(journal.exchanges.len(), 2);
    assert!(journal.exchanges[1].response.is_some());
}

/// The terminal goes away (stderr's reader closed): the proxy's log lines fail, and it
/// goes on answering.
#[test]
fn a_closed_terminal_does_not_stop_the_proxy() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, lines, addr) = start_proxy(&ws, &local, Start::default());
    drop(lines);
    for _ in 0..3 {
        let answer = ask(&addr, PLAIN);
        assert!(answer.contains("from upstream"), "{answer}");
    }
    assert!(child.try_wait().unwrap().is_none(), "still running");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A disk that is full (a file size limit of zero): the journal says it cannot write, and
/// the developer's requests are still answered.
#[test]
fn a_full_disk_stops_the_journal_not_the_answers() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, mut lines, addr) = start_proxy(
        &ws,
        &local,
        Start {
            file_blocks: Some(0),
            ..Start::default()
        },
    );
    let answer = ask(&addr, PLAIN);
    assert!(answer.contains("from upstream"), "{answer}");
    let warning = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("warning: journal"))
        .unwrap();
    assert!(
        warning.contains("raw/proxy") && warning.contains("not journaled"),
        "{warning}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

const EXPERT_KEY: &str = "sk-expert-0123456789abcdefghij";

/// "consult claude" through the real binary, six at once: each rescue lands redacted in
/// raw/interactions.jsonl as a whole record, and the expert's key is nowhere on disk or in
/// the output.
#[test]
fn consult_records_redacted_rescues_and_never_the_key() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, lines, addr) = start_proxy(
        &ws,
        &local,
        Start {
            extra: &[
                "--expert",
                &format!("claude={local}"),
                "--expert-model",
                "claude=claude-big",
                "--expert-key-env",
                "claude=TF_TEST_EXPERT_KEY",
                "--local-model",
                "qwen-local",
            ],
            env: &[("TF_TEST_EXPERT_KEY", EXPERT_KEY)],
            ..Start::default()
        },
    );
    let asks: Vec<_> = (0..6)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let body = serde_json::json!({
                    "model": "m",
                    "messages": [
                        {"role": "user", "content": format!("My key AKIAIOSFODNN7EXAMPLE fails in a Drupal service, try {i}")},
                        {"role": "assistant", "content": "Use \\Drupal::service()."},
                        {"role": "user", "content": "consult claude"}
                    ]
                });
                ask(&addr, &body.to_string())
            })
        })
        .collect();
    for a in asks {
        let answer = a.join().unwrap();
        assert!(answer.contains("from upstream"), "{answer}");
    }
    let captured: Vec<String> = lines
        .map(Result::unwrap)
        .filter(|l| l.starts_with("captured a rescue by claude"))
        .take(6)
        .collect();
    assert_eq!(captured.len(), 6);
    interrupt(&mut child);

    let text = std::fs::read_to_string(ws.join("raw/interactions.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 6);
    for r in &records {
        assert_eq!(r["metadata"]["source"], "proxy-capture");
        assert_eq!(r["metadata"]["expert_model"], "claude-big");
        assert_eq!(r["metadata"]["local_model"], "qwen-local");
        let messages = r["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 4);
        assert!(
            !messages[0]["content"].as_str().unwrap().contains("AKIA"),
            "{r}"
        );
        assert_eq!(messages[3]["content"], "from upstream");
    }
    for file in walk(&ws) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(EXPERT_KEY),
            "{}",
            file.display()
        );
    }
}

/// `collect --last` escalates the proxy's last local exchange to the configured expert.
#[test]
fn collect_last_rescues_the_last_exchange() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let (mut child, _lines, addr) = start_proxy(&ws, &local, Start::default());
    let body = serde_json::json!({
        "model": "qwen-local",
        "messages": [{"role": "user", "content": "How do I define a Drupal block plugin?"}]
    });
    assert!(ask(&addr, &body.to_string()).contains("from upstream"));
    interrupt(&mut child);

    let out = tf_in(&ws).args(["collect", "--last"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("proxy.experts"), "{}", stderr(&out));

    let config = ws.join("pipeline.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap().replace(
        "  experts: {}",
        &format!("  experts:\n    claude: {{url: \"{local}\", model: claude-big}}"),
    );
    std::fs::write(&config, yaml).unwrap();
    let out = tf_in(&ws).args(["collect", "--last"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(ws.join("raw/interactions.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        record["messages"][0]["content"],
        "How do I define a Drupal block plugin?"
    );
    assert_eq!(record["messages"][1]["content"], "from upstream");
    assert_eq!(record["metadata"]["local_model"], "qwen-local");
    assert_eq!(record["metadata"]["source"], "proxy-capture");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn unsafe_or_incomplete_settings_are_refused_with_the_fix() {
    let (_tmp, ws) = workspace();
    let out = tf_in(&ws).arg("proxy").output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--local"), "{}", stderr(&out));

    let local = "http://127.0.0.1:9/v1";
    let out = tf_in(&ws)
        .args(["proxy", "--listen", "0.0.0.0:0", "--local", local])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("without a proxy token"),
        "{}",
        stderr(&out)
    );

    let out = tf_in(&ws)
        .args([
            "proxy",
            "--local",
            local,
            "--token-env",
            "TUNEFORGE_TEST_UNSET",
        ])
        .env_remove("TUNEFORGE_TEST_UNSET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("TUNEFORGE_TEST_UNSET"),
        "{}",
        stderr(&out)
    );

    let out = tf_in(&ws)
        .args(["proxy", "--local", "127.0.0.1:8080"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not an http(s) URL"),
        "{}",
        stderr(&out)
    );
}
