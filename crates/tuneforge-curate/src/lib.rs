//! Curation: what makes raw text fit to train on. Redaction of secrets and personal data,
//! and exact and near deduplication (shingles, MinHash + LSH, verified by exact Jaccard).

pub mod clean;
pub mod dedup;
mod kind;
pub mod mask;
pub mod minhash;
pub mod normalize;
pub mod redact;
pub mod shingle;
pub mod tree;
