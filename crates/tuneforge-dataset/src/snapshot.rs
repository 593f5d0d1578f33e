//! `process --snapshot`: copy the current dataset version with its manifest to
//! `snapshots/v<YYYY-MM-DD>[-N]/`.

use serde::Serialize;
use tuneforge_core::fsio::{StagingDir, copy_tree, remove_stale_staging};
use tuneforge_core::layout::{DATASET_DIR, SNAPSHOTS_DIR};
use tuneforge_core::workspace::Workspace;

use crate::error::ProcessError;
use crate::version::latest_version;

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotOutcome {
    pub dataset_version: u32,
    /// Workspace-relative, `snapshots/v2026-11-22` or `…-2` for the second of a day.
    pub dir: String,
}

/// Copy `dataset/v<latest>` to a new snapshot named after `date` (`YYYY-MM-DD`).
pub fn snapshot(ws: &Workspace, date: &str) -> Result<SnapshotOutcome, ProcessError> {
    let dataset_dir = ws.path(DATASET_DIR);
    let version = latest_version(&dataset_dir)?.ok_or_else(|| {
        ProcessError::NoInteractions(format!(
            "{DATASET_DIR}/v<N> (run `tuneforge process` first)"
        ))
    })?;
    let snapshots = ws.path(SNAPSHOTS_DIR);
    remove_stale_staging(&snapshots)?;
    let mut name = format!("v{date}");
    let mut n = 1;
    while snapshots.join(&name).exists() {
        n += 1;
        name = format!("v{date}-{n}");
    }
    let staging = StagingDir::create(&snapshots.join(&name))?;
    copy_tree(&dataset_dir.join(format!("v{version}")), staging.path())?;
    staging.commit()?;
    Ok(SnapshotOutcome {
        dataset_version: version,
        dir: format!("{SNAPSHOTS_DIR}/{name}"),
    })
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}
