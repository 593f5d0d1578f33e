//! How a Hugging Face checkpoint becomes llama.cpp's: the architecture name, its
//! hyperparameters under `<arch>.*`, and each weight's GGUF name.
//!
//! Supported: `Qwen2ForCausalLM` (`qwen2`), `LlamaForCausalLM` and `MistralForCausalLM`
//! (`llama`), `Ministral3ForCausalLM` and the text model of `Mistral3ForConditionalGeneration`
//! (`mistral3`; the vision tower is left out, as llama.cpp loads it from a separate
//! projector file). The Llama family's q and k weights are stored by transformers with the
//! rotary halves split (`rotate_half`), while llama.cpp rotates interleaved pairs, so their
//! rows are permuted on the way ([`permute_rows`]); Qwen2 uses llama.cpp's NEOX rotation and
//! keeps its layout.

use std::path::Path;

use serde_json::Value as Json;

use super::format::Value;
use crate::ExportError;

/// A supported architecture and the hyperparameters its export needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Architecture {
    /// `general.architecture`.
    pub name: &'static str,
    /// The Hugging Face class, for messages.
    pub hf_class: String,
    /// The text model's config (`text_config` of a multimodal checkpoint).
    pub text: Json,
    pub n_head: usize,
    pub n_head_kv: usize,
    pub vocab_size: usize,
    /// Whether q/k rows are permuted from the Hugging Face layout.
    pub permute_qk: bool,
}

/// The checkpoint classes this export knows, and llama.cpp's name for each.
const CLASSES: &[(&str, &str)] = &[
    ("Qwen2ForCausalLM", "qwen2"),
    ("LlamaForCausalLM", "llama"),
    ("MistralForCausalLM", "llama"),
    ("Ministral3ForCausalLM", "mistral3"),
    ("Mistral3ForConditionalGeneration", "mistral3"),
];

impl Architecture {
    /// Reads `config.json` of the model in `dir`.
    pub fn of_model(dir: &Path) -> Result<Self, ExportError> {
        let path = dir.join("config.json");
        let bytes = std::fs::read(&path).map_err(|e| ExportError::io("cannot read", &path, e))?;
        let config: Json = serde_json::from_slice(&bytes).map_err(|e| ExportError::Weights {
            path: path.clone(),
            message: format!("not valid JSON: {e}"),
        })?;
        Self::from_config(&config).map_err(|message| ExportError::Weights { path, message })
    }

    pub fn from_config(config: &Json) -> Result<Self, String> {
        let hf_class = config["architectures"][0]
            .as_str()
            .ok_or("no `architectures` entry: not a transformers model config")?
            .to_owned();
        let Some(&(_, name)) = CLASSES.iter().find(|(c, _)| *c == hf_class) else {
            return Err(format!(
                "{hf_class} is not exported to GGUF; supported: {}",
                CLASSES
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let text = match config.get("text_config") {
            Some(t) if t.is_object() => t.clone(),
            _ => config.clone(),
        };
        if name == "mistral3" && text["model_type"].as_str() != Some("ministral3") {
            return Err(format!(
                "{hf_class} with a `{}` text model: only Ministral 3 text models are exported",
                text["model_type"].as_str().unwrap_or("unknown")
            ));
        }
        let int = |key: &str| {
            text[key]
                .as_u64()
                .map(|v| v as usize)
                .ok_or_else(|| format!("no `{key}` in the model config"))
        };
        let n_head = int("num_attention_heads")?;
        let n_head_kv = text["num_key_value_heads"]
            .as_u64()
            .map_or(n_head, |v| v as usize);
        Ok(Self {
            name,
            hf_class,
            n_head,
            n_head_kv,
            vocab_size: int("vocab_size")?,
            permute_qk: name != "qwen2",
            text,
        })
    }

    /// The `<arch>.*` hyperparameters, as convert_hf_to_gguf writes them.
    pub fn hyperparameters(&self) -> Result<Vec<(String, Value)>, String> {
        let t = &self.text;
        let key = |k: &str| format!("{}.{k}", self.name);
        let uint = |k: &str| {
            t[k].as_u64()
                .map(|v| Value::U32(v as u32))
                .ok_or_else(|| format!("no `{k}` in the model config"))
        };
        let mut out = vec![
            (key("block_count"), uint("num_hidden_layers")?),
            (key("context_length"), uint("max_position_embeddings")?),
            (key("embedding_length"), uint("hidden_size")?),
            (key("feed_forward_length"), uint("intermediate_size")?),
            (key("attention.head_count"), Value::U32(self.n_head as u32)),
            (
                key("attention.head_count_kv"),
                Value::U32(self.n_head_kv as u32),
            ),
        ];
        // transformers 5 keeps rope settings under `rope_parameters`, 4 beside the others.
        let rope = match t.get("rope_parameters").or_else(|| t.get("rope_scaling")) {
            Some(r) if r.is_object() => r.clone(),
            _ => Json::Null,
        };
        let rope_type = rope["rope_type"].as_str().or(rope["type"].as_str());
        let factor = rope["factor"].as_f64();
        match (rope_type, factor) {
            (Some("linear"), Some(f)) => {
                out.push((key("rope.scaling.type"), Value::from("linear")));
                out.push((key("rope.scaling.factor"), Value::F32(f as f32)));
            }
            (Some("yarn"), Some(f)) => {
                out.push((key("rope.scaling.type"), Value::from("yarn")));
                out.push((key("rope.scaling.factor"), Value::F32(f as f32)));
                let original = rope["original_max_position_embeddings"]
                    .as_u64()
                    .or(t["original_max_position_embeddings"].as_u64())
                    .ok_or("yarn rope scaling without `original_max_position_embeddings`")?;
                out.push((
                    key("rope.scaling.original_context_length"),
                    Value::U32(original as u32),
                ));
                for (hf, gguf) in [
                    ("extrapolation_factor", "rope.scaling.yarn_ext_factor"),
                    ("attention_factor", "rope.scaling.yarn_attn_factor"),
                    ("beta_fast", "rope.scaling.yarn_beta_fast"),
                    ("beta_slow", "rope.scaling.yarn_beta_slow"),
                ] {
                    if let Some(v) = rope[hf].as_f64() {
                        out.push((key(gguf), Value::F32(v as f32)));
                    }
                }
            }
            (None | Some("default"), _) => {}
            (Some(other), _) => {
                return Err(format!("rope scaling `{other}` is not exported to GGUF"));
            }
        }
        if let Some(theta) = rope["rope_theta"].as_f64().or(t["rope_theta"].as_f64()) {
            out.push((key("rope.freq_base"), Value::F32(theta as f32)));
        }
        let eps = t["rms_norm_eps"]
            .as_f64()
            .ok_or("no `rms_norm_eps` in the model config")?;
        out.push((
            key("attention.layer_norm_rms_epsilon"),
            Value::F32(eps as f32),
        ));
        if let Some(head_dim) = t["head_dim"].as_u64() {
            out.push((key("attention.key_length"), Value::U32(head_dim as u32)));
            out.push((key("attention.value_length"), Value::U32(head_dim as u32)));
        }
        if self.name != "qwen2" {
            out.push((key("vocab_size"), Value::U32(self.vocab_size as u32)));
            let hidden = t["hidden_size"].as_u64().unwrap_or(0) as usize;
            let rope_dim = t["head_dim"]
                .as_u64()
                .map_or(hidden / self.n_head.max(1), |v| v as usize);
            out.push((key("rope.dimension_count"), Value::U32(rope_dim as u32)));
        }
        if self.name == "mistral3" && rope_type == Some("yarn") {
            let mscale = rope["mscale_all_dim"]
                .as_f64()
                .ok_or("Ministral 3 yarn scaling without `mscale_all_dim`")?;
            let beta = rope["llama_4_scaling_beta"]
                .as_f64()
                .ok_or("Ministral 3 yarn scaling without `llama_4_scaling_beta`")?;
            out.push((
                key("rope.scaling.yarn_log_multiplier"),
                Value::F32(mscale as f32),
            ));
            out.push((key("attention.temperature_scale"), Value::F32(beta as f32)));
        }
        Ok(out)
    }

    /// The GGUF name of checkpoint tensor `name`, `Ok(None)` for tensors llama.cpp does not
    /// load from this file (the vision tower and projector, rotary caches), or an error for
    /// a tensor of the text model this export does not know.
    pub fn gguf_name(&self, name: &str) -> Result<Option<String>, String> {
        let skipped = [
            "vision_tower.",
            "multi_modal_projector.",
            "model.vision_tower.",
            "model.multi_modal_projector.",
        ];
        if skipped.iter().any(|p| name.starts_with(p)) || name.ends_with("rotary_emb.inv_freq") {
            return Ok(None);
        }
        if matches!(name, "lm_head.weight" | "language_model.lm_head.weight") {
            return Ok(Some("output.weight".into()));
        }
        let rest = ["model.language_model.", "language_model.model.", "model."]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .ok_or_else(|| unknown(name))?;
        let fixed = match rest {
            "embed_tokens.weight" => Some("token_embd.weight"),
            "norm.weight" => Some("output_norm.weight"),
            _ => None,
        };
        if let Some(f) = fixed {
            return Ok(Some(f.into()));
        }
        let layer = rest.strip_prefix("layers.").ok_or_else(|| unknown(name))?;
        let (n, part) = layer.split_once('.').ok_or_else(|| unknown(name))?;
        let n: usize = n.parse().map_err(|_| unknown(name))?;
        let (module, kind) = part.rsplit_once('.').ok_or_else(|| unknown(name))?;
        let target = match module {
            "input_layernorm" => "attn_norm",
            "post_attention_layernorm" => "ffn_norm",
            "self_attn.q_proj" => "attn_q",
            "self_attn.k_proj" => "attn_k",
            "self_attn.v_proj" => "attn_v",
            "self_attn.o_proj" => "attn_output",
            "mlp.gate_proj" => "ffn_gate",
            "mlp.up_proj" => "ffn_up",
            "mlp.down_proj" => "ffn_down",
            _ => return Err(unknown(name)),
        };
        if !matches!(kind, "weight" | "bias") {
            return Err(unknown(name));
        }
        Ok(Some(format!("blk.{n}.{target}.{kind}")))
    }

    /// The heads whose rows a tensor's rotary permutation groups: q's heads for `attn_q`,
    /// the key/value heads for `attn_k`; `None` for every other tensor or when the
    /// architecture keeps the Hugging Face layout.
    pub fn permutation_heads(&self, gguf_name: &str) -> Option<usize> {
        if !self.permute_qk {
            return None;
        }
        let module = gguf_name.rsplit('.').nth(1)?;
        match module {
            "attn_q" => Some(self.n_head),
            "attn_k" => Some(self.n_head_kv),
            _ => None,
        }
    }
}

fn unknown(name: &str) -> String {
    format!(
        "`{name}` is not a tensor of the supported text models; the checkpoint has parts this export does not know"
    )
}

/// Reorders the rows of a `[rows, cols]` matrix (or a `[rows]` vector, `cols` = 1) from the
/// Hugging Face rotary layout to llama.cpp's: within each of `heads` heads, rows
/// `0..d/2` and `d/2..d` are interleaved (`x0, x(d/2), x1, x(d/2+1), …`).
pub fn permute_rows(values: &[f32], rows: usize, heads: usize) -> Result<Vec<f32>, String> {
    if heads == 0 || !rows.is_multiple_of(heads * 2) || !values.len().is_multiple_of(rows) {
        return Err(format!(
            "cannot permute {rows} rows into {heads} rotary heads: the config's head counts do not fit the weight"
        ));
    }
    let cols = values.len() / rows;
    let head_dim = rows / heads;
    let half = head_dim / 2;
    let mut out = Vec::with_capacity(values.len());
    for h in 0..heads {
        for i in 0..half {
            for j in 0..2 {
                let src = h * head_dim + j * half + i;
                out.extend_from_slice(&values[src * cols..(src + 1) * cols]);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qwen2() -> Json {
        serde_json::json!({
            "architectures": ["Qwen2ForCausalLM"], "num_attention_heads": 4, "num_key_value_heads": 2,
            "vocab_size": 100, "num_hidden_layers": 2, "max_position_embeddings": 4096, "hidden_size": 64,
            "intermediate_size": 128, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0
        })
    }

    #[test]
    fn qwen2_names_and_hyperparameters_match_llama_cpp() {
        let arch = Architecture::from_config(&qwen2()).unwrap();
        assert_eq!(arch.name, "qwen2");
        assert!(!arch.permute_qk);
        let name = |n: &str| arch.gguf_name(n).unwrap();
        assert_eq!(
            name("model.embed_tokens.weight").as_deref(),
            Some("token_embd.weight")
        );
        assert_eq!(
            name("model.layers.1.self_attn.k_proj.bias").as_deref(),
            Some("blk.1.attn_k.bias")
        );
        assert_eq!(
            name("model.layers.0.mlp.down_proj.weight").as_deref(),
            Some("blk.0.ffn_down.weight")
        );
        assert_eq!(name("lm_head.weight").as_deref(), Some("output.weight"));
        assert!(arch.gguf_name("model.layers.0.mlp.experts.weight").is_err());
        let hp: std::collections::BTreeMap<_, _> =
            arch.hyperparameters().unwrap().into_iter().collect();
        assert_eq!(hp["qwen2.attention.head_count_kv"], Value::U32(2));
        assert_eq!(hp["qwen2.rope.freq_base"], Value::F32(1_000_000.0));
        assert!(!hp.contains_key("qwen2.rope.dimension_count"));
    }

    #[test]
    fn mistral3_skips_the_vision_tower_and_permutes_k_by_kv_heads() {
        let mut config = serde_json::json!({"architectures": ["Mistral3ForConditionalGeneration"]});
        let mut text = qwen2();
        text["model_type"] = "ministral3".into();
        config["text_config"] = text;
        let arch = Architecture::from_config(&config).unwrap();
        assert_eq!(arch.name, "mistral3");
        assert_eq!(
            arch.gguf_name("vision_tower.transformer.x.weight").unwrap(),
            None
        );
        assert_eq!(
            arch.gguf_name("language_model.model.layers.0.self_attn.q_proj.weight")
                .unwrap()
                .as_deref(),
            Some("blk.0.attn_q.weight")
        );
        assert_eq!(arch.permutation_heads("blk.0.attn_q.weight"), Some(4));
        assert_eq!(arch.permutation_heads("blk.0.attn_k.weight"), Some(2));
        assert_eq!(arch.permutation_heads("blk.0.attn_v.weight"), None);
    }

    #[test]
    fn rows_are_interleaved_per_head() {
        // 2 heads of 4 rows, 1 column: [0 1 2 3 | 4 5 6 7] → [0 2 1 3 | 4 6 5 7].
        let rows: Vec<f32> = (0..8).map(|v| v as f32).collect();
        assert_eq!(
            permute_rows(&rows, 8, 2).unwrap(),
            vec![0., 2., 1., 3., 4., 6., 5., 7.]
        );
        assert!(permute_rows(&rows, 8, 3).is_err());
    }

    #[test]
    fn an_unsupported_class_names_the_supported_ones() {
        let e =
            Architecture::from_config(&serde_json::json!({"architectures": ["GPT2LMHeadModel"]}))
                .unwrap_err();
        assert!(
            e.contains("GPT2LMHeadModel is not exported") && e.contains("Qwen2ForCausalLM"),
            "{e}"
        );
    }
}
