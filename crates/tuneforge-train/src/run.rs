//! One training run in a directory the caller chose: resolve the model, prepare the tokens,
//! run the worker, follow its events, retry out-of-memory failures with a smaller
//! micro-batch, and leave the adapter with its [`RunRecord`] (`run.json`) in the directory.
//! Where runs live in a workspace and how they are numbered is `tuneforge-model`'s business.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio::{self, IoError};
use tuneforge_core::jsonl::{LocatedError, parse_line, split_lines};
use tuneforge_core::records::Sample;
use tuneforge_tokens::{ChatTemplate, PrepConfig, PrepTokenizer, SplitSamples, prepare};

use crate::env::WorkerEnv;
use crate::events::{Envelope, ErrorKind, Event, PROTOCOL_VERSION, parse_line as parse_event};
use crate::hub::{HubOptions, ModelSource, ResolvedModel};
use crate::registry::ModelEntry;
use crate::spec::{ResolvedSettings, RunSpec, SpecPaths, TestHooks};

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Hub(#[from] crate::hub::HubError),
    #[error("{0}\n  hint: fix or remove the line, or rebuild the dataset with `tuneforge run`")]
    BadSample(LocatedError),
    #[error("{path}: missing\n  hint: {hint}")]
    Missing { path: PathBuf, hint: &'static str },
    #[error("the model's chat template or tokenizer: {0}")]
    Template(String),
    #[error("preparing the tokens")]
    Prep(#[from] tuneforge_tokens::PrepError),
    #[error("the worker failed ({kind}): {message}\n  see {log}")]
    Worker {
        kind: String,
        message: String,
        log: PathBuf,
    },
    #[error(
        "out of memory at micro-batch {micro_batch} after {retries} retries\n  hint: use a smaller --max-seq-len, --load-in-4bit or a profile for a smaller card"
    )]
    OutOfMemory { micro_batch: u32, retries: u32 },
    #[error("{}: {message}\n  hint: the run's record is damaged; train again, or restore the file", path.display())]
    BadRecord { path: PathBuf, message: String },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// What the binary draws.
pub trait TrainReporter: Sync {
    /// A step of tuneforge's own (resolving, preparing, a retry).
    fn note(&self, _message: &str) {}
    /// One event from the worker.
    fn event(&self, _event: &Envelope) {}
    /// The worker is about to start. From here Ctrl-C belongs to the worker (it saves a
    /// checkpoint and stops); the binary keeps running to read its last events.
    fn worker_starting(&self) {}
}

/// One training run, resolved.
#[derive(Debug, Clone)]
pub struct TrainRequest {
    /// Registry name, `org/name` or a directory.
    pub model: String,
    pub revision: Option<String>,
    pub model_entry: Option<&'static ModelEntry>,
    /// `dataset/v<N>` (or one domain's directory in it).
    pub dataset_dir: PathBuf,
    /// The run's directory, existing and empty for a new run; for a resumed one, the
    /// unfinished run holding a checkpoint.
    pub run_dir: PathBuf,
    pub settings: ResolvedSettings,
    /// Continue the run in `run_dir` from its last checkpoint.
    pub resume: bool,
    /// How many times an out-of-memory failure is retried with half the micro-batch.
    pub oom_retries: u32,
    /// Worker processes: 1, or N GPUs through torchrun (DDP; gloo between CPU processes
    /// where there is no CUDA).
    pub processes: u32,
    pub test: TestHooks,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainOutcome {
    pub run_dir: PathBuf,
    /// False when Ctrl-C stopped the run (a checkpoint was saved; `--resume` continues).
    pub finished: bool,
    pub steps: u64,
    pub train_loss: Option<f64>,
    pub oom_retries: u32,
}

/// `run.json`: written when a run finished, so its presence marks a finished run. Eval and
/// export read the base model, its revision and commit from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    /// `tuneforge-run/1`.
    pub format: String,
    pub tool_version: String,
    /// The model as it was named: registry name, `org/name` or a directory.
    pub model: String,
    pub repo_id: Option<String>,
    pub revision: Option<String>,
    /// The commit the hub revision resolved to.
    pub commit: Option<String>,
    pub dataset_dir: PathBuf,
    pub dataset_manifest_blake3: Option<String>,
    pub tokens_manifest_blake3: String,
    pub settings: ResolvedSettings,
    pub spec: RunSpec,
    pub oom_retries: u32,
    pub steps: u64,
    pub train_loss: Option<f64>,
    /// The worker environment and the versions of its stack (Python, torch, transformers,
    /// TRL, PEFT, …), read from package metadata.
    pub worker_env: PathBuf,
    pub library_versions: serde_json::Value,
}

/// The file name of a run's [`RunRecord`].
pub const RUN_RECORD: &str = "run.json";

impl RunRecord {
    pub const FORMAT: &'static str = "tuneforge-run/1";

    /// The record of the run in `run_dir`; `None` when the run never finished.
    pub fn read(run_dir: &Path) -> Result<Option<Self>, TrainError> {
        let path = run_dir.join(RUN_RECORD);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(fsio::at("cannot read", &path)(e).into()),
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| TrainError::BadRecord {
                path,
                message: e.to_string(),
            })
    }
}

pub fn train(
    request: &TrainRequest,
    env: &WorkerEnv,
    hub: &HubOptions,
    reporter: &dyn TrainReporter,
    core_reporter: &dyn tuneforge_core::reporter::Reporter,
) -> Result<TrainOutcome, TrainError> {
    let source = ModelSource::parse(&request.model, request.revision.as_deref())?;
    reporter.note(&format!("resolving {}", request.model));
    let model = crate::hub::resolve(&source, hub, core_reporter)?;

    let run_dir = request.run_dir.clone();
    reporter.note(&format!("run directory {}", run_dir.display()));

    let tokens_dir = run_dir.join("tokens");
    let tokens_manifest = tokens_dir.join("tokens.json");
    let saved_spec = run_dir.join("run_spec.json");
    if request.resume && saved_spec.is_file() && tokens_manifest.is_file() {
        // A resumed run continues with what it was started with (its tokens and its spec,
        // after any out-of-memory retry), not with today's flags or dataset.
        let mut spec: RunSpec = std::fs::read(&saved_spec)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TrainError::Missing {
                path: saved_spec.clone(),
                hint: "the run's spec is unreadable; start a new run without --resume",
            })?;
        spec.resume = true;
        spec.test = request.test.clone();
        reporter.note("resuming with the run's own settings and tokens");
        return follow(request, env, &model, run_dir, spec, reporter);
    }
    reporter.note("rendering, tokenizing and packing the dataset");
    let tokenizer = load_tokenizer(&model.dir)?;
    let config = PrepConfig::new(request.settings.max_seq_len as usize);
    prepare_dataset(
        &model.dir,
        &tokenizer,
        &request.dataset_dir,
        &tokens_dir,
        &config,
        core_reporter,
    )?;
    let pad_token_id = pad_token_id(&tokenizer, &model.dir, request.model_entry)?;
    let mut spec = request.settings.run_spec(
        SpecPaths {
            model_dir: model.dir.clone(),
            output_dir: run_dir.clone(),
            train_data: tokens_dir.join("train.safetensors"),
            valid_data: Some(tokens_dir.join("valid.safetensors")).filter(|p| p.is_file()),
            pad_token_id,
        },
        request.model_entry,
    );
    spec.resume = request.resume;
    spec.test = request.test.clone();
    follow(request, env, &model, run_dir, spec, reporter)
}

/// Runs the worker on `spec` until it finishes, fails or is interrupted, retrying
/// out-of-memory failures.
fn follow(
    request: &TrainRequest,
    env: &WorkerEnv,
    model: &ResolvedModel,
    run_dir: PathBuf,
    mut spec: RunSpec,
    reporter: &dyn TrainReporter,
) -> Result<TrainOutcome, TrainError> {
    let metrics = run_dir.join("metrics.jsonl");
    let log = run_dir.join("worker.log");
    let mut retries = 0;
    loop {
        fsio::write_json_atomic(&run_dir.join("run_spec.json"), &spec)?;
        let result = run_worker(env, request.processes, &run_dir, &metrics, &log, reporter)?;
        plot(&run_dir, &metrics, reporter);
        match result {
            WorkerResult::Finished { step, train_loss } => {
                let result = (retries, step, train_loss);
                finish(env, request, model, &run_dir, &spec, result)?;
                return Ok(TrainOutcome {
                    run_dir,
                    finished: true,
                    steps: step,
                    train_loss: Some(train_loss),
                    oom_retries: retries,
                });
            }
            WorkerResult::Failed {
                kind: ErrorKind::Oom,
                ..
            } if retries < request.oom_retries && spec.micro_batch > 1 => {
                retries += 1;
                // Keep the effective batch: 3 × 2 becomes 1 × 6, not 1 × 4.
                let effective = spec.micro_batch * spec.grad_accum;
                spec.micro_batch /= 2;
                spec.grad_accum = effective.div_ceil(spec.micro_batch);
                spec.resume = has_checkpoint(&run_dir);
                let message = format!(
                    "out of memory: retrying with micro-batch {} × accumulation {} (retry {retries} of {})",
                    spec.micro_batch, spec.grad_accum, request.oom_retries
                );
                reporter.note(&message);
                append_metric(
                    &metrics,
                    &serde_json::json!({
                        "v": PROTOCOL_VERSION,
                        "time": now(),
                        "event": "retry",
                        "reason": "oom",
                        "micro_batch": spec.micro_batch,
                        "grad_accum": spec.grad_accum,
                        "resume": spec.resume,
                    }),
                )?;
            }
            WorkerResult::Failed {
                kind: ErrorKind::Oom,
                ..
            } => {
                return Err(TrainError::OutOfMemory {
                    micro_batch: spec.micro_batch,
                    retries,
                });
            }
            WorkerResult::Failed {
                kind: ErrorKind::Interrupted,
                step,
                ..
            } => {
                return Ok(TrainOutcome {
                    run_dir,
                    finished: false,
                    steps: step.unwrap_or(0),
                    train_loss: None,
                    oom_retries: retries,
                });
            }
            WorkerResult::Failed { kind, message, .. } => {
                return Err(TrainError::Worker {
                    kind: format!("{kind:?}").to_lowercase(),
                    message,
                    log,
                });
            }
        }
    }
}

/// Draws the loss curve so far; a plot that cannot be drawn is worth a note, not a failure.
fn plot(run_dir: &Path, metrics: &Path, reporter: &dyn TrainReporter) {
    let Ok(text) = std::fs::read_to_string(metrics) else {
        return;
    };
    // `<model>/<domain>-lora-v<N>`
    let title = run_dir
        .iter()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let curves = crate::plot::Curves::from_metrics(&text);
    match crate::plot::draw_loss(run_dir, &format!("loss: {title}"), &curves) {
        Ok(files) => reporter.note(&format!(
            "loss curve: {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Err(e) => reporter.note(&format!("no loss curve: {e}")),
    }
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The samples of a JSON Lines file (none when it does not exist), each bad line an error
/// naming its file and line.
pub fn read_samples(path: &Path) -> Result<Vec<Sample>, TrainError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fsio::at("cannot read", path)(e).into()),
    };
    split_lines(&bytes)
        .iter()
        .filter(|l| !l.bytes.iter().all(u8::is_ascii_whitespace))
        .map(|l| {
            parse_line::<Sample>(l).map_err(|e| TrainError::BadSample(LocatedError::new(path, e)))
        })
        .collect()
}

/// Renders, tokenizes, masks and packs a dataset directory's `train.jsonl` and
/// `valid.jsonl` with the model's chat template and tokenizer into `tokens_dir`.
pub fn prepare_dataset(
    model_dir: &Path,
    tokenizer: &PrepTokenizer,
    dataset_dir: &Path,
    tokens_dir: &Path,
    config: &PrepConfig,
    core_reporter: &dyn tuneforge_core::reporter::Reporter,
) -> Result<tuneforge_tokens::Prepared, TrainError> {
    let train_path = dataset_dir.join("train.jsonl");
    if !train_path.is_file() {
        return Err(TrainError::Missing {
            path: train_path,
            hint: "build a dataset first (`tuneforge run`), or name one with --dataset",
        });
    }
    let train = read_samples(&train_path)?;
    let valid = read_samples(&dataset_dir.join("valid.jsonl"))?;
    let template =
        ChatTemplate::from_model_dir(model_dir).map_err(|e| TrainError::Template(e.to_string()))?;
    Ok(prepare(
        tokens_dir,
        &[
            SplitSamples {
                name: "train",
                samples: &train,
            },
            SplitSamples {
                name: "valid",
                samples: &valid,
            },
        ],
        &template,
        tokenizer,
        config,
        &tuneforge_tokens::ReporterProgress::new(core_reporter),
    )?)
}

/// The model's tokenizer (`tokenizer.json`), read once per run.
pub fn load_tokenizer(model_dir: &Path) -> Result<PrepTokenizer, TrainError> {
    PrepTokenizer::from_model_dir(model_dir).map_err(|e| TrainError::Template(e.to_string()))
}

/// The pad token's id: the registry's pad token, else `tokenizer_config.json`'s, else eos.
pub fn pad_token_id(
    tokenizer: &PrepTokenizer,
    model_dir: &Path,
    entry: Option<&ModelEntry>,
) -> Result<u32, TrainError> {
    let config: serde_json::Value = std::fs::read(model_dir.join("tokenizer_config.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let named = |key: &str| -> Option<String> {
        match &config[key] {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Object(o) => o.get("content")?.as_str().map(String::from),
            _ => None,
        }
    };
    let candidates = [
        entry.map(|e| e.pad_token.to_string()),
        named("pad_token"),
        named("eos_token"),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|t| tokenizer.tokenizer().token_to_id(&t))
        .ok_or_else(|| {
            TrainError::Template(format!(
                "{}: the tokenizer has no pad or eos token; set pad_token in tokenizer_config.json",
                model_dir.display()
            ))
        })
}

/// Whether the run in `run_dir` saved a checkpoint it can resume from.
pub fn has_checkpoint(run_dir: &Path) -> bool {
    std::fs::read_dir(run_dir.join("checkpoints"))
        .map(|mut entries| entries.any(|e| e.is_ok()))
        .unwrap_or(false)
}

enum WorkerResult {
    Finished {
        step: u64,
        train_loss: f64,
    },
    Failed {
        kind: ErrorKind,
        message: String,
        step: Option<u64>,
    },
}

fn append_metric<T: Serialize>(path: &Path, value: &T) -> Result<(), TrainError> {
    let line = serde_json::to_string(value).expect("metrics serialize");
    fsio::append_line_locked(path, &line)?;
    Ok(())
}

/// The worker's log, opened for appending: its stderr goes there.
pub(crate) fn open_log(log: &Path) -> Result<std::fs::File, TrainError> {
    Ok(std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(fsio::at("cannot open", log))?)
}

fn run_worker(
    env: &WorkerEnv,
    processes: u32,
    run_dir: &Path,
    metrics: &Path,
    log: &Path,
    reporter: &dyn TrainReporter,
) -> Result<WorkerResult, TrainError> {
    let stderr = open_log(log)?;
    let mut command = if processes > 1 {
        // torchrun starts the processes and sets RANK/WORLD_SIZE; the Trainer runs DDP and
        // only rank 0 writes events.
        let mut command = env.python_command();
        command.args([
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc-per-node",
            &processes.to_string(),
            "-m",
            "tuneforge_worker",
        ]);
        command
    } else {
        env.worker_command()
    };
    reporter.worker_starting();
    let mut child = command
        .arg("train")
        .arg("--spec")
        .arg(run_dir.join("run_spec.json"))
        .env("HF_HUB_OFFLINE", "1")
        .env("TOKENIZERS_PARALLELISM", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(fsio::at("cannot start", &env.python))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut last_error = None;
    let mut finished = None;
    let follow_events = || -> Result<(), TrainError> {
        let mut reader = BufReader::new(stdout);
        let mut raw = Vec::new();
        loop {
            raw.clear();
            let n = reader
                .read_until(b'\n', &mut raw)
                .map_err(fsio::at("cannot read the worker's output", log))?;
            if n == 0 {
                return Ok(());
            }
            // A native library writing stray bytes to fd 1 must not end the run.
            let line = String::from_utf8_lossy(&raw);
            let line = line.trim_end_matches(['\n', '\r']);
            match parse_event(line) {
                Ok(envelope) => {
                    fsio::append_line_locked(metrics, line)?;
                    reporter.event(&envelope);
                    match envelope.event {
                        Event::Finished {
                            step, train_loss, ..
                        } => finished = Some((step, train_loss)),
                        Event::Error {
                            kind,
                            message,
                            step,
                        } => last_error = Some((kind, message, step)),
                        _ => {}
                    }
                }
                Err(problem) => {
                    // Not an event (a library printing to stdout): keep it in the log.
                    let mut file = std::fs::OpenOptions::new()
                        .append(true)
                        .open(log)
                        .map_err(fsio::at("cannot open", log))?;
                    let _ = writeln!(file, "[stdout, not an event: {problem}] {line}");
                }
            }
        }
    };
    if let Err(e) = follow_events() {
        // Never leave a worker training on its own (a full disk, an unreadable pipe).
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    let status = child
        .wait()
        .map_err(fsio::at("cannot wait for", &env.python))?;
    Ok(match (finished, last_error) {
        (Some((step, train_loss)), None) if status.success() => {
            WorkerResult::Finished { step, train_loss }
        }
        (_, Some((kind, message, step))) => WorkerResult::Failed {
            kind,
            message,
            step,
        },
        _ => WorkerResult::Failed {
            kind: ErrorKind::Internal,
            message: format!("the worker exited ({status}) without a result"),
            step: None,
        },
    })
}

/// Moves the adapter into the run directory and writes `run.json`.
/// `python -m tuneforge_worker versions`; `null` when the worker cannot say (the run still
/// counts, the manifest just lacks versions).
pub fn library_versions(env: &WorkerEnv) -> serde_json::Value {
    env.worker_command()
        .arg("versions")
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| serde_json::from_slice(&out.stdout).ok())
        .unwrap_or(serde_json::Value::Null)
}

fn finish(
    env: &WorkerEnv,
    request: &TrainRequest,
    model: &ResolvedModel,
    run_dir: &Path,
    spec: &RunSpec,
    (retries, steps, train_loss): (u32, u64, f64),
) -> Result<(), TrainError> {
    let adapter = run_dir.join("adapter");
    for name in ["adapter_config.json", "adapter_model.safetensors"] {
        let from = adapter.join(name);
        if !from.is_file() {
            return Err(TrainError::Missing {
                path: from,
                hint: "the worker reported success without saving the adapter; see worker.log",
            });
        }
        let to = run_dir.join(name);
        std::fs::rename(&from, &to).map_err(fsio::at("cannot move the adapter to", &to))?;
    }
    let _ = std::fs::remove_dir_all(&adapter);
    let hash_file = |p: &Path| {
        std::fs::read(p)
            .ok()
            .map(|b| blake3::hash(&b).to_hex().to_string())
    };
    let (repo_id, revision) = match &model.source {
        ModelSource::Hub { repo_id, revision } => (Some(repo_id.as_str()), Some(revision.as_str())),
        ModelSource::Local { .. } => (None, None),
    };
    let record = RunRecord {
        format: RunRecord::FORMAT.into(),
        tool_version: tuneforge_core::TOOL_VERSION.into(),
        model: request.model.clone(),
        repo_id: repo_id.map(String::from),
        revision: revision.map(String::from),
        commit: model.commit.clone(),
        dataset_dir: request.dataset_dir.clone(),
        dataset_manifest_blake3: hash_file(&request.dataset_dir.join("manifest.json")),
        tokens_manifest_blake3: hash_file(&run_dir.join("tokens/tokens.json")).unwrap_or_default(),
        settings: request.settings.clone(),
        spec: spec.clone(),
        oom_retries: retries,
        steps,
        train_loss: Some(train_loss),
        worker_env: env.venv.clone(),
        library_versions: library_versions(env),
    };
    fsio::write_json_atomic(&run_dir.join(RUN_RECORD), &record)?;
    Ok(())
}
