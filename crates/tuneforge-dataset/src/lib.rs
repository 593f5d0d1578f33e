//! Datasets: `process` (interactions → processed samples → versioned splits and export
//! formats), `validate`, and snapshots.

pub mod formats;
pub mod package;
pub mod process;
pub mod snapshot;
pub mod split;
pub mod validate;

/// The three splits, in the order they are written and reported.
pub const SPLITS: [&str; 3] = ["train", "valid", "test"];
