//! A rescue captured without copy-paste (by `tuneforge proxy`, or `collect --last` from its
//! journal): the texts redacted as `clean` and `process` redact, then appended exactly as
//! `collect` appends, under the same lock.

use std::collections::BTreeMap;

use tuneforge_core::records::SOURCE_PROXY;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::Redactor;

use crate::collect::{CollectError, CollectOutcome, CollectRequest, Stamp, Texts, collect};

/// The three texts of a rescue and who wrote them.
#[derive(Debug, Clone)]
pub struct Rescue {
    pub query: String,
    pub local_answer: String,
    pub expert_answer: String,
    pub local_model: Option<String>,
    pub expert_model: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RescueOutcome {
    #[serde(flatten)]
    pub collected: CollectOutcome,
    /// What the redaction replaced, by kind.
    pub redactions: BTreeMap<String, u64>,
}

/// Redacts (when `redact.enabled`) and appends one rescue with `metadata.source =
/// "proxy-capture"`; the domain is detected from the query and the expert's answer.
pub fn capture_rescue(
    ws: &Workspace,
    redactor: Option<&Redactor>,
    rescue: Rescue,
    stamp: Stamp,
) -> Result<RescueOutcome, CollectError> {
    let mut redactions = BTreeMap::new();
    let mut clean = |text: String| match redactor {
        Some(r) => r.redact(&text, &mut redactions).into_owned(),
        None => text,
    };
    let texts = Texts {
        query: (clean(rescue.query), "the query".to_owned()),
        local_answer: (clean(rescue.local_answer), "the local answer".to_owned()),
        expert_answer: (
            clean(rescue.expert_answer),
            "the expert's answer".to_owned(),
        ),
    };
    let collected = collect(
        ws,
        CollectRequest {
            texts,
            domain: None,
            local_model: rescue.local_model,
            expert_model: rescue.expert_model,
            adapter: None,
            source: SOURCE_PROXY.to_owned(),
        },
        stamp,
    )?;
    Ok(RescueOutcome {
        collected,
        redactions,
    })
}
