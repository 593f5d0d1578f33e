//! Exit codes, decided in one place: every library error has an [`ErrorKind`], and each
//! kind has one exit code.

use tuneforge_core::error::{ErrorKind, HasKind};

/// 0 success; 1 the data has errors (validation); 2 bad usage, configuration or input;
/// 3 an I/O or network failure; 4 training failed; 130 interrupted; 101 a bug.
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

impl From<ErrorKind> for Exit {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::Usage => Exit::Usage,
            ErrorKind::Data => Exit::DataErrors,
            ErrorKind::Io | ErrorKind::Network => Exit::Io,
            ErrorKind::Training => Exit::Training,
        }
    }
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

/// The exit code of an error: the kind of the first error in its chain that has one; an
/// error of no known type is a bug.
pub fn classify(err: &anyhow::Error) -> Exit {
    err.chain()
        .find_map(kind_of)
        .map_or(Exit::Internal, Exit::from)
}

/// The kind of `cause` when it is one of the library errors (or a plain I/O error).
fn kind_of(cause: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    fn kind<E: HasKind + std::error::Error + 'static>(
        cause: &(dyn std::error::Error + 'static),
    ) -> Option<ErrorKind> {
        cause.downcast_ref::<E>().map(HasKind::kind)
    }
    if cause.downcast_ref::<UsageError>().is_some() {
        return Some(ErrorKind::Usage);
    }
    if cause.downcast_ref::<std::io::Error>().is_some() {
        return Some(ErrorKind::Io);
    }
    let kinds = [
        kind::<tuneforge_core::fsio::IoError>,
        kind::<tuneforge_core::config::ConfigError>,
        kind::<tuneforge_core::workspace::WorkspaceError>,
        kind::<tuneforge_capture::collect::CollectError>,
        kind::<tuneforge_curate::dedup::DedupError>,
        kind::<tuneforge_curate::clean::CleanError>,
        kind::<tuneforge_curate::tree::DedupTreeError>,
        kind::<tuneforge_dataset::error::ProcessError>,
        kind::<tuneforge_php::tools::ToolError>,
        kind::<tuneforge_php::yaml::YamlError>,
        kind::<tuneforge_sources::version::InvalidVersion>,
        kind::<tuneforge_sources::constraint::ConstraintError>,
        kind::<tuneforge_sources::git::GitError>,
        kind::<tuneforge_sources::http::HttpError>,
        kind::<tuneforge_sources::contrib::ContribError>,
        kind::<tuneforge_tokens::TemplateError>,
        kind::<tuneforge_tokens::PrepError>,
        kind::<tuneforge_tokens::encode::TokenizerError>,
        kind::<tuneforge_tokens::encode::EncodeError>,
        kind::<tuneforge_train::hub::HubError>,
        kind::<tuneforge_train::env::EnvError>,
        kind::<tuneforge_train::run::TrainError>,
        kind::<tuneforge_train::tiny::TinyError>,
        kind::<tuneforge_train::plot::PlotError>,
        kind::<tuneforge_model::ModelError>,
        kind::<tuneforge_pipeline::PipelineError>,
    ];
    kinds.iter().find_map(|k| k(cause))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_exit_codes_through_their_kind_even_under_context() {
        let config: anyhow::Error = tuneforge_pipeline::PipelineError::Config {
            message: "teacher.model is missing".into(),
        }
        .into();
        assert_eq!(classify(&config.context("running generate")), Exit::Usage);

        let worker = tuneforge_model::ModelError::Train(tuneforge_train::run::TrainError::Worker {
            kind: "internal".into(),
            message: "boom".into(),
            log: "worker.log".into(),
        });
        assert_eq!(classify(&worker.into()), Exit::Training);

        let network: anyhow::Error = tuneforge_sources::http::HttpError::Status {
            url: "https://example.org".into(),
            status: 503,
        }
        .into();
        assert_eq!(classify(&network), Exit::Io);

        let bad_line: anyhow::Error = tuneforge_pipeline::PipelineError::Input {
            origin: "eval/prompts.jsonl:3".into(),
            message: "no prompt".into(),
        }
        .into();
        assert_eq!(classify(&bad_line), Exit::Usage);

        assert_eq!(
            classify(&anyhow::anyhow!("not a library error")),
            Exit::Internal
        );
    }
}
