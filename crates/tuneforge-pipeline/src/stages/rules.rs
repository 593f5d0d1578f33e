//! The `rules` stage: the deprecation list mined from the acquired Drupal core; and the
//! readers of that list.

use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::layout::{ACQUIRE_MANIFEST, RULES_DIR};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_php::deprecations::Deprecation;
use tuneforge_sources::acquire::Outcome;
use tuneforge_sources::discover::CandidateKind;

use super::acquire::read_acquired;
use super::discover::read_discovery;
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes the mined deprecation list where `rules.deprecations` says
/// (`rules/deprecations.jsonl` by default).
pub struct RulesStage;

/// Where the acquired Drupal core is, from the acquire and discover manifests.
fn acquired_core(ws: &Workspace) -> Result<Option<std::path::PathBuf>, PipelineError> {
    let discovery = read_discovery(ws)?;
    let acquired = read_acquired(ws)?;
    Ok(acquired
        .repositories
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fetched | Outcome::Reused))
        .find(|r| {
            discovery
                .candidates
                .iter()
                .any(|c| c.name == r.name && c.kind == CandidateKind::DrupalCore)
        })
        .map(|r| ws.path(&r.dir)))
}

impl Stage for RulesStage {
    fn name(&self) -> &'static str {
        "rules"
    }
    fn dir(&self) -> &'static str {
        RULES_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["discover", "acquire"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        // Unreadable manifests are not "nothing to do": the run says what is wrong.
        acquired_core(ws).ok()?.is_none().then(|| {
            "no Drupal core acquired (a drupal-core source); `tuneforge rules mine DIR` mines a checkout".to_owned()
        })
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(ws, [ACQUIRE_MANIFEST.to_owned()]))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"deprecations": c.rules.deprecations})
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let core = acquired_core(ws)?.ok_or_else(|| PipelineError::Config {
            message: "the rules stage mines a Drupal core checkout, and no drupal-core source was acquired; add one to sources:, or mine any checkout with `tuneforge rules mine DIR`".to_owned(),
        })?;
        let records = tuneforge_php::deprecations::mine(&core, reporter)
            .map_err(tuneforge_core::fsio::at("cannot read", &core))?;
        let rel = ws.config.rules.deprecations.clone();
        let text = tuneforge_core::jsonl::to_lines(&records);
        tuneforge_core::fsio::write_atomic(&ws.path(&rel), text.as_bytes())?;
        let summary = tuneforge_php::deprecations::summary(&records);
        Ok(StageRun {
            outputs: vec![FileDigest::from_bytes(
                &rel,
                text.as_bytes(),
                Some(records.len() as u64),
            )],
            report: json!({"deprecations": records.len(), "path": rel}),
            summary: format!("{summary} → {rel}"),
            incomplete: None,
        })
    }
}

/// The mined deprecation list at `list`; a line that is not a record is an error naming it.
pub fn read_deprecation_list(list: &std::path::Path) -> Result<Vec<Deprecation>, PipelineError> {
    let bytes = std::fs::read(list).map_err(tuneforge_core::fsio::at("cannot read", list))?;
    tuneforge_core::jsonl::parse_all(&bytes).map_err(|e| PipelineError::Manifest {
        path: format!("{}:{}", list.display(), e.line),
        message: format!(
            "not a deprecation record ({}); mine it again with `tuneforge rules mine`",
            e.message
        ),
    })
}

/// The workspace's deprecation list (`rules.deprecations`), or `None` when it is not there.
pub fn workspace_deprecations(ws: &Workspace) -> Result<Option<Vec<Deprecation>>, PipelineError> {
    let list = ws.path(&ws.config.rules.deprecations);
    list.is_file()
        .then(|| read_deprecation_list(&list))
        .transpose()
}
