//! GGUF export checked by llama.cpp itself, on tiny Qwen2, Mistral and Mistral3 models with
//! a trained byte-level BPE tokenizer and an adapter on every linear layer of the text model
//! (`tests/gguf_reference.py` builds them with the worker venv):
//!
//! * the base as f16 against `convert_hf_to_gguf.py`: the same metadata (but for the keys
//!   listed below) and bit-identical tensors;
//! * the adapter GGUF against `convert_lora_to_gguf.py`: the same keys and tensors (for an
//!   adapter the converter handles: plain `alpha / r` on a Qwen2 or Mistral base);
//! * `llama-server` serving the base GGUF, the merged GGUF, and the base with the adapter
//!   GGUF: next-token probabilities within 2e-3 of transformers' for the base and for the
//!   PEFT adapter model (rsLoRA and rank/alpha patterns included), and far from the base's
//!   when the adapter is applied.
//!
//! llama.cpp comes from `scripts/llama-cpp.sh` (`TUNEFORGE_LLAMA_CPP_BIN` and `_SRC`, which
//! `scripts/test.sh` exports).
#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

mod support;

struct Tools {
    worker: PathBuf,
}

fn tools() -> Option<Tools> {
    let worker = support::worker_python()?;
    let bin = std::env::var_os("TUNEFORGE_LLAMA_CPP_BIN").map(PathBuf::from);
    let src = std::env::var_os("TUNEFORGE_LLAMA_CPP_SRC").map(PathBuf::from);
    match (bin, src) {
        (Some(b), Some(s)) if b.join("llama-server").is_file() && s.join("gguf-py").is_dir() => {
            Some(Tools { worker })
        }
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => panic!(
            "TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_LLAMA_CPP_BIN / TUNEFORGE_LLAMA_CPP_SRC do not point at a llama.cpp build; run scripts/llama-cpp.sh"
        ),
        _ => {
            eprintln!("skipped: no llama.cpp (scripts/llama-cpp.sh)");
            None
        }
    }
}

fn reference(tools: &Tools, args: &[&str]) {
    support::run_script(&tools.worker, "gguf_reference.py", args);
}

fn read(path: &Path) -> Json {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Metadata and tensors of two dumped GGUF files, compared; keys in `allowed` may differ.
fn same_file(ours: &Path, theirs: &Path, allowed: &[&str]) {
    let (a, b) = (read(ours), read(theirs));
    let keys = |j: &Json| -> BTreeMap<String, Json> {
        j["metadata"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| !allowed.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (ka, kb) = (keys(&a), keys(&b));
    assert_eq!(
        ka.keys().collect::<Vec<_>>(),
        kb.keys().collect::<Vec<_>>(),
        "{} and {} have different metadata keys",
        ours.display(),
        theirs.display()
    );
    for (k, v) in &ka {
        assert_eq!(v, &kb[k], "metadata `{k}` differs");
    }
    let (ta, tb) = (
        a["tensors"].as_object().unwrap(),
        b["tensors"].as_object().unwrap(),
    );
    // The same tensors; the order is the writer's (the converter keeps the checkpoint's).
    let sorted = |m: &serde_json::Map<String, Json>| {
        let mut k: Vec<String> = m.keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(sorted(ta), sorted(tb));
    for (name, t) in ta {
        assert_eq!(t["shape"], tb[name]["shape"], "`{name}` shape");
        assert_eq!(t["type"], tb[name]["type"], "`{name}` type");
        assert!(t["values"] == tb[name]["values"], "`{name}` values differ");
    }
}

/// The largest difference between llama.cpp's top-10 probabilities per position and
/// transformers' probabilities of the same tokens.
fn distance(probe: &Path, reference: &Json) -> f64 {
    let probe = read(probe);
    let mut worst = 0f64;
    for (position, top) in probe.as_array().unwrap().iter().enumerate() {
        for pair in top.as_array().unwrap() {
            let id = pair[0].as_u64().unwrap() as usize;
            let p = pair[1].as_f64().unwrap();
            let r = reference[position][id].as_f64().unwrap();
            worst = worst.max((p - r).abs());
        }
    }
    worst
}

fn export_model(base: &Path, adapter: Option<&Path>, out: &Path, ty: &str) {
    use tuneforge_export::adapter::Adapter;
    use tuneforge_export::gguf::{ModelType, export_model};
    let adapter = adapter.map(|a| Adapter::read(a).unwrap());
    let report = export_model(
        base,
        adapter.as_ref(),
        out,
        ModelType::parse(ty).unwrap(),
        "tiny",
        &tuneforge_core::reporter::Silent,
    )
    .unwrap();
    assert_eq!(report.merged, if adapter.is_some() { 14 } else { 0 });
}

fn check(arch: &str, variant: &str) {
    let Some(tools) = tools() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    reference(&tools, &["build", s(d), arch, variant]);
    let probs = read(&d.join("probs.json"));

    // The base, against llama.cpp's converter. `add_bos_token` / `add_eos_token` are
    // written explicitly (the converter leaves them to llama.cpp's per-model defaults);
    // the size label is cosmetic.
    export_model(&d.join("base"), None, &d.join("base-f16.gguf"), "f16");
    reference(
        &tools,
        &[
            "convert",
            s(&d.join("base")),
            s(&d.join("ref-f16.gguf")),
            "f16",
        ],
    );
    for f in ["base-f16", "ref-f16"] {
        let (gguf, json) = (d.join(format!("{f}.gguf")), d.join(format!("{f}.json")));
        reference(&tools, &["dump", s(&gguf), s(&json)]);
    }
    same_file(
        &d.join("base-f16.json"),
        &d.join("ref-f16.json"),
        &[
            "general.name",
            "general.size_label",
            "tokenizer.ggml.add_bos_token",
            "tokenizer.ggml.add_eos_token",
        ],
    );

    // The adapter GGUF. The converter writes `lora_alpha` and ignores rsLoRA and the
    // patterns, so only a plain adapter can be compared with it tensor for tensor; for a
    // Mistral3 base it writes the base model instead of the adapter, so llama.cpp serving
    // the adapter (below) is the check there.
    let adapter = d.join("adapter");
    let lora = d.join("lora.gguf");
    {
        use tuneforge_export::adapter::Adapter;
        use tuneforge_export::gguf::{AdapterType, export_adapter};
        let report = export_adapter(
            &d.join("base"),
            &Adapter::read(&adapter).unwrap(),
            &lora,
            AdapterType::F32,
            "tiny",
            &tuneforge_core::reporter::Silent,
        )
        .unwrap();
        assert_eq!(report.pairs, 14);
        assert_eq!(report.rescaled, if variant == "plain" { 0 } else { 14 });
    }
    if variant == "plain" && arch != "mistral3" {
        reference(
            &tools,
            &[
                "lora",
                s(&adapter),
                s(&d.join("base")),
                s(&d.join("ref-lora.gguf")),
            ],
        );
        for f in ["lora", "ref-lora"] {
            let (gguf, json) = (d.join(format!("{f}.gguf")), d.join(format!("{f}.json")));
            reference(&tools, &["dump", s(&gguf), s(&json)]);
        }
        same_file(
            &d.join("lora.json"),
            &d.join("ref-lora.json"),
            &[
                "general.name",
                "general.tags",
                "general.base_model.count",
                "general.base_model.0.name",
                "general.base_model.0.repo_url",
            ],
        );
    }

    // llama.cpp serving each, against transformers.
    export_model(
        &d.join("base"),
        Some(&adapter),
        &d.join("merged-f32.gguf"),
        "f32",
    );
    export_model(&d.join("base"), None, &d.join("base-f32.gguf"), "f32");
    let probe = |model: &str, lora: Option<&Path>, out: &str| {
        let mut args = vec![
            "probe".to_owned(),
            s(&d.join(model)).to_owned(),
            s(&d.join(out)).to_owned(),
        ];
        if let Some(l) = lora {
            args.push(s(l).to_owned());
        }
        reference(&tools, &args.iter().map(String::as_str).collect::<Vec<_>>());
        d.join(out)
    };
    let base = probe("base-f16.gguf", None, "p-base.json");
    assert!(distance(&base, &probs["base"]) < 2e-3, "{arch}: base");
    for served in [
        probe("merged-f32.gguf", None, "p-merged.json"),
        probe("base-f32.gguf", Some(&lora), "p-lora.json"),
    ] {
        let to_adapter = distance(&served, &probs["adapter"]);
        let to_base = distance(&served, &probs["base"]);
        assert!(
            to_adapter < 2e-3 && to_base > 20.0 * to_adapter,
            "{arch} {}: {to_adapter} from the adapter model, {to_base} from the base",
            served.display()
        );
    }
}

#[test]
fn a_qwen2_model_and_its_adapter_load_in_llama_cpp_as_transformers_runs_them() {
    check("qwen2", "plain");
}

#[test]
fn a_mistral_adapter_has_its_q_and_k_rows_permuted_as_the_converter_does() {
    check("mistral", "plain");
}

#[test]
fn a_patterned_rslora_adapter_is_folded_into_alpha_and_b() {
    check("mistral", "patterned");
}

#[test]
fn a_mistral3_text_model_leaves_its_vision_tower_out() {
    check("mistral3", "plain");
}

/// Quantized exports are block for block what `llama-quantize` writes from the same f32
/// weights (q8_0, the pure q4_K mix and the Q4_K_M recipe with its q6_K layers), and
/// llama.cpp serves them within each type's tolerance of transformers.
#[test]
fn quantized_files_are_block_for_block_what_llama_quantize_writes() {
    let Some(tools) = tools() else { return };
    let bin = PathBuf::from(std::env::var_os("TUNEFORGE_LLAMA_CPP_BIN").unwrap());
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    reference(&tools, &["build-wide", s(d)]);
    let base = d.join("base");
    export_model(&base, None, &d.join("f32.gguf"), "f32");
    for (ours, theirs, args) in [
        ("q8_0", "Q8_0", &[][..]),
        ("q4_k", "Q4_K_S", &["--pure"][..]),
        ("q4_k_m", "Q4_K_M", &[][..]),
    ] {
        let ours_path = d.join(format!("{ours}.gguf"));
        export_model(&base, None, &ours_path, ours);
        let theirs_path = d.join(format!("llama-{ours}.gguf"));
        let out = Command::new(bin.join("llama-quantize"))
            .args(args)
            .arg(d.join("f32.gguf"))
            .arg(&theirs_path)
            .args([theirs, "2"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for (gguf, json) in [(&ours_path, "ours.json"), (&theirs_path, "theirs.json")] {
            reference(&tools, &["dump", s(gguf), s(&d.join(json))]);
        }
        same_file(&d.join("ours.json"), &d.join("theirs.json"), &[]);
        // And in llama-quantize's order (its loader's: outside tensors, then by block).
        let names = |p: &Path| {
            tuneforge_export::gguf::read_header(p)
                .unwrap()
                .tensors
                .into_iter()
                .map(|(t, _)| t.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&ours_path), names(&theirs_path));
        if ours == "q4_k_m" {
            let header = tuneforge_export::gguf::read_header(&ours_path).unwrap();
            let type_of = |name: &str| {
                header
                    .tensors
                    .iter()
                    .find(|(t, _)| t.name == name)
                    .map(|(t, _)| t.ty.name())
                    .unwrap()
            };
            // 8 layers: layer 0 and 7 get more bits, and (i - 1) % 3 == 2 → layer 3 and 6.
            assert_eq!(type_of("output.weight"), "q6_K");
            assert_eq!(type_of("blk.0.attn_v.weight"), "q6_K");
            assert_eq!(type_of("blk.1.attn_v.weight"), "q4_K");
            assert_eq!(type_of("blk.3.ffn_down.weight"), "q6_K");
            assert_eq!(type_of("blk.3.ffn_up.weight"), "q4_K");
        }
    }
    // Served: f32 as transformers, q8_0 close, q4_k_m within 4-bit error on random weights.
    let probs = read(&d.join("probs.json"));
    for (ty, tolerance) in [("f32", 2e-3), ("q8_0", 0.03), ("q4_k_m", 0.25)] {
        let out = d.join(format!("p-{ty}.json"));
        let model = d.join(format!("{ty}.gguf"));
        reference(&tools, &["probe", s(&model), s(&out)]);
        let distance = distance(&out, &probs["base"]);
        assert!(distance < tolerance, "{ty}: {distance}");
    }
}
