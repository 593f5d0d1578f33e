//! What kind of failure an error is. Every library error says its kind through [`HasKind`]
//! (an exhaustive match in its own crate, so a new variant must choose one); the binary
//! turns kinds into exit codes in one place.

/// The kinds of failure a user acts on differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request, the configuration or an input file is wrong: fix it and rerun.
    Usage,
    /// The data has errors (validation findings, samples that cannot be used).
    Data,
    /// A file could not be read or written.
    Io,
    /// A server could not be reached, or answered in a way tuneforge cannot use.
    Network,
    /// Training failed: the worker's error, or out of memory after every retry.
    Training,
}

/// An error that knows its [`ErrorKind`].
pub trait HasKind {
    fn kind(&self) -> ErrorKind;
}

impl HasKind for crate::fsio::IoError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Io
    }
}

impl HasKind for crate::config::ConfigError {
    fn kind(&self) -> ErrorKind {
        use crate::config::ConfigError;
        match self {
            // A pipeline.yaml that cannot be read or parsed is the user's to fix.
            ConfigError::Read { .. } | ConfigError::Utf8 { .. } | ConfigError::Invalid { .. } => {
                ErrorKind::Usage
            }
        }
    }
}

impl HasKind for crate::workspace::WorkspaceError {
    fn kind(&self) -> ErrorKind {
        use crate::workspace::WorkspaceError;
        match self {
            WorkspaceError::Io(e) => e.kind(),
            WorkspaceError::Config(e) => e.kind(),
            WorkspaceError::NotFound { .. } | WorkspaceError::State { .. } => ErrorKind::Usage,
        }
    }
}
