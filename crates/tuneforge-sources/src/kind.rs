//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::constraint::ConstraintError;
use crate::contrib::ContribError;
use crate::git::GitError;
use crate::http::HttpError;
use crate::version::InvalidVersion;

impl HasKind for InvalidVersion {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Usage
    }
}

impl HasKind for ConstraintError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Usage
    }
}

impl HasKind for GitError {
    fn kind(&self) -> ErrorKind {
        match self {
            GitError::Spawn(_) => ErrorKind::Io,
            GitError::Failed { .. } | GitError::Timeout { .. } => ErrorKind::Network,
            GitError::NoSuchRef { .. } => ErrorKind::Usage,
        }
    }
}

impl HasKind for HttpError {
    fn kind(&self) -> ErrorKind {
        match self {
            HttpError::Offline { .. } => ErrorKind::Usage,
            HttpError::Status { .. } | HttpError::Failed { .. } | HttpError::TooLarge { .. } => {
                ErrorKind::Network
            }
            HttpError::Client(_) => ErrorKind::Io,
            HttpError::Io(e) => e.kind(),
        }
    }
}

impl HasKind for ContribError {
    fn kind(&self) -> ErrorKind {
        match self {
            ContribError::Http(e) => e.kind(),
            ContribError::Shape { .. } => ErrorKind::Network,
        }
    }
}
