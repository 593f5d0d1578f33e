//! `tuneforge train` end to end on CPU: the interactions quickstart's dataset, a tiny Qwen2
//! the worker builds from a config with the golden tests' Qwen2.5 tokenizer and chat
//! template, Rust-prepared tokens, the real worker, an out-of-memory error injected at a
//! step (a real `error{kind: "oom"}` event, then a retry with half the micro-batch), and the
//! adapter with its run manifest.
//!
//! The worker runs with one torch thread (`OMP_NUM_THREADS=1`): the tests run side by side
//! on two cores, and tiny models slow down about tenfold when torch's threads compete.

mod common;

use common::worker_python;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tiny_qwen(worker: &str, out: &Path) {
    let status = std::process::Command::new(worker)
        .env("PYTHONPATH", repo().join("python/src"))
        .args(["-m", "tuneforge_worker", "tiny", "--arch", "qwen2", "--out"])
        .arg(out)
        .arg("--tokenizer")
        .arg(repo().join("crates/tuneforge-tokens/tests/golden/qwen2.5"))
        .status()
        .unwrap();
    assert!(status.success());
}

/// The interactions quickstart's workspace and a tiny Qwen2 beside it.
fn workspace_and_tiny_model(worker: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["quickstart", "--preset", "interactions", "--no-progress"])
        .arg(&ws)
        .assert()
        .success();
    let model = tmp.path().join("tiny-qwen");
    tiny_qwen(worker, &model);
    (tmp, ws, model)
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_tiny_model_trains_on_the_quickstart_dataset_and_survives_an_injected_oom() {
    let Some(worker) = worker_python() else {
        return;
    };
    let (_tmp, ws, model) = workspace_and_tiny_model(&worker);

    let out = Command::cargo_bin("tuneforge")
        .unwrap()
        .env("OMP_NUM_THREADS", "1")
        .current_dir(&ws)
        .args(["train", "--json", "--model"])
        .arg(&model)
        .args([
            "--max-steps",
            "8",
            "--micro-batch",
            "2",
            "--grad-accum",
            "1",
            "--max-seq-len",
            "4096",
            "--lora-r",
            "8",
            "--lora-alpha",
            "16",
            "--learning-rate",
            "0.001",
            "--save-every",
            "2",
            "--eval-every",
            "4",
            "--test-oom-at-step",
            "3",
        ])
        .assert()
        .success();
    let outcome: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(outcome["finished"], true, "{outcome}");
    assert_eq!(outcome["oom_retries"], 1);
    assert_eq!(outcome["steps"], 8);
    let run = PathBuf::from(outcome["run_dir"].as_str().unwrap());
    assert!(run.ends_with("adapters/tiny-qwen/all-lora-v1"), "{run:?}");
    assert!(run.join("adapter_config.json").is_file());
    assert!(run.join("adapter_model.safetensors").is_file());

    // The injected error came as a real event, then tuneforge's retry record.
    let metrics = lines(&run.join("metrics.jsonl"));
    let oom = metrics
        .iter()
        .position(|m| m["event"] == "error" && m["kind"] == "oom")
        .expect("an oom event");
    assert_eq!(metrics[oom]["step"], 3);
    let retry = &metrics[oom + 1];
    assert_eq!(retry["event"], "retry");
    assert_eq!(
        (retry["micro_batch"].as_u64(), retry["grad_accum"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(metrics.iter().any(|m| m["event"] == "finished"));
    assert!(metrics.iter().filter(|m| m["event"] == "step").count() >= 8);

    // The run manifest records what made the adapter.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["oom_retries"], 1);
    assert_eq!(manifest["spec"]["micro_batch"], 1);
    assert_eq!(manifest["spec"]["grad_accum"], 2);
    assert_eq!(manifest["settings"]["lora"]["r"], 8);
    assert_eq!(
        manifest["dataset_manifest_blake3"].as_str().unwrap().len(),
        64
    );
    assert_eq!(manifest["library_versions"]["torch"], "2.15.0");
    assert_eq!(manifest["library_versions"]["trl"], "1.16.0");
    assert_eq!(manifest["spec"]["seed"], 42);
    let tokens: Value =
        serde_json::from_slice(&std::fs::read(run.join("tokens/tokens.json")).unwrap()).unwrap();
    let train = &tokens["splits"][0];
    assert_eq!(train["name"], "train");
    assert!(train["trained_tokens"].as_u64().unwrap() > 0);
    assert!(
        train["packing_efficiency"].as_f64().unwrap() > 0.5,
        "{train}"
    );

    let spec: Value =
        serde_json::from_slice(&std::fs::read(run.join("run_spec.json")).unwrap()).unwrap();
    assert_eq!(spec["protocol"], 1);

    // The run is recorded: `status` counts new interactions from here.
    let state: Value =
        serde_json::from_slice(&std::fs::read(ws.join(".tuneforge/state.json")).unwrap()).unwrap();
    assert!(state["last_train"].is_string(), "{state}");
    assert_eq!(state["interactions_at_last_train"], 60);
}

/// Waits until the JSON Lines file `path` holds an event named `needle`.
fn wait_for(path: &Path, needle: &str, child: &mut std::process::Child) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let seen = std::fs::read_to_string(path).is_ok_and(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .any(|event| event["event"] == needle)
        });
        if seen {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) before {needle} appeared in {path:?}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {needle} in {path:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Runs `command` in its own process group, as a terminal runs a foreground job (so Ctrl-C
/// reaches both tuneforge and the worker), and sends that group SIGINT once the run in
/// `run_dir` has logged its first step.
fn ctrl_c_after_first_step(
    mut command: std::process::Command,
    run_dir: &Path,
) -> std::process::Output {
    use std::os::unix::process::CommandExt;

    let mut child = command
        .env("OMP_NUM_THREADS", "1")
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&run_dir.join("metrics.jsonl"), "step", &mut child);
    let pgid = child.id() as i32;
    assert!(
        std::process::Command::new("kill")
            .args(["-s", "INT", "--", &format!("-{pgid}")])
            .status()
            .unwrap()
            .success()
    );
    child.wait_with_output().unwrap()
}

#[test]
fn ctrl_c_saves_a_checkpoint_and_resume_finishes_the_run() {
    let Some(worker) = worker_python() else {
        return;
    };
    let (_tmp, ws, model) = workspace_and_tiny_model(&worker);
    let args = |extra: &[&str]| {
        let mut args: Vec<String> = [
            "train",
            "--no-progress",
            "--model",
            model.to_str().unwrap(),
            "--max-steps",
            "40",
            "--micro-batch",
            "1",
            "--grad-accum",
            "1",
            "--max-seq-len",
            "4096",
            "--lora-r",
            "4",
            "--save-every",
            "100",
            "--eval-every",
            "100",
        ]
        .map(String::from)
        .to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("tuneforge"));
    command.current_dir(&ws).args(args(&[]));
    let run = ws.join("adapters/tiny-qwen/all-lora-v1");
    let out = ctrl_c_after_first_step(command, &run);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("train --resume"), "{stdout}");
    let metrics = lines(&run.join("metrics.jsonl"));
    assert!(metrics.iter().any(|m| m["event"] == "checkpoint"));
    assert!(metrics.iter().any(|m| m["kind"] == "interrupted"));
    assert!(!run.join("adapter_model.safetensors").exists());
    let status = Command::cargo_bin("tuneforge")
        .unwrap()
        .current_dir(&ws)
        .args(["status"])
        .assert()
        .success();
    let status = String::from_utf8_lossy(&status.get_output().stdout).into_owned();
    assert!(
        status.contains("adapter: tiny-qwen/all-lora-v1: interrupted"),
        "{status}"
    );

    // The workspace's one unfinished run: `--resume` needs no --model, and continues with
    // the run's own settings.
    let out = Command::cargo_bin("tuneforge")
        .unwrap()
        .env("OMP_NUM_THREADS", "1")
        .current_dir(&ws)
        .args(["train", "--resume", "--json", "--no-progress"])
        .assert()
        .success();
    let outcome: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(outcome["finished"], true);
    assert_eq!(outcome["steps"], 40);
    assert_eq!(PathBuf::from(outcome["run_dir"].as_str().unwrap()), run);
    let metrics = lines(&run.join("metrics.jsonl"));
    let resumed = metrics
        .iter()
        .filter(|m| m["event"] == "started")
        .nth(1)
        .expect("a second start");
    assert!(
        resumed["resumed_from_step"].as_u64().unwrap() >= 1,
        "{resumed}"
    );
    assert!(run.join("adapter_model.safetensors").is_file());
}

/// The Drupal quickstart trains a tiny model; Ctrl-C during its training exits 130 with the
/// command that continues, and running the quickstart again continues the run.
#[test]
fn the_drupal_quickstart_ends_with_a_trained_adapter_even_after_ctrl_c() {
    if worker_python().is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("qs");
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("tuneforge"));
    command.args(["quickstart", "--no-progress"]).arg(&ws);
    let run = ws.join("adapters/tiny-qwen2/all-lora-v1");
    let interrupted = ctrl_c_after_first_step(command, &run);
    let stdout = String::from_utf8_lossy(&interrupted.stdout);
    assert_eq!(
        interrupted.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&interrupted.stderr)
    );
    assert!(stdout.contains("train --resume"), "{stdout}");
    assert!(!stdout.contains("trained a tiny Qwen2"), "{stdout}");
    assert!(!run.join("adapter_model.safetensors").exists());

    let out = Command::cargo_bin("tuneforge")
        .unwrap()
        .env("OMP_NUM_THREADS", "1")
        .args(["quickstart", "--json"])
        .arg(&ws)
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["resumed"], true, "{doc}");
    let training = &doc["training"];
    assert_eq!(training["finished"], true, "{doc}");
    let run = PathBuf::from(training["run_dir"].as_str().unwrap());
    assert!(run.ends_with("adapters/tiny-qwen2/all-lora-v1"), "{run:?}");
    for file in [
        "adapter_config.json",
        "adapter_model.safetensors",
        "run.json",
        "run_spec.json",
        "loss.png",
        "loss.svg",
        "tokens/tokens.json",
        "tokens/train.safetensors",
    ] {
        assert!(run.join(file).is_file(), "{file}");
    }
    // The tokenizer tuneforge trained and the model the worker built.
    for file in ["tokenizer.json", "chat_template.jinja", "model.safetensors"] {
        assert!(ws.join("models/tiny-qwen2").join(file).is_file(), "{file}");
    }
    let tokens: Value =
        serde_json::from_slice(&std::fs::read(run.join("tokens/tokens.json")).unwrap()).unwrap();
    let train = &tokens["splits"][0];
    assert_eq!(
        train["samples"], train["encoded"],
        "no sample dropped: {train}"
    );
    assert!(
        train["packing_efficiency"].as_f64().unwrap() > 0.9,
        "{train}"
    );
    // The loss falls: the last steps average below the first ones.
    let losses: Vec<f64> = lines(&run.join("metrics.jsonl"))
        .iter()
        .filter(|m| m["event"] == "step")
        .map(|m| m["loss"].as_f64().unwrap())
        .collect();
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    assert!(losses.len() >= 20, "{losses:?}");
    assert!(
        mean(&losses[losses.len() - 5..]) < mean(&losses[..5]) - 0.05,
        "{losses:?}"
    );

    // The quickstart then evaluates the adapter against its base through the worker: the
    // same 3 tasks of each built-in suite, every answer judged, and on the test split the
    // trained adapter is a better model of the data than the randomly initialized base.
    let evaluation = &doc["evaluation"];
    let eval_dir = ws.join("eval/quickstart");
    let results = lines(&eval_dir.join("results.jsonl"));
    assert_eq!(results.len(), 12, "3 + 3 tasks, two models");
    for r in &results {
        let answer = eval_dir.join(r["output"].as_str().unwrap());
        assert!(answer.is_file(), "{r}");
    }
    let c = &evaluation["comparison"]["suites"];
    for suite in ["drupal11", "php-exec"] {
        let sc = &c[suite];
        assert_eq!(sc["tasks"], 3, "{sc}");
        let total = ["wins", "losses", "ties"]
            .iter()
            .map(|k| sc[k].as_u64().unwrap())
            .sum::<u64>();
        assert_eq!(total, 3, "{sc}");
    }
    let scores = &evaluation["test_split"]["scores"];
    let loss = |label: &str| scores[label]["loss"].as_f64().unwrap();
    assert!(scores["base"]["tokens"].as_u64().unwrap() > 100, "{scores}");
    assert_eq!(scores["base"]["tokens"], scores["adapter"]["tokens"]);
    assert!(loss("adapter") < loss("base") - 0.1, "{scores}");
    for file in ["metrics.json", "report.md", "report.html", "timings.json"] {
        assert!(eval_dir.join(file).is_file(), "{file}");
    }
    let report = std::fs::read_to_string(eval_dir.join("report.md")).unwrap();
    assert!(report.contains("## Test split"), "{report}");

    // An adapter is evaluated on its own base only.
    let mismatch = Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["--workspace"])
        .arg(&ws)
        .args(["eval", "--model", "qwen2.5-coder-7b-instruct", "--adapter"])
        .arg(&run)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&mismatch.get_output().stderr).into_owned();
    assert!(
        err.contains("was trained on") && err.contains("not qwen2.5-coder-7b-instruct"),
        "{err}"
    );

    // `status` no longer lists the adapter as not evaluated.
    let status = Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["--workspace"])
        .arg(&ws)
        .arg("status")
        .assert()
        .success();
    let text = String::from_utf8_lossy(&status.get_output().stdout).into_owned();
    assert!(text.contains("evaluated in eval/quickstart"), "{text}");

    // `deploy` merges the adapter into its base beside the run: a standalone model.
    let deployed = Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["--workspace"])
        .arg(&ws)
        .args(["deploy", "--json"])
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(&deployed.get_output().stdout).unwrap();
    assert_eq!(summary["merged"], 14, "7 targets in 2 layers: {summary}");
    let merged = ws.join("adapters/tiny-qwen2/all-lora-v1-merged");
    assert_eq!(PathBuf::from(summary["out_dir"].as_str().unwrap()), merged);
    for file in [
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "chat_template.jinja",
    ] {
        assert!(merged.join(file).is_file(), "{file}");
    }

    // The same adapter as a merged q8_0 GGUF and as a GGUF adapter, beside the run.
    for (format, quant, file, kind) in [
        ("gguf", "q8_0", "all-lora-v1-q8_0.gguf", "model"),
        (
            "gguf-adapter",
            "f16",
            "all-lora-v1-lora-f16.gguf",
            "adapter",
        ),
    ] {
        let written = Command::cargo_bin("tuneforge")
            .unwrap()
            .args(["--workspace"])
            .arg(&ws)
            .args(["export", "--json", "--format", format, "--quant", quant])
            .assert()
            .success();
        let summary: Value = serde_json::from_slice(&written.get_output().stdout).unwrap();
        let path = ws.join("adapters/tiny-qwen2").join(file);
        assert_eq!(summary["format"], format, "{summary}");
        assert_eq!(PathBuf::from(summary["path"].as_str().unwrap()), path);
        let header = tuneforge_export::gguf::read_header(&path).unwrap();
        assert_eq!(
            header.get("general.architecture").and_then(|v| v.as_str()),
            Some("qwen2")
        );
        assert_eq!(
            header.get("general.type").and_then(|v| v.as_str()),
            Some(kind)
        );
    }
    // Ollama packages: a Modelfile (the training template as TEMPLATE, Qwen2.5's default
    // system prompt as SYSTEM) beside the merged GGUF, or beside the base's and the adapter's.
    for (format, from, adapter) in [
        ("ollama", "model-q8_0.gguf", None),
        ("ollama-adapter", "base-q8_0.gguf", Some("adapter-f16.gguf")),
    ] {
        let written = Command::cargo_bin("tuneforge")
            .unwrap()
            .args(["--workspace"])
            .arg(&ws)
            .args(["export", "--json", "--format", format, "--quant", "q8_0"])
            .assert()
            .success();
        let summary: Value = serde_json::from_slice(&written.get_output().stdout).unwrap();
        let dir = ws.join(format!("adapters/tiny-qwen2/all-lora-v1-{format}"));
        assert_eq!(
            PathBuf::from(summary["dir"].as_str().unwrap()),
            dir,
            "{summary}"
        );
        let text = std::fs::read_to_string(dir.join("Modelfile")).unwrap();
        let modelfile = tuneforge_export::ollama::Modelfile::parse(&text).unwrap();
        assert_eq!(modelfile.from, format!("./{from}"));
        assert_eq!(modelfile.adapter, adapter.map(|a| format!("./{a}")));
        assert!(
            modelfile
                .system
                .as_deref()
                .unwrap()
                .starts_with("You are Qwen"),
            "{text}"
        );
        assert!(
            modelfile
                .template
                .as_deref()
                .unwrap()
                .contains("<|im_start|>"),
            "{text}"
        );
        let header = tuneforge_export::gguf::read_header(&dir.join(from)).unwrap();
        assert_eq!(
            header.get("general.type").and_then(|v| v.as_str()),
            Some("model")
        );
        if let Some(a) = adapter {
            let header = tuneforge_export::gguf::read_header(&dir.join(a)).unwrap();
            assert_eq!(
                header.get("general.type").and_then(|v| v.as_str()),
                Some("adapter")
            );
        }
    }
    // vLLM: nothing written, the adapter checked and the serve command printed.
    let checked = Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["--workspace"])
        .arg(&ws)
        .args(["export", "--json", "--format", "vllm"])
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(&checked.get_output().stdout).unwrap();
    assert_eq!(summary["format"], "vllm", "{summary}");
    let serve = summary["serve"][0].as_str().unwrap();
    assert!(
        serve.contains("--enable-lora --max-lora-rank")
            && serve.contains("--lora-modules all-lora-v1="),
        "{serve}"
    );
    // A type the format does not take is refused before anything is read.
    Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["--workspace"])
        .arg(&ws)
        .args(["export", "--format", "gguf-adapter", "--quant", "q8_0"])
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "an adapter GGUF is f32, f16 or bf16",
        ));
}

#[test]
fn two_processes_train_through_torchrun_with_gloo_on_cpu() {
    let Some(worker) = worker_python() else {
        return;
    };
    let (_tmp, ws, model) = workspace_and_tiny_model(&worker);
    let out = Command::cargo_bin("tuneforge")
        .unwrap()
        .env("OMP_NUM_THREADS", "1")
        .current_dir(&ws)
        .args(["train", "--json", "--gpus", "2", "--model"])
        .arg(&model)
        .args([
            "--max-steps",
            "3",
            "--micro-batch",
            "1",
            "--grad-accum",
            "1",
            "--max-seq-len",
            "4096",
            "--lora-r",
            "4",
        ])
        .assert()
        .success();
    let outcome: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let run = PathBuf::from(outcome["run_dir"].as_str().unwrap());
    let metrics = lines(&run.join("metrics.jsonl"));
    let started: Vec<&Value> = metrics.iter().filter(|m| m["event"] == "started").collect();
    assert_eq!(started.len(), 1, "only rank 0 reports");
    assert_eq!(started[0]["world_size"], 2);
    assert_eq!(outcome["steps"], 3);
    assert!(run.join("adapter_model.safetensors").is_file());
}

/// A run that fails before its first checkpoint gives its number back: the next run is v1
/// again, and the failed one's files are kept aside under `.failed/`.
#[test]
fn a_failed_run_does_not_burn_its_number() {
    let Some(_worker) = worker_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    Command::cargo_bin("tuneforge")
        .unwrap()
        .args(["quickstart", "--preset", "interactions", "--no-progress"])
        .arg(&ws)
        .assert()
        .success();
    // A model directory with a config but no tokenizer: the run fails while preparing.
    let model = tmp.path().join("broken-model");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("config.json"), r#"{"model_type": "qwen2"}"#).unwrap();
    for _ in 0..2 {
        let out = Command::cargo_bin("tuneforge")
            .unwrap()
            .current_dir(&ws)
            .args(["train", "--no-progress", "--model"])
            .arg(&model)
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0));
        assert_ne!(
            out.status.code(),
            Some(101),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let runs = ws.join("adapters/broken-model");
    let names: Vec<String> = std::fs::read_dir(&runs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [".failed"], "no run directory is left: {names:?}");
    let failed: Vec<String> = std::fs::read_dir(runs.join(".failed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed.iter().all(|n| n.starts_with("all-lora-v1-")),
        "{failed:?}"
    );
}
