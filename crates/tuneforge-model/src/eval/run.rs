//! One evaluation run in `eval/<run>/`: every model of the run answers every task of every
//! suite (`samples` times), each answer is kept as the model gave it
//! (`sample_outputs/<model>/<suite>/<task>.<sample>.txt`), judged, and appended to
//! `results.jsonl` as soon as it is judged. A rerun with the same settings judges only what
//! is missing; with other settings it is refused, so one directory never mixes them.
//! `metrics.json` and the reports are written from `results.jsonl` at the end.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio;
use tuneforge_core::reporter::Reporter;
use tuneforge_php::class_index::ClassIndex;
use tuneforge_php::gate::GateTools;
use tuneforge_php::rules::Checker;
use tuneforge_teacher::Prompt;
use tuneforge_train::generate::GenerateReporter;

use super::backend::{Ask, Backend, Decoding, user_turn};
use super::exec::{self, Limits, PromptMode, Status};
use super::judge::DrupalJudge;
use super::suite::{CompiledTask, DRUPAL11, ExecProblem, PHP_EXEC, drupal_tasks, exec_problems};
use crate::ModelError;

/// `results.jsonl`, one line per task, model and sample.
pub const RESULTS_FILE: &str = "results.jsonl";
/// The run's settings, written when the run starts; a rerun must match them.
pub const SETTINGS_FILE: &str = "run.json";
pub const METRICS_FILE: &str = "metrics.json";
pub const SAMPLE_OUTPUTS_DIR: &str = "sample_outputs";

/// A suite's tasks.
#[derive(Debug, Clone)]
pub enum SuiteTasks {
    Drupal(Vec<CompiledTask>),
    Exec(Vec<ExecProblem>),
}

/// A loaded suite: its name (`drupal11`, `php-exec` or the file's stem), the blake3 of its
/// text and its tasks.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    pub blake3: String,
    pub tasks: SuiteTasks,
}

impl Suite {
    /// `drupal11`, `php-exec`, or a JSON Lines file of either format (told apart by the
    /// first task: executable problems have `tests`).
    pub fn load(spec: &str, root: &Path) -> Result<Self, ModelError> {
        let (name, file, text) = match spec {
            "drupal11" => (
                "drupal11".to_owned(),
                "drupal11.jsonl".to_owned(),
                DRUPAL11.to_owned(),
            ),
            "php-exec" => (
                "php-exec".to_owned(),
                "php-exec.jsonl".to_owned(),
                PHP_EXEC.to_owned(),
            ),
            path => {
                let path = tuneforge_sources::discover::resolve_path(root, Path::new(path));
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ModelError::Usage(format!(
                        "{}: cannot read the suite: {e}\n  hint: --suite takes drupal11, php-exec or a JSON Lines file",
                        path.display()
                    ))
                })?;
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "suite".into());
                (name, path.display().to_string(), text)
            }
        };
        let executable = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .is_some_and(|v| v.get("tests").is_some());
        let tasks = if executable {
            SuiteTasks::Exec(exec_problems(&file, &text)?)
        } else {
            SuiteTasks::Drupal(drupal_tasks(&file, &text)?)
        };
        Ok(Self {
            name,
            blake3: blake3::hash(text.as_bytes()).to_hex().to_string(),
            tasks,
        })
    }

    pub fn len(&self) -> usize {
        match &self.tasks {
            SuiteTasks::Drupal(t) => t.len(),
            SuiteTasks::Exec(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keeps the first `n` tasks.
    pub fn truncate(&mut self, n: usize) {
        match &mut self.tasks {
            SuiteTasks::Drupal(t) => t.truncate(n),
            SuiteTasks::Exec(p) => p.truncate(n),
        }
    }

    /// `(id, category)` of each task; executable problems are all of category `php`.
    pub fn task_ids(&self) -> Vec<(String, String)> {
        match &self.tasks {
            SuiteTasks::Drupal(t) => t
                .iter()
                .map(|t| (t.task.id.clone(), t.task.category.clone()))
                .collect(),
            SuiteTasks::Exec(p) => p.iter().map(|p| (p.name.clone(), "php".into())).collect(),
        }
    }
}

/// What a model of the run is, as `run.json` and `metrics.json` record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// How results name it: `base`, `adapter`, or the model's name.
    pub label: String,
    /// The base model as named (registry name, `org/name`, a directory) or the served name.
    pub model: String,
    /// The adapter's run directory.
    pub adapter: Option<PathBuf>,
    /// blake3 of the adapter's weights.
    pub adapter_blake3: Option<String>,
    /// blake3 of the manifest of the dataset the adapter was trained on.
    pub dataset_manifest_blake3: Option<String>,
    /// `endpoint` or `worker`.
    pub backend: String,
    pub endpoint: Option<String>,
    /// `chat` or `completion`: how executable problems are asked.
    pub mode: String,
}

/// A model of the run and where its answers come from.
pub struct Contender {
    pub info: ModelInfo,
    pub backend: Backend,
}

impl Contender {
    fn mode(&self) -> PromptMode {
        if self.info.mode == "completion" {
            PromptMode::Completion
        } else {
            PromptMode::Chat
        }
    }
}

/// The settings a run directory is bound to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub format: u32,
    pub suites: Vec<SuiteInfo>,
    pub models: Vec<ModelInfo>,
    pub decoding: Decoding,
    /// The `php` timeout of executable problems, in seconds.
    pub exec_timeout_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteInfo {
    pub name: String,
    pub blake3: String,
    pub tasks: usize,
}

/// One line of `results.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultLine {
    pub suite: String,
    pub task_id: String,
    pub category: String,
    pub model: String,
    pub sample: u32,
    pub passed: bool,
    pub status: Status,
    /// The checks that failed, by name.
    pub failed: Vec<String>,
    /// The end of what `php` printed (executable problems), or the tool failures.
    pub stderr_excerpt: String,
    /// The raw answer, relative to the run directory.
    pub output: String,
}

impl ResultLine {
    fn key(&self) -> (String, String, String, u32) {
        (
            self.suite.clone(),
            self.task_id.clone(),
            self.model.clone(),
            self.sample,
        )
    }
}

/// How answers are judged.
pub struct Judges<'a> {
    pub checker: &'a Checker,
    pub tools: &'a GateTools,
    pub classes: Option<&'a ClassIndex>,
    /// `php` for executable problems.
    pub php: Option<PathBuf>,
    pub limits: Limits,
}

/// What a finished run left, for the binary to print.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub results: Vec<ResultLine>,
    /// Answers judged by this invocation (not read back from an earlier one).
    pub judged_now: usize,
    /// Asks without an answer (endpoint errors), by model: a rerun asks again.
    pub unanswered: BTreeMap<String, Vec<String>>,
    /// External tool runs that failed while judging.
    pub tool_errors: Vec<String>,
    /// Where this invocation's time went, by model.
    pub timings: BTreeMap<String, Timing>,
}

/// Wall-clock time of one model's part of an invocation (`timings.json`; never part of
/// the metrics, which depend only on the answers).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timing {
    /// Requests sent to the backend (answers not already judged).
    pub asks: usize,
    pub answered: usize,
    pub generate_seconds: f64,
    pub judge_seconds: f64,
}

/// The results already in `results.jsonl`; a torn last line (a kill) is ignored.
pub fn read_results(dir: &Path) -> Result<Vec<ResultLine>, ModelError> {
    let path = dir.join(RESULTS_FILE);
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fsio::IoError::new("cannot read", &path, e).into()),
    };
    // Lossy: a line torn inside a multi-byte character must not hide the others.
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// A file name part from a task id.
fn file_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The request for executable problems asked in chat mode.
pub fn exec_chat_prompt(problem: &ExecProblem) -> String {
    format!(
        "Complete the following PHP function. Reply with the complete function in one ```php code block.\n\n```php\n{}\n```",
        problem.prompt.trim_end()
    )
}

/// One task-sample still to answer.
struct Pending {
    suite: usize,
    task: usize,
    sample: u32,
    ask: Ask,
}

/// Wall-clock timings of a run's last invocation, beside its metrics.
pub const TIMINGS_FILE: &str = "timings.json";

/// The settings a run of these suites, models and decoding is bound to.
pub fn run_settings(
    suites: &[Suite],
    contenders: &[Contender],
    decoding: &Decoding,
    limits: &Limits,
) -> RunSettings {
    RunSettings {
        format: 1,
        suites: suites
            .iter()
            .map(|s| SuiteInfo {
                name: s.name.clone(),
                blake3: s.blake3.clone(),
                tasks: s.len(),
            })
            .collect(),
        models: contenders.iter().map(|c| c.info.clone()).collect(),
        decoding: *decoding,
        exec_timeout_secs: limits.timeout.as_secs(),
    }
}

/// Runs (or continues) the evaluation in `dir` with `settings` (from [`run_settings`]).
pub fn evaluate(
    dir: &Path,
    suites: &[Suite],
    contenders: &[Contender],
    settings: &RunSettings,
    judges: &Judges,
    reporter: &dyn Reporter,
    generate_reporter: &dyn GenerateReporter,
) -> Result<RunOutcome, ModelError> {
    let decoding = &settings.decoding;
    if decoding.samples == 0 {
        return Err(ModelError::Usage("--samples must be at least 1".into()));
    }
    if decoding.samples > 1 && decoding.temperature == 0.0 {
        return Err(ModelError::Usage(
            "--samples above 1 with greedy decoding gives the same answer every time\n  hint: add --temperature (0.2 and 0.8 are the usual pass@k settings)".into(),
        ));
    }
    std::fs::create_dir_all(dir).map_err(fsio::at("cannot create", dir))?;
    let settings_path = dir.join(SETTINGS_FILE);
    match std::fs::read(&settings_path) {
        Ok(bytes) => {
            let earlier: Option<RunSettings> = serde_json::from_slice(&bytes).ok();
            if earlier.as_ref() != Some(settings) {
                return Err(ModelError::Usage(format!(
                    "{} holds a run with other settings (models, suites or decoding)\n  hint: pass another --run name, or delete the directory to start over",
                    dir.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fsio::write_json_atomic(&settings_path, settings)?;
        }
        Err(e) => return Err(fsio::IoError::new("cannot read", &settings_path, e).into()),
    }

    let mut results = read_results(dir)?;
    let done: HashSet<_> = results.iter().map(ResultLine::key).collect();
    let before = results.len();
    let mut unanswered = BTreeMap::new();
    let mut tool_errors = Vec::new();
    let mut timings = BTreeMap::new();
    for contender in contenders {
        let label = &contender.info.label;
        let mut pending = Vec::new();
        for (si, suite) in suites.iter().enumerate() {
            if matches!(suite.tasks, SuiteTasks::Drupal(_)) && !contender.backend.has_chat() {
                return Err(ModelError::Usage(format!(
                    "{label}: the {} suite asks in chat, and {} has no chat template\n  hint: evaluate an instruct model, or only executable suites with --mode completion",
                    suite.name, contender.info.model
                )));
            }
            for (ti, (id, _)) in suite.task_ids().iter().enumerate() {
                for sample in 0..decoding.samples {
                    if done.contains(&(suite.name.clone(), id.clone(), label.clone(), sample)) {
                        continue;
                    }
                    let (prompt, stop) = match &suite.tasks {
                        SuiteTasks::Drupal(tasks) => {
                            (user_turn(&tasks[ti].task.prompt), Vec::new())
                        }
                        SuiteTasks::Exec(problems) => match contender.mode() {
                            PromptMode::Completion => (
                                Prompt::Text(problems[ti].prompt.clone()),
                                problems[ti].stop_tokens.clone(),
                            ),
                            PromptMode::Chat => {
                                (user_turn(&exec_chat_prompt(&problems[ti])), Vec::new())
                            }
                        },
                    };
                    pending.push(Pending {
                        suite: si,
                        task: ti,
                        sample,
                        ask: Ask {
                            id: format!("{}/{id}/{sample}", suite.name),
                            prompt,
                            stop,
                            seed: decoding.seed + u64::from(sample),
                        },
                    });
                }
            }
        }
        if pending.is_empty() {
            continue;
        }
        reporter.info(&format!(
            "{label}: {} answers to generate and judge",
            pending.len()
        ));
        let asks: Vec<Ask> = pending.iter().map(|p| p.ask.clone()).collect();
        let work_dir = dir.join(".work").join(file_part(label));
        let started = std::time::Instant::now();
        let answers =
            contender
                .backend
                .answer(&asks, decoding, &work_dir, reporter, generate_reporter)?;
        let generate_seconds = started.elapsed().as_secs_f64();
        let mut answered: Vec<(&Pending, String)> = Vec::new();
        let mut missing = Vec::new();
        for (p, answer) in pending.iter().zip(answers) {
            match answer {
                Ok(text) => answered.push((p, text)),
                Err(e) => missing.push(format!("{}: {e}", p.ask.id)),
            }
        }
        if answered.is_empty() {
            return Err(ModelError::Unanswered(format!(
                "{label}: no answer to any of {} requests; the first error:\n  {}",
                missing.len(),
                missing.first().map(String::as_str).unwrap_or("")
            )));
        }
        if !missing.is_empty() {
            reporter.warn(&format!(
                "{label}: {} of {} requests got no answer (a rerun asks them again); the first: {}",
                missing.len(),
                pending.len(),
                missing[0]
            ));
            unanswered.insert(label.clone(), missing);
        }
        let started = std::time::Instant::now();
        let (lines, errors) = judge_answers(dir, suites, contender, &answered, judges, reporter)?;
        timings.insert(
            label.clone(),
            Timing {
                asks: pending.len(),
                answered: answered.len(),
                generate_seconds,
                judge_seconds: started.elapsed().as_secs_f64(),
            },
        );
        tool_errors.extend(errors);
        results.extend(lines);
    }
    let judged_now = results.len() - before;
    Ok(RunOutcome {
        dir: dir.to_path_buf(),
        results,
        judged_now,
        unanswered,
        tool_errors,
        timings,
    })
}

/// Writes each answer as given, judges it and appends its result line; returns the lines
/// and the failed tool runs.
fn judge_answers(
    dir: &Path,
    suites: &[Suite],
    contender: &Contender,
    answered: &[(&Pending, String)],
    judges: &Judges,
    reporter: &dyn Reporter,
) -> Result<(Vec<ResultLine>, Vec<String>), ModelError> {
    let label = &contender.info.label;
    let results_path = dir.join(RESULTS_FILE);
    let mut out = Vec::new();
    let mut tool_errors = Vec::new();
    let scratch = tempfile::Builder::new()
        .prefix(".tmp-judge-")
        .tempdir_in(dir)
        .map_err(fsio::at("cannot create a scratch directory in", dir))?;
    for (si, suite) in suites.iter().enumerate() {
        let mine: Vec<&(&Pending, String)> =
            answered.iter().filter(|(p, _)| p.suite == si).collect();
        if mine.is_empty() {
            continue;
        }
        let ids = suite.task_ids();
        let mut lines = Vec::with_capacity(mine.len());
        for (p, answer) in &mine {
            let (id, category) = &ids[p.task];
            let rel = format!(
                "{SAMPLE_OUTPUTS_DIR}/{}/{}/{}.{}.txt",
                file_part(label),
                file_part(&suite.name),
                file_part(id),
                p.sample
            );
            let path = dir.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(fsio::at("cannot create", parent))?;
            }
            fsio::write_atomic(&path, answer.as_bytes())?;
            lines.push(ResultLine {
                suite: suite.name.clone(),
                task_id: id.clone(),
                category: category.clone(),
                model: label.clone(),
                sample: p.sample,
                passed: false,
                status: Status::Failed,
                failed: Vec::new(),
                stderr_excerpt: String::new(),
                output: rel,
            });
        }
        match &suite.tasks {
            SuiteTasks::Drupal(tasks) => {
                let pairs: Vec<(&CompiledTask, &str)> = mine
                    .iter()
                    .map(|(p, a)| (&tasks[p.task], a.as_str()))
                    .collect();
                let judged = DrupalJudge {
                    checker: judges.checker,
                    tools: judges.tools,
                    classes: judges.classes,
                }
                .judge(&pairs, scratch.path(), reporter)?;
                let excerpt = judged.tool_errors.join("; ");
                for (line, verdict) in lines.iter_mut().zip(judged.verdicts) {
                    line.passed = verdict.passed;
                    line.status = verdict.status;
                    line.failed = verdict.failed;
                    line.stderr_excerpt = excerpt.chars().take(2000).collect();
                }
                tool_errors.extend(judged.tool_errors);
            }
            SuiteTasks::Exec(problems) => {
                let Some(php) = &judges.php else {
                    return Err(ModelError::Usage(format!(
                        "the {} suite runs programs with php, which is not installed\n  hint: install php-cli (apt-get install php-cli) or set gate.php in pipeline.yaml",
                        suite.name
                    )));
                };
                let programs: Vec<Option<String>> = mine
                    .iter()
                    .map(|(p, a)| exec::program(&problems[p.task], a, contender.mode()))
                    .collect();
                let task = reporter.task(
                    &format!("{label}: running {}", suite.name),
                    Some(programs.len() as u64),
                );
                let outcomes = run_programs(php, &programs, judges.limits, &*task)?;
                task.finish();
                for (line, outcome) in lines.iter_mut().zip(outcomes) {
                    line.passed = outcome.passed();
                    line.status = outcome.status;
                    if !outcome.passed() {
                        line.failed = vec![format!("exec:{}", status_name(outcome.status))];
                    }
                    line.stderr_excerpt = outcome.output_excerpt;
                }
            }
        }
        for line in &lines {
            let text = serde_json::to_string(line).expect("results serialize");
            fsio::append_line_locked(&results_path, &text)?;
        }
        out.extend(lines);
    }
    Ok((out, tool_errors))
}

fn status_name(status: Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// Runs the programs on every core, each in its own directory; a missing program (a chat
/// answer without code) is `no_code`.
pub fn run_programs(
    php: &Path,
    programs: &[Option<String>],
    limits: Limits,
    task: &dyn tuneforge_core::reporter::Task,
) -> Result<Vec<exec::Outcome>, ModelError> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(programs.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<exec::Outcome, super::EvalError>>>> = programs
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(program) = programs.get(i) else {
                        break;
                    };
                    let outcome = match program {
                        None => Ok(exec::Outcome {
                            status: Status::NoCode,
                            exit_code: None,
                            output_excerpt: String::new(),
                        }),
                        Some(p) => exec::run(php, p, limits),
                    };
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(outcome);
                    task.advance(1);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every program ran")
                .map_err(ModelError::from)
        })
        .collect()
}
