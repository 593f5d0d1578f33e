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
    /// A directory for `ollama create`: a Modelfile and the merged model's GGUF, or
    /// (`adapter`) the base's GGUF plus the adapter's.
    Ollama { quant: ModelType, adapter: bool },
    /// Nothing written: the adapter checked for vLLM, and the command that serves it.
    Vllm,
}

/// What an Ollama package holds.
#[derive(Debug, Clone, Serialize)]
pub struct OllamaReport {
    pub dir: PathBuf,
    pub modelfile: PathBuf,
    pub model: GgufReport,
    pub adapter: Option<AdapterGgufReport>,
    /// The system prompt the Modelfile sets (the chat template's default).
    pub system: Option<String>,
    pub stops: Vec<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "format", rename_all = "kebab-case")]
pub enum Written {
    Merged(MergeReport),
    Gguf(GgufReport),
    GgufAdapter(AdapterGgufReport),
    Ollama(OllamaReport),
    Vllm(tuneforge_export::vllm::VllmPlan),
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
    if options.format == ExportFormat::Vllm && options.out.is_some() {
        return Err(ModelError::Usage(
            "--format vllm writes nothing (it checks the adapter and prints `vllm serve`): drop --out".into(),
        ));
    }
    let out = match &options.out {
        Some(out) => tuneforge_sources::discover::resolve_path(&ws.root, out),
        None => run_dir.with_file_name(match options.format {
            ExportFormat::Merged => format!("{name}-merged"),
            ExportFormat::Gguf(ty) => format!("{name}-{}.gguf", ty.name()),
            ExportFormat::GgufAdapter(ty) => format!("{name}-lora-{}.gguf", ty.name()),
            ExportFormat::Ollama { adapter: false, .. } => format!("{name}-ollama"),
            ExportFormat::Ollama { adapter: true, .. } => format!("{name}-ollama-adapter"),
            // Writes nothing; the path is not used.
            ExportFormat::Vllm => name.clone(),
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
        ExportFormat::Ollama {
            quant,
            adapter: separate,
        } => {
            let report =
                ollama_package(&base.dir, &adapter, &out, quant, separate, &name, reporter)?;
            let tag = name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
            let serve = vec![
                format!("ollama create {tag} -f {}", report.modelfile.display()),
                format!("ollama run {tag}"),
            ];
            (Written::Ollama(report), serve)
        }
        ExportFormat::Vllm => {
            let plan = tuneforge_export::vllm::check(&base.dir, &adapter)?;
            let revision = base
                .commit
                .as_deref()
                .map(|c| format!(" --revision {c}"))
                .unwrap_or_default();
            let serve = vec![format!(
                "vllm serve {}{revision} --enable-lora --max-lora-rank {} --lora-modules {name}={}",
                record.model,
                plan.max_lora_rank,
                run_dir.display()
            )];
            (Written::Vllm(plan), serve)
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

/// Writes an Ollama package into `out` (staged, renamed into place when complete).
fn ollama_package(
    base: &std::path::Path,
    adapter: &Adapter,
    out: &std::path::Path,
    quant: ModelType,
    separate: bool,
    name: &str,
    reporter: &dyn Reporter,
) -> Result<OllamaReport, ModelError> {
    // The template first: a template Ollama cannot express stops before any GGUF is written.
    let template = tuneforge_tokens::ChatTemplate::from_model_dir(base).map_err(|e| {
        ModelError::Usage(format!(
            "{e}\n  hint: Ollama needs the chat template the model was trained with"
        ))
    })?;
    let model_file = if separate {
        format!("base-{}.gguf", quant.name())
    } else {
        format!("model-{}.gguf", quant.name())
    };
    let adapter_file = separate.then(|| "adapter-f16.gguf".to_owned());
    let modelfile = tuneforge_export::ollama::modelfile_for(
        &format!("./{model_file}"),
        adapter_file.as_ref().map(|f| format!("./{f}")).as_deref(),
        &template,
    )
    .map_err(|e| ModelError::Usage(format!("{}: {e}", base.display())))?;
    let text = modelfile
        .render(&format!(
            "tuneforge export of {name} (from {})",
            base.display()
        ))
        .map_err(ModelError::Usage)?;
    let staging = tuneforge_core::fsio::StagingDir::create(out)?;
    let written = (|| -> Result<_, ModelError> {
        let model = if separate {
            export_model(
                base,
                None,
                &staging.path().join(&model_file),
                quant,
                name,
                reporter,
            )?
        } else {
            export_model(
                base,
                Some(adapter),
                &staging.path().join(&model_file),
                quant,
                name,
                reporter,
            )?
        };
        let adapter_report = match &adapter_file {
            Some(f) => Some(export_adapter(
                base,
                adapter,
                &staging.path().join(f),
                AdapterType::F16,
                name,
                reporter,
            )?),
            None => None,
        };
        tuneforge_core::fsio::write_atomic(&staging.path().join("Modelfile"), text.as_bytes())?;
        Ok((model, adapter_report))
    })();
    let (mut model, adapter_report) = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_dir_all(staging.path());
            return Err(e);
        }
    };
    staging.commit()?;
    model.path = out.join(&model_file);
    let adapter_report = adapter_report.map(|mut a| {
        a.path = out.join(adapter_file.as_deref().unwrap_or_default());
        a
    });
    Ok(OllamaReport {
        dir: out.to_path_buf(),
        modelfile: out.join("Modelfile"),
        model,
        adapter: adapter_report,
        system: modelfile.system,
        stops: modelfile.parameters.into_iter().map(|(_, v)| v).collect(),
    })
}
