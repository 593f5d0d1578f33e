//! Hardware profiles and the VRAM estimate.
//!
//! A profile sets what fits a class of card: a 4-bit or 16-bit base, the sequence length,
//! micro-batch, gradient accumulation and checkpointing. [`estimate_vram`] is the one
//! formula behind `tuneforge doctor`'s advice and the README's table (a test keeps the two
//! equal). It is an estimate, not a measurement:
//!
//! ```text
//! weights     = decoder linear params × (4-bit: 0.516 B, NF4 + double-quantized scales;
//!               16-bit: 2 B) + embeddings, LM head and vision tower × 2 B
//! lora        = LoRA params × 4 B (fp32 master weights)
//! optimizer   = LoRA params × 12 B (fp32 gradients + AdamW's two moments)
//! activations = tokens × hidden × 2 B × layers                       (checkpointed inputs)
//!             + tokens × (12 × hidden + 4 × intermediate) × 2 B       (one layer recomputed;
//!                                                                      every layer without
//!                                                                      checkpointing)
//!             + tokens × vocab × 10 B                                 (bf16 logits, fp32 copy
//!                                                                      and its gradient)
//! overhead    = 1 GiB                                                 (CUDA context, allocator)
//! tokens      = micro-batch × sequence length
//! ```

use serde::Serialize;

use crate::registry::{Architecture, MODELS};

const GIB: f64 = (1u64 << 30) as f64;

/// A class of card and the training settings that fit it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Profile {
    pub name: &'static str,
    pub vram_gib: f64,
    pub load_in_4bit: bool,
    pub max_seq_len: u32,
    pub micro_batch: u32,
    pub grad_accum: u32,
    pub gradient_checkpointing: bool,
}

pub const PROFILES: &[Profile] = &[
    Profile {
        name: "rtx4070-12gb",
        vram_gib: 12.0,
        load_in_4bit: true,
        max_seq_len: 2048,
        micro_batch: 1,
        grad_accum: 8,
        gradient_checkpointing: true,
    },
    Profile {
        name: "rtx3090-24gb",
        vram_gib: 24.0,
        load_in_4bit: true,
        max_seq_len: 2048,
        micro_batch: 2,
        grad_accum: 4,
        gradient_checkpointing: true,
    },
    Profile {
        name: "rtx4090-24gb",
        vram_gib: 24.0,
        load_in_4bit: true,
        max_seq_len: 2048,
        micro_batch: 2,
        grad_accum: 4,
        gradient_checkpointing: true,
    },
    Profile {
        name: "l40s-48gb",
        vram_gib: 48.0,
        load_in_4bit: false,
        max_seq_len: 4096,
        micro_batch: 2,
        grad_accum: 4,
        gradient_checkpointing: true,
    },
    Profile {
        name: "gpu-96gb",
        vram_gib: 96.0,
        load_in_4bit: false,
        max_seq_len: 4096,
        micro_batch: 4,
        grad_accum: 2,
        gradient_checkpointing: true,
    },
];

pub fn find(name: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.name == name)
}

/// What a training run keeps on the card, in bytes, by part.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VramEstimate {
    pub weights: f64,
    pub lora: f64,
    pub optimizer: f64,
    pub activations: f64,
    pub overhead: f64,
}

impl VramEstimate {
    pub fn total(&self) -> f64 {
        self.weights + self.lora + self.optimizer + self.activations + self.overhead
    }

    pub fn total_gib(&self) -> f64 {
        self.total() / GIB
    }
}

/// The settings an estimate depends on.
#[derive(Debug, Clone, Copy)]
pub struct Workload<'a> {
    pub load_in_4bit: bool,
    pub max_seq_len: u32,
    pub micro_batch: u32,
    pub gradient_checkpointing: bool,
    pub lora_r: u64,
    pub lora_targets: &'a [&'a str],
}

impl<'a> Workload<'a> {
    /// A profile's settings with LoRA rank `lora_r` on `lora_targets`.
    pub fn of(profile: &Profile, lora_r: u64, lora_targets: &'a [&'a str]) -> Self {
        Self {
            load_in_4bit: profile.load_in_4bit,
            max_seq_len: profile.max_seq_len,
            micro_batch: profile.micro_batch,
            gradient_checkpointing: profile.gradient_checkpointing,
            lora_r,
            lora_targets,
        }
    }
}

/// The module docs' formula.
pub fn estimate_vram(arch: &Architecture, work: &Workload) -> VramEstimate {
    let linear = arch.linear_params() as f64;
    let other = (arch.embedding_params() + arch.extra_params) as f64;
    let linear_bytes = if work.load_in_4bit { 0.516 } else { 2.0 };
    let lora_params = arch.lora_params(work.lora_r, work.lora_targets) as f64;
    let tokens = f64::from(work.micro_batch) * f64::from(work.max_seq_len);
    let hidden = arch.hidden_size as f64;
    let layers = arch.num_hidden_layers as f64;
    let layer_working_set = tokens * (12.0 * hidden + 4.0 * arch.intermediate_size as f64) * 2.0;
    let decoder = if work.gradient_checkpointing {
        tokens * hidden * 2.0 * layers + layer_working_set
    } else {
        layer_working_set * layers
    };
    let logits = tokens * arch.vocab_size as f64 * 10.0;
    VramEstimate {
        weights: linear * linear_bytes + other * 2.0,
        lora: lora_params * 4.0,
        optimizer: lora_params * 12.0,
        activations: decoder + logits,
        overhead: GIB,
    }
}

/// The README's table: estimated GiB per model × profile at the default LoRA (r 64 on
/// q/k/v/o), with ✗ where the estimate exceeds the card.
pub fn vram_table_markdown() -> String {
    let mut out = String::from("| model |");
    for p in PROFILES {
        out.push_str(&format!(" {} |", p.name));
    }
    out.push_str("\n|---|");
    for _ in PROFILES {
        out.push_str("---|");
    }
    out.push('\n');
    for model in MODELS {
        out.push_str(&format!("| {} |", model.name));
        for p in PROFILES {
            let gib = estimate_vram(
                &model.architecture,
                &Workload::of(p, 64, model.lora_targets),
            )
            .total_gib();
            let mark = if gib <= p.vram_gib { "" } else { " ✗" };
            out.push_str(&format!(" ~{gib:.1}{mark} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    #[test]
    fn the_estimate_adds_up_its_parts() {
        let arch = registry::find("qwen2.5-coder-7b-instruct")
            .unwrap()
            .architecture;
        let p = find("rtx4070-12gb").unwrap();
        let targets = ["q_proj", "k_proj", "v_proj", "o_proj"];
        let e = estimate_vram(&arch, &Workload::of(p, 64, &targets));
        // 6.53 B linear params × 0.516 B + 1.09 B embedding params × 2 B.
        let weights = arch.linear_params() as f64 * 0.516 + arch.embedding_params() as f64 * 2.0;
        assert_eq!(e.weights, weights);
        assert!((5.0e9..6.0e9).contains(&e.weights), "{}", e.weights);
        assert_eq!(e.optimizer, 3.0 * e.lora);
        // 2048 tokens × 152064 vocab × 10 B of logits dominate the activations.
        assert!(e.activations > 2048.0 * 152_064.0 * 10.0);
        assert!(
            e.total_gib() < 12.0,
            "the 7B fits the 12 GB profile: {}",
            e.total_gib()
        );
    }

    #[test]
    fn sixteen_bit_and_longer_sequences_cost_more() {
        let arch = registry::find("qwen2.5-14b-instruct").unwrap().architecture;
        let targets = ["q_proj", "k_proj", "v_proj", "o_proj"];
        let small = Workload::of(find("rtx4090-24gb").unwrap(), 64, &targets);
        let big = Workload {
            load_in_4bit: false,
            max_seq_len: 4096,
            ..small
        };
        let (a, b) = (estimate_vram(&arch, &small), estimate_vram(&arch, &big));
        // Only the decoder's linear layers are quantized.
        let saved = arch.linear_params() as f64 * (2.0 - 0.516);
        assert!((b.weights - a.weights - saved).abs() < 1.0);
        assert!(b.activations > 1.9 * a.activations);
        let no_checkpointing = Workload {
            gradient_checkpointing: false,
            ..small
        };
        assert!(estimate_vram(&arch, &no_checkpointing).activations > a.activations);
        // 14B in 16 bits does not fit 24 GB.
        assert!(b.total_gib() > 24.0);
    }

    #[test]
    fn the_readme_table_is_the_formula() {
        let readme = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
        )
        .unwrap();
        let table = vram_table_markdown();
        assert!(
            readme.contains(&table),
            "README.md's VRAM table is stale; replace it with:\n{table}"
        );
    }
}
