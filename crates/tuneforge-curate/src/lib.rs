//! Curation: what makes raw text fit to train on. For now, redaction of secrets and
//! personal data; normalization and deduplication of code join here later.

pub mod redact;
