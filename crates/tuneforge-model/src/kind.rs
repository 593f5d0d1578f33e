//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::ModelError;

impl HasKind for ModelError {
    fn kind(&self) -> ErrorKind {
        match self {
            ModelError::Usage(_) | ModelError::NothingToResume { .. } => ErrorKind::Usage,
            ModelError::Train(e) => e.kind(),
            ModelError::Hub(e) => e.kind(),
            ModelError::Env(e) => e.kind(),
            ModelError::Tiny(e) => e.kind(),
            ModelError::Pipeline(e) => e.kind(),
            ModelError::Workspace(e) => e.kind(),
            ModelError::Io(e) => e.kind(),
            ModelError::Eval(crate::eval::EvalError::Suite { .. }) => ErrorKind::Usage,
            ModelError::Eval(crate::eval::EvalError::Io { .. }) => ErrorKind::Io,
            ModelError::Unanswered(_) => ErrorKind::Network,
            ModelError::Export(e) => e.kind(),
        }
    }
}
