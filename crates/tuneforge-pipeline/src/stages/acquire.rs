//! The `acquire` stage: git sources fetched at their pins into `raw/code/<name>/`, docs
//! pages into `raw/docs/`, what was fetched kept in its manifest (`raw/manifest.json`);
//! and the reader of that manifest.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::remove_stale_temp_files;
use tuneforge_core::layout::{DISCOVER_MANIFEST, HTTP_CACHE_DIR, RAW_CODE_DIR, RAW_DIR};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_sources::acquire::{
    AcquireOptions, Acquired, AcquiredDoc, DocStatus, Outcome, acquire_all, acquire_docs,
};
use tuneforge_sources::discover::{Candidate, Status};
use tuneforge_sources::http::{Http, HttpOptions};

use super::discover::read_discovery;
use super::{Stage, StageContext, StageRun, existing, read_report, report_parses};
use crate::PipelineError;

/// Keeps what it fetched in its manifest's report (`raw/manifest.json`).
pub struct AcquireStage;

/// The report in `raw/manifest.json`: every repository and docs page, as fetched, reused
/// or failed. `clean`, `rules` and `generate` read it through [`read_acquired`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquireReport {
    pub repositories: Vec<Acquired>,
    pub docs: Vec<AcquiredDoc>,
}

impl Stage for AcquireStage {
    fn name(&self) -> &'static str {
        "acquire"
    }
    fn dir(&self) -> &'static str {
        RAW_DIR
    }
    fn network(&self) -> bool {
        true
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["discover"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(DISCOVER_MANIFEST).exists()).then(|| "nothing discovered yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(ws, [DISCOVER_MANIFEST.to_owned()]))
    }
    fn config_slice(&self, _: &PipelineConfig) -> Value {
        json!({})
    }
    fn check_report(&self, report: &Value) -> Result<(), String> {
        report_parses::<AcquireReport>(report)
    }
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        // Staging directories of interrupted fetches are left for `acquire` itself, which
        // counts them as re-fetched before replacing them.
        tuneforge_core::fsio::remove_discarded(&ws.path(RAW_CODE_DIR));
        Ok(remove_stale_temp_files(&ws.path(self.dir()))?)
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let discovery = read_discovery(ws)?;
        // An unreadable earlier manifest only means nothing is reused from it.
        let earlier = read_acquired(ws)
            .map(|r| r.repositories)
            .unwrap_or_default();
        let wanted: Vec<&Candidate> = discovery
            .candidates
            .iter()
            .filter(|c| matches!(c.status, Status::Kept | Status::PendingInfoYml))
            .filter(|c| c.kind.is_git())
            .collect();
        let code_dir = ws.path(RAW_CODE_DIR);
        std::fs::create_dir_all(&code_dir).map_err(tuneforge_core::fsio::at(
            "cannot create directory",
            &code_dir,
        ))?;
        let options = AcquireOptions::default();
        let task = reporter.task("acquire: repositories", Some(wanted.len() as u64));
        let wanted: Vec<(&Candidate, Option<&Acquired>)> = wanted
            .into_iter()
            .map(|c| (c, earlier.iter().find(|e| e.name == c.name)))
            .collect();
        // One fetch per core, as many as the rayon pool has threads.
        let repositories = acquire_all(
            &code_dir,
            &ws.root,
            &wanted,
            &options,
            rayon::current_num_threads(),
            &|_| task.advance(1),
        )?;
        task.finish();
        let docs_wanted: Vec<&Candidate> = discovery
            .candidates
            .iter()
            .filter(|c| c.status == Status::Kept && c.kind.is_web())
            .collect();
        let docs = if docs_wanted.is_empty() {
            Vec::new()
        } else {
            let options = HttpOptions::from_config(&ws.config.http, ws.path(HTTP_CACHE_DIR));
            let agent = options.user_agent.clone();
            let http = Http::new(options)?;
            acquire_docs(&http, &ws.root, &docs_wanted, &agent, reporter)
        };
        let docs_failed = docs
            .iter()
            .filter(|d| d.status == DocStatus::Failed)
            .count();
        let count = |o: Outcome| repositories.iter().filter(|r| r.outcome == o).count();
        for r in repositories.iter().filter(|r| r.outcome == Outcome::Failed) {
            reporter.warn(&format!("acquire {}: {}", r.name, r.reason));
        }
        let failed = count(Outcome::Failed) + docs_failed;
        let summary = format!(
            "{} docs pages ({} disallowed by robots.txt, {docs_failed} failed); {} repositories: {} fetched, {} reused, {} dropped by info.yml, {} failed, {} re-fetched after an interruption",
            docs.len(),
            docs.iter()
                .filter(|d| d.status == DocStatus::Disallowed)
                .count(),
            repositories.len(),
            count(Outcome::Fetched),
            count(Outcome::Reused),
            count(Outcome::Dropped),
            failed,
            repositories.iter().filter(|r| r.refetched).count()
        );
        let report = AcquireReport { repositories, docs };
        Ok(StageRun {
            outputs: Vec::new(),
            report: serde_json::to_value(&report).expect("reports serialize"),
            summary,
            incomplete: (failed > 0).then(|| failed_fetches(&report)),
        })
    }
}

/// The fetches that failed, by name (the first few docs pages, then how many more).
fn failed_fetches(report: &AcquireReport) -> String {
    let mut names: Vec<String> = report
        .repositories
        .iter()
        .filter(|r| r.outcome == Outcome::Failed)
        .map(|r| format!("{} ({})", r.name, r.reason))
        .collect();
    let pages: Vec<&str> = report
        .docs
        .iter()
        .filter(|d| d.status == DocStatus::Failed)
        .map(|d| d.url.as_str())
        .collect();
    names.extend(pages.iter().take(3).map(|u| u.to_string()));
    if pages.len() > 3 {
        names.push(format!("{} more docs pages", pages.len() - 3));
    }
    format!(
        "could not fetch {}; the next run tries again",
        names.join(", ")
    )
}

/// What the last `acquire` recorded (`raw/manifest.json`): repositories and docs pages;
/// empty before the first run, an error when its report does not parse.
pub fn read_acquired(ws: &Workspace) -> Result<AcquireReport, PipelineError> {
    Ok(read_report(ws, &AcquireStage)?.unwrap_or_default())
}
