//! `tuneforge train` over a workspace: the settings (flags over `pipeline.yaml`'s `train:`,
//! over the hardware profile, the registry and the defaults), the dataset, the run
//! directory (a new number, or the unfinished run `--resume` continues), the run itself,
//! and the retrain advice's baseline once it finished.

use std::path::PathBuf;

use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_train::env::{self, Cache, SetupOptions, WorkerEnv};
use tuneforge_train::hub::{HubOptions, ModelSource};
use tuneforge_train::run::{self, TrainError, TrainOutcome, TrainReporter, TrainRequest};
use tuneforge_train::spec::{ResolvedSettings, TestHooks, TrainConfig};
use tuneforge_train::{profile, registry};

use crate::adapters::{Adapters, RunScope, RunStart, RunState, model_dir_name};
use crate::{ModelError, datasets, retrain};

/// What `tuneforge train` was asked for.
#[derive(Debug, Clone, Default)]
pub struct TrainOptions {
    /// The settings given on the command line; `pipeline.yaml`'s `train:` fills the rest.
    pub flags: TrainConfig,
    /// A dataset version directory (default: the newest).
    pub dataset: Option<PathBuf>,
    /// Train on one domain's splits.
    pub domain: Option<String>,
    /// Continue the newest unfinished run of this model and scope.
    pub resume: bool,
    pub oom_retries: u32,
    /// Worker processes (one per GPU, through torchrun).
    pub processes: u32,
    pub test: TestHooks,
    /// Set the worker environment up when it is missing (the quickstart does; `train`
    /// says to run `tuneforge setup`).
    pub setup_env: bool,
    /// Train a registry model without a CUDA GPU instead of refusing.
    pub allow_cpu: bool,
}

/// Trains in the workspace. A finished run moves the retrain advice's baseline; an
/// interrupted one returns with `finished: false` (its checkpoint is saved).
pub fn train(
    ws: &Workspace,
    options: &TrainOptions,
    hub: &HubOptions,
    reporter: &dyn TrainReporter,
    core_reporter: &dyn Reporter,
) -> Result<TrainOutcome, ModelError> {
    let adapters = Adapters::of(ws);
    let mut flags = options.flags.clone().over(&ws.config.train);
    let mut domain = options.domain.clone();
    if options.resume && options.flags.model.is_none() {
        // `--resume` alone continues the workspace's one unfinished run.
        let start = only_resumable(&adapters)?;
        flags.model = Some(start.model);
        flags.revision = start.revision;
        domain = start.domain;
    }
    let Some(model) = flags.model.clone() else {
        return Err(ModelError::Usage(format!(
            "no model: pass --model or set train.model in pipeline.yaml\n  models by name: {}\n  or a Hugging Face repo id (org/name), or a model directory; `tuneforge tiny-model --dataset dataset/v<N> --out models/tiny` builds one small enough for a CPU",
            registry::MODELS
                .iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let profile = match &flags.profile {
        Some(name) => Some(profile::find(name).ok_or_else(|| {
            ModelError::Usage(format!(
                "unknown profile `{name}`; one of {}",
                profile::PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
        None => None,
    };
    let model_entry = registry::find(&model);
    let settings = ResolvedSettings::resolve(&flags, profile, model_entry);
    let scope = RunScope::new(domain.as_deref())?;
    let source = ModelSource::parse(&model, flags.revision.as_deref())?;
    let model_dir = model_dir_name(&source, model_entry);
    let resumed = match options.resume {
        true => Some(adapters.resumable(&model_dir, &scope)?),
        false => None,
    };
    let dataset_dir = match &resumed {
        // A resumed run trains on its own tokens; its dataset is only recorded.
        Some(run) => match (run.start(), &options.dataset) {
            (Some(start), _) => start.dataset_dir,
            (None, Some(dir)) => dir.clone(),
            (None, None) => datasets::newest(ws)?.unwrap_or_default(),
        },
        None => datasets::resolve(ws, options.dataset.as_deref(), domain.as_deref())?,
    };
    if let Some(entry) = model_entry
        && !options.allow_cpu
        && !env::cuda_driver_present()
    {
        return Err(ModelError::Usage(format!(
            "{} has {:.1}B parameters: training it needs a CUDA GPU (see `tuneforge doctor` for what each profile needs), and this machine has none\n  hint: train a CPU-sized model (`tuneforge tiny-model --dataset dataset/v<N> --out models/tiny`, then `--model models/tiny`), use a GPU machine, or pass --allow-cpu to try anyway",
            entry.name,
            entry.architecture.total_params() as f64 / 1e9
        )));
    }
    // Only a request that makes sense gets to the environment, and only an environment
    // that is there claims a run number.
    let env = &worker_env(options.setup_env, core_reporter)?;
    let run = match resumed {
        Some(run) => run,
        None => {
            let run = adapters.claim_next(&model_dir, &scope)?;
            run.write_start(&RunStart {
                model: model.clone(),
                revision: flags.revision.clone(),
                domain: domain.clone(),
                dataset_dir: dataset_dir.clone(),
            })?;
            run
        }
    };
    let request = TrainRequest {
        model,
        revision: flags.revision.clone(),
        model_entry,
        dataset_dir,
        run_dir: run.dir.clone(),
        settings,
        resume: options.resume,
        oom_retries: options.oom_retries,
        processes: options.processes,
        test: options.test.clone(),
    };
    let outcome = match run::train(&request, env, hub, reporter, core_reporter) {
        Ok(outcome) => outcome,
        // A new run that failed before its first checkpoint gives its number back; what it
        // left (the worker's log above all) is kept aside for reading.
        Err(e) if !options.resume && run.state() == RunState::Incomplete => {
            return Err(set_aside(&run.dir, e, core_reporter).into());
        }
        Err(e) => return Err(e.into()),
    };
    if outcome.finished {
        retrain::record_finished_run(ws, &tuneforge_core::time::now_rfc3339())?;
    }
    Ok(outcome)
}

/// Moves a failed run's directory to `<model>/.failed/<name>-<unix seconds>/`, so that its
/// number is free for the next run, and points the error at the moved worker log.
fn set_aside(dir: &std::path::Path, error: TrainError, reporter: &dyn Reporter) -> TrainError {
    let (Some(model_dir), Some(name)) = (dir.parent(), dir.file_name()) else {
        return error;
    };
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let base = format!("{}-{seconds}", name.to_string_lossy());
    let failed = model_dir.join(FAILED_DIR);
    if std::fs::create_dir_all(&failed).is_err() {
        return error;
    }
    // Two failures within a second get -2, -3, …: a rename never lands on another's files.
    let Some(aside) = (1..100)
        .map(|n| match n {
            1 => failed.join(&base),
            n => failed.join(format!("{base}-{n}")),
        })
        .find(|candidate| !candidate.exists() && std::fs::rename(dir, candidate).is_ok())
    else {
        return error;
    };
    reporter.info(&format!(
        "the failed run's files are in {}",
        aside.display()
    ));
    match error {
        TrainError::Worker { kind, message, log } => TrainError::Worker {
            kind,
            message,
            log: log.file_name().map_or(log.clone(), |file| aside.join(file)),
        },
        other => other,
    }
}

/// Where failed runs are set aside, inside a model's directory.
pub const FAILED_DIR: &str = ".failed";

/// What the one resumable run of the workspace was started for. None, several, or one from
/// before runs recorded their start are errors that say what to pass instead.
fn only_resumable(adapters: &Adapters) -> Result<RunStart, ModelError> {
    let runs = adapters.all_resumable()?;
    match runs.as_slice() {
        [] => Err(ModelError::NothingToResume {
            pattern: adapters.root().join("*").join("*-lora-v*"),
        }),
        [run] => run.start().ok_or_else(|| {
            ModelError::Usage(format!(
                "{}: the run does not record its model\n  hint: pass the model it was started with: --resume --model <model>",
                run.dir.display()
            ))
        }),
        several => Err(ModelError::Usage(format!(
            "{} unfinished runs can be resumed: {}\n  hint: say which with --model (and --domain)",
            several.len(),
            several
                .iter()
                .map(|r| format!("{}/{}", r.model, r.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The worker environment for training; set up first (uv, then the locked stack from
/// PyPI) when `setup_if_missing` and it does not exist yet.
pub fn worker_env(
    setup_if_missing: bool,
    reporter: &dyn Reporter,
) -> Result<WorkerEnv, ModelError> {
    let cache = Cache::from_env()?;
    match env::for_training(&cache, None) {
        Ok(env) => Ok(env),
        Err(env::EnvError::NotSetUp { .. }) if setup_if_missing => {
            reporter.info(
                "setting up the training environment (tuneforge setup: about 6 GB from PyPI, once)",
            );
            env::setup(&cache, &SetupOptions::default(), reporter)?;
            Ok(env::for_training(&cache, None)?)
        }
        Err(e) => Err(e.into()),
    }
}
