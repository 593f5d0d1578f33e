//! `export` and `deploy`: an adapter merged into its base, and how to serve the result.

use anyhow::Result;
use tuneforge_model::adapters::RunScope;
use tuneforge_model::export::{ExportOptions, ExportSummary, export_merged};

use super::Context;
use super::train::hub_options;
use crate::exit::Exit;

fn run(ctx: &Context, options: &ExportOptions) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let summary = export_merged(&ws, options, &hub_options(ctx), &ctx.reporter)?;
    ctx.emit(&summary, || describe(&summary));
    Ok(Exit::Success)
}

fn describe(s: &ExportSummary) -> String {
    format!(
        "merged {} into {}: {} weights updated, {} tensors in {} shard(s), {:.1} MB\n  {}\nserve it with:\n  {}",
        s.adapter.display(),
        s.base,
        s.merge.merged,
        s.merge.tensors,
        s.merge.shards,
        s.merge.bytes as f64 / 1e6,
        s.merge.out_dir.display(),
        s.serve.join("\n  ")
    )
}

pub fn export(ctx: &Context, args: crate::cli::ExportArgs) -> Result<Exit> {
    run(
        ctx,
        &ExportOptions {
            adapter: args.adapter,
            scope: args
                .domain
                .as_deref()
                .map(|d| RunScope::new(Some(d)))
                .transpose()?,
            out: args.out,
        },
    )
}

pub fn deploy(ctx: &Context, args: crate::cli::DeployArgs) -> Result<Exit> {
    run(
        ctx,
        &ExportOptions {
            // No domain: the runs on all data, `<model>/all-lora-v<N>`.
            scope: Some(RunScope::new(
                args.domain.as_deref().filter(|d| *d != "all"),
            )?),
            ..Default::default()
        },
    )
}
