//! `stats`: a packaged dataset's composition, lengths and prompt lint.

use anyhow::Result;
use tuneforge_dataset::SPLITS;
use tuneforge_dataset::stats;

use super::Context;
use crate::exit::{Exit, UsageError};

pub fn stats(ctx: &Context, args: crate::cli::StatsArgs) -> Result<Exit> {
    let target = match args.dataset {
        Some(path) => path,
        None => {
            let ws = ctx.workspace()?;
            tuneforge_model::datasets::newest(&ws)?.ok_or_else(|| {
                UsageError(format!(
                    "{}: no dataset yet\n  hint: build one with `tuneforge run`, or name a dataset directory or .jsonl file",
                    ws.root.display()
                ))
            })?
        }
    };
    let files: Vec<_> = if target.is_dir() {
        SPLITS
            .iter()
            .map(|s| target.join(format!("{s}.jsonl")))
            .filter(|p| p.is_file())
            .collect()
    } else if target.is_file() {
        vec![target.clone()]
    } else {
        return Err(UsageError(format!(
            "{}: no such dataset directory or file",
            target.display()
        ))
        .into());
    };
    if files.is_empty() {
        return Err(UsageError(format!(
            "{}: no train.jsonl, valid.jsonl or test.jsonl here\n  hint: name a dataset version directory (dataset/v<N>) or a .jsonl file",
            target.display()
        ))
        .into());
    }
    let mut samples = Vec::new();
    for file in &files {
        samples.extend(tuneforge_train::run::read_samples(file)?);
    }
    let computed = stats::compute(&samples);
    ctx.emit(&computed, || {
        format!("{}\n\n{}", target.display(), stats::markdown(&computed))
    });
    Ok(Exit::Success)
}
