//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::clean::CleanError;
use crate::dedup::DedupError;
use crate::tree::DedupTreeError;

impl HasKind for DedupError {
    fn kind(&self) -> ErrorKind {
        match self {
            // Both come from settings: a threshold or a banding that cannot work.
            DedupError::Threshold(_) | DedupError::NoBanding { .. } => ErrorKind::Usage,
        }
    }
}

impl HasKind for CleanError {
    fn kind(&self) -> ErrorKind {
        match self {
            CleanError::Io(e) => e.kind(),
            CleanError::List { .. } => ErrorKind::Io,
            CleanError::Dedup(e) => e.kind(),
        }
    }
}

impl HasKind for DedupTreeError {
    fn kind(&self) -> ErrorKind {
        match self {
            DedupTreeError::Io(e) => e.kind(),
            DedupTreeError::Dedup(e) => e.kind(),
        }
    }
}
