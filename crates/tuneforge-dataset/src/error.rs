//! The error of the dataset writers: `process`, `package`, snapshots and the version
//! writer they share.

use thiserror::Error;
use tuneforge_core::fsio::IoError;

/// Named after `process`, the first of the writers; `package` and snapshots return it too.
#[derive(Debug, Error)]
pub enum ProcessError {
    #[error(
        "no interactions yet: {0} does not exist; capture some with `tuneforge collect` \
         or try `tuneforge quickstart`"
    )]
    NoInteractions(String),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{path}: {message}")]
    BadDataset { path: String, message: String },
}
