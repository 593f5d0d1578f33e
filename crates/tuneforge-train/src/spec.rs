//! The run spec: everything the worker needs, resolved by tuneforge and written into the
//! run directory (`run_spec.json`), so a run can be read back and repeated exactly.
//!
//! Precedence of settings: flags > pipeline.yaml `train:` > profile > registry > defaults
//! (LoRA r 64, alpha 64, dropout 0.05 on q/k/v/o, lr 1e-4 cosine). Flags and `train:` are both a
//! [`TrainConfig`]; the binary lays the flags over the file with [`TrainConfig::over`].

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
pub use tuneforge_core::config::TrainConfig;

use crate::events::PROTOCOL_VERSION;
use crate::profile::Profile;
use crate::registry::ModelEntry;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoraSpec {
    pub r: u32,
    pub alpha: u32,
    pub dropout: f64,
    pub target_modules: Vec<String>,
}

/// Testing hooks the worker honours (never set by users).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TestHooks {
    /// Raise a real out-of-memory error at this optimizer step (while micro_batch > 1).
    pub oom_at_step: Option<u64>,
}

/// `run_spec.json`: the worker's input (field names are the protocol).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    pub protocol: u32,
    pub model_dir: PathBuf,
    pub output_dir: PathBuf,
    pub train_data: PathBuf,
    pub valid_data: Option<PathBuf>,
    pub pad_token_id: u32,
    pub language_model_prefix: Option<String>,
    pub lora: LoraSpec,
    pub load_in_4bit: bool,
    pub bf16: bool,
    pub epochs: f64,
    pub max_steps: Option<u64>,
    pub learning_rate: f64,
    pub lr_scheduler: String,
    pub warmup_ratio: f64,
    pub micro_batch: u32,
    pub grad_accum: u32,
    pub gradient_checkpointing: bool,
    pub eval_every: u64,
    pub save_every: u64,
    pub seed: u64,
    pub resume: bool,
    /// `auto` (Unsloth with CUDA when installed, else TRL), `trl` or `unsloth`.
    pub backend: String,
    pub test: TestHooks,
}

/// The settings after precedence, before paths are known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedSettings {
    pub lora: LoraSpec,
    pub epochs: f64,
    pub max_steps: Option<u64>,
    pub learning_rate: f64,
    pub warmup_ratio: f64,
    pub micro_batch: u32,
    pub grad_accum: u32,
    pub max_seq_len: u32,
    pub load_in_4bit: bool,
    pub bf16: bool,
    pub gradient_checkpointing: bool,
    pub eval_every: u64,
    pub save_every: u64,
    pub seed: u64,
}

impl ResolvedSettings {
    /// `settings` (flags over pipeline.yaml) > profile > registry > the interactions preset's
    /// defaults: r 64, alpha 64,
    /// dropout 0.05, q/k/v/o, lr 1e-4 cosine with 10 % warm-up, 3 epochs, 4 × 2, bf16.
    pub fn resolve(
        settings: &TrainConfig,
        profile: Option<&Profile>,
        model: Option<&ModelEntry>,
    ) -> Self {
        let targets = settings.lora_targets.clone().unwrap_or_else(|| {
            model
                .map(|m| m.lora_targets.iter().map(|t| t.to_string()).collect())
                .unwrap_or_else(|| {
                    ["q_proj", "k_proj", "v_proj", "o_proj"]
                        .map(String::from)
                        .to_vec()
                })
        });
        Self {
            lora: LoraSpec {
                r: settings.lora_r.unwrap_or(64),
                alpha: settings.lora_alpha.unwrap_or(64),
                dropout: settings.lora_dropout.unwrap_or(0.05),
                target_modules: targets,
            },
            epochs: settings.epochs.unwrap_or(3.0),
            max_steps: settings.max_steps,
            learning_rate: settings.learning_rate.unwrap_or(1e-4),
            warmup_ratio: 0.1,
            micro_batch: settings
                .micro_batch
                .or(profile.map(|p| p.micro_batch))
                .unwrap_or(4),
            grad_accum: settings
                .grad_accum
                .or(profile.map(|p| p.grad_accum))
                .unwrap_or(2),
            max_seq_len: settings
                .max_seq_len
                .or(profile.map(|p| p.max_seq_len))
                .unwrap_or(2048),
            load_in_4bit: settings
                .load_in_4bit
                .or(profile.map(|p| p.load_in_4bit))
                .unwrap_or(false),
            bf16: settings.bf16.unwrap_or(profile.is_some()),
            gradient_checkpointing: settings
                .gradient_checkpointing
                .or(profile.map(|p| p.gradient_checkpointing))
                .unwrap_or(false),
            eval_every: settings.eval_every.unwrap_or(50),
            save_every: settings.save_every.unwrap_or(100),
            seed: settings.seed.unwrap_or(42),
        }
    }

    pub fn run_spec(&self, paths: SpecPaths, model: Option<&ModelEntry>) -> RunSpec {
        RunSpec {
            protocol: PROTOCOL_VERSION,
            model_dir: paths.model_dir,
            output_dir: paths.output_dir,
            train_data: paths.train_data,
            valid_data: paths.valid_data,
            pad_token_id: paths.pad_token_id,
            language_model_prefix: model
                .and_then(|m| m.language_model_prefix)
                .map(String::from),
            lora: self.lora.clone(),
            load_in_4bit: self.load_in_4bit,
            bf16: self.bf16,
            epochs: self.epochs,
            max_steps: self.max_steps,
            learning_rate: self.learning_rate,
            lr_scheduler: "cosine".into(),
            warmup_ratio: self.warmup_ratio,
            micro_batch: self.micro_batch,
            grad_accum: self.grad_accum,
            gradient_checkpointing: self.gradient_checkpointing,
            eval_every: self.eval_every,
            save_every: self.save_every,
            seed: self.seed,
            resume: false,
            backend: "auto".into(),
            test: TestHooks::default(),
        }
    }
}

/// The paths and ids a spec needs from the run.
#[derive(Debug, Clone)]
pub struct SpecPaths {
    pub model_dir: PathBuf,
    pub output_dir: PathBuf,
    pub train_data: PathBuf,
    pub valid_data: Option<PathBuf>,
    pub pad_token_id: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{profile, registry};

    #[test]
    fn flags_beat_pipeline_yaml_which_beats_the_profile() {
        let p = profile::find("rtx3090-24gb").unwrap();
        let file = TrainConfig {
            micro_batch: Some(8),
            grad_accum: Some(3),
            lora_r: Some(32),
            ..Default::default()
        };
        let flags = TrainConfig {
            micro_batch: Some(1),
            ..Default::default()
        };
        let settings = ResolvedSettings::resolve(&flags.over(&file), Some(p), None);
        assert_eq!(settings.micro_batch, 1, "the flag");
        assert_eq!(settings.grad_accum, 3, "pipeline.yaml over the profile's 4");
        assert_eq!(settings.lora.r, 32);
        assert_eq!(settings.max_seq_len, 2048, "the profile");
    }

    #[test]
    fn flags_beat_the_profile_which_beats_the_defaults() {
        let p = profile::find("rtx4070-12gb").unwrap();
        let m = registry::find("ministral-3-8b").unwrap();
        let defaults = ResolvedSettings::resolve(&TrainConfig::default(), None, None);
        assert_eq!((defaults.micro_batch, defaults.grad_accum), (4, 2));
        assert_eq!((defaults.lora.r, defaults.lora.alpha), (64, 64));
        assert_eq!(defaults.lora.dropout, 0.05);
        assert_eq!(defaults.learning_rate, 1e-4);
        assert_eq!(defaults.epochs, 3.0);
        let profiled = ResolvedSettings::resolve(&TrainConfig::default(), Some(p), Some(m));
        assert_eq!((profiled.micro_batch, profiled.grad_accum), (1, 8));
        assert!(profiled.load_in_4bit && profiled.bf16 && profiled.gradient_checkpointing);
        let flagged = ResolvedSettings::resolve(
            &TrainConfig {
                micro_batch: Some(2),
                load_in_4bit: Some(false),
                ..Default::default()
            },
            Some(p),
            Some(m),
        );
        assert_eq!((flagged.micro_batch, flagged.grad_accum), (2, 8));
        assert!(!flagged.load_in_4bit);
        let spec = flagged.run_spec(
            SpecPaths {
                model_dir: "/m".into(),
                output_dir: "/o".into(),
                train_data: "/t".into(),
                valid_data: None,
                pad_token_id: 11,
            },
            Some(m),
        );
        assert_eq!(
            spec.language_model_prefix.as_deref(),
            Some("model.language_model")
        );
        assert_eq!(spec.protocol, PROTOCOL_VERSION);
    }
}
