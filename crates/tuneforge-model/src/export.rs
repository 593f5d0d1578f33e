//! `tuneforge export` and `tuneforge deploy` over a workspace: which adapter (a run
//! directory, or the newest finished run, of a domain when one is named), its base model
//! resolved at the revision the run recorded, what to write (a merged model directory, a
//! merged GGUF, or an adapter GGUF) and where (beside the run:
//! `adapters/<model>/<scope>-lora-v<N>-merged/`, `…-v<N>-<type>.gguf`,
//! `…-v<N>-lora-<type>.gguf`, or `--out`). The engines are in `tuneforge-export`.

use std::path::PathBuf;

use serde::Serialize;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_export::adapter::Adapter;
use tuneforge_export::gguf::{
    AdapterGgufReport, AdapterType, GgufReport, ModelType, export_adapter, export_model,
};
use tuneforge_export::merge::{MergeReport, merge};
use tuneforge_train::hub::{HubOptions, ModelSource, resolve};

use crate::ModelError;
use crate::adapters::{RunScope, find_adapter};

/// What `export` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// A run directory; `None`: the newest finished run (of `scope` when given).
    pub adapter: Option<PathBuf>,
    /// A domain's runs, or the runs on all data (`deploy`).
    pub scope: Option<RunScope>,
    /// Where the result goes (default: beside the run).
    pub out: Option<PathBuf>,
    pub format: ExportFormat,
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExportFormat {
    /// A standalone Hugging Face model directory.
    #[default]
    Merged,
    /// The merged model as one GGUF file.
    Gguf(ModelType),
    /// The adapter as a GGUF adapter file, applied to the base's GGUF at run time.
    GgufAdapter(AdapterType),
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "format", rename_all = "kebab-case")]
pub enum Written {
    Merged(MergeReport),
    Gguf(GgufReport),
    GgufAdapter(AdapterGgufReport),
}

/// What an export wrote, and how to serve it.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub adapter: PathBuf,
    pub base: String,
    pub base_dir: PathBuf,
    #[serde(flatten)]
    pub written: Written,
    /// Commands that serve the result.
    pub serve: Vec<String>,
}

/// Exports the adapter: merged into its base (a directory or a GGUF file), or alone as a
/// GGUF adapter.
pub fn export(
    ws: &Workspace,
    options: &ExportOptions,
    hub: &HubOptions,
    reporter: &dyn Reporter,
) -> Result<ExportSummary, ModelError> {
    let spec = options
        .adapter
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "latest".into());
    let (run_dir, record) = find_adapter(ws, &spec, None, options.scope.as_ref())?;
    let source = ModelSource::parse(&record.model, record.revision.as_deref())?;
    let base = resolve(&source, hub, reporter)?;
    // The adapter was trained on one snapshot of its base; another is another model.
    if let (Some(trained), Some(found)) = (&record.commit, &base.commit)
        && trained != found
    {
        return Err(ModelError::Usage(format!(
            "{} was trained on {} at commit {trained}, but {found} resolved\n  hint: export with the revision the run used (it is in run.json)",
            run_dir.display(),
            record.model
        )));
    }
    let adapter = Adapter::read(&run_dir)?;
    let name = run_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "adapter".into());
    let out = match &options.out {
        Some(out) => tuneforge_sources::discover::resolve_path(&ws.root, out),
        None => run_dir.with_file_name(match options.format {
            ExportFormat::Merged => format!("{name}-merged"),
            ExportFormat::Gguf(ty) => format!("{name}-{}.gguf", ty.name()),
            ExportFormat::GgufAdapter(ty) => format!("{name}-lora-{}.gguf", ty.name()),
        }),
    };
    let (written, serve) = match options.format {
        ExportFormat::Merged => {
            reporter.info(&format!(
                "merging {} ({} adapted weights) into {}",
                run_dir.display(),
                adapter.pairs.len(),
                base.dir.display()
            ));
            let report = merge(&base.dir, &adapter, &out, reporter)?;
            let serve = vec![
                format!("vllm serve {}", out.display()),
                format!(
                    "python -c \"from transformers import pipeline; print(pipeline('text-generation', model='{}')('<?php'))\"",
                    out.display()
                ),
            ];
            (Written::Merged(report), serve)
        }
        ExportFormat::Gguf(ty) => {
            reporter.info(&format!(
                "writing {} merged into {} as {} GGUF",
                run_dir.display(),
                base.dir.display(),
                ty.name()
            ));
            let report = export_model(&base.dir, Some(&adapter), &out, ty, &name, reporter)?;
            let serve = vec![format!("llama-server -m {}", out.display())];
            (Written::Gguf(report), serve)
        }
        ExportFormat::GgufAdapter(ty) => {
            let report = export_adapter(&base.dir, &adapter, &out, ty, &name, reporter)?;
            let serve = vec![format!(
                "llama-server -m <{} as GGUF> --lora {}",
                record.model,
                out.display()
            )];
            (Written::GgufAdapter(report), serve)
        }
    };
    Ok(ExportSummary {
        adapter: run_dir,
        base: record.model,
        base_dir: base.dir,
        written,
        serve,
    })
}
