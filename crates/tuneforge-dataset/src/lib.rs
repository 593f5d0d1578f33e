//! Datasets: `process` (interactions → processed samples → versioned splits and export
//! formats), `package` (gated samples → group splits), the version writer both use,
//! `validate`, and snapshots.

pub mod composition;
pub mod error;
pub mod eval_suites;
pub mod formats;
mod kind;
pub mod lint;
pub mod package;
pub mod process;
pub mod snapshot;
pub mod split;
pub mod stats;
pub mod validate;
pub mod version;

/// The three splits, in the order they are written and reported.
pub const SPLITS: [&str; 3] = ["train", "valid", "test"];
