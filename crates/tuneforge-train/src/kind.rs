//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::env::EnvError;
use crate::hub::HubError;
use crate::plot::PlotError;
use crate::run::TrainError;
use crate::tiny::TinyError;

impl HasKind for HubError {
    fn kind(&self) -> ErrorKind {
        match self {
            // A name, directory or revision that does not exist, a gated or missing repo
            // (the hub's 4xx), or offline without a cached copy: the request's to change.
            HubError::UnknownModel { .. }
            | HubError::NotAModelDir { .. }
            | HubError::BadRevision { .. }
            | HubError::Status { .. }
            | HubError::Offline { .. } => ErrorKind::Usage,
            HubError::Network { .. } | HubError::Protocol { .. } => ErrorKind::Network,
            HubError::Io(e) => e.kind(),
        }
    }
}

impl HasKind for EnvError {
    fn kind(&self) -> ErrorKind {
        match self {
            EnvError::PythonNotFound { .. }
            | EnvError::PythonUnsupported { .. }
            | EnvError::NoCuda
            | EnvError::NotSetUp { .. }
            | EnvError::NoCacheDir => ErrorKind::Usage,
            // uv failing to create or fill a venv (PyPI unreachable, a full disk).
            EnvError::Command { .. } => ErrorKind::Io,
            EnvError::Io(e) => e.kind(),
        }
    }
}

impl HasKind for TrainError {
    fn kind(&self) -> ErrorKind {
        match self {
            TrainError::Hub(e) => e.kind(),
            TrainError::BadSample(_) | TrainError::BadRecord { .. } => ErrorKind::Data,
            TrainError::Missing { .. } | TrainError::Template(_) => ErrorKind::Usage,
            TrainError::Prep(e) => e.kind(),
            TrainError::Worker { .. } | TrainError::OutOfMemory { .. } => ErrorKind::Training,
            TrainError::Io(e) => e.kind(),
        }
    }
}

impl HasKind for TinyError {
    fn kind(&self) -> ErrorKind {
        match self {
            TinyError::Tokenizer(_) | TinyError::Build { .. } => ErrorKind::Training,
            TinyError::Io(e) => e.kind(),
        }
    }
}

impl HasKind for PlotError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Io
    }
}
