//! Workspaces and the stage runner: `init`, `quickstart`, `run`, `status`.
//!
//! Stages are pure functions of their inputs and their slice of `pipeline.yaml`; the runner
//! fingerprints them, skips the fresh ones, and records what each read and wrote
//! ([`tuneforge_core::manifest`]).

pub mod error;
pub mod init;
pub mod quickstart;
pub mod runner;
pub mod stages;
pub mod status;

pub use error::PipelineError;
