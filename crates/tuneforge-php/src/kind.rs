//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::tools::ToolError;
use crate::yaml::YamlError;

impl HasKind for ToolError {
    fn kind(&self) -> ErrorKind {
        match self {
            // php, phpcs or phpstan could not run, or wrote a report that does not parse.
            ToolError::Run { .. } => ErrorKind::Io,
            ToolError::Report { .. } => ErrorKind::Data,
        }
    }
}

impl HasKind for YamlError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Data
    }
}
