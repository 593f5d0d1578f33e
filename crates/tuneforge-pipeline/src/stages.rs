//! The stages this build runs, in pipeline order, behind one small trait.

use rayon::prelude::*;
use serde_json::{Value, json};
use tuneforge_core::config::{PipelineConfig, SourceConfig};
use tuneforge_core::fsio::{remove_stale_staging, remove_stale_temp_files, write_json_atomic};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::{
    DATASET_DIR, PROCESSED_DIR, PROCESSED_INTERACTIONS, RAW_INTERACTIONS, VALIDATION_DIR, Workspace,
};
use tuneforge_dataset::process::{DatasetWrite, latest_version, process};
use tuneforge_dataset::validate::validate;
use tuneforge_sources::acquire::{AcquireOptions, Acquired, Outcome, acquire_docs, acquire_git};
use tuneforge_sources::discover::Candidate;
use tuneforge_sources::discover::{
    DiscoverOptions, Discovery, Status, discover, hash_tree, resolve_path,
};
use tuneforge_sources::http::{Http, HttpOptions};

/// Responses of network stages, revalidated with conditional requests on `--refresh`.
pub const HTTP_CACHE_DIR: &str = ".tuneforge/http-cache";

use crate::PipelineError;

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
}

pub struct DiscoverStage;

/// `discover` keeps its candidates in its stage manifest: `sources/manifest.json`.
pub const SOURCES_DIR: &str = "sources";

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
        let previous: Option<Discovery> = crate::runner::read_manifest(ws, self)
            .ok()
            .flatten()
            .and_then(|m| serde_json::from_value(m.report).ok());
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

pub struct AcquireStage;

/// `acquire` keeps what it fetched in its stage manifest: `raw/manifest.json`.
pub const RAW_DIR: &str = "raw";
pub const CODE_DIR: &str = "raw/code";

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
        (!ws.path(&crate::runner::manifest_path(&DiscoverStage))
            .exists())
        .then(|| "nothing discovered yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(ws, [crate::runner::manifest_path(&DiscoverStage)]))
    }
    fn config_slice(&self, _: &PipelineConfig) -> Value {
        json!({})
    }
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        // Staging directories of interrupted fetches are left for `acquire` itself, which
        // counts them as re-fetched before replacing them.
        tuneforge_core::fsio::remove_discarded(&ws.path(CODE_DIR));
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
        let earlier = read_acquired(ws).map(|(r, _)| r).unwrap_or_default();
        let wanted: Vec<&Candidate> = discovery
            .candidates
            .iter()
            .filter(|c| matches!(c.status, Status::Kept | Status::PendingInfoYml))
            .filter(|c| matches!(c.kind.as_str(), "git" | "drupal-core" | "drupal-contrib"))
            .collect();
        let code_dir = ws.path(CODE_DIR);
        std::fs::create_dir_all(&code_dir).map_err(tuneforge_core::fsio::at(
            "cannot create directory",
            &code_dir,
        ))?;
        let options = AcquireOptions::default();
        let task = reporter.task("acquire: repositories", Some(wanted.len() as u64));
        let repositories: Vec<Acquired> = wanted
            .par_iter()
            .map(|c| {
                let prev = earlier.iter().find(|e| e.name == c.name);
                let r = acquire_git(&code_dir, &ws.root, c, prev, &options);
                task.advance(1);
                r
            })
            .collect();
        task.finish();
        let docs_wanted: Vec<&Candidate> = discovery
            .candidates
            .iter()
            .filter(|c| {
                c.status == Status::Kept && matches!(c.kind.as_str(), "drupal-docs" | "urls")
            })
            .collect();
        let docs = if docs_wanted.is_empty() {
            Vec::new()
        } else {
            let options = HttpOptions::from_config(&ws.config.http, ws.path(HTTP_CACHE_DIR));
            let agent = options.user_agent.clone();
            let http = Http::new(options).map_err(|e| PipelineError::Manifest {
                path: HTTP_CACHE_DIR.to_owned(),
                message: e.to_string(),
            })?;
            acquire_docs(&http, &ws.root, &docs_wanted, &agent, reporter)
        };
        let docs_failed = docs.iter().filter(|d| d.status == "failed").count();
        let count = |o: Outcome| repositories.iter().filter(|r| r.outcome == o).count();
        for r in repositories.iter().filter(|r| r.outcome == Outcome::Failed) {
            reporter.warn(&format!("acquire {}: {}", r.name, r.reason));
        }
        let failed = count(Outcome::Failed) + docs_failed;
        let summary = format!(
            "{} docs pages ({} disallowed by robots.txt, {docs_failed} failed); {} repositories: {} fetched, {} reused, {} dropped by info.yml, {} failed, {} re-fetched after an interruption",
            docs.len(),
            docs.iter().filter(|d| d.status == "disallowed").count(),
            repositories.len(),
            count(Outcome::Fetched),
            count(Outcome::Reused),
            count(Outcome::Dropped),
            failed,
            repositories.iter().filter(|r| r.refetched).count()
        );
        Ok(StageRun {
            outputs: Vec::new(),
            report: json!({ "repositories": repositories, "docs": docs }),
            summary,
            incomplete: (failed > 0)
                .then(|| format!("{failed} fetches failed; the next run tries again")),
        })
    }
}

pub struct CleanStage;

/// `clean` writes `clean/code/<source>/…`, `clean/docs/…` and these lists beside them.
pub const CLEAN_DIR: &str = "clean";
pub const CLEAN_FILES: &str = "clean/files.jsonl";
pub const CLEAN_DROPPED: &str = "clean/dropped.jsonl";
pub const DEDUP_MANIFEST: &str = "clean/dedup_manifest.json";

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
        let discovery = read_discovery(ws).unwrap_or_default();
        (!discovery
            .candidates
            .iter()
            .any(|c| c.status == Status::Kept))
        .then(|| "no sources to clean (sources: in pipeline.yaml)".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [
                crate::runner::manifest_path(&DiscoverStage),
                crate::runner::manifest_path(&AcquireStage),
            ],
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
        let (repositories, docs) = read_acquired(ws)?;

        let clean_dir = ws.path(CLEAN_DIR);
        let code_out = StagingDir::create(&clean_dir.join("code"))?;
        let docs_out = StagingDir::create(&clean_dir.join("docs"))?;
        let mut trees = Vec::new();
        let rank = |kind: &str, content: ContentKind| match (content, kind) {
            (ContentKind::Docs, _) => 3,
            (_, "drupal-core") => 0,
            (_, "drupal-contrib") => 1,
            _ => 2,
        };
        // `docs/web` holds the pages of drupal-docs and urls sources.
        let mut taken = std::collections::BTreeSet::from([(true, "web".to_owned())]);
        let mut tree = |name: &str, kind: &str, content: ContentKind, root: std::path::PathBuf| {
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
                out_dir: out.join(&dir),
                out_name: format!("{prefix}/{dir}"),
            });
        };
        for c in discovery
            .candidates
            .iter()
            .filter(|c| c.status == Status::Kept)
        {
            if c.kind == "path" {
                tree(
                    &c.name,
                    &c.kind,
                    c.content,
                    resolve_path(&ws.root, std::path::Path::new(&c.location)),
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
                .map_or("git", |c| c.kind.as_str());
            tree(&r.name, kind, r.kind, ws.path(&r.dir));
        }
        let pages: std::collections::BTreeSet<String> = docs
            .iter()
            .filter(|d| d.blake3.is_some())
            .filter_map(|d| d.path.strip_prefix("raw/docs/").map(str::to_owned))
            .collect();
        if !pages.is_empty() {
            trees.push(CleanTree {
                source: "web".to_owned(),
                rank: 3,
                root: ws.path("raw/docs"),
                content: ContentKind::Docs,
                only: Some(pages),
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

pub struct RulesStage;

/// The last discovery (`sources/manifest.json`), or none yet.
pub(crate) fn read_discovery(ws: &Workspace) -> Result<Discovery, PipelineError> {
    Ok(crate::runner::read_manifest(ws, &DiscoverStage)?
        .and_then(|m| serde_json::from_value(m.report).ok())
        .unwrap_or_default())
}

/// What the last `acquire` recorded: repositories and docs pages.
pub(crate) fn read_acquired(
    ws: &Workspace,
) -> Result<(Vec<Acquired>, Vec<tuneforge_sources::acquire::AcquiredDoc>), PipelineError> {
    let report = crate::runner::read_manifest(ws, &AcquireStage)?.map(|m| m.report);
    let part = |key: &str| report.as_ref().and_then(|r| r.get(key).cloned());
    Ok((
        part("repositories")
            .and_then(|r| serde_json::from_value(r).ok())
            .unwrap_or_default(),
        part("docs")
            .and_then(|r| serde_json::from_value(r).ok())
            .unwrap_or_default(),
    ))
}

/// Where the acquired Drupal core is, from the acquire and discover manifests.
fn acquired_core(ws: &Workspace) -> Option<std::path::PathBuf> {
    let discovery = read_discovery(ws).ok()?;
    let (repositories, _) = read_acquired(ws).ok()?;
    repositories
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fetched | Outcome::Reused))
        .find(|r| {
            discovery
                .candidates
                .iter()
                .any(|c| c.name == r.name && c.kind == "drupal-core")
        })
        .map(|r| ws.path(&r.dir))
}

impl Stage for RulesStage {
    fn name(&self) -> &'static str {
        "rules"
    }
    fn dir(&self) -> &'static str {
        "rules"
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["discover", "acquire"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        acquired_core(ws).is_none().then(|| {
            "no Drupal core acquired (a drupal-core source); `tuneforge rules mine DIR` mines a checkout".to_owned()
        })
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(ws, [crate::runner::manifest_path(&AcquireStage)]))
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
        let core = acquired_core(ws).ok_or_else(|| PipelineError::Manifest {
            path: crate::runner::manifest_path(&AcquireStage),
            message: "no Drupal core repository was acquired".to_owned(),
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

/// One kept file of `clean/files.jsonl`.
pub(crate) struct CleanListed {
    pub(crate) path: String,
    pub(crate) source: String,
    pub(crate) spdx: Option<String>,
    pub(crate) duplicate_of: Option<String>,
}

/// The kept files `clean` listed; a line that is not a record is an error naming it.
pub(crate) fn read_clean_listing(ws: &Workspace) -> Result<Vec<CleanListed>, PipelineError> {
    let listing = std::fs::read_to_string(ws.path(CLEAN_FILES)).map_err(
        tuneforge_core::fsio::at("cannot read", &ws.path(CLEAN_FILES)),
    )?;
    let mut out = Vec::new();
    for (i, line) in listing
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |message: String| PipelineError::Manifest {
            path: format!("{CLEAN_FILES}:{}", i + 1),
            message,
        };
        let record: Value = serde_json::from_str(line)
            .map_err(|e| bad(format!("{e}; run `tuneforge clean --force` to rewrite it")))?;
        let field = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_owned);
        let (Some(path), Some(source)) = (field("path"), field("source")) else {
            return Err(bad(
                "a record without path or source; run `tuneforge clean --force`".to_owned(),
            ));
        };
        out.push(CleanListed {
            path,
            source,
            spdx: field("spdx"),
            duplicate_of: field("duplicate_of"),
        });
    }
    Ok(out)
}

pub struct AnalyzeStage;

pub const ANALYSIS_DIR: &str = "analysis";
pub const FACTS: &str = "analysis/facts.jsonl";

impl Stage for AnalyzeStage {
    fn name(&self) -> &'static str {
        "analyze"
    }
    fn dir(&self) -> &'static str {
        ANALYSIS_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["clean"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(CLEAN_FILES).exists()).then(|| "nothing cleaned yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        // The deprecation list, when mined, adds each file's deprecated uses.
        Ok(existing(
            ws,
            [CLEAN_FILES.to_owned(), ws.config.rules.deprecations.clone()],
        ))
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
        use tuneforge_php::analyze::{Input, analyze, is_php};

        let paths: Vec<String> = read_clean_listing(ws)?
            .into_iter()
            .map(|k| k.path)
            .collect();
        let wanted: Vec<&String> = paths
            .iter()
            .filter(|p| is_php(p) || p.ends_with(".yml"))
            .collect();
        let inputs: Vec<Input> = wanted
            .par_iter()
            .map(|p| {
                let full = ws.path(CLEAN_DIR).join(p.as_str());
                std::fs::read_to_string(&full)
                    .map(|text| Input {
                        path: (*p).clone(),
                        text,
                    })
                    .map_err(tuneforge_core::fsio::at("cannot read", &full))
            })
            .collect::<Result<_, _>>()?;
        let list = ws.path(&ws.config.rules.deprecations);
        let checker = if list.is_file() {
            Some(workspace_checker(&ws.config, &ws.root)?)
        } else {
            None
        };
        let facts = analyze(&inputs, checker.as_ref(), reporter);
        let deprecated_uses: usize = facts.iter().map(|f| f.deprecated_uses.len()).sum();
        let text = tuneforge_core::jsonl::to_lines(&facts);
        tuneforge_core::fsio::write_atomic(&ws.path(FACTS), text.as_bytes())?;

        let php: Vec<&tuneforge_php::facts::PhpFacts> =
            facts.iter().filter_map(|f| f.php.as_ref()).collect();
        let classes = php.iter().flat_map(|p| &p.classes);
        let mut plugins: std::collections::BTreeMap<String, u64> = Default::default();
        let mut by_attribute = 0u64;
        let mut by_annotation = 0u64;
        for c in classes.clone() {
            if let Some(p) = &c.plugin {
                *plugins.entry(p.plugin_type.clone()).or_default() += 1;
                if p.declared_by == "attribute" {
                    by_attribute += 1;
                } else {
                    by_annotation += 1;
                }
            }
        }
        let hooks = php.iter().flat_map(|p| &p.hooks);
        let procedural = hooks.clone().filter(|h| h.style == "procedural").count();
        let oop = hooks.clone().count() - procedural;
        let with_errors = php.iter().filter(|p| !p.syntax_errors.is_empty()).count();
        let drupal_calls: usize = classes.clone().map(|c| c.drupal_calls.len()).sum();
        let yaml_errors = facts.iter().filter(|f| f.yaml_error.is_some()).count();
        let count = |pick: fn(&tuneforge_php::yaml::YamlFacts) -> usize| -> usize {
            facts.iter().filter_map(|f| f.yaml.as_ref()).map(pick).sum()
        };
        use tuneforge_php::yaml::YamlFacts as Y;
        let services = count(|y| match y {
            Y::Services { services } => services.len(),
            _ => 0,
        });
        let routes = count(|y| match y {
            Y::Routes { routes } => routes.len(),
            _ => 0,
        });
        let components = count(|y| matches!(y, Y::Component { .. }) as usize);
        let summary = format!(
            "{} PHP files ({} with syntax errors), {} classes, {} plugins ({} by attribute, {} by annotation), {} hooks ({} procedural, {} #[Hook]), {} \\Drupal:: calls in classes; {} services, {} routes, {} components ({} YAML files unreadable)",
            php.len(),
            with_errors,
            classes.clone().count(),
            by_attribute + by_annotation,
            by_attribute,
            by_annotation,
            procedural + oop,
            procedural,
            oop,
            drupal_calls,
            services,
            routes,
            components,
            yaml_errors
        );
        Ok(StageRun {
            outputs: vec![FileDigest::from_bytes(
                FACTS,
                text.as_bytes(),
                Some(facts.len() as u64),
            )],
            report: json!({
                "php_files": php.len(),
                "php_files_with_syntax_errors": with_errors,
                "classes": classes.count(),
                "plugins": plugins,
                "plugins_by_attribute": by_attribute,
                "plugins_by_annotation": by_annotation,
                "hooks": {"procedural": procedural, "attribute": oop},
                "drupal_calls_in_classes": drupal_calls,
                "services": services,
                "routes": routes,
                "components": components,
                "yaml_files_unreadable": yaml_errors,
                "deprecated_uses": if checker.is_some() { json!(deprecated_uses) } else { json!("skipped: no deprecation list") },
            }),
            summary,
            incomplete: None,
        })
    }
}

pub struct GateStage;

pub const QUALITY_DIR: &str = "quality";
/// What `generate` writes and the gate reads.
pub const COMBINED_SAMPLES: &str = "sft/combined.jsonl";

/// The mined deprecation list at `list`; a line that is not a record is an error naming it.
pub fn read_deprecation_list(
    list: &std::path::Path,
) -> Result<Vec<tuneforge_php::deprecations::Deprecation>, PipelineError> {
    let text =
        std::fs::read_to_string(list).map_err(tuneforge_core::fsio::at("cannot read", list))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| PipelineError::Manifest {
                path: format!("{}:{}", list.display(), i + 1),
                message: format!(
                    "not a deprecation record ({e}); mine it again with `tuneforge rules mine`"
                ),
            })
        })
        .collect()
}

/// The Drupal 11 rule checker over `records` (the mined deprecation list, when there is one).
pub fn checker_with(
    records: Option<Vec<tuneforge_php::deprecations::Deprecation>>,
    require_strict_types: bool,
) -> tuneforge_php::rules::Checker {
    use tuneforge_php::rules::{CheckOptions, Checker, DeprecationIndex};
    Checker::new(
        records.map(DeprecationIndex::new),
        CheckOptions {
            require_strict_types,
            admits_drupal_11: Some(tuneforge_sources::compat::admits_any_11),
        },
    )
}

/// The Drupal 11 rule checker, with the mined deprecation list at `list` when given.
pub fn load_checker(
    list: Option<&std::path::Path>,
    require_strict_types: bool,
) -> Result<tuneforge_php::rules::Checker, PipelineError> {
    let records = list.map(read_deprecation_list).transpose()?;
    Ok(checker_with(records, require_strict_types))
}

/// The workspace's deprecation list (`rules.deprecations`), or `None` when it is not there.
pub fn workspace_deprecations(
    ws: &Workspace,
) -> Result<Option<Vec<tuneforge_php::deprecations::Deprecation>>, PipelineError> {
    let list = ws.path(&ws.config.rules.deprecations);
    list.is_file()
        .then(|| read_deprecation_list(&list))
        .transpose()
}

/// The checker a workspace's config asks for: its `rules.deprecations` list when it exists.
pub fn workspace_checker(
    config: &PipelineConfig,
    root: &std::path::Path,
) -> Result<tuneforge_php::rules::Checker, PipelineError> {
    let list = root.join(&config.rules.deprecations);
    load_checker(
        list.is_file().then_some(list.as_path()),
        config.rules.require_strict_types,
    )
}

/// The external tools the gate runs with, as the workspace's config finds them.
pub fn gate_tools(
    config: &PipelineConfig,
    root: &std::path::Path,
) -> tuneforge_php::gate::GateTools {
    let g = &config.gate;
    let path = |p: &Option<String>| {
        p.as_ref()
            .map(|p| resolve_path(root, std::path::Path::new(p)))
    };
    tuneforge_php::gate::GateTools::detect(
        g.external_tools,
        path(&g.php).as_deref(),
        path(&g.phpcs).as_deref(),
        path(&g.phpstan).as_deref(),
    )
}

/// Gate `input` (sample JSON lines) into `out_dir`: `report.json`, `rejected.jsonl` and
/// `accepted.jsonl`, written atomically. Returns the report and the files' digests, named
/// `<rel_prefix>/<file>`.
pub fn gate_file(
    config: &PipelineConfig,
    root: &std::path::Path,
    input: &std::path::Path,
    out_dir: &std::path::Path,
    rel_prefix: &str,
    reporter: &dyn Reporter,
) -> Result<(tuneforge_php::gate::GateReport, Vec<FileDigest>), PipelineError> {
    let text =
        std::fs::read_to_string(input).map_err(tuneforge_core::fsio::at("cannot read", input))?;
    let scratch = tempfile_dir(out_dir)?;
    let checker = workspace_checker(config, root)?;
    let g = &config.gate;
    let options = tuneforge_php::gate::GateOptions {
        max_errors: g.max_errors,
        max_warnings: g.max_warnings,
        max_notes: g.max_notes,
        tools: gate_tools(config, root),
    };
    let out = tuneforge_php::gate::gate(&text, &checker, &options, scratch.path(), reporter)
        .map_err(tuneforge_core::fsio::at("cannot write to", scratch.path()))?;
    // Accepted samples are kept as they were read.
    let accepted: String = out.accepted.iter().map(|l| format!("{l}\n")).collect();
    let rejected = tuneforge_core::jsonl::to_lines(&out.rejected);
    let report = serde_json::to_vec_pretty(&out.report).expect("reports serialize");
    let mut digests = Vec::new();
    for (name, bytes, records) in [
        ("report.json", report.as_slice(), None),
        (
            "rejected.jsonl",
            rejected.as_bytes(),
            Some(out.rejected.len() as u64),
        ),
        (
            "accepted.jsonl",
            accepted.as_bytes(),
            Some(out.accepted.len() as u64),
        ),
    ] {
        tuneforge_core::fsio::write_atomic(&out_dir.join(name), bytes)?;
        digests.push(FileDigest::from_bytes(
            &format!("{rel_prefix}/{name}"),
            bytes,
            records,
        ));
    }
    Ok((out.report, digests))
}

/// A scratch directory beside the outputs, removed when dropped.
fn tempfile_dir(out_dir: &std::path::Path) -> Result<tempfile::TempDir, PipelineError> {
    std::fs::create_dir_all(out_dir)
        .map_err(tuneforge_core::fsio::at("cannot create directory", out_dir))?;
    tempfile::Builder::new()
        .prefix(".tmp-gate-")
        .tempdir_in(out_dir)
        .map_err(|e| {
            tuneforge_core::fsio::at("cannot create a scratch directory in", out_dir)(e).into()
        })
}

pub fn gate_summary(r: &tuneforge_php::gate::GateReport) -> String {
    let tools: Vec<String> = r
        .tools
        .iter()
        .map(|t| format!("{} {}", t.name, if t.present() { "used" } else { "absent" }))
        .collect();
    let kinds: Vec<String> = r
        .by_kind
        .iter()
        .map(|(k, p)| format!("{k} {:.0}%", p.pass_rate * 100.0))
        .collect();
    let by_kind = if kinds.is_empty() {
        String::new()
    } else {
        format!("; pass rate {}", kinds.join(", "))
    };
    format!(
        "{} samples: {} accepted, {} rejected, {} unreadable{by_kind}; {} code blocks checked ({}; {} php -l version notes)",
        r.samples,
        r.accepted,
        r.rejected,
        r.unreadable.len(),
        r.code_blocks,
        tools.join(", "),
        r.php_version_notes
    )
}

impl Stage for GateStage {
    fn name(&self) -> &'static str {
        "gate"
    }
    fn dir(&self) -> &'static str {
        QUALITY_DIR
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(COMBINED_SAMPLES).exists())
            .then(|| format!("no samples generated yet ({COMBINED_SAMPLES})"))
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [
                COMBINED_SAMPLES.to_owned(),
                ws.config.rules.deprecations.clone(),
            ],
        ))
    }
    fn extra_inputs(&self, ws: &Workspace) -> Result<Vec<FileDigest>, PipelineError> {
        // Each external tool's path and version (or "absent") is part of the fingerprint.
        let tools = gate_tools(&ws.config, &ws.root);
        Ok(tools
            .all()
            .iter()
            .map(|t| {
                FileDigest::from_bytes(&format!("tool:{}", t.name), t.identity().as_bytes(), None)
            })
            .collect())
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"gate": c.gate, "rules": c.rules})
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let (report, outputs) = gate_file(
            &ws.config,
            &ws.root,
            &ws.path(COMBINED_SAMPLES),
            &ws.path(QUALITY_DIR),
            QUALITY_DIR,
            reporter,
        )?;
        for e in &report.tool_errors {
            reporter.warn(&format!("gate: {e}"));
        }
        // A tool that failed left blocks unchecked: the next run tries again.
        let incomplete = (!report.tool_errors.is_empty()).then(|| {
            format!(
                "{} external tool runs failed; the next run tries again",
                report.tool_errors.len()
            )
        });
        Ok(StageRun {
            outputs,
            summary: gate_summary(&report),
            report: serde_json::to_value(&report).expect("reports serialize"),
            incomplete,
        })
    }
}

pub struct ProcessStage;

impl Stage for ProcessStage {
    fn name(&self) -> &'static str {
        "process"
    }
    fn dir(&self) -> &'static str {
        PROCESSED_DIR
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(ws, [RAW_INTERACTIONS.to_owned()]))
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

pub struct ValidateStage;

pub const VALIDATION_REPORT: &str = "validation/report.json";

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
            let dir = format!("{DATASET_DIR}/v{v}");
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
        &["process"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(PROCESSED_INTERACTIONS).exists()).then(|| "nothing processed yet".to_owned())
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

pub(crate) fn existing(ws: &Workspace, files: impl IntoIterator<Item = String>) -> Vec<String> {
    files.into_iter().filter(|f| ws.path(f).is_file()).collect()
}

/// Every stage, in pipeline order.
pub fn all() -> Vec<&'static dyn Stage> {
    vec![
        &DiscoverStage,
        &AcquireStage,
        &RulesStage,
        &CleanStage,
        &AnalyzeStage,
        &crate::generate::GenerateStage,
        &GateStage,
        &crate::package::PackageStage,
        &ProcessStage,
        &ValidateStage,
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
