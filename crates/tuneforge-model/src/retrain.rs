//! The retrain advice's baseline: `status` advises retraining once enough interactions or
//! domain examples arrived since the last finished training run, so a finished run moves
//! the baseline (`.tuneforge/state.json`) to what the workspace holds now.

use tuneforge_core::workspace::{Workspace, WorkspaceState};
use tuneforge_pipeline::status::{count_interactions, domain_counts};

use crate::ModelError;

/// A training run finished at `when` (RFC 3339): the advice counts from here.
pub fn record_finished_run(ws: &Workspace, when: &str) -> Result<(), ModelError> {
    let state = WorkspaceState {
        interactions_at_last_train: count_interactions(ws)?,
        domain_counts_at_last_train: domain_counts(ws)?,
        last_train: Some(when.to_string()),
    };
    ws.write_state(&state)?;
    Ok(())
}
