//! A tiny model tuneforge makes itself, with no download: a byte-level BPE tokenizer trained
//! here on the dataset's own text (with Qwen2.5's control tokens and chat template), then a
//! tiny Qwen2 the worker builds from a config around that vocabulary. The quickstart and
//! the tests train it on a CPU in minutes; it learns nothing useful, but every part of the
//! pipeline runs for real.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokenizers::SplitDelimiterBehavior;
use tokenizers::models::bpe::{BPE, BpeTrainerBuilder};
use tokenizers::normalizers::unicode::NFC;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{
    AddedToken, DecoderWrapper, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper,
    TokenizerBuilder,
};
use tuneforge_core::fsio::{self, IoError};
use tuneforge_core::records::Sample;

use crate::env::WorkerEnv;

/// Qwen2.5's chat template (as published with the model), embedded in the binary. The
/// tokens crate's golden test checks it against the published template's hash.
pub const QWEN25_TEMPLATE: &str = include_str!("../data/qwen2.5.jinja");
/// Qwen2's pre-tokenizer split (contractions, letters, single digits, punctuation runs,
/// newlines, spaces).
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen2.5's control tokens, in their published order (ids 0, 1, 2 here).
pub const CONTROL_TOKENS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

#[derive(Debug, thiserror::Error)]
pub enum TinyError {
    #[error("training the tokenizer: {0}")]
    Tokenizer(String),
    #[error("the worker could not build the tiny model ({status}): {stderr}")]
    Build { status: String, stderr: String },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Trains a byte-level BPE of `vocab_size` on every message of `samples` and writes
/// `tokenizer.json`, `tokenizer_config.json` (eos `<|im_end|>`, pad `<|endoftext|>`) and
/// `chat_template.jinja` into `dir`.
pub fn train_tokenizer(samples: &[Sample], vocab_size: usize, dir: &Path) -> Result<(), TinyError> {
    let fail = |e: &dyn std::fmt::Display| TinyError::Tokenizer(e.to_string());
    let mut builder = TokenizerBuilder::<
        BPE,
        NormalizerWrapper,
        PreTokenizerWrapper,
        PostProcessorWrapper,
        DecoderWrapper,
    >::new()
    .with_model(BPE::default())
    // Qwen2's own normalizer and pre-tokenizer: transformers rebuilds a
    // `Qwen2TokenizerFast` with these whatever tokenizer.json says, so any other choice
    // would give Python different ids than the ones trained on.
    .with_normalizer(Some(NFC.into()))
    .with_pre_tokenizer(Some(
        Sequence::new(vec![
            Split::new(
                SplitPattern::Regex(QWEN2_SPLIT.into()),
                SplitDelimiterBehavior::Isolated,
                false,
            )
            .map_err(|e| fail(&e))?
            .into(),
            ByteLevel::new(false, false, false).into(),
        ])
        .into(),
    ))
    .with_decoder(Some(ByteLevel::default().into()))
    .build()
    .map_err(|e| fail(&e))?;
    let mut trainer = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(2)
        .show_progress(false)
        .special_tokens(
            CONTROL_TOKENS
                .iter()
                .map(|t| AddedToken::from(t.to_string(), true))
                .collect(),
        )
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .build();
    let texts = samples
        .iter()
        .flat_map(|s| s.messages.iter().map(|m| m.content.clone()));
    builder.train(&mut trainer, texts).map_err(|e| fail(&e))?;
    let tokenizer: tokenizers::Tokenizer = builder.into();
    std::fs::create_dir_all(dir).map_err(fsio::at("cannot create directory", dir))?;
    let json = tokenizer.to_string(true).map_err(|e| fail(&e))?;
    fsio::write_atomic(&dir.join("tokenizer.json"), json.as_bytes())?;
    let config = serde_json::json!({
        "tokenizer_class": "Qwen2TokenizerFast",
        "model_max_length": 32768,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "bos_token": null,
        "unk_token": null,
        "add_prefix_space": false,
        "clean_up_tokenization_spaces": false,
        "errors": "replace",
        "split_special_tokens": false,
    });
    fsio::write_json_atomic(&dir.join("tokenizer_config.json"), &config)?;
    fsio::write_atomic(&dir.join("chat_template.jinja"), QWEN25_TEMPLATE.as_bytes())?;
    Ok(())
}

/// Has the worker build a tiny Qwen2 around the tokenizer in `tokenizer_dir`, into `out`.
pub fn build_model(
    env: &WorkerEnv,
    tokenizer_dir: &Path,
    out: &Path,
    seed: u64,
) -> Result<PathBuf, TinyError> {
    let output = env
        .worker_command()
        .args([
            "tiny",
            "--arch",
            "qwen2",
            "--seed",
            &seed.to_string(),
            "--tokenizer",
        ])
        .arg(tokenizer_dir)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .output()
        .map_err(fsio::at("cannot start", &env.python))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        return Err(TinyError::Build {
            status: output.status.to_string(),
            stderr: lines[lines.len().saturating_sub(15)..].join("\n"),
        });
    }
    Ok(out.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::records::{Message, Role, SampleMetadata, TrainOn, sample_id};

    fn sample(user: &str, answer: &str) -> Sample {
        let messages = vec![
            Message::new(Role::User, user),
            Message::new(Role::Assistant, answer),
        ];
        Sample {
            id: sample_id(&messages),
            messages,
            train_on: TrainOn::AllAssistant,
            metadata: SampleMetadata {
                domain: "d".into(),
                source: "s".into(),
                generator: "g".into(),
                license: None,
                timestamp: "2026-01-01T00:00:00Z".into(),
                local_model: None,
                expert_model: None,
                adapter: None,
                interaction_id: None,
                group: None,
            },
        }
    }

    #[test]
    fn the_trained_tokenizer_keeps_control_tokens_whole_and_renders_chats() {
        let samples: Vec<Sample> = (0..50)
            .map(|i| {
                sample(
                    &format!("Create a block plugin number {i}"),
                    "Use #[Block] with an id and admin_label.",
                )
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        train_tokenizer(&samples, 400, dir.path()).unwrap();
        let tokenizer = tuneforge_tokens::PrepTokenizer::from_model_dir(dir.path()).unwrap();
        for (id, token) in CONTROL_TOKENS.iter().enumerate() {
            assert_eq!(
                tokenizer.tokenizer().token_to_id(token),
                Some(id as u32),
                "{token}"
            );
        }
        let ids = tokenizer
            .encode("<|im_start|>user\nBlock plugin<|im_end|>")
            .unwrap()
            .ids;
        assert_eq!(ids[0], 1);
        assert_eq!(*ids.last().unwrap(), 2);
        assert!(
            tokenizer.vocab_size() <= 400 + 3,
            "{}",
            tokenizer.vocab_size()
        );
        let template = tuneforge_tokens::ChatTemplate::from_model_dir(dir.path()).unwrap();
        let text = template
            .render(&tuneforge_tokens::sample_messages(&samples[0]), None, false)
            .unwrap();
        assert!(text.starts_with("<|im_start|>system\n"), "{text}");
    }
}
