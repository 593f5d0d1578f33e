//! Capturing weak-spot interactions: a local model's answer and a stronger model's correct
//! one, appended to `raw/interactions.jsonl` for later stages.

pub mod collect;
pub mod domain;
mod kind;
pub mod rescue;
pub mod text_source;
