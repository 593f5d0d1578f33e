//! Shared foundation of tuneforge: the canonical records, `pipeline.yaml`, the workspace
//! layout, manifests and fingerprints, content hashing, JSON Lines reading and atomic or
//! locked writes.
//!
//! Nothing in this crate prints. Long work reports through [`reporter::Reporter`]; the binary
//! decides how to draw it.

pub mod config;
pub mod error;
pub mod fsio;
pub mod hash;
pub mod jsonl;
pub mod layout;
pub mod manifest;
pub mod records;
pub mod reporter;
pub mod secret;
pub mod source_path;
pub mod text;
pub mod time;
pub mod workspace;

/// The tool version recorded in every manifest and fingerprint.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
