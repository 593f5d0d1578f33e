//! The models tuneforge knows by name. Any local model directory works too;
//! these entries add what a directory cannot say: the Hugging Face repo and default
//! revision, where the chat template lives, the end-of-turn and pad tokens, the LoRA
//! targets, and architecture numbers for VRAM estimates before anything is downloaded.

use serde::Serialize;

/// Where a model's chat template is stored in its repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateSource {
    /// The `chat_template` field of `tokenizer_config.json` (transformers 4 style).
    TokenizerConfig,
    /// A `chat_template.jinja` file (transformers 5 saves it there).
    ChatTemplateJinja,
}

/// The numbers a VRAM estimate needs, as in the model's `config.json` (for a multimodal
/// model, its text config).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Architecture {
    pub hidden_size: u64,
    pub intermediate_size: u64,
    pub num_hidden_layers: u64,
    pub num_attention_heads: u64,
    pub num_key_value_heads: u64,
    pub head_dim: u64,
    pub vocab_size: u64,
    pub tie_word_embeddings: bool,
    /// Parameters outside the text decoder (a vision tower and its projector), kept in
    /// 16 bits and never trained.
    pub extra_params: u64,
}

impl Architecture {
    fn q_out(&self) -> u64 {
        self.num_attention_heads * self.head_dim
    }

    fn kv_out(&self) -> u64 {
        self.num_key_value_heads * self.head_dim
    }

    /// `(in, out)` features of a linear layer in one decoder layer, by its module name.
    pub fn linear_shape(&self, module: &str) -> Option<(u64, u64)> {
        let (h, i) = (self.hidden_size, self.intermediate_size);
        Some(match module {
            "q_proj" => (h, self.q_out()),
            "k_proj" | "v_proj" => (h, self.kv_out()),
            "o_proj" => (self.q_out(), h),
            "gate_proj" | "up_proj" => (h, i),
            "down_proj" => (i, h),
            _ => return None,
        })
    }

    /// Parameters of the decoder layers' linear layers (what 4-bit quantizes).
    pub fn linear_params(&self) -> u64 {
        let per_layer: u64 = [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ]
        .iter()
        .filter_map(|m| self.linear_shape(m))
        .map(|(i, o)| i * o)
        .sum();
        per_layer * self.num_hidden_layers
    }

    /// Input embeddings plus the LM head (once when tied).
    pub fn embedding_params(&self) -> u64 {
        let one = self.vocab_size * self.hidden_size;
        if self.tie_word_embeddings {
            one
        } else {
            2 * one
        }
    }

    /// Every parameter, approximately (norms and biases are left out: under 0.1 %).
    pub fn total_params(&self) -> u64 {
        self.linear_params() + self.embedding_params() + self.extra_params
    }

    /// Trainable parameters of a LoRA of rank `r` on `targets`.
    pub fn lora_params(&self, r: u64, targets: &[&str]) -> u64 {
        let per_layer: u64 = targets
            .iter()
            .filter_map(|m| self.linear_shape(m))
            .map(|(i, o)| r * (i + o))
            .sum();
        per_layer * self.num_hidden_layers
    }
}

/// A model tuneforge knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ModelEntry {
    pub name: &'static str,
    pub repo_id: &'static str,
    /// A branch, tag or commit; the commit it resolves to is recorded in every run.
    pub revision: &'static str,
    pub template_source: TemplateSource,
    pub eos_token: &'static str,
    pub pad_token: &'static str,
    /// Default LoRA target modules (projection names inside the decoder layers).
    pub lora_targets: &'static [&'static str],
    /// Where the text decoder sits in a multimodal model; LoRA stays inside it.
    pub language_model_prefix: Option<&'static str>,
    pub architecture: Architecture,
}

const QKVO: &[&str] = &["q_proj", "k_proj", "v_proj", "o_proj"];

const QWEN25_7B: Architecture = Architecture {
    hidden_size: 3584,
    intermediate_size: 18944,
    num_hidden_layers: 28,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    head_dim: 128,
    vocab_size: 152_064,
    tie_word_embeddings: false,
    extra_params: 0,
};

const fn qwen25(
    name: &'static str,
    repo_id: &'static str,
    architecture: Architecture,
) -> ModelEntry {
    ModelEntry {
        name,
        repo_id,
        revision: "main",
        template_source: TemplateSource::TokenizerConfig,
        eos_token: "<|im_end|>",
        pad_token: "<|endoftext|>",
        lora_targets: QKVO,
        language_model_prefix: None,
        architecture,
    }
}

/// Every named model.
pub const MODELS: &[ModelEntry] = &[
    qwen25(
        "qwen2.5-coder-7b-instruct",
        "Qwen/Qwen2.5-Coder-7B-Instruct",
        QWEN25_7B,
    ),
    qwen25("qwen2.5-coder-7b", "Qwen/Qwen2.5-Coder-7B", QWEN25_7B),
    qwen25("qwen2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", QWEN25_7B),
    qwen25(
        "qwen2.5-14b-instruct",
        "Qwen/Qwen2.5-14B-Instruct",
        Architecture {
            hidden_size: 5120,
            intermediate_size: 13824,
            num_hidden_layers: 48,
            num_attention_heads: 40,
            num_key_value_heads: 8,
            head_dim: 128,
            vocab_size: 152_064,
            tie_word_embeddings: false,
            extra_params: 0,
        },
    ),
    // The BF16 checkpoint: the FP8 Instruct release cannot be loaded in 4 bits. The text
    // model is `Ministral3` under `model.language_model`; a Pixtral vision tower
    // (~0.4 B parameters) sits beside it and LoRA must not touch it.
    ModelEntry {
        name: "ministral-3-8b",
        repo_id: "mistralai/Ministral-3-8B-Instruct-2512-BF16",
        revision: "main",
        template_source: TemplateSource::ChatTemplateJinja,
        eos_token: "</s>",
        pad_token: "<pad>",
        lora_targets: QKVO,
        language_model_prefix: Some("model.language_model"),
        architecture: Architecture {
            hidden_size: 4096,
            intermediate_size: 14336,
            num_hidden_layers: 34,
            num_attention_heads: 32,
            num_key_value_heads: 8,
            head_dim: 128,
            vocab_size: 131_072,
            tie_word_embeddings: false,
            extra_params: 420_000_000,
        },
    },
];

/// The entry named `name`, if any.
pub fn find(name: &str) -> Option<&'static ModelEntry> {
    MODELS.iter().find(|m| m.name == name)
}

/// The names, for error messages and `--help`.
pub fn names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_counts_match_the_published_sizes() {
        // Qwen2.5-7B: 7.61 B parameters (model card); 14B: 14.7 B.
        let seven = find("qwen2.5-7b-instruct")
            .unwrap()
            .architecture
            .total_params();
        assert!((7.55e9..7.65e9).contains(&(seven as f64)), "{seven}");
        let fourteen = find("qwen2.5-14b-instruct")
            .unwrap()
            .architecture
            .total_params();
        assert!((14.6e9..14.8e9).contains(&(fourteen as f64)), "{fourteen}");
        let ministral = find("ministral-3-8b").unwrap().architecture.total_params();
        assert!((8.0e9..9.5e9).contains(&(ministral as f64)), "{ministral}");
    }

    #[test]
    fn lora_parameters_follow_the_projection_shapes() {
        let arch = find("qwen2.5-coder-7b-instruct").unwrap().architecture;
        // q: 3584→3584, k,v: 3584→512, o: 3584→3584; r·(in+out) each, 28 layers.
        let per_layer = 64 * ((3584 + 3584) * 2 + (3584 + 512) * 2);
        assert_eq!(arch.lora_params(64, QKVO), per_layer * 28);
        assert_eq!(arch.lora_params(64, &["no_such_proj"]), 0);
    }

    #[test]
    fn names_are_unique_and_qwen_uses_its_own_end_of_turn() {
        let mut names = names();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), MODELS.len());
        let qwen = find("qwen2.5-coder-7b").unwrap();
        assert_eq!(
            (qwen.eos_token, qwen.pad_token),
            ("<|im_end|>", "<|endoftext|>")
        );
        assert_eq!(
            find("ministral-3-8b").unwrap().language_model_prefix,
            Some("model.language_model")
        );
    }
}
