//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::error::ProcessError;

impl HasKind for ProcessError {
    fn kind(&self) -> ErrorKind {
        match self {
            ProcessError::Io(e) => e.kind(),
            // Nothing to process yet, or a damaged dataset version the user moves away.
            ProcessError::NoInteractions(_) | ProcessError::BadDataset { .. } => ErrorKind::Usage,
        }
    }
}
