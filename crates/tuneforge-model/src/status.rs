//! What `tuneforge status` says about models: every run of the workspace and how far it
//! got, and which runs `train --resume` would continue.

use serde::Serialize;
use tuneforge_core::workspace::Workspace;

use crate::ModelError;
use crate::adapters::{AdapterRun, Adapters, RunState};

/// One run, for `status`.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterStatus {
    #[serde(flatten)]
    pub run: AdapterRun,
    pub state: RunState,
    /// From `run.json`, when the run finished.
    pub steps: Option<u64>,
    pub train_loss: Option<f64>,
}

/// Every run of the workspace, by model, scope and number.
pub fn adapters(ws: &Workspace) -> Result<Vec<AdapterStatus>, ModelError> {
    Adapters::of(ws)
        .runs()?
        .into_iter()
        .map(|run| {
            let state = run.state();
            let record = match state {
                RunState::Finished => run.record()?,
                _ => None,
            };
            Ok(AdapterStatus {
                steps: record.as_ref().map(|r| r.steps),
                train_loss: record.as_ref().and_then(|r| r.train_loss),
                state,
                run,
            })
        })
        .collect()
}
