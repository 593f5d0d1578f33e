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
    /// A stage's manifest, report or listing in the workspace cannot be read.
    #[error("{path}: {message}")]
    Manifest { path: String, message: String },
    /// `pipeline.yaml` asks for something the workspace or the environment cannot give.
    #[error("{}: {message}", tuneforge_core::layout::CONFIG_FILE)]
    Config { message: String },
    /// A line of an input file the configuration names (eval prompts).
    #[error("{origin}: {message}")]
    Input { origin: String, message: String },
    /// The teacher model's endpoint refused or failed the work.
    #[error(
        "the teacher at {base_url}: {source}\n  hint: check teacher.base_url, teacher.model and the key"
    )]
    Teacher {
        base_url: String,
        #[source]
        source: tuneforge_teacher::TeacherError,
    },
    #[error(transparent)]
    Http(#[from] tuneforge_sources::http::HttpError),
    /// A source could not be discovered or fetched: a dataset built without it would lack
    /// it silently, so the run stops here.
    #[error(
        "{stage}: {message}\n  hint: rerun when the source is reachable, or fix or remove it in pipeline.yaml; `tuneforge status` and sources/manifest.json say why each failed"
    )]
    SourcesFailed {
        stage: &'static str,
        message: String,
    },
}

impl tuneforge_core::error::HasKind for PipelineError {
    fn kind(&self) -> tuneforge_core::error::ErrorKind {
        use tuneforge_core::error::ErrorKind;
        match self {
            PipelineError::Workspace(e) => e.kind(),
            PipelineError::Io(e) => e.kind(),
            PipelineError::Process(e) => e.kind(),
            PipelineError::Clean(e) => e.kind(),
            PipelineError::Teacher { source, .. } => source.kind(),
            PipelineError::Http(e) => e.kind(),
            PipelineError::ValidationFailed { .. } => ErrorKind::Data,
            PipelineError::SourcesFailed { .. } => ErrorKind::Network,
            PipelineError::UnknownStage { .. }
            | PipelineError::AlreadyWorkspace { .. }
            | PipelineError::NotEmpty { .. }
            | PipelineError::Manifest { .. }
            | PipelineError::Config { .. }
            | PipelineError::Input { .. } => ErrorKind::Usage,
        }
    }
}
