//! Whether vLLM will apply an adapter as PEFT does, checked before a user finds out from
//! outputs that did not change: vLLM loads a PEFT adapter directory as it is
//! (`--lora-modules name=DIR`), but it supports fewer LoRA variants than PEFT, applies one
//! scale to every module, and ignores modules it cannot map onto its model.
//!
//! Refused, with the reason: ranks above vLLM's largest `--max-lora-rank` (512); modules
//! whose PEFT scale differs from the adapter's single `lora_alpha / r` (rank and alpha
//! patterns), which vLLM would apply with the wrong strength; `lm_head` and vision-tower
//! targets; and modules the base does not have, such as an adapter trained on a text-only
//! model (`model.layers.…`) meant for a `…ForConditionalGeneration` base
//! (`model.language_model.layers.…`), which vLLM loads and silently leaves unapplied.
//! DoRA, `modules_to_save` and biases were refused when the adapter was read.

use std::path::Path;

use serde::Serialize;

use crate::ExportError;
use crate::adapter::Adapter;
use crate::merge::{checkpoint_names, read_shards};

/// The values vLLM accepts for `--max-lora-rank`.
pub const MAX_LORA_RANKS: [u32; 9] = [1, 8, 16, 32, 64, 128, 256, 320, 512];

/// How to serve the adapter with vLLM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VllmPlan {
    /// The smallest `--max-lora-rank` that holds the adapter's largest rank.
    pub max_lora_rank: u32,
    pub modules: usize,
    pub scale: f64,
}

/// Checks `adapter` against the model in `base` for vLLM.
pub fn check(base: &Path, adapter: &Adapter) -> Result<VllmPlan, ExportError> {
    let bad = |message: String| ExportError::Adapter {
        path: adapter.dir.clone(),
        message: format!(
            "{message}\n  hint: export a merged model (`--format merged`) and serve that with vLLM instead"
        ),
    };
    let config = &adapter.config;
    let scale = if config.use_rslora {
        config.alpha / f64::from(config.r).sqrt()
    } else {
        config.alpha / f64::from(config.r)
    };
    let highest = adapter
        .pairs
        .values()
        .map(|p| p.rank)
        .max()
        .unwrap_or(config.r);
    let max_lora_rank = MAX_LORA_RANKS
        .into_iter()
        .find(|&r| r >= highest)
        .ok_or_else(|| {
            bad(format!(
                "rank {highest} is above vLLM's largest --max-lora-rank (512)"
            ))
        })?;
    let rescaled: Vec<&str> = adapter
        .pairs
        .values()
        .filter(|p| (p.scale - scale).abs() > 1e-9 * scale.abs().max(1.0))
        .map(|p| p.module.as_str())
        .collect();
    if let Some(first) = rescaled.first() {
        return Err(bad(format!(
            "{} module(s) (first: `{first}`) have their own scale from rank_pattern/alpha_pattern, but vLLM applies lora_alpha/r = {scale} to every module",
            rescaled.len()
        )));
    }
    let names = read_shards(base)?.weight_names(base)?;
    let conditional = std::fs::read(base.join("config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|c| c["architectures"][0].as_str().map(str::to_owned))
        .is_some_and(|c| c.ends_with("ForConditionalGeneration"));
    for pair in adapter.pairs.values() {
        let module = &pair.module;
        if module == "lm_head" || module.ends_with(".lm_head") {
            return Err(bad(format!(
                "the adapter trains `{module}` (the output head), which vLLM does not apply"
            )));
        }
        if module.contains("vision_tower") || module.contains("multi_modal_projector") {
            return Err(bad(format!(
                "the adapter trains `{module}` in the vision tower, which vLLM does not apply"
            )));
        }
        if !checkpoint_names(&pair.base_key())
            .iter()
            .any(|n| names.contains(n))
        {
            let hint = if conditional && module.starts_with("model.layers.") {
                " (an adapter trained on the text-only model: this multimodal base keeps its text layers under model.language_model, so vLLM would load the adapter and apply none of it)"
            } else {
                ""
            };
            return Err(bad(format!(
                "`{module}` is not a module of {}{hint}",
                base.display()
            )));
        }
    }
    Ok(VllmPlan {
        max_lora_rank,
        modules: adapter.pairs.len(),
        scale,
    })
}
