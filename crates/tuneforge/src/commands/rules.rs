//! `tuneforge rules mine <checkout>`.

use anyhow::{Context as _, Result};
use serde::Serialize;
use tuneforge_core::jsonl::to_lines;
use tuneforge_core::layout::DEFAULT_DEPRECATIONS;
use tuneforge_php::deprecations::{core_root, mine as mine_tree, summary};

use super::Context;
use crate::cli::MineArgs;
use crate::exit::{Exit, UsageError};

#[derive(Serialize)]
struct Mined {
    core: String,
    out: String,
    deprecations: usize,
    summary: String,
}

pub fn mine(ctx: &Context, args: MineArgs) -> Result<Exit> {
    if !args.checkout.is_dir() {
        return Err(UsageError(format!(
            "{}: not a directory; give a Drupal checkout or its core/ directory",
            args.checkout.display()
        ))
        .into());
    }
    let out = match &args.out {
        Some(p) => p.clone(),
        None => match ctx.workspace() {
            Ok(ws) => ws.path(&ws.config.rules.deprecations),
            Err(_) => DEFAULT_DEPRECATIONS.into(),
        },
    };
    let records = mine_tree(&args.checkout, &ctx.reporter)
        .with_context(|| format!("reading {}", args.checkout.display()))?;
    tuneforge_core::fsio::write_atomic(&out, to_lines(&records).as_bytes())?;
    let mined = Mined {
        core: core_root(&args.checkout).display().to_string(),
        out: out.display().to_string(),
        deprecations: records.len(),
        summary: summary(&records),
    };
    ctx.emit(&mined, || format!("{} → {}", mined.summary, mined.out));
    Ok(Exit::Success)
}
