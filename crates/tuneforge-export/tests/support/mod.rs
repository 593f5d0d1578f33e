//! What the export tests share: the worker venv's Python (which has torch, transformers and
//! PEFT) and running a reference script of `tests/` with it.
#![allow(clippy::print_stderr, dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The worker venv's python, or `None` to skip (an error under `TUNEFORGE_REQUIRE_PYTHON`,
/// which CI sets).
pub fn worker_python() -> Option<PathBuf> {
    match std::env::var_os("TUNEFORGE_WORKER_PYTHON").map(PathBuf::from) {
        Some(p) if p.is_file() => Some(p),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!("TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_WORKER_PYTHON is not a file")
        }
        _ => {
            eprintln!("skipped: no worker python (TUNEFORGE_WORKER_PYTHON)");
            None
        }
    }
}

/// Runs `tests/<script>` with `args`, the worker package importable; panics with its stderr
/// if it fails.
pub fn run_script(worker: &Path, script: &str, args: &[&str]) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(worker)
        .arg(manifest.join("tests").join(script))
        .args(args)
        .env("PYTHONPATH", manifest.join("../../python/src"))
        .env("OMP_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The debug build of example `name` of this crate, built first (a no-op when fresh, so a
/// test never runs a stale one).
pub fn example(name: &str) -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "-p",
            "tuneforge-export",
            "--example",
            name,
        ])
        .status()
        .unwrap();
    assert!(status.success(), "cargo build --example {name}");
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/debug/examples")
        .join(name)
}
