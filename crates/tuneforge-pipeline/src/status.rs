//! `tuneforge status`: each stage fresh, stale or missing and why, and retrain advice.

use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use tuneforge_core::fsio::read_appended;
use tuneforge_core::jsonl::split_lines;
use tuneforge_core::records::Interaction;

use tuneforge_core::layout::{DATASET_DIR, RAW_INTERACTIONS};
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::version::latest_version;

use crate::PipelineError;
use crate::runner::{Freshness, current_fingerprint, freshness};
use crate::stages;
use crate::stages::process::read_process_report;

#[derive(Debug, Clone, Serialize)]
pub struct StageStatus {
    pub stage: &'static str,
    #[serde(flatten)]
    pub freshness: Freshness,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub stages: Vec<StageStatus>,
    /// Records in `raw/interactions.jsonl`.
    pub interactions: u64,
    /// Of those, captured since the last `train` (or `init`).
    pub new_interactions: u64,
    pub dataset_version: Option<u32>,
    pub advice: Vec<String>,
}

pub fn status(ws: &Workspace) -> Result<StatusReport, PipelineError> {
    let mut out: Vec<StageStatus> = Vec::new();
    for stage in stages::all() {
        let fp = current_fingerprint(ws, stage)?;
        let mut f = match (freshness(ws, stage, &fp)?, stage.nothing_to_do(ws)) {
            // Never run, and nothing to run on here: that is not something missing.
            (Freshness::Missing { .. }, Some(reason)) => Freshness::Idle { reason },
            (f, _) => f,
        };
        let upstream: Vec<&str> = stage
            .depends_on()
            .iter()
            .copied()
            .filter(|dep| {
                out.iter().any(|s| {
                    s.stage == *dep
                        && !matches!(s.freshness, Freshness::Fresh | Freshness::Idle { .. })
                })
            })
            .collect();
        for up in upstream {
            let reason = format!("upstream stage {up} is not fresh");
            match &mut f {
                Freshness::Stale { reasons } => reasons.push(reason),
                Freshness::Fresh => {
                    f = Freshness::Stale {
                        reasons: vec![reason],
                    }
                }
                Freshness::Missing { .. } | Freshness::Idle { .. } => {}
            }
        }
        out.push(StageStatus {
            stage: stage.name(),
            freshness: f,
        });
    }

    let interactions = count_interactions(ws)?;
    let state = ws.read_state()?;
    let new_interactions = interactions.saturating_sub(state.interactions_at_last_train);
    let thresholds = &ws.config.retrain;
    let since = if state.last_train.is_some() {
        "the last `train`"
    } else {
        "`init`"
    };
    let mut advice = Vec::new();
    if new_interactions >= thresholds.new_interactions {
        advice.push(format!(
            "retrain advised: {new_interactions} new interactions since {since} (retrain.new_interactions is {})",
            thresholds.new_interactions
        ));
    }
    for (domain, now) in domain_counts(ws)? {
        let before = state
            .domain_counts_at_last_train
            .get(&domain)
            .copied()
            .unwrap_or(0);
        if now >= thresholds.domain_examples && before < thresholds.domain_examples {
            advice.push(format!(
                "retrain advised: domain {domain} has {now} examples, crossing retrain.domain_examples ({}) since {since}",
                thresholds.domain_examples
            ));
        }
    }
    Ok(StatusReport {
        stages: out,
        interactions,
        new_interactions,
        dataset_version: latest_version(&ws.path(DATASET_DIR))?,
        advice,
    })
}

/// Records that parse in `raw/interactions.jsonl`; a torn or broken line is not an
/// interaction.
pub fn count_interactions(ws: &Workspace) -> Result<u64, PipelineError> {
    Ok(match read_appended(&ws.path(RAW_INTERACTIONS))? {
        Some(bytes) => split_lines(&bytes)
            .par_iter()
            .filter(|l| {
                serde_json::from_slice::<Interaction>(l.bytes)
                    .is_ok_and(|i| i.check_shape().is_ok())
            })
            .count() as u64,
        None => 0,
    })
}

/// Processed samples per domain, from the process stage's report. An unreadable manifest or
/// report already shows as stale in `status`; it just gives no counts.
pub fn domain_counts(ws: &Workspace) -> Result<BTreeMap<String, u64>, PipelineError> {
    let report = match read_process_report(ws) {
        Err(PipelineError::Manifest { .. }) => None,
        other => other?,
    };
    Ok(report.map(|r| r.domains).unwrap_or_default())
}
