//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::collect::CollectError;

impl HasKind for CollectError {
    fn kind(&self) -> ErrorKind {
        match self {
            CollectError::Read { .. } => ErrorKind::Io,
            CollectError::Io(e) => e.kind(),
            CollectError::Empty { .. }
            | CollectError::InvalidUtf8 { .. }
            | CollectError::TooLarge { .. }
            | CollectError::UnknownDomain { .. }
            | CollectError::SeveralFromStdin { .. } => ErrorKind::Usage,
        }
    }
}
