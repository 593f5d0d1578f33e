//! `tuneforge export` and `tuneforge deploy` over a workspace: which adapter (a run
//! directory, or the newest finished run, of a domain when one is named), its base model
//! resolved at the revision the run recorded, and where the result goes (beside the run:
//! `adapters/<model>/<scope>-lora-v<N>-merged/`, or `--out`). The engines are in
//! `tuneforge-export`.

use std::path::PathBuf;

use serde::Serialize;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_export::adapter::Adapter;
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
    /// Where the merged model goes (default: beside the run, `<run>-merged`).
    pub out: Option<PathBuf>,
}

/// What an export wrote, and how to serve it.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    pub adapter: PathBuf,
    pub base: String,
    pub base_dir: PathBuf,
    #[serde(flatten)]
    pub merge: MergeReport,
    /// Commands that serve the result.
    pub serve: Vec<String>,
}

/// Merges the adapter into its base.
pub fn export_merged(
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
    let out = match &options.out {
        Some(out) => tuneforge_sources::discover::resolve_path(&ws.root, out),
        None => {
            let name = run_dir
                .file_name()
                .map(|n| format!("{}-merged", n.to_string_lossy()))
                .unwrap_or_else(|| "merged".into());
            run_dir.with_file_name(name)
        }
    };
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
    Ok(ExportSummary {
        adapter: run_dir,
        base: record.model,
        base_dir: base.dir,
        merge: report,
        serve,
    })
}
