//! The `discover` stage: every configured source pinned, kept in its manifest
//! (`sources/manifest.json`), and the reader of that discovery.

use serde_json::{Value, json};
use tuneforge_core::config::{PipelineConfig, SourceConfig};
use tuneforge_core::layout::{HTTP_CACHE_DIR, SOURCES_DIR};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_sources::discover::{
    DiscoverOptions, Discovery, Status, discover, hash_tree, resolve_path,
};
use tuneforge_sources::http::HttpOptions;

use super::{Stage, StageContext, StageRun, read_report, report_parses};
use crate::PipelineError;

/// Keeps its candidates in its manifest's report (`sources/manifest.json`).
pub struct DiscoverStage;

impl Stage for DiscoverStage {
    fn name(&self) -> &'static str {
        "discover"
    }
    fn dir(&self) -> &'static str {
        SOURCES_DIR
    }
    fn network(&self) -> bool {
        true
    }
    fn inputs(&self, _: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(Vec::new())
    }
    fn extra_inputs(&self, ws: &Workspace) -> Result<Vec<FileDigest>, PipelineError> {
        let mut out = Vec::new();
        for source in &ws.config.sources {
            if let SourceConfig::Path { name, path, .. } = source {
                let dir = resolve_path(&ws.root, path);
                // An unreadable directory is reported by discover itself, as a drop.
                if let Ok(tree) = hash_tree(&dir) {
                    out.push(FileDigest {
                        path: format!("path:{name}"),
                        blake3: tree.hash,
                        bytes: tree.bytes,
                        records: Some(tree.files),
                    });
                }
            }
        }
        Ok(out)
    }
    fn check_report(&self, report: &Value) -> Result<(), String> {
        report_parses::<Discovery>(report)
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        // `http` settings are left out: politeness does not change what is found.
        json!({"sources": c.sources})
    }
    fn run(
        &self,
        ws: &Workspace,
        ctx: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        // An unreadable earlier discovery only means every pin is resolved again.
        let previous: Option<Discovery> = read_report(ws, self).ok().flatten();
        let options = DiscoverOptions {
            requery: ctx.requery,
            http: HttpOptions::from_config(&ws.config.http, ws.path(HTTP_CACHE_DIR)),
        };
        let found = discover(
            &ws.root,
            &ws.config.sources,
            previous.as_ref(),
            &options,
            reporter,
        );
        let count = |s: Status| found.candidates.iter().filter(|c| c.status == s).count();
        let summary = format!(
            "{} candidates: {} kept, {} pending info.yml, {} dropped, {} skipped",
            found.candidates.len(),
            count(Status::Kept),
            count(Status::PendingInfoYml),
            count(Status::Dropped),
            count(Status::Skipped)
        );
        let unresolved: Vec<&str> = found
            .candidates
            .iter()
            .filter(|c| c.unresolved)
            .map(|c| c.name.as_str())
            .collect();
        let incomplete = (!unresolved.is_empty()).then(|| {
            format!(
                "could not resolve {}; the next run tries again",
                unresolved.join(", ")
            )
        });
        Ok(StageRun {
            outputs: Vec::new(),
            report: serde_json::to_value(&found).expect("reports serialize"),
            summary,
            incomplete,
        })
    }
}

/// The last discovery (`sources/manifest.json`): empty before the first, an error when its
/// report does not parse.
pub fn read_discovery(ws: &Workspace) -> Result<Discovery, PipelineError> {
    Ok(read_report(ws, &DiscoverStage)?.unwrap_or_default())
}
