//! A PEFT LoRA adapter as saved by `save_pretrained`: `adapter_config.json` and
//! `adapter_model.safetensors`, read into the pairs a merge needs and the scale of each.
//!
//! What cannot be merged exactly is refused here, with the reason: DoRA (its magnitude
//! vector rescales the merged weight per column, which a plain `W + s·B·A` does not do),
//! `modules_to_save` (whole trained copies of modules, not low-rank updates), LoRA biases,
//! and embedding adapters.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::ExportError;

/// The adapter's weights file, as PEFT names it.
pub const ADAPTER_WEIGHTS: &str = "adapter_model.safetensors";
pub const ADAPTER_CONFIG: &str = "adapter_config.json";
/// The prefix PEFT gives every key: the wrapped model's own names follow it.
const PEFT_PREFIX: &str = "base_model.model.";

/// The settings of `adapter_config.json` a merge depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraConfig {
    pub r: u32,
    pub alpha: f64,
    /// rsLoRA: the scale is `alpha / √r` instead of `alpha / r`.
    pub use_rslora: bool,
    /// Module-name patterns (PEFT's regexes) with their own rank, in file order.
    pub rank_pattern: Vec<(String, u32)>,
    pub alpha_pattern: Vec<(String, f64)>,
    pub base_model: Option<String>,
}

/// One adapted module: where its base weight is and what to add to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoraPair {
    /// The module's name in the model (`model.layers.0.self_attn.q_proj`).
    pub module: String,
    /// The adapter's `lora_A` key (`[r, in]`) and `lora_B` key (`[out, r]`).
    pub a_key: String,
    pub b_key: String,
    pub rank: u32,
    /// `alpha / r`, or `alpha / √r` with rsLoRA, with the module's patterns applied.
    pub scale: f64,
}

impl LoraPair {
    /// The base weight this pair updates.
    pub fn base_key(&self) -> String {
        format!("{}.weight", self.module)
    }
}

/// An adapter directory, read.
#[derive(Debug, Clone)]
pub struct Adapter {
    pub dir: PathBuf,
    pub config: LoraConfig,
    /// By module name.
    pub pairs: BTreeMap<String, LoraPair>,
}

fn bad(path: &Path, message: impl Into<String>) -> ExportError {
    ExportError::Adapter {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// PEFT's pattern match (`get_pattern_key`): the first pattern `p` for which the module name
/// matches `(.*\.)?(p)$` from its start.
fn pattern_value<T: Copy>(
    patterns: &[(String, T)],
    module: &str,
    path: &Path,
) -> Result<Option<T>, ExportError> {
    for (pattern, value) in patterns {
        let re = Regex::new(&format!(r"^(?:.*\.)?(?:{pattern})$"))
            .map_err(|e| bad(path, format!("the pattern `{pattern}` is not a regex: {e}")))?;
        if re.is_match(module) {
            return Ok(Some(*value));
        }
    }
    Ok(None)
}

impl LoraConfig {
    /// Reads `adapter_config.json`, refusing what a merge cannot reproduce exactly.
    pub fn read(path: &Path) -> Result<Self, ExportError> {
        let bytes = std::fs::read(path).map_err(|e| ExportError::io("cannot read", path, e))?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| bad(path, format!("not JSON: {e}")))?;
        let peft_type = v["peft_type"].as_str().unwrap_or("LORA");
        if peft_type != "LORA" {
            return Err(bad(
                path,
                format!("a {peft_type} adapter; only LoRA adapters can be merged"),
            ));
        }
        if v["use_dora"].as_bool() == Some(true) {
            return Err(bad(
                path,
                "a DoRA adapter: its magnitude vector rescales each merged column, which an exact LoRA merge does not do\n  hint: train without use_dora, or merge with PEFT's merge_and_unload",
            ));
        }
        match &v["modules_to_save"] {
            Value::Null => {}
            Value::Array(a) if a.is_empty() => {}
            other => {
                return Err(bad(
                    path,
                    format!(
                        "modules_to_save ({other}) holds whole trained modules, not low-rank updates: a merge would silently drop them\n  hint: train without modules_to_save"
                    ),
                ));
            }
        }
        if let Some(bias) = v["bias"].as_str()
            && bias != "none"
        {
            return Err(bad(
                path,
                format!(
                    "bias = \"{bias}\": trained biases are not part of a LoRA merge\n  hint: train with bias = \"none\""
                ),
            ));
        }
        if v["lora_bias"].as_bool() == Some(true) {
            return Err(bad(
                path,
                "lora_bias = true: the adapter trains a bias on lora_B, which this merge does not add\n  hint: train without lora_bias",
            ));
        }
        if v["fan_in_fan_out"].as_bool() == Some(true) {
            return Err(bad(
                path,
                "fan_in_fan_out = true (GPT-2 style Conv1D weights stored transposed) is not supported",
            ));
        }
        if !v["layer_replication"].is_null() {
            return Err(bad(
                path,
                "layer_replication changes the model's layers; it cannot be merged into the base's files",
            ));
        }
        let r = v["r"]
            .as_u64()
            .filter(|r| *r > 0)
            .ok_or_else(|| bad(path, "no positive `r`"))? as u32;
        let alpha = v["lora_alpha"]
            .as_f64()
            .ok_or_else(|| bad(path, "no `lora_alpha`"))?;
        let pattern = |key: &str| -> Result<Vec<(String, f64)>, ExportError> {
            match &v[key] {
                Value::Null => Ok(Vec::new()),
                Value::Object(map) => map
                    .iter()
                    .map(|(k, n)| {
                        n.as_f64()
                            .map(|n| (k.clone(), n))
                            .ok_or_else(|| bad(path, format!("{key}[{k}] is not a number")))
                    })
                    .collect(),
                _ => Err(bad(path, format!("`{key}` is not an object"))),
            }
        };
        let rank_pattern = pattern("rank_pattern")?
            .into_iter()
            .map(|(k, n)| (k, n as u32))
            .collect();
        Ok(Self {
            r,
            alpha,
            use_rslora: v["use_rslora"].as_bool().unwrap_or(false),
            rank_pattern,
            alpha_pattern: pattern("alpha_pattern")?,
            base_model: v["base_model_name_or_path"].as_str().map(String::from),
        })
    }

    /// The rank and scale of `module`.
    pub fn rank_and_scale(&self, module: &str, path: &Path) -> Result<(u32, f64), ExportError> {
        let rank = pattern_value(&self.rank_pattern, module, path)?.unwrap_or(self.r);
        let alpha = pattern_value(&self.alpha_pattern, module, path)?.unwrap_or(self.alpha);
        let scale = if self.use_rslora {
            alpha / f64::from(rank).sqrt()
        } else {
            alpha / f64::from(rank)
        };
        Ok((rank, scale))
    }
}

impl Adapter {
    /// Reads an adapter directory: its config and the names and shapes of its weights.
    pub fn read(dir: &Path) -> Result<Self, ExportError> {
        let config_path = dir.join(ADAPTER_CONFIG);
        let config = LoraConfig::read(&config_path)?;
        let weights = dir.join(ADAPTER_WEIGHTS);
        let file = crate::merge::MappedFile::open(&weights)?;
        let tensors = file.tensors()?;
        let mut halves: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
        for name in tensors.names() {
            let Some(rest) = name.strip_prefix(PEFT_PREFIX) else {
                return Err(bad(
                    &weights,
                    format!("`{name}` is not a PEFT adapter key (no `{PEFT_PREFIX}` prefix)"),
                ));
            };
            if rest.contains("lora_embedding_") {
                return Err(bad(
                    &weights,
                    format!(
                        "`{name}`: embedding adapters are not merged here\n  hint: train LoRA on linear layers only"
                    ),
                ));
            }
            if rest.contains("lora_magnitude_vector") {
                return Err(bad(
                    &weights,
                    format!(
                        "`{name}`: a DoRA magnitude vector; DoRA adapters cannot be merged exactly"
                    ),
                ));
            }
            let (module, which) = if let Some(m) = rest.strip_suffix(".lora_A.weight") {
                (m, 0)
            } else if let Some(m) = rest.strip_suffix(".lora_B.weight") {
                (m, 1)
            } else {
                return Err(bad(
                    &weights,
                    format!(
                        "`{name}` is neither a lora_A nor a lora_B weight: this adapter trains something a merge would drop"
                    ),
                ));
            };
            let entry = halves.entry(module.to_owned()).or_default();
            if which == 0 {
                entry.0 = Some(name.to_string());
            } else {
                entry.1 = Some(name.to_string());
            }
        }
        let mut pairs = BTreeMap::new();
        for (module, (a, b)) in halves {
            let (Some(a_key), Some(b_key)) = (a, b) else {
                return Err(bad(
                    &weights,
                    format!("`{module}` has only one of lora_A and lora_B"),
                ));
            };
            let (rank, scale) = config.rank_and_scale(&module, &config_path)?;
            let a_shape = tensors
                .tensor(&a_key)
                .map_err(|e| bad(&weights, e.to_string()))?
                .shape()
                .to_vec();
            let b_shape = tensors
                .tensor(&b_key)
                .map_err(|e| bad(&weights, e.to_string()))?
                .shape()
                .to_vec();
            if a_shape.len() != 2
                || b_shape.len() != 2
                || a_shape[0] != b_shape[1]
                || a_shape[0] != rank as usize
            {
                return Err(bad(
                    &weights,
                    format!(
                        "`{module}`: lora_A {a_shape:?} and lora_B {b_shape:?} do not make a rank-{rank} update"
                    ),
                ));
            }
            pairs.insert(
                module.clone(),
                LoraPair {
                    module,
                    a_key,
                    b_key,
                    rank,
                    scale,
                },
            );
        }
        if pairs.is_empty() {
            return Err(bad(&weights, "no LoRA weights"));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            config,
            pairs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Result<LoraConfig, ExportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ADAPTER_CONFIG);
        std::fs::write(
            &path,
            format!(r#"{{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "bias": "none"{extra}}}"#),
        )
        .unwrap();
        LoraConfig::read(&path)
    }

    #[test]
    fn scales_follow_alpha_over_r_rslora_and_the_patterns() {
        let path = Path::new("adapter_config.json");
        let plain = config("").unwrap();
        assert_eq!(
            plain
                .rank_and_scale("model.layers.0.self_attn.q_proj", path)
                .unwrap(),
            (8, 2.0)
        );
        let rs = config(r#", "use_rslora": true"#).unwrap();
        let (_, scale) = rs
            .rank_and_scale("model.layers.0.self_attn.q_proj", path)
            .unwrap();
        assert!((scale - 16.0 / 8f64.sqrt()).abs() < 1e-12);
        // PEFT matches `(.*\.)?(pattern)$` from the start of the module name.
        let patterned = config(
            r#", "rank_pattern": {"v_proj": 4, "layers.1.self_attn.q_proj": 2}, "alpha_pattern": {"model.layers.0.self_attn.v_proj": 32}"#,
        )
        .unwrap();
        assert_eq!(
            patterned
                .rank_and_scale("model.layers.0.self_attn.v_proj", path)
                .unwrap(),
            (4, 8.0)
        );
        assert_eq!(
            patterned
                .rank_and_scale("model.layers.1.self_attn.v_proj", path)
                .unwrap(),
            (4, 4.0)
        );
        assert_eq!(
            patterned
                .rank_and_scale("model.layers.1.self_attn.q_proj", path)
                .unwrap(),
            (2, 8.0)
        );
        assert_eq!(
            patterned
                .rank_and_scale("model.layers.0.self_attn.q_proj", path)
                .unwrap(),
            (8, 2.0)
        );
        // `v_proj` does not match `xv_proj`: the pattern must follow a dot or the start.
        assert_eq!(
            patterned
                .rank_and_scale("model.layers.0.mlp.xv_proj", path)
                .unwrap(),
            (8, 2.0)
        );
    }

    #[test]
    fn what_cannot_be_merged_exactly_is_refused_with_the_reason() {
        let err = config(r#", "use_dora": true"#).unwrap_err().to_string();
        assert!(err.contains("DoRA"), "{err}");
        let err = config(r#", "modules_to_save": ["lm_head"]"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("modules_to_save") && err.contains("lm_head"),
            "{err}"
        );
        let err = config(r#", "bias": "lora_only""#).unwrap_err().to_string();
        assert!(err.contains("bias"), "{err}");
        assert!(config(r#", "modules_to_save": null"#).is_ok());
    }
}
