//! `tuneforge collect`: append one captured interaction to `raw/interactions.jsonl`.

use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;
use tuneforge_core::fsio::{IoError, append_line_locked};
use tuneforge_core::layout::RAW_INTERACTIONS;
use tuneforge_core::records::{Interaction, InteractionMetadata};
use tuneforge_core::workspace::Workspace;

use crate::domain::{Detection, detect};

#[derive(Debug, Error)]
pub enum CollectError {
    #[error("cannot read {what}: {source}")]
    Read {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{what}: invalid UTF-8 at line {line}, column {column}; save the text as UTF-8 and retry"
    )]
    InvalidUtf8 {
        what: String,
        line: usize,
        column: usize,
    },
    #[error(
        "{what} is empty; an interaction needs a query, the local answer and the expert answer"
    )]
    Empty { what: String },
    #[error(
        "{what} is {size} bytes, more than collect.max_text_bytes ({limit}) in pipeline.yaml; \
         raise the limit or trim the text"
    )]
    TooLarge { what: String, size: u64, limit: u64 },
    #[error(
        "domain {domain:?} is not configured in pipeline.yaml; use one of: {allowed}, or add it under domains.rules"
    )]
    UnknownDomain { domain: String, allowed: String },
    #[error(
        "{flags} all read stdin; only one text can come from stdin, give the others inline or as files"
    )]
    SeveralFromStdin { flags: String },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// The three texts of an interaction, each with how the user supplied it (for messages).
#[derive(Debug, Clone)]
pub struct Texts {
    pub query: (String, String),
    pub local_answer: (String, String),
    pub expert_answer: (String, String),
}

#[derive(Debug, Clone)]
pub struct CollectRequest {
    pub texts: Texts,
    pub domain: Option<String>,
    pub local_model: Option<String>,
    pub expert_model: Option<String>,
    pub adapter: Option<String>,
    /// `manual-expert-consultation` or `proxy-capture`.
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectOutcome {
    pub interaction_id: String,
    pub domain: String,
    /// Absent when `--domain` was given.
    pub detection: Option<Detection>,
    pub path: PathBuf,
    /// 1-based line of the new record.
    pub line: u64,
    /// The torn line a killed writer left, closed off before this record.
    pub torn_line_closed: Option<u64>,
}

/// Capture time and random part of an interaction id, injectable for reproducible tests.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub unix_ms: i64,
    pub random: u32,
}

impl Stamp {
    pub fn now() -> Self {
        let unix_ms = jiff::Timestamp::now().as_millisecond();
        let mut bytes = [0u8; 4];
        // A failing OS random source still leaves the millisecond part; the id stays
        // readable, and the locked append keeps records whole regardless.
        let _ = getrandom::fill(&mut bytes);
        Self {
            unix_ms,
            random: u32::from_le_bytes(bytes),
        }
    }

    pub fn interaction_id(&self) -> String {
        format!("int_{}_{:08x}", self.unix_ms, self.random)
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2026-03-02T09:14:27.512Z`.
    pub fn timestamp(&self) -> String {
        format_timestamp_ms(self.unix_ms)
    }
}

pub fn format_timestamp_ms(unix_ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(unix_ms) {
        Ok(ts) => format!(
            "{}.{:03}Z",
            ts.strftime("%Y-%m-%dT%H:%M:%S"),
            unix_ms.rem_euclid(1000)
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

fn check_text(what: &str, text: &str, limit: u64) -> Result<(), CollectError> {
    if text.trim().is_empty() {
        return Err(CollectError::Empty {
            what: what.to_owned(),
        });
    }
    let size = text.len() as u64;
    if size > limit {
        return Err(CollectError::TooLarge {
            what: what.to_owned(),
            size,
            limit,
        });
    }
    Ok(())
}

/// Check the request, pick the domain and append the record under the file lock.
pub fn collect(
    ws: &Workspace,
    req: CollectRequest,
    stamp: Stamp,
) -> Result<CollectOutcome, CollectError> {
    let limit = ws.config.collect.max_text_bytes;
    let Texts {
        query,
        local_answer,
        expert_answer,
    } = req.texts;
    check_text(&query.1, &query.0, limit)?;
    check_text(&local_answer.1, &local_answer.0, limit)?;
    check_text(&expert_answer.1, &expert_answer.0, limit)?;

    let domains = &ws.config.domains;
    let (domain, detection) = match req.domain {
        Some(d) if domains.contains(&d) => (d, None),
        Some(d) => {
            return Err(CollectError::UnknownDomain {
                domain: d,
                allowed: domains.names().join(", "),
            });
        }
        None => {
            let detection = detect(domains, &[&query.0, &expert_answer.0]);
            (detection.domain.clone(), Some(detection))
        }
    };

    let interaction = Interaction::new(
        query.0,
        local_answer.0,
        expert_answer.0,
        InteractionMetadata {
            domain: domain.clone(),
            local_model: req.local_model,
            expert_model: req.expert_model,
            adapter: req.adapter,
            timestamp: stamp.timestamp(),
            interaction_id: stamp.interaction_id(),
            source: req.source,
        },
    );
    let line = serde_json::to_string(&interaction).expect("records always serialize");
    let path = ws.path(RAW_INTERACTIONS);
    let appended = append_line_locked(&path, &line)?;
    Ok(CollectOutcome {
        interaction_id: interaction.metadata.interaction_id,
        domain,
        detection,
        path,
        line: appended.line,
        torn_line_closed: appended.torn_line_closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_formats_like_the_design() {
        let s = Stamp {
            unix_ms: 1_772_442_867_512,
            random: 0xab,
        };
        assert_eq!(s.interaction_id(), "int_1772442867512_000000ab");
        assert_eq!(s.timestamp(), "2026-03-02T09:14:27.512Z");
    }
}
