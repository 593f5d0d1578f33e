//! `tuneforge quickstart [DIR]`: the whole interactions workflow on a built-in sample.
//!
//! The sample's timestamps and ids are fixed, so two quickstarts give byte-identical
//! datasets and manifests.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::config::Preset;
use tuneforge_core::fsio::write_atomic;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::{RAW_INTERACTIONS, Workspace};
use tuneforge_dataset::snapshot::SnapshotOutcome;

use crate::PipelineError;
use crate::init::init;
use crate::runner::{RunOptions, RunReport, run, snapshot};

/// Sixty captured interactions over the six domains of the interactions preset, with one
/// pasted AWS key and e-mail address (redacted by `process`) and one duplicate (removed).
pub const SAMPLE_INTERACTIONS: &str = include_str!("../data/sample_interactions.jsonl");

#[derive(Debug, Clone, Serialize)]
pub struct QuickstartReport {
    pub root: PathBuf,
    pub imported: u64,
    pub run: RunReport,
    pub snapshot: SnapshotOutcome,
}

pub fn quickstart(
    dir: &Path,
    date: &str,
    reporter: &dyn Reporter,
) -> Result<QuickstartReport, PipelineError> {
    let not_empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if not_empty {
        return Err(PipelineError::NotEmpty {
            path: dir.display().to_string(),
        });
    }
    init(dir, Preset::Interactions)?;
    let ws = Workspace::open(dir)?;
    write_atomic(&ws.path(RAW_INTERACTIONS), SAMPLE_INTERACTIONS.as_bytes())?;
    reporter.info(&format!(
        "imported {} sample interactions into {RAW_INTERACTIONS}",
        SAMPLE_INTERACTIONS.lines().count()
    ));
    let run = run(&ws, &RunOptions::default(), reporter)?;
    let snapshot = snapshot(&ws, date, reporter)?;
    Ok(QuickstartReport {
        root: dir.to_path_buf(),
        imported: SAMPLE_INTERACTIONS.lines().count() as u64,
        run,
        snapshot,
    })
}
