//! Helpers for tests that drive the real `tuneforge` binary in temp directories.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The binary with progress bars off.
pub fn tf() -> Command {
    let mut cmd = Command::cargo_bin("tuneforge").expect("binary is built");
    cmd.arg("--no-progress");
    cmd.env_remove("TUNEFORGE_WORKSPACE");
    cmd
}

/// The binary pointed at workspace `ws`.
pub fn tf_in(ws: &Path) -> Command {
    let mut cmd = tf();
    cmd.arg("--workspace").arg(ws);
    cmd
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh workspace of the interactions preset in a temp dir.
pub fn workspace() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    tf().args(["init", "--preset", "interactions"])
        .arg(&ws)
        .assert()
        .success();
    (tmp, ws)
}

/// Every file under `root` (relative path → bytes), except wall-clock timings.
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(root, &p, out);
        } else if p.file_name().is_some_and(|n| n != "timings.json") {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

/// The bundled sample, as lines.
pub fn sample_lines() -> Vec<String> {
    include_str!("../../../../corpus/interactions.jsonl")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `n` distinct interactions derived from the sample (each query gets a unique suffix).
pub fn generated_interactions(n: usize) -> String {
    let sample = sample_lines();
    let mut out = String::new();
    for i in 0..n {
        let mut v: serde_json::Value = serde_json::from_str(&sample[i % sample.len()]).unwrap();
        let q = v["messages"][0]["content"].as_str().unwrap().to_owned();
        v["messages"][0]["content"] = format!("{q} (variant {i})").into();
        v["metadata"]["interaction_id"] =
            format!("int_{}_{:08x}", 1_772_000_000_000u64 + i as u64, i).into();
        out.push_str(&serde_json::to_string(&v).unwrap());
        out.push('\n');
    }
    out
}

pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The entry for `name` in a `--json status` or `--json run` document.
pub fn stage<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["stages"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["stage"] == name))
        .unwrap_or_else(|| panic!("no stage {name} in {doc}"))
}

/// The worker venv's python `scripts/test.sh` made (`tuneforge setup --with-tests`), or
/// `None` (the test skips) when the tests run without it; under `TUNEFORGE_REQUIRE_PYTHON=1`
/// (CI) its absence fails the test.
pub fn worker_python() -> Option<String> {
    match std::env::var("TUNEFORGE_WORKER_PYTHON") {
        Ok(p) if Path::new(&p).is_file() => Some(p),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!(
                "TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_WORKER_PYTHON is not a file; run `tuneforge setup --with-tests`"
            )
        }
        _ => None,
    }
}

/// Runs git in `dir` as a test committer (`t <t@example.com>`, default branch `11.x`),
/// failing the test with git's stderr when it fails; its stdout, trimmed.
pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=11.x",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
