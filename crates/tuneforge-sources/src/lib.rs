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
pub mod http;
pub mod version;
