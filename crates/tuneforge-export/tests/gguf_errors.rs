//! GGUF export on bad input, with a tiny Qwen2 checkpoint written here (no Python): a
//! truncated shard, an index naming a missing shard, an unsupported architecture, a
//! tokenizer llama.cpp would split differently, and a disk that fills up mid-write. Each is
//! a clear error naming the file, and no GGUF (or temp file) is left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use tuneforge_core::reporter::Silent;
use tuneforge_export::gguf::{ModelType, export_model};

mod support;

const HIDDEN: usize = 64;
const VOCAB: usize = 8;

/// A one-layer Qwen2 of hidden size 64 with an 8-token byte-level BPE vocabulary.
fn tiny_qwen2(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let config = json!({
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": HIDDEN,
        "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
        "num_key_value_heads": 2, "vocab_size": VOCAB, "max_position_embeddings": 512,
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    let tokenizer = json!({
        "added_tokens": [{"id": 7, "content": "<|im_end|>", "special": true}],
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}, "behavior": "Isolated", "invert": false},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false}]},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4, "Ġ": 5, "Ċ": 6}, "merges": ["a b", "ab c"]}
    });
    std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
    std::fs::write(
        dir.join("tokenizer_config.json"),
        json!({"eos_token": "<|im_end|>"}).to_string(),
    )
    .unwrap();
    let (h, f, kv) = (HIDDEN, 128, 32);
    let shapes: Vec<(String, Vec<usize>)> = vec![
        ("model.embed_tokens.weight".into(), vec![VOCAB, h]),
        ("model.norm.weight".into(), vec![h]),
        ("model.layers.0.input_layernorm.weight".into(), vec![h]),
        (
            "model.layers.0.post_attention_layernorm.weight".into(),
            vec![h],
        ),
        ("model.layers.0.self_attn.q_proj.weight".into(), vec![h, h]),
        ("model.layers.0.self_attn.q_proj.bias".into(), vec![h]),
        ("model.layers.0.self_attn.k_proj.weight".into(), vec![kv, h]),
        ("model.layers.0.self_attn.k_proj.bias".into(), vec![kv]),
        ("model.layers.0.self_attn.v_proj.weight".into(), vec![kv, h]),
        ("model.layers.0.self_attn.v_proj.bias".into(), vec![kv]),
        ("model.layers.0.self_attn.o_proj.weight".into(), vec![h, h]),
        ("model.layers.0.mlp.gate_proj.weight".into(), vec![f, h]),
        ("model.layers.0.mlp.up_proj.weight".into(), vec![f, h]),
        ("model.layers.0.mlp.down_proj.weight".into(), vec![h, f]),
    ];
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = shapes
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let bytes = (0..n)
                .flat_map(|i| ((i % 13) as f32 * 0.01).to_le_bytes())
                .collect();
            (name, shape, bytes)
        })
        .collect();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = data
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, s.clone(), b)
                    .unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, &dir.join("model.safetensors")).unwrap();
}

fn export(base: &Path, out: &Path) -> Result<u64, String> {
    export_model(base, None, out, ModelType::Q8_0, "tiny", &Silent)
        .map(|r| r.bytes)
        .map_err(|e| e.to_string())
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "gguf")
                || p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".tmp-")
        })
        .collect()
}

#[test]
fn a_good_checkpoint_exports_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    tiny_qwen2(&base);
    let out = dir.path().join("m.gguf");
    export(&base, &out).unwrap();
    let header = tuneforge_export::gguf::read_header(&out).unwrap();
    // Tied embeddings: no output.weight, and 14 tensors in all.
    assert_eq!(header.tensors.len(), 14);
    assert!(
        header
            .tensors
            .iter()
            .all(|(t, _)| t.name != "output.weight")
    );
    assert_eq!(
        header.get("tokenizer.ggml.pre").and_then(|v| v.as_str()),
        Some("qwen2")
    );
}

#[test]
fn damaged_checkpoints_are_named_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let out = dir.path().join("m.gguf");

    tiny_qwen2(&base);
    let shard = base.join("model.safetensors");
    let bytes = std::fs::read(&shard).unwrap();
    std::fs::write(&shard, &bytes[..bytes.len() / 2]).unwrap();
    let e = export(&base, &out).unwrap_err();
    assert!(
        e.contains("model.safetensors") && e.contains("truncated"),
        "{e}"
    );

    tiny_qwen2(&base);
    std::fs::write(
        base.join("model.safetensors.index.json"),
        json!({"weight_map": {"model.norm.weight": "model-00002-of-00002.safetensors"}})
            .to_string(),
    )
    .unwrap();
    let e = export(&base, &out).unwrap_err();
    assert!(
        e.contains("model-00002-of-00002.safetensors") && e.contains("missing"),
        "{e}"
    );
    std::fs::remove_file(base.join("model.safetensors.index.json")).unwrap();

    let config = std::fs::read_to_string(base.join("config.json")).unwrap();
    std::fs::write(
        base.join("config.json"),
        config.replace("Qwen2ForCausalLM", "GPT2LMHeadModel"),
    )
    .unwrap();
    let e = export(&base, &out).unwrap_err();
    assert!(
        e.contains("config.json") && e.contains("GPT2LMHeadModel is not exported"),
        "{e}"
    );
    std::fs::write(base.join("config.json"), &config).unwrap();

    let tokenizer = std::fs::read_to_string(base.join("tokenizer.json")).unwrap();
    std::fs::write(
        base.join("tokenizer.json"),
        tokenizer.replace("\\\\p{N}|", "\\\\p{N}{1,2}|"),
    )
    .unwrap();
    let e = export(&base, &out).unwrap_err();
    assert!(
        e.contains("tokenizer.json") && e.contains("not one llama.cpp knows"),
        "{e}"
    );

    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}

/// A disk that fills up mid-write, as a file size limit (`ulimit -f`) makes it: the export
/// fails with the write error and leaves neither the GGUF nor its temp file.
#[test]
fn a_full_disk_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    tiny_qwen2(&base);
    let out = dir.path().join("m.gguf");
    let example = support::example("gguf");
    // 16 blocks of 512 bytes: the header fits, the tensors do not. SIGXFSZ ignored, so the
    // write fails with EFBIG as it would with ENOSPC.
    let output = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 16; exec \"$0\" \"$1\" \"$2\" f32")
        .arg(&example)
        .arg(&base)
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("m.gguf") && stderr.contains("cannot write"),
        "{stderr}"
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );
}
