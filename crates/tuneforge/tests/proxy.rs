//! `tuneforge proxy` as users run it: the real binary in a workspace, in front of a
//! loopback upstream, a request through it, its log line, and Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};

use common::{stderr, tf_in, workspace};

/// A one-answer-fits-all OpenAI-compatible upstream on a thread: every request gets the
/// same chat completion.
fn upstream() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
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
            let answer = r#"{"choices":[{"index":0,"message":{"role":"assistant","content":"from upstream"},"finish_reason":"stop"}]}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://{addr}/v1")
}

#[test]
fn the_proxy_forwards_logs_and_stops_on_ctrl_c() {
    let (_tmp, ws) = workspace();
    let local = upstream();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tuneforge"))
        .args(["--no-progress", "--workspace"])
        .arg(&ws)
        .args(["proxy", "--listen", "127.0.0.1:0", "--local", &local])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .strip_prefix("tuneforge proxy: http://")
        .and_then(|rest| rest.split("/v1").next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    assert!(first.contains(&local), "{first}");

    let mut stream = TcpStream::connect(&addr).unwrap();
    let body = r#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#;
    write!(
        stream,
        "POST /v1/chat/completions HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
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

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "Ctrl-C is a clean stop: {exit:?}");
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
