//! The client against a fixture server on loopback that misbehaves on purpose: 429 with
//! `Retry-After`, 500, a hang past the timeout, malformed JSON, a body cut short.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tuneforge_core::records::{Message, Role};
use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_teacher::{ApiKey, Teacher, TeacherError, TeacherOptions};

#[derive(Clone)]
enum Reply {
    Ok(&'static str),
    Status(u16, Option<&'static str>),
    Hang(Duration),
    Malformed,
    CutShort,
    /// 401 quoting the Authorization header back, as some endpoints do.
    EchoAuth,
}

fn completion(content: &str, tokens: u64) -> String {
    serde_json::json!({
        "id": "x", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": tokens / 2, "completion_tokens": tokens - tokens / 2, "total_tokens": tokens}
    })
    .to_string()
}

/// Seen by the server: each request's Authorization header and body.
type Seen = Arc<Mutex<Vec<(Option<String>, String)>>>;

/// Serve `script` in order (the last reply repeats), one connection per request.
fn serve(script: Vec<Reply>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            let reply = script[i.min(script.len() - 1)].clone();
            let log = log.clone();
            std::thread::spawn(move || handle(stream, reply, log));
        }
    });
    (url, seen)
}

fn handle(mut stream: TcpStream, reply: Reply, log: Seen) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    let mut auth = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if lower.starts_with("authorization:") {
            auth = Some(line["authorization:".len()..].trim().to_owned());
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    log.lock()
        .unwrap()
        .push((auth, String::from_utf8_lossy(&body).into_owned()));
    let respond = |stream: &mut TcpStream, status: u16, extra: &str, body: &str| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
            body.len()
        );
    };
    match reply {
        Reply::Ok(content) => respond(&mut stream, 200, "", &completion(content, 20)),
        Reply::Status(status, after) => {
            let extra = after
                .map(|a| format!("Retry-After: {a}\r\n"))
                .unwrap_or_default();
            respond(&mut stream, status, &extra, "{\"error\":\"busy\"}");
        }
        Reply::Hang(d) => std::thread::sleep(d),
        Reply::EchoAuth => {
            let quoted = log
                .lock()
                .unwrap()
                .last()
                .and_then(|(a, _)| a.clone())
                .unwrap_or_default();
            respond(
                &mut stream,
                401,
                "",
                &format!("{{\"error\": \"Incorrect API key provided: {quoted}\"}}"),
            );
        }
        Reply::Malformed => respond(&mut stream, 200, "", "{\"choices\": [{\"message\": "),
        Reply::CutShort => {
            let full = completion("never whole", 20);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                full.len(),
                &full[..full.len() / 2]
            );
        }
    }
    let _ = stream.flush();
}

fn options(url: &str, cache: &std::path::Path) -> TeacherOptions {
    TeacherOptions {
        base_url: url.to_owned(),
        model: "m".into(),
        adapter: None,
        api_key: None,
        concurrency: 2,
        timeout: Duration::from_secs(2),
        retries: 3,
        backoff: Duration::from_millis(50),
        max_wait: Duration::from_secs(5),
        temperature: 0.0,
        max_tokens: 64,
        seed: 7,
        token_budget: None,
        cache_dir: cache.to_path_buf(),
    }
}

fn prompt(text: &str) -> Vec<Message> {
    vec![Message::new(Role::User, text)]
}

#[test]
fn retry_after_is_honoured_then_the_answer_is_cached() {
    let (url, seen) = serve(vec![Reply::Status(429, Some("1")), Reply::Ok("hello")]);
    let cache = tempfile::tempdir().unwrap();
    let teacher = Teacher::new(options(&url, cache.path())).unwrap();
    let start = Instant::now();
    let out = teacher.complete_all(&[prompt("a")], &*Silent.task("t", None));
    assert_eq!(out[0].as_ref().unwrap().content, "hello");
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "the 1 s Retry-After was waited"
    );
    assert_eq!(
        teacher
            .stats
            .retry_after_waits
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert_eq!(seen.lock().unwrap().len(), 2);

    // A rerun costs nothing: the cache answers and the server sees no request.
    let again = Teacher::new(options(&url, cache.path())).unwrap();
    let out = again.complete_all(&[prompt("a")], &*Silent.task("t", None));
    assert_eq!(out[0].as_ref().unwrap().content, "hello");
    assert!(out[0].as_ref().unwrap().cached);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn server_errors_hangs_and_cut_bodies_are_retried() {
    let (url, seen) = serve(vec![
        Reply::Status(500, None),
        Reply::Hang(Duration::from_secs(4)),
        Reply::CutShort,
        Reply::Ok("finally"),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let teacher = Teacher::new(options(&url, cache.path())).unwrap();
    let out = teacher.complete_all(&[prompt("b")], &*Silent.task("t", None));
    assert_eq!(out[0].as_ref().unwrap().content, "finally");
    assert_eq!(seen.lock().unwrap().len(), 4);
    assert_eq!(
        teacher
            .stats
            .retries
            .load(std::sync::atomic::Ordering::Relaxed),
        3
    );
}

#[test]
fn retries_end_with_an_error_naming_the_last_failure() {
    let (url, _) = serve(vec![Reply::Status(503, None)]);
    let cache = tempfile::tempdir().unwrap();
    let teacher = Teacher::new(options(&url, cache.path())).unwrap();
    let out = teacher.complete_all(&[prompt("c")], &*Silent.task("t", None));
    match &out[0] {
        Err(TeacherError::Failed {
            attempts, message, ..
        }) => {
            assert_eq!(*attempts, 4);
            assert_eq!(
                message, r#"HTTP 503: {"error":"busy"}"#,
                "the server's words too"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_json_is_an_error_not_a_retry() {
    let (url, seen) = serve(vec![Reply::Malformed, Reply::Ok("unreached")]);
    let cache = tempfile::tempdir().unwrap();
    let teacher = Teacher::new(options(&url, cache.path())).unwrap();
    let out = teacher.complete_all(&[prompt("d")], &*Silent.task("t", None));
    assert!(
        matches!(out[0], Err(TeacherError::Malformed { .. })),
        "{:?}",
        out[0]
    );
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[test]
fn the_token_budget_holds_with_requests_in_flight() {
    let (url, seen) = serve(vec![Reply::Ok("one")]);
    let cache = tempfile::tempdir().unwrap();
    let mut o = options(&url, cache.path());
    // Each attempt holds max_tokens (64) plus its prompt estimate: room for one at a time,
    // even with four slots open.
    o.concurrency = 4;
    o.token_budget = Some(100);
    let teacher = Teacher::new(o).unwrap();
    let out = teacher.complete_all(
        &[prompt("e1"), prompt("e2"), prompt("e3")],
        &*Silent.task("t", None),
    );
    let sent = out.iter().filter(|r| r.is_ok()).count();
    let refused = out
        .iter()
        .filter(|r| **r == Err(TeacherError::Budget { budget: 100 }))
        .count();
    assert_eq!((sent, refused), (1, 2), "{out:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "nothing is sent past the budget"
    );
    assert_eq!(
        teacher
            .stats
            .tokens_spent
            .load(std::sync::atomic::Ordering::Relaxed),
        20
    );
}
#[test]
fn the_key_goes_in_the_header_and_nowhere_else() {
    let (url, seen) = serve(vec![Reply::EchoAuth]);
    let cache = tempfile::tempdir().unwrap();
    let secret = "sk-test-0123456789abcdef";
    let mut o = options(&url, cache.path());
    o.api_key = Some(ApiKey::new(secret));
    let teacher = Teacher::new(o.clone()).unwrap();
    let out = teacher.complete_all(&[prompt("f")], &*Silent.task("t", None));
    let error = out[0].as_ref().unwrap_err().to_string();
    assert!(
        error.contains("HTTP 401") && error.contains("[redacted]"),
        "{error}"
    );
    assert!(
        !error.contains(secret),
        "a server echoing the key is scrubbed: {error}"
    );
    assert!(!format!("{o:?}").contains(secret));
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen[0].0.as_deref(),
        Some(format!("Bearer {secret}").as_str())
    );
    assert!(!seen[0].1.contains(secret), "the key is not in the body");
    for entry in walk(cache.path()) {
        assert!(!std::fs::read_to_string(entry).unwrap().contains(secret));
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
