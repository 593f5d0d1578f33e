//! `tuneforge eval` over a workspace: which models (a base, its adapter, or both to compare),
//! where their answers come from (an endpoint, or the worker), which suites, and the run
//! directory `eval/<run>/` with its results, metrics and reports.

use std::path::{Path, PathBuf};

use tuneforge_core::config::EvalConfig;
use tuneforge_core::fsio;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_teacher::{ApiKey, TeacherOptions};
use tuneforge_tokens::ChatTemplate;
use tuneforge_train::generate::{GenerateReporter, ScoreSpec};
use tuneforge_train::hub::{HubOptions, ModelSource, resolve};
use tuneforge_train::registry;
use tuneforge_train::run::{RunRecord, load_tokenizer, pad_token_id};

use crate::ModelError;
use crate::adapters::find_adapter;
use crate::eval::backend::{Backend, Decoding, WorkerModel};
use crate::eval::exec::Limits;
use crate::eval::metrics::{self, Metrics};
use crate::eval::report;
use crate::eval::run::{
    self, Contender, Judges, METRICS_FILE, ModelInfo, RunOutcome, Suite, run_settings,
};
use crate::train::worker_env;

/// Where evaluation runs live in a workspace.
pub const EVAL_DIR: &str = "eval";

/// What `tuneforge eval` was asked for: the flags laid over `pipeline.yaml`'s `eval:`.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    pub config: EvalConfig,
    /// Compare the base with the adapter (`--compare base,adapter`).
    pub compare: bool,
    /// The run's directory name under `eval/` (default: from the models and settings, so
    /// a rerun of the same evaluation continues it).
    pub run: Option<String>,
    /// Set the worker environment up when it is missing (the quickstart does).
    pub setup_env: bool,
}

/// What a finished evaluation left.
#[derive(Debug, Clone)]
pub struct EvalSummary {
    pub outcome: RunOutcome,
    pub metrics: Metrics,
    pub report_md: PathBuf,
    pub report_html: PathBuf,
}

fn hash_file(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| blake3::hash(&b).to_hex().to_string())
}

/// The worker's side of `model` (resolved through the hub or a directory), with `adapter`.
fn worker_model(
    model: &str,
    revision: Option<&str>,
    adapter: Option<&Path>,
    config: &EvalConfig,
    hub: &HubOptions,
    setup_env: bool,
    reporter: &dyn Reporter,
) -> Result<WorkerModel, ModelError> {
    let resolved = resolve(&ModelSource::parse(model, revision)?, hub, reporter)?;
    let template = ChatTemplate::from_model_dir(&resolved.dir).ok();
    let tokenizer = load_tokenizer(&resolved.dir)?;
    let pad = pad_token_id(&tokenizer, &resolved.dir, registry::find(model))?;
    Ok(WorkerModel {
        env: worker_env(setup_env, reporter)?,
        model_dir: resolved.dir,
        adapter_dir: adapter.map(Path::to_path_buf),
        template,
        tokenizer,
        pad_token_id: pad,
        batch_size: config.batch_size.unwrap_or(8),
        bf16: config.bf16.unwrap_or(false),
        load_in_4bit: config.load_in_4bit.unwrap_or(false),
    })
}

fn endpoint(
    url: &str,
    served: &str,
    adapter: Option<&str>,
    config: &EvalConfig,
    ws: &Workspace,
) -> Result<TeacherOptions, ModelError> {
    let api_key = match &config.api_key_env {
        Some(var) => Some(ApiKey::from_env(var).ok_or_else(|| {
            ModelError::Usage(format!(
                "eval.api_key_env names {var}, which is not set\n  hint: export {var}=… (the key itself never goes in pipeline.yaml)"
            ))
        })?),
        None => None,
    };
    Ok(TeacherOptions {
        base_url: url.to_owned(),
        model: served.to_owned(),
        adapter: adapter.map(String::from),
        api_key,
        concurrency: config.concurrency.unwrap_or(4),
        timeout: std::time::Duration::from_secs(config.timeout_secs.unwrap_or(300)),
        retries: 2,
        backoff: std::time::Duration::from_millis(500),
        max_wait: std::time::Duration::from_secs(30),
        temperature: 0.0,
        max_tokens: 1024,
        seed: 0,
        token_budget: None,
        cache_dir: ws.path(tuneforge_core::layout::TEACHER_CACHE_DIR),
    })
}

/// The models of the run.
fn contenders(
    ws: &Workspace,
    options: &EvalOptions,
    adapter: Option<&(PathBuf, RunRecord)>,
    hub: &HubOptions,
    reporter: &dyn Reporter,
) -> Result<Vec<Contender>, ModelError> {
    let c = &options.config;
    let mode = c.mode.clone().unwrap_or_else(|| "chat".into());
    if mode != "chat" && mode != "completion" {
        return Err(ModelError::Usage(format!(
            "--mode {mode}: use chat (instruct models) or completion (base models)"
        )));
    }
    if let (Some((dir, record)), Some(model)) = (adapter, &c.model)
        && record.model != *model
    {
        return Err(ModelError::Usage(format!(
            "{} was trained on {}, not {model}\n  hint: drop --model (the adapter's base is used) or pass --model {}",
            dir.display(),
            record.model,
            record.model
        )));
    }
    let model = c
        .model
        .clone()
        .or_else(|| adapter.as_ref().map(|(_, r)| r.model.clone()))
        .or_else(|| c.served_model.clone());
    let Some(model) = model else {
        return Err(ModelError::Usage(
            "no model: pass --model (a registry name, org/name or a directory), --adapter, or --endpoint with --served-model".into(),
        ));
    };
    if options.compare
        && adapter.is_none()
        && c.served_adapter.is_none()
        && c.adapter_endpoint.is_none()
    {
        return Err(ModelError::Usage(
            "--compare base,adapter needs an adapter: --adapter DIR|latest (or, with --endpoint, --served-adapter NAME or --adapter-endpoint URL)".into(),
        ));
    }
    let revision = adapter
        .as_ref()
        .and_then(|(_, r)| r.revision.clone())
        .or_else(|| c.revision.clone());
    let adapter_info = |label: &str| -> (Option<PathBuf>, Option<String>, Option<String>) {
        match (&adapter, label) {
            (Some((dir, record)), "adapter") => (
                Some(dir.clone()),
                hash_file(&dir.join("adapter_model.safetensors")),
                record.dataset_manifest_blake3.clone(),
            ),
            _ => (None, None, None),
        }
    };
    let want_base = options.compare || (adapter.is_none() && c.served_adapter.is_none());
    let want_adapter = options.compare || !want_base;
    let mut out = Vec::new();
    for (label, wanted) in [("base", want_base), ("adapter", want_adapter)] {
        if !wanted {
            continue;
        }
        let (adapter_dir, adapter_blake3, dataset) = adapter_info(label);
        let (backend, endpoint_url) = match &c.endpoint {
            Some(url) => {
                let (url, served) = if label == "adapter" {
                    let url = c.adapter_endpoint.clone().unwrap_or_else(|| url.clone());
                    let served = c
                        .served_adapter
                        .clone()
                        .or_else(|| c.served_model.clone())
                        .unwrap_or_else(|| model.clone());
                    (url, served)
                } else {
                    (
                        url.clone(),
                        c.served_model.clone().unwrap_or_else(|| model.clone()),
                    )
                };
                let tag = (label == "adapter").then(|| {
                    adapter_blake3
                        .clone()
                        .unwrap_or_else(|| format!("served:{served}"))
                });
                let options = endpoint(&url, &served, tag.as_deref(), c, ws)?;
                (Backend::Endpoint(Box::new(options)), Some(url))
            }
            None => {
                let worker = worker_model(
                    &model,
                    revision.as_deref(),
                    adapter_dir.as_deref(),
                    c,
                    hub,
                    options.setup_env,
                    reporter,
                )?;
                (Backend::Worker(Box::new(worker)), None)
            }
        };
        out.push(Contender {
            info: ModelInfo {
                label: label.to_owned(),
                model: model.clone(),
                adapter: adapter_dir,
                adapter_blake3,
                dataset_manifest_blake3: dataset,
                backend: if endpoint_url.is_some() {
                    "endpoint"
                } else {
                    "worker"
                }
                .into(),
                endpoint: endpoint_url,
                mode: mode.clone(),
            },
            backend,
        });
    }
    if options.compare
        && let [base, adapter] = out.as_slice()
        && base.info.endpoint.is_some()
        && base.info.endpoint == adapter.info.endpoint
        && c.served_adapter.is_none()
    {
        return Err(ModelError::Usage(
            "--compare with one endpoint asks the same model twice\n  hint: name the adapter as the server serves it (--served-adapter, vLLM's --lora-modules name) or give its server (--adapter-endpoint)".into(),
        ));
    }
    Ok(out)
}

/// A run name from the models and settings: `<adapter run or model>-<hash>`.
fn default_run_name(settings: &run::RunSettings) -> String {
    let what = settings
        .models
        .iter()
        .find_map(|m| {
            m.adapter
                .as_ref()
                .and_then(|a| a.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| {
            let model = &settings.models[0].model;
            Path::new(model)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| model.replace('/', "--"))
        });
    let key = serde_json::to_string(settings).expect("settings serialize");
    let hash = blake3::hash(key.as_bytes()).to_hex();
    let clean: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}-{}", &hash[..8])
}

/// Evaluates in the workspace and writes `metrics.json`, `report.md` and `report.html`.
pub fn evaluate(
    ws: &Workspace,
    options: &EvalOptions,
    hub: &HubOptions,
    reporter: &dyn Reporter,
    generate_reporter: &dyn GenerateReporter,
) -> Result<EvalSummary, ModelError> {
    let c = &options.config;
    let names = if c.suites.is_empty() {
        vec!["drupal11".to_owned(), "php-exec".to_owned()]
    } else {
        c.suites.clone()
    };
    let mut suites = Vec::new();
    for name in &names {
        let mut suite = Suite::load(name, &ws.root)?;
        if let Some(limit) = c.limit {
            suite.truncate(limit);
        }
        suites.push(suite);
    }
    let decoding = Decoding {
        temperature: c.temperature.unwrap_or(0.0),
        top_p: c.top_p.unwrap_or(1.0),
        max_tokens: c.max_tokens.unwrap_or(1024),
        seed: c.seed.unwrap_or(0),
        samples: c.samples.unwrap_or(1),
    };
    // Found once: the models of the run and the test split both come from it.
    let adapter = c
        .adapter
        .as_deref()
        .map(|spec| find_adapter(ws, spec, c.model.as_deref(), None))
        .transpose()?;
    let contenders = contenders(ws, options, adapter.as_ref(), hub, reporter)?;
    let limits = Limits {
        timeout: std::time::Duration::from_secs(c.exec_timeout_secs.unwrap_or(15)),
        ..Limits::default()
    };
    let settings = run_settings(&suites, &contenders, &decoding, &limits);
    let name = match &options.run {
        Some(n) => n.clone(),
        None => default_run_name(&settings),
    };
    let dir = ws.path(EVAL_DIR).join(&name);
    reporter.info(&format!("evaluation run {}", dir.display()));

    let config = &ws.config;
    let checker = tuneforge_pipeline::stages::checker::workspace_checker(config, &ws.root)?;
    let tools = tuneforge_pipeline::stages::gate::gate_tools(config, &ws.root);
    let classes = tuneforge_pipeline::stages::gate::class_index(&ws.root)?;
    let judges = Judges {
        checker: &checker,
        tools: &tools,
        classes: classes.as_ref(),
        php: tools.php.path.clone(),
        limits,
    };
    let outcome = run::evaluate(
        &dir,
        &suites,
        &contenders,
        &settings,
        &judges,
        reporter,
        generate_reporter,
    )?;
    let library_versions = contenders
        .iter()
        .find_map(|c| match &c.backend {
            Backend::Worker(w) => Some(tuneforge_train::run::library_versions(&w.env)),
            Backend::Endpoint(_) => None,
        })
        .unwrap_or(serde_json::Value::Null);
    let compare = (contenders.len() == 2).then_some(("base", "adapter"));
    let mut metrics = metrics::compute(
        &name,
        &settings,
        &outcome.results,
        compare,
        library_versions,
    );
    if c.perplexity.unwrap_or(true)
        && let Some((_, record)) = &adapter
    {
        metrics.test_split = test_split(
            &dir,
            &record.dataset_dir,
            record.settings.max_seq_len,
            &contenders,
            reporter,
            generate_reporter,
        )?;
    }
    fsio::write_json_atomic(&dir.join(METRICS_FILE), &metrics)?;
    fsio::write_json_atomic(&dir.join(run::TIMINGS_FILE), &outcome.timings)?;
    let report_md = dir.join("report.md");
    let report_html = dir.join("report.html");
    fsio::write_atomic(&report_md, report::markdown(&metrics).as_bytes())?;
    fsio::write_atomic(&report_html, report::html(&metrics).as_bytes())?;
    Ok(EvalSummary {
        outcome,
        metrics,
        report_md,
        report_html,
    })
}

/// The scores of the test split, kept between invocations of a run.
const TEST_SPLIT_FILE: &str = "test_split.json";

/// The loss and perplexity of every local model over the trained tokens of the adapter's
/// test split, rendered and tokenized as training did; kept in `test_split.json` so a rerun
/// does not score again. `None` when the dataset has no test split or no model is local.
fn test_split(
    dir: &Path,
    dataset_dir: &Path,
    max_seq_len: u32,
    contenders: &[Contender],
    reporter: &dyn Reporter,
    generate_reporter: &dyn GenerateReporter,
) -> Result<Option<metrics::TestSplit>, ModelError> {
    let file = dataset_dir.join("test.jsonl");
    let samples = match tuneforge_train::run::read_samples(&file) {
        Ok(s) if !s.is_empty() => s,
        _ => {
            reporter.info(&format!("{}: no test split to score", file.display()));
            return Ok(None);
        }
    };
    let local: Vec<(&Contender, &WorkerModel)> = contenders
        .iter()
        .filter_map(|c| match &c.backend {
            Backend::Worker(w) if w.template.is_some() => Some((c, w.as_ref())),
            _ => None,
        })
        .collect();
    let Some((_, first)) = local.first() else {
        return Ok(None);
    };
    let saved = dir.join(TEST_SPLIT_FILE);
    if let Ok(bytes) = std::fs::read(&saved)
        && let Ok(known) = serde_json::from_slice::<metrics::TestSplit>(&bytes)
        && known.file == file
        && local
            .iter()
            .all(|(c, _)| known.scores.contains_key(&c.info.label))
    {
        return Ok(Some(known));
    }
    // The base and its adapter share the template and tokenizer: the tokens are made once.
    let tokens_dir = dir.join(".work").join("test-tokens");
    let template = first.template.as_ref().expect("filtered on a template");
    tuneforge_tokens::prepare(
        &tokens_dir,
        &[tuneforge_tokens::SplitSamples {
            name: "test",
            samples: &samples,
        }],
        template,
        &first.tokenizer,
        &tuneforge_tokens::PrepConfig::new(max_seq_len as usize),
        &tuneforge_tokens::ReporterProgress::new(reporter),
    )
    .map_err(tuneforge_train::run::TrainError::from)?;
    let mut scores = std::collections::BTreeMap::new();
    for (contender, model) in local {
        reporter.info(&format!("{}: scoring the test split", contender.info.label));
        let spec = ScoreSpec {
            protocol: tuneforge_train::events::PROTOCOL_VERSION,
            model_dir: model.model_dir.clone(),
            adapter_dir: model.adapter_dir.clone(),
            data: tokens_dir.join("test.safetensors"),
            batch_size: model.batch_size,
            pad_token_id: model.pad_token_id,
            bf16: model.bf16,
            load_in_4bit: model.load_in_4bit,
        };
        let work = dir
            .join(".work")
            .join(format!("score-{}", contender.info.label));
        let score = tuneforge_train::generate::score(&model.env, &spec, &work, generate_reporter)?;
        scores.insert(contender.info.label.clone(), score);
    }
    let split = metrics::TestSplit { file, scores };
    fsio::write_json_atomic(&saved, &split)?;
    Ok(Some(split))
}

/// The evaluation runs of the workspace that evaluated the adapter in `run_dir`, by name.
pub fn evaluations_of(ws: &Workspace, run_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(ws.path(EVAL_DIR)) else {
        return Vec::new();
    };
    let wanted = std::fs::canonicalize(run_dir).unwrap_or_else(|_| run_dir.to_path_buf());
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let Ok(bytes) = std::fs::read(e.path().join(METRICS_FILE)) else {
                return false;
            };
            let Ok(m) = serde_json::from_slice::<Metrics>(&bytes) else {
                return false;
            };
            m.settings.models.iter().any(|model| {
                model.adapter.as_ref().is_some_and(|a| {
                    std::fs::canonicalize(a).unwrap_or_else(|_| a.clone()) == wanted
                })
            })
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
