//! Inference through the worker: a base model, with or without a LoRA adapter, answering
//! prompts that tuneforge has already rendered and tokenized (so the chat template is the
//! one training used, rendered by the same code), or scoring a token file (the mean loss
//! and perplexity over its trained tokens, [`score`]).
//!
//! The protocol is three files: `generate_spec.json` ([`GenerateSpec`]), the requests (one
//! [`GenerateRequest`] per line) and the answers the worker appends (one
//! [`GeneratedAnswer`] per line, flushed batch by batch). A request whose id is already in
//! the answers is not generated again, so a run stopped halfway continues where it was.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio;

use crate::env::WorkerEnv;
use crate::events::{Envelope, Event, PROTOCOL_VERSION, parse_line as parse_event};
use crate::run::TrainError;

/// `generate_spec.json`: the worker's input (field names are the protocol).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateSpec {
    pub protocol: u32,
    pub model_dir: PathBuf,
    /// A PEFT adapter directory (`adapter_config.json`, `adapter_model.safetensors`).
    pub adapter_dir: Option<PathBuf>,
    /// JSON Lines of [`GenerateRequest`].
    pub requests: PathBuf,
    /// JSON Lines of [`GeneratedAnswer`], appended.
    pub output: PathBuf,
    pub batch_size: u32,
    /// 0 is greedy decoding.
    pub temperature: f64,
    pub top_p: f64,
    pub pad_token_id: u32,
    pub bf16: bool,
    pub load_in_4bit: bool,
}

/// One prompt, already rendered and tokenized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    pub id: String,
    pub input_ids: Vec<u32>,
    pub max_new_tokens: u64,
    /// The answer ends before the first of these strings.
    pub stop: Vec<String>,
    /// Sampling seed (`torch.manual_seed` before the request's batch); batches hold one seed.
    pub seed: u64,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedAnswer {
    pub id: String,
    /// The new tokens decoded without special tokens, cut before a stop string.
    pub text: String,
    pub new_tokens: u64,
    /// `stop` (end of sequence or a stop string) or `length`.
    pub finish_reason: String,
}

/// What the binary draws while the worker generates.
pub trait GenerateReporter: Sync {
    fn event(&self, _event: &Envelope) {}
}

/// The answers in `path` that parse, by id (a line torn by a kill is ignored: its request
/// is generated again).
pub fn read_answers(path: &Path) -> Result<Vec<GeneratedAnswer>, TrainError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fsio::at("cannot read", path)(e).into()),
    };
    // Lossy: a line torn inside a multi-byte character must not hide the others.
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect())
}

/// Runs the worker on the requests of `spec` that have no answer yet, writing
/// `generate_spec.json` and `worker.log` into `work_dir`; returns every answer of
/// `spec.output`.
pub fn generate(
    env: &WorkerEnv,
    spec: &GenerateSpec,
    requests: &[GenerateRequest],
    work_dir: &Path,
    reporter: &dyn GenerateReporter,
) -> Result<Vec<GeneratedAnswer>, TrainError> {
    std::fs::create_dir_all(work_dir).map_err(fsio::at("cannot create", work_dir))?;
    let answered: BTreeSet<String> = read_answers(&spec.output)?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let missing: Vec<&GenerateRequest> = requests
        .iter()
        .filter(|r| !answered.contains(&r.id))
        .collect();
    if !missing.is_empty() {
        let mut lines = Vec::new();
        for request in &missing {
            serde_json::to_writer(&mut lines, request).expect("requests serialize");
            lines.push(b'\n');
        }
        fsio::write_atomic(&spec.requests, &lines)?;
        let spec_path = work_dir.join("generate_spec.json");
        fsio::write_json_atomic(&spec_path, spec)?;
        run_worker(
            env,
            "generate",
            &spec_path,
            &work_dir.join("worker.log"),
            reporter,
        )?;
    }
    read_answers(&spec.output)
}

/// `score_spec.json`: the worker's input for `score` (field names are the protocol).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSpec {
    pub protocol: u32,
    pub model_dir: PathBuf,
    pub adapter_dir: Option<PathBuf>,
    /// A token file as `prepare` writes it (`<split>.safetensors`).
    pub data: PathBuf,
    /// Documents per forward pass.
    pub batch_size: u32,
    pub pad_token_id: u32,
    pub bf16: bool,
    pub load_in_4bit: bool,
}

/// The loss of a model over the trained tokens of a token file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub documents: u64,
    pub tokens: u64,
    /// Mean cross-entropy per trained token, in nats.
    pub loss: f64,
    pub perplexity: f64,
}

/// Runs the worker's `score` on `spec`, writing `score_spec.json` and `worker.log` into
/// `work_dir`.
pub fn score(
    env: &WorkerEnv,
    spec: &ScoreSpec,
    work_dir: &Path,
    reporter: &dyn GenerateReporter,
) -> Result<Score, TrainError> {
    std::fs::create_dir_all(work_dir).map_err(fsio::at("cannot create", work_dir))?;
    let spec_path = work_dir.join("score_spec.json");
    fsio::write_json_atomic(&spec_path, spec)?;
    let log = work_dir.join("worker.log");
    match run_worker(env, "score", &spec_path, &log, reporter)? {
        Event::Scored {
            documents,
            tokens,
            loss,
            perplexity,
        } => Ok(Score {
            documents,
            tokens,
            loss,
            perplexity,
        }),
        _ => Err(TrainError::Worker {
            kind: "internal".into(),
            message: "the worker finished without a score".into(),
            log,
        }),
    }
}

/// Whether `event` ends a `generate` or `score` run successfully.
fn is_final(event: &Event) -> bool {
    matches!(
        event,
        Event::GenerationFinished { .. } | Event::Scored { .. }
    )
}

/// Runs `python -m tuneforge_worker <command> --spec <spec>` and follows its events; the
/// final event on success.
fn run_worker(
    env: &WorkerEnv,
    command: &str,
    spec_path: &Path,
    log: &Path,
    reporter: &dyn GenerateReporter,
) -> Result<Event, TrainError> {
    let stderr = crate::run::open_log(log)?;
    let mut child = env
        .worker_command()
        .arg(command)
        .arg("--spec")
        .arg(spec_path)
        .env("HF_HUB_OFFLINE", "1")
        .env("TOKENIZERS_PARALLELISM", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .map_err(fsio::at("cannot start", &env.python))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut finished = None;
    let mut last_error = None;
    let mut reader = BufReader::new(stdout);
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match reader.read_until(b'\n', &mut raw) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fsio::at("cannot read the worker's output", log)(e).into());
            }
        }
        let line = String::from_utf8_lossy(&raw);
        let line = line.trim_end_matches(['\n', '\r']);
        match parse_event(line) {
            Ok(envelope) => {
                reporter.event(&envelope);
                match &envelope.event {
                    event if is_final(event) => finished = Some(event.clone()),
                    Event::Error { kind, message, .. } => {
                        last_error = Some((format!("{kind:?}").to_lowercase(), message.clone()))
                    }
                    _ => {}
                }
            }
            Err(problem) => {
                if let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(log) {
                    let _ = writeln!(file, "[stdout, not an event: {problem}] {line}");
                }
            }
        }
    }
    let status = child
        .wait()
        .map_err(fsio::at("cannot wait for", &env.python))?;
    match (finished, last_error) {
        (Some(event), None) if status.success() => Ok(event),
        (_, Some((kind, message))) => Err(TrainError::Worker {
            kind,
            message,
            log: log.to_path_buf(),
        }),
        _ => Err(TrainError::Worker {
            kind: "internal".into(),
            message: format!("the worker exited ({status}) without finishing"),
            log: log.to_path_buf(),
        }),
    }
}

impl GenerateSpec {
    /// A spec at protocol [`PROTOCOL_VERSION`] with greedy decoding, float32 and batch 8.
    pub fn new(model_dir: PathBuf, requests: PathBuf, output: PathBuf, pad_token_id: u32) -> Self {
        Self {
            protocol: PROTOCOL_VERSION,
            model_dir,
            adapter_dir: None,
            requests,
            output,
            batch_size: 8,
            temperature: 0.0,
            top_p: 1.0,
            pad_token_id,
            bf16: false,
            load_in_4bit: false,
        }
    }
}
