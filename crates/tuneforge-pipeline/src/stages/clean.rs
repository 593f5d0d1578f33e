//! The `clean` stage: acquired code and docs filtered, normalized, redacted, with exact
//! and near duplicates marked; and the reader of its listing (`clean/files.jsonl`).

use serde::Deserialize;
use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::{remove_stale_staging, remove_stale_temp_files};
use tuneforge_core::layout::{
    ACQUIRE_MANIFEST, CLEAN_CODE_DIR, CLEAN_DIR, CLEAN_DOCS_DIR, CLEAN_DROPPED, CLEAN_FILES,
    DEDUP_MANIFEST, DISCOVER_MANIFEST, RAW_DOCS_DIR,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_sources::acquire::{Outcome, RECORD_FILE};
use tuneforge_sources::discover::{CandidateKind, Status, resolve_path};

use super::acquire::{AcquireReport, read_acquired};
use super::discover::read_discovery;
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `clean/code/<source>/…`, `clean/docs/…` and the lists beside them
/// (`clean/files.jsonl`, `clean/dropped.jsonl`, `clean/dedup_manifest.json`).
pub struct CleanStage;

impl Stage for CleanStage {
    fn name(&self) -> &'static str {
        "clean"
    }
    fn dir(&self) -> &'static str {
        CLEAN_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["discover", "acquire"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        // An unreadable discovery is not "nothing to do": the run says what is wrong.
        let discovery = read_discovery(ws).ok()?;
        (!discovery
            .candidates
            .iter()
            .any(|c| c.status == Status::Kept))
        .then(|| "no sources to clean (sources: in pipeline.yaml)".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [DISCOVER_MANIFEST.to_owned(), ACQUIRE_MANIFEST.to_owned()],
        ))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"clean": c.clean, "redact": c.redact})
    }
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        remove_stale_temp_files(&ws.path(self.dir()))?;
        Ok(remove_stale_staging(&ws.path(self.dir()))?)
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        use tuneforge_core::config::ContentKind;
        use tuneforge_core::fsio::StagingDir;
        use tuneforge_curate::clean::{CleanTree, clean};

        let discovery = read_discovery(ws)?;
        let AcquireReport { repositories, docs } = read_acquired(ws)?;

        let code_out = StagingDir::create(&ws.path(CLEAN_CODE_DIR))?;
        let docs_out = StagingDir::create(&ws.path(CLEAN_DOCS_DIR))?;
        let mut trees = Vec::new();
        let rank = |kind: CandidateKind, content: ContentKind| match (content, kind) {
            (ContentKind::Docs, _) => 3,
            (_, CandidateKind::DrupalCore) => 0,
            (_, CandidateKind::DrupalContrib) => 1,
            _ => 2,
        };
        // `docs/web` holds the pages of drupal-docs and urls sources.
        let mut taken = std::collections::BTreeSet::from([(true, "web".to_owned())]);
        let mut tree = |name: &str,
                        kind: CandidateKind,
                        content: ContentKind,
                        root: std::path::PathBuf,
                        leave_out: Vec<String>| {
            // Names that differ only in characters a directory name cannot hold (`a b`,
            // `a_b`) get distinct directories, so no source overwrites another.
            let base = tuneforge_sources::acquire::dir_name(name);
            let mut dir = base.clone();
            let mut n = 2;
            while !taken.insert((content == ContentKind::Docs, dir.clone())) {
                dir = format!("{base}-{n}");
                n += 1;
            }
            let (out, prefix) = match content {
                ContentKind::Code => (code_out.path(), "code"),
                ContentKind::Docs => (docs_out.path(), "docs"),
            };
            trees.push(CleanTree {
                source: name.to_owned(),
                rank: rank(kind, content),
                root,
                content,
                only: None,
                leave_out,
                out_dir: out.join(&dir),
                out_name: format!("{prefix}/{dir}"),
            });
        };
        for c in discovery
            .candidates
            .iter()
            .filter(|c| c.status == Status::Kept)
        {
            if c.kind == CandidateKind::Path {
                tree(
                    &c.name,
                    c.kind,
                    c.content,
                    resolve_path(&ws.root, std::path::Path::new(&c.location)),
                    Vec::new(),
                );
            }
        }
        for r in repositories
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fetched | Outcome::Reused))
        {
            let kind = discovery
                .candidates
                .iter()
                .find(|c| c.name == r.name)
                .map_or(CandidateKind::Git, |c| c.kind);
            // The record `acquire` keeps in each repository is bookkeeping, not source.
            tree(
                &r.name,
                kind,
                r.kind,
                ws.path(&r.dir),
                vec![RECORD_FILE.to_owned()],
            );
        }
        let pages: std::collections::BTreeSet<String> = docs
            .iter()
            .filter(|d| d.blake3.is_some())
            .filter_map(|d| {
                let rel = d.path.strip_prefix(RAW_DOCS_DIR)?.strip_prefix('/')?;
                Some(rel.to_owned())
            })
            .collect();
        if !pages.is_empty() {
            trees.push(CleanTree {
                source: "web".to_owned(),
                rank: 3,
                root: ws.path(RAW_DOCS_DIR),
                content: ContentKind::Docs,
                only: Some(pages),
                leave_out: Vec::new(),
                out_dir: docs_out.path().join("web"),
                out_name: "docs/web".to_owned(),
            });
        }

        let report = clean(&trees, &ws.config.clean, &ws.config.redact, reporter)?;
        code_out.commit()?;
        docs_out.commit()?;

        let files = tuneforge_core::jsonl::to_lines(&report.kept);
        let dropped = tuneforge_core::jsonl::to_lines(&report.dropped);
        let dedup = serde_json::to_vec_pretty(&report.dedup).expect("manifests serialize");
        let mut outputs = Vec::new();
        for (rel, bytes, records) in [
            (
                CLEAN_FILES,
                files.as_bytes(),
                Some(report.kept.len() as u64),
            ),
            (
                CLEAN_DROPPED,
                dropped.as_bytes(),
                Some(report.dropped.len() as u64),
            ),
            (DEDUP_MANIFEST, dedup.as_slice(), None),
        ] {
            tuneforge_core::fsio::write_atomic(&ws.path(rel), bytes)?;
            outputs.push(FileDigest::from_bytes(rel, bytes, records));
        }
        let d = &report.dedup;
        let duplicates = d.exact_duplicates + d.near_duplicates + d.masked_duplicates;
        let summary = format!(
            "{} files kept from {} sources, {} dropped; {} license banners removed, {} redactions; {} duplicates marked ({} exact, {} near, {} by masked names) in {} clusters",
            report.kept.len(),
            trees.len(),
            report.dropped.len(),
            report.licenses_removed,
            report.redactions.values().sum::<u64>(),
            duplicates,
            d.exact_duplicates,
            d.near_duplicates,
            d.masked_duplicates,
            d.clusters.len()
        );
        let mut reasons: std::collections::BTreeMap<String, u64> = Default::default();
        for f in &report.dropped {
            *reasons.entry(f.rule.to_owned()).or_default() += 1;
        }
        Ok(StageRun {
            outputs,
            report: json!({
                "sources": trees.len(),
                "kept": report.kept.len(),
                "dropped": report.dropped.len(),
                "dropped_by_reason": reasons,
                "licenses_removed": report.licenses_removed,
                "redactions": report.redactions,
                "allowlisted": report.allowlisted,
                "duplicates": {
                    "exact": d.exact_duplicates,
                    "near": d.near_duplicates,
                    "masked": d.masked_duplicates,
                    "clusters": d.clusters.len(),
                },
            }),
            summary,
            incomplete: None,
        })
    }
}

/// One kept file of `clean/files.jsonl`, as later stages read it (the fields of
/// `tuneforge_curate::clean::KeptFile` they use; the others are left unread).
#[derive(Debug, Clone, Deserialize)]
pub struct CleanListed {
    /// Relative to `clean/`: `code/<source>/<path>` or `docs/<source>/<path>`.
    pub path: String,
    pub source: String,
    #[serde(default)]
    pub spdx: Option<String>,
    #[serde(default)]
    pub duplicate_of: Option<String>,
}

/// The kept files `clean` listed; a line that is not such a record is an error naming it.
pub fn read_clean_listing(ws: &Workspace) -> Result<Vec<CleanListed>, PipelineError> {
    let path = ws.path(CLEAN_FILES);
    let listing = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PipelineError::Manifest {
                path: CLEAN_FILES.to_owned(),
                message: "not there: nothing has been cleaned yet (no sources: in pipeline.yaml, or `tuneforge clean` has not run)".to_owned(),
            });
        }
        Err(e) => return Err(tuneforge_core::fsio::at("cannot read", &path)(e).into()),
    };
    tuneforge_core::jsonl::parse_all(&listing).map_err(|e| PipelineError::Manifest {
        path: format!("{CLEAN_FILES}:{}", e.line),
        message: format!("{}; run `tuneforge clean --force` to rewrite it", e.message),
    })
}
