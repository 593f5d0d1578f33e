//! The streaming merge against PEFT's own `merge_and_unload` on tiny bf16 models (Qwen2,
//! Mistral, and Mistral3 whose text model sits under `model.language_model`), built by the
//! worker's `tiny` command with adapters on every linear layer: every tensor within bf16
//! rounding of PEFT's, and transformers, loading the merged directory, gives the adapter
//! model's logits. `tests/peft_reference.py` makes the references with the worker venv
//! (`TUNEFORGE_WORKER_PYTHON`, which `scripts/test.sh` sets).
#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;

use safetensors::SafeTensors;
use tuneforge_core::reporter::Silent;
use tuneforge_export::ExportError;
use tuneforge_export::adapter::Adapter;
use tuneforge_export::merge::merge;

mod support;
use support::worker_python;

fn python(worker: &Path, args: &[&str]) {
    support::run_script(worker, "peft_reference.py", args);
}

/// Every tensor of a model directory as f32, by name.
fn tensors(dir: &Path) -> BTreeMap<String, (Vec<usize>, Vec<f32>)> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "safetensors") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        for (name, view) in file.tensors() {
            let values = match view.dtype() {
                safetensors::Dtype::BF16 => view
                    .data()
                    .chunks_exact(2)
                    .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
                safetensors::Dtype::F32 => view
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                other => panic!("{name}: {other:?}"),
            };
            out.insert(name, (view.shape().to_vec(), values));
        }
    }
    out
}

fn json_matrix(path: &Path) -> Vec<f64> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    fn flatten(v: &serde_json::Value, out: &mut Vec<f64>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
            x => out.push(x.as_f64().unwrap()),
        }
    }
    let mut out = Vec::new();
    flatten(&v, &mut out);
    out
}

fn merges_like_peft(arch: &str, variant: &str) {
    let Some(worker) = worker_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    python(&worker, &["build", root.to_str().unwrap(), arch, variant]);
    let base_files = std::fs::read_dir(root.join("base")).unwrap().count();
    assert!(base_files > 4, "the base is sharded ({base_files} files)");
    let adapter = Adapter::read(&root.join("adapter")).unwrap();
    let ours = root.join("ours");
    let report = merge(&root.join("base"), &adapter, &ours, &Silent).unwrap();
    assert_eq!(report.merged, adapter.pairs.len());
    assert!(report.shards > 1, "{report:?}");
    assert!(ours.join("model.safetensors.index.json").is_file());
    assert!(ours.join("config.json").is_file());

    let expected = tensors(&root.join("peft-merged"));
    let got = tensors(&ours);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the same tensors"
    );
    let mut differing = 0;
    for (name, (shape, want)) in &expected {
        let (got_shape, have) = &got[name];
        assert_eq!(got_shape, shape, "{name}");
        // One bf16 rounding (ours: the f32 sum) against PEFT's two (the delta, then the
        // sum): at most a couple of units in the last place of the largest value.
        let largest = want.iter().fold(0f32, |m, v| m.max(v.abs()));
        let tolerance = largest * 2f32.powi(-7);
        let worst = want
            .iter()
            .zip(have)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst <= tolerance, "{name}: {worst} > {tolerance}");
        differing += usize::from(worst > 0.0);
    }
    let base = tensors(&root.join("base"));
    let changed = got.iter().filter(|(n, (_, v))| base[*n].1 != *v).count();
    assert_eq!(
        changed,
        adapter.pairs.len(),
        "exactly the adapted weights change"
    );
    eprintln!("{arch}/{variant}: {differing} tensors differ from PEFT's by a rounding");

    // transformers loads the merged directory and gives the adapter model's logits.
    let merged_logits = root.join("ours-logits.json");
    python(
        &worker,
        &[
            "logits",
            ours.to_str().unwrap(),
            merged_logits.to_str().unwrap(),
        ],
    );
    let want = json_matrix(&root.join("adapter-logits.json"));
    let have = json_matrix(&merged_logits);
    let worst = want
        .iter()
        .zip(&have)
        .map(|(a, b)| (a - b).abs())
        .fold(0f64, f64::max);
    let scale = want.iter().fold(0f64, |m, v| m.max(v.abs()));
    assert!(
        worst <= 0.05 * scale.max(1.0),
        "logits differ by {worst} (largest {scale})"
    );

    // vLLM takes a plain adapter as it is; one whose patterns give modules their own scale
    // would be applied with vLLM's single scale, so it is refused.
    let plan = tuneforge_export::vllm::check(&root.join("base"), &adapter);
    if variant == "plain" {
        assert_eq!(plan.unwrap().max_lora_rank, 8);
    } else {
        let e = plan.unwrap_err().to_string();
        assert!(
            e.contains("rank_pattern/alpha_pattern") && e.contains("--format merged"),
            "{e}"
        );
    }
    // The same adapter trained on the text-only model (`model.layers.…`) names no module of
    // the multimodal base: vLLM would load it and apply nothing.
    if arch == "mistral3" {
        let text_only = root.join("text-only");
        std::fs::create_dir_all(&text_only).unwrap();
        std::fs::copy(
            root.join("adapter/adapter_config.json"),
            text_only.join("adapter_config.json"),
        )
        .unwrap();
        let bytes = std::fs::read(root.join("adapter/adapter_model.safetensors")).unwrap();
        let file = SafeTensors::deserialize(&bytes).unwrap();
        let renamed: Vec<(String, safetensors::tensor::TensorView<'_>)> = file
            .tensors()
            .into_iter()
            .map(|(n, v)| (n.replace("model.language_model.", "model."), v))
            .collect();
        safetensors::serialize_to_file(renamed, None, &text_only.join("adapter_model.safetensors"))
            .unwrap();
        let e =
            tuneforge_export::vllm::check(&root.join("base"), &Adapter::read(&text_only).unwrap())
                .unwrap_err()
                .to_string();
        assert!(e.contains("apply none of it"), "{e}");
    }

    // An adapter for another model is refused, naming what is missing.
    if arch == "qwen2" {
        let other = root.join("other");
        std::fs::create_dir_all(&other).unwrap();
        let err = merge(&other, &adapter, &root.join("x"), &Silent).unwrap_err();
        assert!(matches!(err, ExportError::Weights { .. }), "{err}");
    }
}

#[test]
fn qwen2_merges_like_peft() {
    merges_like_peft("qwen2", "plain");
}

#[test]
fn mistral_with_rslora_and_patterns_merges_like_peft() {
    merges_like_peft("mistral", "patterned");
}

#[test]
fn mistral3_text_model_merges_like_peft() {
    merges_like_peft("mistral3", "plain");
}

#[test]
fn damaged_bases_are_named() {
    let Some(worker) = worker_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    python(
        &worker,
        &["build", root.to_str().unwrap(), "qwen2", "plain"],
    );
    let adapter = Adapter::read(&root.join("adapter")).unwrap();
    // An adapter for another base: the Mistral3 names are not in a Qwen2.
    let (qwen, other) = (root.join("base"), tempfile::tempdir().unwrap());
    python(
        &worker,
        &["build", other.path().to_str().unwrap(), "mistral3", "plain"],
    );
    let mistral3 = Adapter::read(&other.path().join("adapter")).unwrap();
    let err = merge(&qwen, &mistral3, &root.join("wrong"), &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("trained on another model") && err.contains("language_model"),
        "{err}"
    );
    assert!(!root.join("wrong").exists(), "nothing is left behind");

    // A truncated shard.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(qwen.join("model.safetensors.index.json")).unwrap())
            .unwrap();
    let first = index["weight_map"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    let shard = qwen.join(&first);
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() / 2]).unwrap();
    let err = merge(&qwen, &adapter, &root.join("cut"), &Silent)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&first) && err.contains("truncated"), "{err}");
    assert!(!root.join("cut").exists());

    // An index naming a missing shard.
    std::fs::remove_file(&shard).unwrap();
    let err = merge(&qwen, &adapter, &root.join("gone"), &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("which is missing") && err.contains(&first),
        "{err}"
    );
}

/// A disk that fills up mid-merge, as a file size limit (`ulimit -f`) makes it: the merge
/// fails with the write error naming the shard, and leaves neither the merged directory
/// nor its staging directory.
#[test]
fn a_full_disk_leaves_no_merged_model() {
    let Some(worker) = worker_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    python(
        &worker,
        &["build", root.to_str().unwrap(), "qwen2", "plain"],
    );
    let example = support::example("merge");
    // 16 blocks of 512 bytes: less than one shard. SIGXFSZ ignored, so the write fails with
    // EFBIG as it would with ENOSPC.
    let biggest = std::fs::read_dir(root.join("base"))
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .max()
        .unwrap();
    assert!(biggest > 16 * 512, "a shard must exceed the limit");
    let out = root.join("merged");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$1\" \"$2\" \"$3\"")
        .arg(&example)
        .arg(root.join("base"))
        .arg(root.join("adapter"))
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(".safetensors") && stderr.contains("cannot write"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n == "merged" || n.starts_with(".staging"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
