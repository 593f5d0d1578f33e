use thiserror::Error;
use tuneforge_core::fsio::IoError;
use tuneforge_core::workspace::WorkspaceError;
use tuneforge_dataset::error::ProcessError;
use tuneforge_dataset::validate::ValidationReport;

#[derive(Debug, Error)]
pub enum PipelineError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Process(#[from] ProcessError),
    #[error(transparent)]
    Clean(#[from] tuneforge_curate::clean::CleanError),
    #[error(
        "validation found {} error(s) and {} warning(s); the full list is in {report_path}",
        report.errors,
        report.warnings
    )]
    ValidationFailed {
        report: Box<ValidationReport>,
        report_path: String,
    },
    #[error("unknown stage {name:?}; stages: {allowed}")]
    UnknownStage { name: String, allowed: String },
    #[error(
        "{path} already holds a tuneforge workspace (pipeline.yaml exists); \
         choose another directory or edit that one"
    )]
    AlreadyWorkspace { path: String },
    #[error(
        "{path} is not empty; quickstart makes a new workspace: choose a new directory or remove it"
    )]
    NotEmpty { path: String },
    #[error("{path}: {message}")]
    Manifest { path: String, message: String },
}
