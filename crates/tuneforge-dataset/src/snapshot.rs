//! `process --snapshot`: copy the current dataset version with its manifest to
//! `snapshots/v<YYYY-MM-DD>[-N]/`.

use serde::Serialize;
use tuneforge_core::fsio::{StagingDir, copy_tree, remove_stale_staging};
use tuneforge_core::layout::{DATASET_DIR, SNAPSHOTS_DIR};
use tuneforge_core::workspace::Workspace;

use crate::error::ProcessError;
use crate::version::{DATASET_MANIFEST, latest_version};

#[derive(Debug, Clone, Serialize)]
pub struct SnapshotOutcome {
    pub dataset_version: u32,
    /// Workspace-relative, `snapshots/v2026-11-22` or `…-2` for the second of a day.
    pub dir: String,
    /// False when a snapshot of the same bytes already existed: it is named instead of
    /// copied again.
    pub created: bool,
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
    let version_dir = dataset_dir.join(format!("v{version}"));
    if let Some(existing) = identical_snapshot(&snapshots, &version_dir)? {
        return Ok(SnapshotOutcome {
            dataset_version: version,
            dir: format!("{SNAPSHOTS_DIR}/{existing}"),
            created: false,
        });
    }
    let mut name = format!("v{date}");
    let mut n = 1;
    while snapshots.join(&name).exists() {
        n += 1;
        name = format!("v{date}-{n}");
    }
    let staging = StagingDir::create(&snapshots.join(&name))?;
    copy_tree(&version_dir, staging.path())?;
    staging.commit()?;
    Ok(SnapshotOutcome {
        dataset_version: version,
        dir: format!("{SNAPSHOTS_DIR}/{name}"),
        created: true,
    })
}

/// The snapshot that already holds this dataset version, byte for byte: its manifest
/// (which hashes every file of the version) is the same.
fn identical_snapshot(
    snapshots: &std::path::Path,
    version_dir: &std::path::Path,
) -> Result<Option<String>, ProcessError> {
    let manifest = match std::fs::read(version_dir.join(DATASET_MANIFEST)) {
        Ok(bytes) => bytes,
        Err(_) => return Ok(None),
    };
    let Ok(entries) = std::fs::read_dir(snapshots) else {
        return Ok(None);
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter(|n| n.starts_with('v'))
        .collect();
    names.sort();
    Ok(names.into_iter().find(|name| {
        std::fs::read(snapshots.join(name).join(DATASET_MANIFEST)).is_ok_and(|b| b == manifest)
    }))
}

/// Today's date in UTC as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}
