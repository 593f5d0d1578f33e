//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::TeacherError;

impl HasKind for TeacherError {
    fn kind(&self) -> ErrorKind {
        match self {
            // A 4xx other than 429 is a refused key, a wrong URL or model: the settings'.
            TeacherError::Status { status, .. } if *status != 429 && *status < 500 => {
                ErrorKind::Usage
            }
            TeacherError::Status { .. }
            | TeacherError::Failed { .. }
            | TeacherError::Malformed { .. } => ErrorKind::Network,
            TeacherError::Budget { .. } => ErrorKind::Usage,
            TeacherError::Client(_) | TeacherError::Cache { .. } => ErrorKind::Io,
        }
    }
}
