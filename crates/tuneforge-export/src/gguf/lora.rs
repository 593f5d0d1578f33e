//! A LoRA adapter as a GGUF adapter file, which `llama-server --lora` and Ollama's
//! `ADAPTER` apply to the base model's GGUF at run time.
//!
//! llama.cpp scales every pair by `adapter.lora.alpha / r` (r read off each `lora_a`), and
//! by nothing when alpha is missing, so alpha is always written. It is the adapter's
//! `lora_alpha`; where PEFT's scale for a module differs from `lora_alpha / r` (rsLoRA's
//! `alpha/√r`, rank and alpha patterns), the ratio is folded into that module's B, so each
//! update is what PEFT computes. `lora_a` is stored `[r, in]` and `lora_b` `[out, r]` under
//! the base tensor's GGUF name; for Llama-family bases B's rows take the same rotary
//! permutation as the base's q and k rows (`P(W + sBA) = PW + s(PB)A`).

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::reporter::Reporter;

use super::arch::{Architecture, permute_rows};
use super::encode::encode;
use super::format::{GgmlType, GgufWriter, TensorInfo, Value};
use crate::ExportError;
use crate::adapter::{ADAPTER_WEIGHTS, Adapter};
use crate::merge::{MappedFile, bytes_to_f32};

/// The tensor type of an adapter GGUF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdapterType {
    F32,
    F16,
    Bf16,
}

impl AdapterType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "f32" => Some(Self::F32),
            "f16" => Some(Self::F16),
            "bf16" => Some(Self::Bf16),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::Bf16 => "bf16",
        }
    }

    fn ggml(self) -> GgmlType {
        match self {
            Self::F32 => GgmlType::F32,
            Self::F16 => GgmlType::F16,
            Self::Bf16 => GgmlType::Bf16,
        }
    }
}

/// What an adapter GGUF export wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdapterGgufReport {
    pub path: PathBuf,
    pub architecture: String,
    pub tensor_type: AdapterType,
    /// Adapted weights (each one `lora_a` and one `lora_b`).
    pub pairs: usize,
    pub alpha: f64,
    /// Modules whose scale was folded into B (rsLoRA, rank or alpha patterns).
    pub rescaled: usize,
    pub bytes: u64,
}

/// One pair, ready to write.
struct PairOut {
    name: String,
    a: Vec<f32>,
    a_shape: [usize; 2],
    b: Vec<f32>,
    b_shape: [usize; 2],
}

/// Writes `adapter` (trained on the model in `base`) as the GGUF adapter file `out`.
pub fn export_adapter(
    base: &Path,
    adapter: &Adapter,
    out: &Path,
    ty: AdapterType,
    name: &str,
    reporter: &dyn Reporter,
) -> Result<AdapterGgufReport, ExportError> {
    let arch = Architecture::of_model(base)?;
    let weights_path = adapter.dir.join(ADAPTER_WEIGHTS);
    let file = MappedFile::open(&weights_path)?;
    let tensors = file.tensors()?;
    let bad = |message: String| ExportError::Adapter {
        path: adapter.dir.clone(),
        message,
    };
    let alpha = adapter.config.alpha;
    if alpha <= 0.0 {
        return Err(bad(format!(
            "lora_alpha is {alpha}; llama.cpp needs a positive alpha"
        )));
    }
    let mut pairs = Vec::new();
    let mut rescaled = 0;
    for pair in adapter.pairs.values() {
        let key = pair.base_key();
        if key == "lm_head.weight" || key.ends_with(".lm_head.weight") {
            return Err(bad(format!(
                "the adapter trains `{}` (the output head), which llama.cpp does not apply from an adapter file; train without lm_head in target_modules, or export a merged model",
                pair.module
            )));
        }
        let gguf_base = arch
            .gguf_name(&key)
            .map_err(|m| bad(format!("`{}`: {m}", pair.module)))?
            .ok_or_else(|| {
                bad(format!(
                    "the adapter trains `{}`, part of the vision tower, which a text GGUF adapter cannot carry; train adapters on the text model only",
                    pair.module
                ))
            })?;
        let view = |k: &str| {
            tensors.tensor(k).map_err(|e| ExportError::Weights {
                path: weights_path.clone(),
                message: format!("`{k}`: {e}"),
            })
        };
        let (a, b) = (view(&pair.a_key)?, view(&pair.b_key)?);
        let r = pair.rank as usize;
        let (&[ar, inputs], &[outputs, br]) = (a.shape(), b.shape()) else {
            return Err(bad(format!("`{}` is not a pair of matrices", pair.module)));
        };
        if ar != r || br != r {
            return Err(bad(format!(
                "`{}` has rank {ar}/{br} in its weights but {r} in adapter_config.json",
                pair.module
            )));
        }
        let a_values = bytes_to_f32(a.data(), a.dtype());
        let mut b_values = bytes_to_f32(b.data(), b.dtype());
        // llama.cpp applies alpha / r; PEFT applied pair.scale.
        let factor = pair.scale * r as f64 / alpha;
        if (factor - 1.0).abs() > 1e-12 {
            rescaled += 1;
            b_values
                .iter_mut()
                .for_each(|v| *v = (*v as f64 * factor) as f32);
        }
        if let Some(heads) = arch.permutation_heads(&gguf_base) {
            b_values = permute_rows(&b_values, outputs, heads)
                .map_err(|m| bad(format!("`{}`: {m}", pair.module)))?;
        }
        pairs.push(PairOut {
            name: gguf_base,
            a: a_values,
            a_shape: [r, inputs],
            b: b_values,
            b_shape: [outputs, r],
        });
    }
    if pairs.is_empty() {
        return Err(bad("the adapter has no LoRA pairs".into()));
    }

    let mut metadata = vec![
        ("general.architecture".to_owned(), Value::from(arch.name)),
        ("general.type".to_owned(), Value::from("adapter")),
        ("general.name".to_owned(), Value::from(name)),
        ("general.quantization_version".to_owned(), Value::U32(2)),
        ("adapter.type".to_owned(), Value::from("lora")),
        ("adapter.lora.alpha".to_owned(), Value::F32(alpha as f32)),
    ];
    if let Some(model) = &adapter.config.base_model {
        metadata.push(("general.base_model.count".to_owned(), Value::U32(1)));
        metadata.push((
            "general.base_model.0.name".to_owned(),
            Value::from(model.as_str()),
        ));
    }
    let mut infos = Vec::new();
    for p in &pairs {
        infos.push(TensorInfo::new(
            format!("{}.lora_a", p.name),
            &p.a_shape,
            ty.ggml(),
        ));
        infos.push(TensorInfo::new(
            format!("{}.lora_b", p.name),
            &p.b_shape,
            ty.ggml(),
        ));
    }
    let task = reporter.task("writing the adapter GGUF", Some(pairs.len() as u64));
    let mut writer = GgufWriter::create(out, &metadata, infos)?;
    for p in &pairs {
        writer.write_tensor(&format!("{}.lora_a", p.name), &encode(&p.a, ty.ggml()))?;
        writer.write_tensor(&format!("{}.lora_b", p.name), &encode(&p.b, ty.ggml()))?;
        task.advance(1);
    }
    task.finish();
    let bytes = writer.finish()?;
    Ok(AdapterGgufReport {
        path: out.to_path_buf(),
        architecture: arch.name.to_owned(),
        tensor_type: ty,
        pairs: pairs.len(),
        alpha,
        rescaled,
        bytes,
    })
}
