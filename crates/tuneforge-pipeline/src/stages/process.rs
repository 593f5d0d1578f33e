//! The `process` stage: captured interactions → redacted, deduplicated samples → a
//! versioned dataset (the interactions-only path; `package` writes the dataset where
//! code was generated into samples).

use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::{remove_stale_staging, remove_stale_temp_files};
use tuneforge_core::layout::{
    COMBINED_SAMPLES, DATASET_DIR, PROCESSED_DIR, RAW_INTERACTIONS, RAW_REVIEWS,
};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::process::{ProcessReport, process};
use tuneforge_dataset::version::DatasetWrite;

use super::{Stage, StageContext, StageRun, existing, read_report, report_parses};
use crate::PipelineError;

/// Writes `processed/interactions.jsonl` and `dataset/v<N>/` from `raw/interactions.jsonl`.
pub struct ProcessStage;

impl Stage for ProcessStage {
    fn name(&self) -> &'static str {
        "process"
    }
    fn dir(&self) -> &'static str {
        PROCESSED_DIR
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [RAW_INTERACTIONS.to_owned(), RAW_REVIEWS.to_owned()],
        ))
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        if !ws.path(RAW_INTERACTIONS).exists() {
            return Some("no interactions captured yet (`tuneforge collect`)".to_owned());
        }
        // Where code was generated into samples, `package` writes the dataset, with the
        // interactions joined through `generate` and the gate.
        ws.path(COMBINED_SAMPLES)
            .exists()
            .then(|| "interactions are packaged with the generated samples (`package`)".to_owned())
    }
    fn check_report(&self, report: &Value) -> Result<(), String> {
        report_parses::<ProcessReport>(report)
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"seed": c.seed, "domains": c.domains, "redact": c.redact, "process": c.process})
    }
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        remove_stale_temp_files(&ws.path(self.dir()))?;
        Ok(remove_stale_staging(&ws.path(DATASET_DIR))?)
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let out = process(ws, reporter)?;
        let r = &out.report;
        let d = &r.dataset;
        let summary = format!(
            "{} samples from {} lines ({} duplicates removed, {} excluded, {} unreadable, {} redactions) → {} {} (train {} / valid {} / test {})",
            r.samples,
            r.raw_lines,
            r.duplicates.len(),
            r.excluded.len(),
            r.unreadable.len(),
            r.redactions.values().sum::<u64>(),
            d.dir,
            match out.dataset_write {
                DatasetWrite::Written => "written",
                DatasetWrite::Unchanged => "unchanged",
                DatasetWrite::Repaired => "repaired",
            },
            d.counts.train,
            d.counts.valid,
            d.counts.test
        );
        Ok(StageRun {
            outputs: out.outputs,
            report: serde_json::to_value(&out.report).expect("reports serialize"),
            summary,
            incomplete: None,
        })
    }
}

/// The last `process` report (`processed/manifest.json`): samples per domain, what was
/// left out, the dataset version; `None` before the first run, an error when it does not
/// parse.
pub fn read_process_report(ws: &Workspace) -> Result<Option<ProcessReport>, PipelineError> {
    read_report(ws, &ProcessStage)
}
