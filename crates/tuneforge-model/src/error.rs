//! Errors of model-side work.

use std::path::PathBuf;

use thiserror::Error;
use tuneforge_core::fsio::IoError;
use tuneforge_core::workspace::WorkspaceError;

#[derive(Debug, Error)]
pub enum ModelError {
    /// A request that cannot be carried out as given (no model, an unknown profile, a bad
    /// domain name, no dataset yet).
    #[error("{0}")]
    Usage(String),
    /// Nothing to resume: no unfinished run of this model and name holds a checkpoint.
    #[error(
        "{}: there is no unfinished run with a checkpoint to resume\n  hint: train without --resume",
        pattern.display()
    )]
    NothingToResume { pattern: PathBuf },
    #[error(transparent)]
    Train(#[from] tuneforge_train::run::TrainError),
    #[error(transparent)]
    Hub(#[from] tuneforge_train::hub::HubError),
    #[error(transparent)]
    Env(#[from] tuneforge_train::env::EnvError),
    #[error(transparent)]
    Tiny(#[from] tuneforge_train::tiny::TinyError),
    #[error(transparent)]
    Pipeline(#[from] tuneforge_pipeline::PipelineError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    #[error(transparent)]
    Export(#[from] tuneforge_export::ExportError),
    /// A model gave no answer at all (its endpoint is down, or does not serve it).
    #[error("{0}")]
    Unanswered(String),
    #[error(transparent)]
    Io(#[from] IoError),
}
