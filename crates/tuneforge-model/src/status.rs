//! What `tuneforge status` says about models: every run of the workspace, how far it got,
//! which runs `train --resume` would continue, and which finished ones no evaluation has
//! looked at yet.

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
    /// The evaluation runs under `eval/` that evaluated it; empty: not evaluated yet.
    pub evaluations: Vec<String>,
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
                evaluations: match state {
                    RunState::Finished => crate::evaluate::evaluations_of(ws, &run.dir),
                    _ => Vec::new(),
                },
                steps: record.as_ref().map(|r| r.steps),
                train_loss: record.as_ref().and_then(|r| r.train_loss),
                state,
                run,
            })
        })
        .collect()
}
