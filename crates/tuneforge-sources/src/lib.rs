//! Sources: where code and docs come from. For now, Composer version constraints and what
//! they say about Drupal 11 compatibility; discovery and acquisition build on them.

pub mod compat;
pub mod constraint;
pub mod version;
