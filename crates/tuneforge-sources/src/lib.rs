//! Sources: where code and docs come from. Composer version constraints and what they say
//! about Drupal 11 compatibility, and discovery of local and git sources, pinned.

pub mod acquire;
pub mod compat;
pub mod constraint;
pub mod contrib;
pub mod discover;
pub mod docs;
pub mod drupalorg;
pub mod git;
pub mod gitdir;
pub mod http;
mod kind;
pub mod license;
pub mod robots;
pub mod version;

/// A short stable key for a string (cache keys, file names): the first 16 hex digits of
/// its blake3.
pub(crate) fn http_key(s: &str) -> String {
    tuneforge_core::hash::hash_bytes(s.as_bytes())[..16].to_owned()
}
