//! The stages this build runs, in pipeline order, behind one small trait.
//!
//! One file per stage. Each stage file also holds the reader of its own outputs (the
//! discovery, the acquired repositories, the clean listing, …), so a stage reads what an
//! upstream stage wrote through that stage's reader and the readers only ever point
//! upstream. This file holds what every stage and the runner share: the trait, what a run
//! hands back, the manifest helpers and the list of stages.

use serde::de::DeserializeOwned;
use serde_json::Value;
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::remove_stale_temp_files;
use tuneforge_core::layout::STAGE_MANIFEST;
use tuneforge_core::manifest::{FileDigest, StageManifest};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;

use crate::PipelineError;

pub mod acquire;
pub mod analyze;
pub mod checker;
pub mod clean;
pub mod discover;
pub mod gate;
pub mod generate;
pub mod package;
pub mod process;
pub mod rules;
pub mod validate;

/// What a finished stage hands back to the runner.
pub struct StageRun {
    /// Every file written, workspace-relative, hashed from the bytes the stage wrote.
    pub outputs: Vec<FileDigest>,
    /// Stage-specific report, stored in the manifest.
    pub report: Value,
    /// One line for humans.
    pub summary: String,
    /// What could not be done; the stage stays stale so the next run tries again.
    pub incomplete: Option<String>,
}

/// How the runner wants a stage run.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageContext {
    /// Query the network again even for what an earlier run already resolved
    /// (`--refresh` or `--force`).
    pub requery: bool,
}

pub trait Stage: Sync {
    fn name(&self) -> &'static str;
    /// Stages whose outputs this one reads; their staleness makes this one stale.
    fn depends_on(&self) -> &'static [&'static str] {
        &[]
    }
    /// Inputs that are not single files (a local source tree's content hash), as digests
    /// named `<kind>:<name>`.
    fn extra_inputs(&self, _ws: &Workspace) -> Result<Vec<FileDigest>, PipelineError> {
        Ok(Vec::new())
    }
    /// Directory of its `manifest.json` and `timings.json`.
    fn dir(&self) -> &'static str;
    /// Why there is nothing for this stage to do in this workspace yet (no interactions
    /// captured); `run` then skips it instead of failing. Asked for by name, it runs and
    /// says what is missing.
    fn nothing_to_do(&self, _ws: &Workspace) -> Option<String> {
        None
    }
    /// Network stages re-query only with `--refresh` or `--force`.
    fn network(&self) -> bool {
        false
    }
    /// Workspace-relative files it reads, as they exist now.
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError>;
    /// Its slice of `pipeline.yaml`: a change here makes it stale.
    fn config_slice(&self, config: &PipelineConfig) -> Value;
    fn run(
        &self,
        ws: &Workspace,
        ctx: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError>;
    /// Remove what an interrupted run of this stage left behind (temp files, staging
    /// directories). Runs before every `run`, whether the stage is then run or skipped.
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        Ok(remove_stale_temp_files(&ws.path(self.dir()))?)
    }
    /// Whether a stored report still has the type the stage's readers parse it as (see
    /// [`report_parses`]). One that does not (written by another version, edited) makes the
    /// stage stale, so `run` writes it again instead of a reader failing on it later.
    fn check_report(&self, _report: &Value) -> Result<(), String> {
        Ok(())
    }
}

/// [`Stage::check_report`] for a stage whose report is a `T`.
pub(crate) fn report_parses<T: DeserializeOwned>(report: &Value) -> Result<(), String> {
    T::deserialize(report).map(drop).map_err(|e| e.to_string())
}

/// Where a stage's manifest is: `<dir>/manifest.json`.
pub fn manifest_path(stage: &dyn Stage) -> String {
    format!("{}/{STAGE_MANIFEST}", stage.dir())
}

/// A stage's manifest, or `None` before it first completed.
pub fn read_manifest(
    ws: &Workspace,
    stage: &dyn Stage,
) -> Result<Option<StageManifest>, PipelineError> {
    let rel = manifest_path(stage);
    match std::fs::read(ws.path(&rel)) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| PipelineError::Manifest {
                    path: rel,
                    message: format!("{e}; delete it and run the stage again"),
                })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(tuneforge_core::fsio::IoError::new("cannot read", &ws.path(&rel), e).into()),
    }
}

/// A stage's report as its type, or `None` before the stage first completed. A report that
/// does not parse is an error naming the manifest, never an empty report.
pub fn read_report<T: DeserializeOwned>(
    ws: &Workspace,
    stage: &dyn Stage,
) -> Result<Option<T>, PipelineError> {
    let Some(manifest) = read_manifest(ws, stage)? else {
        return Ok(None);
    };
    serde_json::from_value(manifest.report)
        .map(Some)
        .map_err(|e| PipelineError::Manifest {
            path: manifest_path(stage),
            message: format!(
                "the {name} stage's report does not parse ({e}); run `tuneforge run --only {name} --force`",
                name = stage.name()
            ),
        })
}

/// Those of `files` (workspace-relative) that exist now: what a stage reads and is
/// fingerprinted by.
pub(crate) fn existing(ws: &Workspace, files: impl IntoIterator<Item = String>) -> Vec<String> {
    files.into_iter().filter(|f| ws.path(f).is_file()).collect()
}

/// Every stage, in pipeline order.
pub fn all() -> Vec<&'static dyn Stage> {
    vec![
        &discover::DiscoverStage,
        &acquire::AcquireStage,
        &rules::RulesStage,
        &clean::CleanStage,
        &analyze::AnalyzeStage,
        &generate::GenerateStage,
        &gate::GateStage,
        &package::PackageStage,
        &process::ProcessStage,
        &validate::ValidateStage,
    ]
}

pub fn names() -> Vec<&'static str> {
    all().iter().map(|s| s.name()).collect()
}

pub fn find(name: &str) -> Result<&'static dyn Stage, PipelineError> {
    all()
        .into_iter()
        .find(|s| s.name() == name)
        .ok_or_else(|| PipelineError::UnknownStage {
            name: name.to_owned(),
            allowed: names().join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::layout::{ACQUIRE_MANIFEST, DISCOVER_MANIFEST};

    /// Other stages name these manifests by their layout constants.
    #[test]
    fn manifests_are_where_the_layout_says() {
        assert_eq!(manifest_path(&discover::DiscoverStage), DISCOVER_MANIFEST);
        assert_eq!(manifest_path(&acquire::AcquireStage), ACQUIRE_MANIFEST);
        let mut dirs: Vec<&str> = all().iter().map(|s| s.dir()).collect();
        dirs.sort();
        dirs.dedup();
        assert_eq!(dirs.len(), all().len(), "two stages share a directory");
    }
}
