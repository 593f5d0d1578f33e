//! `prepare` (token data without training) and `tiny-model` (a CPU-sized Qwen2).

use anyhow::Result;

use super::Context;
use super::train::resolve_model;
use crate::exit::Exit;

pub fn prepare(ctx: &Context, args: crate::cli::PrepareArgs) -> Result<Exit> {
    use tuneforge_tokens::{OverLength, PrepConfig, SpecialTokenPolicy};

    let model = resolve_model(ctx, &args.model, args.revision.as_deref())?;
    let config = PrepConfig {
        max_seq_len: args.max_seq_len as usize,
        special_tokens: if args.escape_control_tokens {
            SpecialTokenPolicy::Escape
        } else {
            SpecialTokenPolicy::Reject
        },
        over_length: if args.truncate {
            OverLength::Truncate
        } else {
            OverLength::Drop
        },
    };
    let tokenizer = tuneforge_train::run::load_tokenizer(&model.dir)?;
    let prepared = tuneforge_train::run::prepare_dataset(
        &model.dir,
        &tokenizer,
        &args.dataset,
        &args.out,
        &config,
        &ctx.reporter,
    )?;
    let manifest = &prepared.manifest;
    ctx.emit(manifest, || {
        manifest
            .splits
            .iter()
            .map(|s| {
                format!(
                    "{}: {} of {} samples → {} rows, {} tokens ({} trained), packing {:.1}%, {} truncated, {} rejected",
                    s.name,
                    s.encoded,
                    s.samples,
                    s.rows,
                    s.tokens,
                    s.trained_tokens,
                    s.packing_efficiency * 100.0,
                    s.truncated,
                    s.rejected.values().sum::<u64>()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(Exit::Success)
}

pub fn tiny_model(ctx: &Context, args: crate::cli::TinyModelArgs) -> Result<Exit> {
    let env = tuneforge_model::train::worker_env(false, &ctx.reporter)?;
    let out = std::path::absolute(&args.out)?;
    tuneforge_model::quickstart::build_tiny(&env, &args.dataset, &out, args.vocab_size, args.seed)?;
    let doc = serde_json::json!({ "model_dir": out });
    ctx.emit(&doc, || format!("tiny Qwen2 in {}", out.display()));
    Ok(Exit::Success)
}
