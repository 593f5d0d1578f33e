//! `tuneforge setup` and `doctor` through the real binary.
//!
//! CI (`scripts/test.sh`) runs `tuneforge setup --with-tests` first and exports the venv's
//! python as `TUNEFORGE_WORKER_PYTHON`; here the same command must find that environment
//! complete, and `doctor` must read the real torch from it.

mod common;

use common::worker_python;

use assert_cmd::Command;
use serde_json::Value;

fn tuneforge() -> Command {
    Command::cargo_bin("tuneforge").unwrap()
}

#[test]
fn setup_finds_its_environment_and_doctor_reads_torch_from_it() {
    let Some(python) = worker_python() else {
        return;
    };
    let out = tuneforge()
        .args(["setup", "--with-tests", "--json"])
        .assert()
        .success();
    let results: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let env = &results[0]["env"];
    assert_eq!(env["kind"], "trl");
    assert_eq!(env["python"], python.as_str());
    assert_eq!(results[0]["created"], false, "an existing venv is reused");
    let venv = env["venv"].as_str().unwrap();
    let name = std::path::Path::new(venv)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert!(name.starts_with("trl-tests-"), "{name}");

    let out = tuneforge().args(["doctor", "--json"]).assert().success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["probe"]["packages"]["torch"], "2.15.0");
    assert_eq!(report["probe"]["packages"]["bitsandbytes"], "0.50.2");
    assert_eq!(report["probe"]["bitsandbytes_error"], Value::Null);
    assert!(report["disk_free_bytes"].as_u64().unwrap() > 0);
    let profiles = report["profiles"].as_array().unwrap();
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["profile"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "rtx4070-12gb",
            "rtx3090-24gb",
            "rtx4090-24gb",
            "l40s-48gb",
            "gpu-96gb"
        ]
    );
    if report["probe"]["gpus"].as_array().unwrap().is_empty() {
        assert!(profiles.iter().all(|p| p["usable_here"] == false));
        let text = tuneforge().arg("doctor").assert().success();
        let text = String::from_utf8_lossy(&text.get_output().stdout).into_owned();
        assert!(text.contains("needs a CUDA GPU; none here"), "{text}");
        assert!(text.contains("torch: 2.15.0"), "{text}");
    }
}

#[test]
fn doctor_before_setup_says_what_to_run() {
    let cache = tempfile::tempdir().unwrap();
    let out = tuneforge()
        .env("TUNEFORGE_CACHE_DIR", cache.path())
        .arg("doctor")
        .assert()
        .code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("run `tuneforge setup` first"), "{text}");
    assert!(
        text.contains("rtx4070-12gb"),
        "the profiles are still judged: {text}"
    );
}

#[test]
fn setup_with_a_missing_interpreter_names_it() {
    let cache = tempfile::tempdir().unwrap();
    let out = tuneforge()
        .env("TUNEFORGE_CACHE_DIR", cache.path())
        .args(["setup", "--python", "/nonexistent/python3.12"])
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(text.contains("/nonexistent/python3.12"), "{text}");
    assert!(text.contains("hint:"), "{text}");
}

#[test]
fn setup_gpu_without_cuda_says_so_before_installing_anything() {
    if std::path::Path::new("/proc/driver/nvidia/version").exists() {
        return; // a CUDA machine: --gpu is meant to work there
    }
    let cache = tempfile::tempdir().unwrap();
    let out = tuneforge()
        .env("TUNEFORGE_CACHE_DIR", cache.path())
        .args(["setup", "--gpu"])
        .assert()
        .code(2);
    let text = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(text.contains("no CUDA GPU found"), "{text}");
    assert!(
        !cache.path().join("venvs").exists(),
        "nothing was installed"
    );
}
