//! Exit codes, decided in one place from the error's type.

use tuneforge_capture::collect::CollectError;
use tuneforge_core::config::ConfigError;
use tuneforge_core::fsio::IoError;
use tuneforge_core::workspace::WorkspaceError;
use tuneforge_dataset::error::ProcessError;
use tuneforge_model::ModelError;
use tuneforge_pipeline::PipelineError;
use tuneforge_sources::version::InvalidVersion;
use tuneforge_train::env::EnvError;
use tuneforge_train::hub::HubError;
use tuneforge_train::run::TrainError;
use tuneforge_train::tiny::TinyError;

/// 0 success; 1 the data has errors (validation); 2 bad usage, configuration or input;
/// 3 an I/O failure; 101 a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    DataErrors = 1,
    Usage = 2,
    Io = 3,
    /// Training failed (the worker's error, or out of memory after every retry).
    Training = 4,
    /// Ctrl-C stopped a training run after saving a checkpoint.
    Interrupted = 130,
    Internal = 101,
}

/// Bad arguments found by a command itself (not by clap): exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

pub fn classify(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if cause.downcast_ref::<UsageError>().is_some() {
            return Exit::Usage;
        }
        if let Some(e) = cause.downcast_ref::<PipelineError>() {
            return match e {
                PipelineError::ValidationFailed { .. } => Exit::DataErrors,
                PipelineError::Io(_) => Exit::Io,
                PipelineError::Workspace(w) => workspace(w),
                PipelineError::Process(p) => process(p),
                PipelineError::Clean(c) => match c {
                    tuneforge_curate::clean::CleanError::Dedup(_) => Exit::Usage,
                    _ => Exit::Io,
                },
                PipelineError::UnknownStage { .. }
                | PipelineError::AlreadyWorkspace { .. }
                | PipelineError::NotEmpty { .. }
                | PipelineError::Manifest { .. } => Exit::Usage,
            };
        }
        if let Some(e) = cause.downcast_ref::<CollectError>() {
            return match e {
                CollectError::Read { .. } | CollectError::Io(_) => Exit::Io,
                _ => Exit::Usage,
            };
        }
        if let Some(w) = cause.downcast_ref::<WorkspaceError>() {
            return workspace(w);
        }
        if let Some(p) = cause.downcast_ref::<ProcessError>() {
            return process(p);
        }
        if let Some(e) = cause.downcast_ref::<tuneforge_curate::tree::DedupTreeError>() {
            use tuneforge_curate::tree::DedupTreeError;
            return match e {
                DedupTreeError::Io(_) => Exit::Io,
                DedupTreeError::Dedup(_) => Exit::Usage,
            };
        }
        if let Some(e) = cause.downcast_ref::<ModelError>() {
            return model(e);
        }
        if let Some(e) = cause.downcast_ref::<TrainError>() {
            return train(e);
        }
        if let Some(e) = cause.downcast_ref::<HubError>() {
            return hub(e);
        }
        if cause
            .downcast_ref::<tuneforge_tokens::TemplateError>()
            .is_some()
        {
            return Exit::Usage;
        }
        if cause
            .downcast_ref::<tuneforge_tokens::PrepError>()
            .is_some()
        {
            return Exit::DataErrors;
        }
        if cause.downcast_ref::<TinyError>().is_some() {
            return Exit::Training;
        }
        if let Some(e) = cause.downcast_ref::<EnvError>() {
            return env(e);
        }
        if cause.downcast_ref::<ConfigError>().is_some()
            || cause
                .downcast_ref::<tuneforge_curate::dedup::DedupError>()
                .is_some()
            || cause.downcast_ref::<InvalidVersion>().is_some()
        {
            return Exit::Usage;
        }
        if cause.downcast_ref::<IoError>().is_some()
            || cause.downcast_ref::<std::io::Error>().is_some()
        {
            return Exit::Io;
        }
    }
    Exit::Internal
}

fn workspace(e: &WorkspaceError) -> Exit {
    match e {
        WorkspaceError::Io(_) => Exit::Io,
        _ => Exit::Usage,
    }
}

fn process(e: &ProcessError) -> Exit {
    match e {
        ProcessError::Io(_) => Exit::Io,
        ProcessError::NoInteractions(_) | ProcessError::BadDataset { .. } => Exit::Usage,
    }
}

fn model(e: &ModelError) -> Exit {
    match e {
        ModelError::Usage(_) | ModelError::NothingToResume { .. } => Exit::Usage,
        ModelError::Train(e) => train(e),
        ModelError::Hub(e) => hub(e),
        ModelError::Env(e) => env(e),
        ModelError::Tiny(_) => Exit::Training,
        ModelError::Pipeline(PipelineError::Io(_)) | ModelError::Io(_) => Exit::Io,
        ModelError::Pipeline(PipelineError::Workspace(w)) | ModelError::Workspace(w) => {
            workspace(w)
        }
        ModelError::Pipeline(_) => Exit::Usage,
    }
}

fn train(e: &TrainError) -> Exit {
    match e {
        TrainError::Hub(e) => hub(e),
        TrainError::Io(_) => Exit::Io,
        TrainError::BadSample(_) | TrainError::Prep(_) | TrainError::BadRecord { .. } => {
            Exit::DataErrors
        }
        TrainError::Worker { .. } | TrainError::OutOfMemory { .. } => Exit::Training,
        TrainError::Missing { .. } | TrainError::Template(_) => Exit::Usage,
    }
}

fn hub(e: &HubError) -> Exit {
    match e {
        HubError::Network { .. } | HubError::Io(_) | HubError::Protocol { .. } => Exit::Io,
        _ => Exit::Usage,
    }
}

fn env(e: &EnvError) -> Exit {
    match e {
        EnvError::Command { .. } | EnvError::Io(_) => Exit::Io,
        _ => Exit::Usage,
    }
}
