//! The `validate` stage: every line of every data file checked; the findings in
//! `validation/report.json`.

use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::write_json_atomic;
use tuneforge_core::layout::{
    DATASET_DIR, PROCESSED_INTERACTIONS, RAW_INTERACTIONS, VALIDATION_DIR, VALIDATION_REPORT,
    dataset_version_dir,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::validate::validate;
use tuneforge_dataset::version::latest_version;

use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `validation/report.json`; fails the run when it holds errors.
pub struct ValidateStage;

impl Stage for ValidateStage {
    fn name(&self) -> &'static str {
        "validate"
    }
    fn dir(&self) -> &'static str {
        VALIDATION_DIR
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        let mut files = vec![
            RAW_INTERACTIONS.to_owned(),
            PROCESSED_INTERACTIONS.to_owned(),
        ];
        if let Some(v) = latest_version(&ws.path(DATASET_DIR))? {
            let dir = dataset_version_dir(v);
            // Unreadable: nothing listed, and `validate` reports what it cannot read.
            if let Ok(listing) = tuneforge_core::fsio::list_files(&ws.path(&dir)) {
                files.extend(
                    listing
                        .files
                        .into_iter()
                        .map(|(rel, _)| format!("{dir}/{rel}")),
                );
            }
        }
        Ok(existing(ws, files))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"domains": c.domains, "validate": c.validate, "collect": c.collect})
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["process", "package"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        // A dataset written by `process` or by `package` is checked alike.
        let dataset = latest_version(&ws.path(DATASET_DIR))
            .ok()
            .flatten()
            .is_some();
        (!dataset && !ws.path(PROCESSED_INTERACTIONS).exists())
            .then(|| "no dataset yet (`package` or `process` writes one)".to_owned())
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let report = validate(ws, reporter)?;
        write_json_atomic(&ws.path(VALIDATION_REPORT), &report)?;
        if report.errors > 0 {
            return Err(PipelineError::ValidationFailed {
                report: Box::new(report),
                report_path: VALIDATION_REPORT.to_owned(),
            });
        }
        let summary = format!(
            "{} files, {} lines checked: no errors, {} warning(s)",
            report.files.len(),
            report.files.iter().map(|f| f.lines).sum::<u64>(),
            report.warnings
        );
        let value = json!({
            "errors": report.errors,
            "warnings": report.warnings,
            "dataset_version": report.dataset_version,
            "domains": report.domains,
        });
        Ok(StageRun {
            outputs: vec![FileDigest::of(&ws.root, VALIDATION_REPORT, None)?],
            report: value,
            summary,
            incomplete: None,
        })
    }
}
