//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::ExportError;

impl HasKind for ExportError {
    fn kind(&self) -> ErrorKind {
        match self {
            ExportError::Adapter { .. }
            | ExportError::Weights { .. }
            | ExportError::Mismatch { .. } => ErrorKind::Usage,
            ExportError::Write { .. } => ErrorKind::Io,
            ExportError::Io(e) => e.kind(),
        }
    }
}
