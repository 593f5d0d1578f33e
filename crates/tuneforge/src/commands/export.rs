//! `export` and `deploy`: an adapter merged into its base, and how to serve the result.

use anyhow::Result;
use tuneforge_export::gguf::{AdapterType, ModelType};
use tuneforge_model::adapters::RunScope;
use tuneforge_model::export::{ExportFormat, ExportOptions, ExportSummary, Written};

use super::Context;
use super::train::hub_options;
use crate::exit::Exit;

fn run(ctx: &Context, options: &ExportOptions) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let summary = tuneforge_model::export::export(&ws, options, &hub_options(ctx), &ctx.reporter)?;
    ctx.emit(&summary, || describe(&summary));
    Ok(Exit::Success)
}

fn describe(s: &ExportSummary) -> String {
    let what = match &s.written {
        Written::Merged(m) => format!(
            "merged {} into {}: {} weights updated, {} tensors in {} shard(s), {:.1} MB\n  {}",
            s.adapter.display(),
            s.base,
            m.merged,
            m.tensors,
            m.shards,
            m.bytes as f64 / 1e6,
            m.out_dir.display()
        ),
        Written::Gguf(g) => format!(
            "merged {} into {} as a {} GGUF ({}): {} weights updated, {} tensors, {:.1} MB\n  {}",
            s.adapter.display(),
            s.base,
            g.tensor_type.name(),
            g.architecture,
            g.merged,
            g.tensors,
            g.bytes as f64 / 1e6,
            g.path.display()
        ),
        Written::GgufAdapter(a) => format!(
            "wrote {} as a {} GGUF adapter ({}, alpha {}): {} adapted weights{}, {:.1} MB\n  {}",
            s.adapter.display(),
            a.tensor_type.name(),
            a.architecture,
            a.alpha,
            a.pairs,
            if a.rescaled > 0 {
                format!(" ({} with their own scale folded into B)", a.rescaled)
            } else {
                String::new()
            },
            a.bytes as f64 / 1e6,
            a.path.display()
        ),
        Written::Ollama(o) => format!(
            "packaged {} for Ollama: {}{} ({:.1} MB), a Modelfile with the training chat template{}\n  {}",
            s.adapter.display(),
            o.model
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            o.adapter
                .as_ref()
                .map(|a| format!(
                    " + {}",
                    a.path.file_name().unwrap_or_default().to_string_lossy()
                ))
                .unwrap_or_default(),
            (o.model.bytes + o.adapter.as_ref().map_or(0, |a| a.bytes)) as f64 / 1e6,
            o.system
                .as_ref()
                .map(|s| format!(
                    " and its default system prompt ({} chars)",
                    s.chars().count()
                ))
                .unwrap_or_default(),
            o.dir.display()
        ),
        Written::Vllm(v) => format!(
            "{} is ready for vLLM as it is: {} adapted modules, one scale ({}), rank within --max-lora-rank {}",
            s.adapter.display(),
            v.modules,
            v.scale,
            v.max_lora_rank
        ),
    };
    format!("{what}\nserve it with:\n  {}", s.serve.join("\n  "))
}

/// `--format` and `--quant` as an [`ExportFormat`].
fn format(format: &str, quant: Option<&str>) -> Result<ExportFormat> {
    Ok(match format {
        "gguf" => {
            let quant = quant.unwrap_or("f16");
            ExportFormat::Gguf(ModelType::parse(quant).ok_or_else(|| {
                anyhow::anyhow!("--quant {quant}: a merged GGUF is {}", ModelType::NAMES)
            })?)
        }
        "ollama" | "ollama-adapter" => {
            let quant = quant.unwrap_or("q4_k_m");
            ExportFormat::Ollama {
                quant: ModelType::parse(quant).ok_or_else(|| {
                    anyhow::anyhow!("--quant {quant}: an Ollama model is {}", ModelType::NAMES)
                })?,
                adapter: format == "ollama-adapter",
            }
        }
        "vllm" => {
            if let Some(q) = quant {
                anyhow::bail!("--quant {q}: vLLM serves the adapter as trained");
            }
            ExportFormat::Vllm
        }
        "gguf-adapter" => {
            let quant = quant.unwrap_or("f32");
            ExportFormat::GgufAdapter(AdapterType::parse(quant).ok_or_else(|| {
                anyhow::anyhow!("--quant {quant}: an adapter GGUF is f32, f16 or bf16")
            })?)
        }
        _ => {
            if let Some(q) = quant {
                anyhow::bail!(
                    "--quant {q} applies to --format gguf and gguf-adapter, not {format}"
                );
            }
            ExportFormat::Merged
        }
    })
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
            format: format(&args.format, args.quant.as_deref())?,
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
