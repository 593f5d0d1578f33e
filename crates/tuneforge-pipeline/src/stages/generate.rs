//! The `generate` stage: cleaned code and docs (with their facts) → `sft/instructions.jsonl`,
//! plus `sft/combined.jsonl` (what the gate reads), `sft/dropped.jsonl` (every candidate
//! that made no sample, with its reason) and per-generator counts in the stage report.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::layout::{
    CLEAN_DIR, CLEAN_FILES, COMBINED_SAMPLES, FACTS, GENERATE_DROPPED, INSTRUCTIONS,
    RAW_INTERACTIONS, RAW_REVIEWS, SFT_DIR, SFT_INTERACTIONS, SYNTHETIC, TEACHER_CACHE_DIR,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_generate::corpus::{Corpus, Provenance, SourceFile};
use tuneforge_generate::{GenerateOptions, generate};
use tuneforge_sources::acquire::Outcome;
use tuneforge_sources::discover::CandidateKind;
use tuneforge_sources::license::Licenses;

use super::acquire::{AcquireReport, read_acquired};
use super::checker::checker_with;
use super::clean::{CleanListed, read_clean_listing};
use super::discover::read_discovery;
use super::rules::workspace_deprecations;
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `sft/`: the samples by origin, the dropped candidates, and all samples in
/// `sft/combined.jsonl` for the gate.
pub struct GenerateStage;

/// What the teacher step made.
struct Synthesis {
    samples: Vec<tuneforge_core::records::Sample>,
    dropped: Vec<tuneforge_generate::Dropped>,
    summary: String,
    report: Value,
    /// Why the next run must try again, if it must.
    incomplete: Option<String>,
}

/// OSS-Instruct through the configured teacher; skipped (and said so) without a base URL.
fn synthesize(
    ws: &Workspace,
    corpus: &Corpus,
    reporter: &dyn Reporter,
) -> Result<Synthesis, PipelineError> {
    let t = &ws.config.teacher;
    let Some(base_url) = &t.base_url else {
        let why = "skipped: no teacher.base_url in pipeline.yaml";
        return Ok(Synthesis {
            samples: Vec::new(),
            dropped: Vec::new(),
            summary: why.to_owned(),
            report: json!(why),
            incomplete: None,
        });
    };
    let model = t.model.clone().ok_or_else(|| PipelineError::Config {
        message:
            "teacher.base_url is set but teacher.model is not; name the model the endpoint serves"
                .to_owned(),
    })?;
    let api_key = match &t.api_key_env {
        None => None,
        Some(var) => Some(tuneforge_teacher::ApiKey::from_env(var).ok_or_else(|| PipelineError::Config {
            message: format!("teacher.api_key_env names {var}, which is not set in the environment; export it or remove api_key_env"),
        })?),
    };
    let seeds = tuneforge_generate::synthetic::seeds(corpus, t, ws.config.seed);
    let teacher = tuneforge_teacher::Teacher::new(tuneforge_teacher::TeacherOptions {
        base_url: base_url.clone(),
        model: model.clone(),
        adapter: None,
        api_key,
        concurrency: t.concurrency.max(1) as usize,
        timeout: std::time::Duration::from_secs(t.timeout_secs.max(1)),
        retries: t.retries,
        backoff: std::time::Duration::from_secs(1),
        max_wait: std::time::Duration::from_secs(60),
        temperature: t.temperature,
        max_tokens: t.max_tokens,
        seed: ws.config.seed,
        token_budget: t.token_budget,
        cache_dir: ws.path(TEACHER_CACHE_DIR),
    })
    .map_err(|source| PipelineError::Teacher {
        base_url: base_url.clone(),
        source,
    })?;
    let requests: Vec<Vec<tuneforge_core::records::Message>> =
        seeds.iter().map(|s| s.messages.clone()).collect();
    let task = reporter.task(
        &format!("generate: teacher {model}"),
        Some(requests.len() as u64),
    );
    let results = teacher.complete_all(&requests, &*task);
    task.finish();
    use tuneforge_teacher::TeacherError;
    // A refused key or a wrong URL fails every request alike: stop and say so rather than
    // list each seed as dropped.
    let refused_by_server = results.iter().find_map(|r| match r {
        Err(e @ TeacherError::Status { status, .. })
            if *status != 429 && (400..500).contains(status) =>
        {
            Some(e)
        }
        _ => None,
    });
    if let Some(e) = refused_by_server {
        return Err(PipelineError::Teacher {
            base_url: base_url.clone(),
            source: e.clone(),
        });
    }
    let unsent = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(TeacherError::Budget { .. } | TeacherError::Failed { .. })
            )
        })
        .count();
    let answers: Vec<Result<String, String>> = results
        .into_iter()
        .map(|r| r.map(|c| c.content).map_err(|e| e.to_string()))
        .collect();
    let (samples, dropped) =
        tuneforge_generate::synthetic::samples(corpus, &seeds, &answers, &model);
    use std::sync::atomic::Ordering::Relaxed;
    let st = &teacher.stats;
    let refused = st.budget_refused.load(Relaxed);
    if refused > 0 {
        reporter.warn(&format!(
            "teacher: the token budget of {} was spent; {refused} seeds were not sent (raise teacher.token_budget to send them)",
            t.token_budget.unwrap_or(0)
        ));
    }
    let summary = format!(
        "{} samples from {} seeds ({} requests, {} cache hits, {} retries, {} tokens spent{})",
        samples.len(),
        seeds.len(),
        st.requests.load(Relaxed),
        st.cache_hits.load(Relaxed),
        st.retries.load(Relaxed),
        st.tokens_spent.load(Relaxed),
        if refused > 0 {
            format!(", budget spent: {refused} seeds not sent")
        } else {
            String::new()
        }
    );
    // Request and cache counts differ between a first run and a rerun; the report holds
    // only what the data depends on.
    let report = json!({"model": model, "seeds": seeds.len(), "samples": samples.len(), "dropped": dropped.len(), "unanswered": unsent});
    // Seeds the budget or the server left unanswered are tried again by the next run (the
    // answered ones come from the cache).
    let incomplete = (unsent > 0).then(|| {
        format!(
            "teacher: {unsent} of {} seeds unanswered (token budget or server errors); the next run sends them",
            seeds.len()
        )
    });
    Ok(Synthesis {
        samples,
        dropped,
        summary,
        report,
        incomplete,
    })
}

/// Each code source's licences, read from its own tree (composer.json, licence files,
/// info.yml), by source name.
fn source_licenses(ws: &Workspace) -> Result<BTreeMap<String, Licenses>, PipelineError> {
    let discovery = read_discovery(ws)?;
    let AcquireReport { repositories, .. } = read_acquired(ws)?;
    let mut roots = BTreeMap::new();
    for c in &discovery.candidates {
        if c.kind == CandidateKind::Path && c.status == tuneforge_sources::discover::Status::Kept {
            roots.insert(
                c.name.clone(),
                tuneforge_sources::discover::resolve_path(&ws.root, Path::new(&c.location)),
            );
        }
    }
    for r in repositories
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Fetched | Outcome::Reused))
    {
        roots.insert(r.name.clone(), ws.path(&r.dir));
    }
    Ok(roots
        .into_par_iter()
        .map(|(name, root)| (name, Licenses::scan(&root)))
        .collect())
}

/// How each source is cited and dated: `(source_ref, timestamp, license)` by source name.
fn provenances(ws: &Workspace) -> Result<BTreeMap<String, Provenance>, PipelineError> {
    let discovery = read_discovery(ws)?;
    let AcquireReport { repositories, docs } = read_acquired(ws)?;
    let short = |s: &str| s.get(..12).unwrap_or(s).to_owned();
    let mut out = BTreeMap::new();
    for c in &discovery.candidates {
        let license = matches!(
            c.kind,
            CandidateKind::DrupalCore | CandidateKind::DrupalContrib
        )
        .then(|| "GPL-2.0-or-later".to_owned());
        if c.kind == CandidateKind::Path {
            out.insert(
                c.name.clone(),
                Provenance {
                    source_ref: format!(
                        "path:{}@{}",
                        c.name,
                        short(c.tree_hash.as_deref().unwrap_or("unpinned"))
                    ),
                    timestamp: c.updated_at.clone().unwrap_or_default(),
                    license,
                },
            );
        } else if let Some(r) = repositories
            .iter()
            .find(|r| r.name == c.name && matches!(r.outcome, Outcome::Fetched | Outcome::Reused))
        {
            out.insert(
                c.name.clone(),
                Provenance {
                    source_ref: format!(
                        "git:{}@{}",
                        c.name,
                        short(r.commit.as_deref().unwrap_or("unpinned"))
                    ),
                    timestamp: r
                        .committed_at
                        .clone()
                        .or_else(|| r.fetched_at.clone())
                        .unwrap_or_default(),
                    license,
                },
            );
        }
    }
    // Pages fetched over HTTP: the newest fetch dates them (each node carries its own time).
    let newest = docs
        .iter()
        .filter_map(|d| d.fetched_at.clone())
        .max()
        .unwrap_or_default();
    out.insert(
        "web".to_owned(),
        Provenance {
            source_ref: "web".to_owned(),
            timestamp: newest,
            license: None,
        },
    );
    Ok(out)
}

/// Files generators read: code and docs a sample can be made from.
fn wanted(path: &str) -> bool {
    tuneforge_php::analyze::is_php(path)
        || path.ends_with(".yml")
        || path.ends_with(".twig")
        || path.ends_with(".css")
        || (path.starts_with("docs/") && path.ends_with(".json"))
}

impl Stage for GenerateStage {
    fn name(&self) -> &'static str {
        "generate"
    }
    fn dir(&self) -> &'static str {
        SFT_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["analyze"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(CLEAN_FILES).exists()).then(|| "nothing cleaned yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [
                CLEAN_FILES.to_owned(),
                FACTS.to_owned(),
                ws.config.rules.deprecations.clone(),
                RAW_INTERACTIONS.to_owned(),
                RAW_REVIEWS.to_owned(),
            ],
        ))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"seed": c.seed, "rules": c.rules, "teacher": c.teacher, "redact": c.redact, "domains": c.domains})
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let provenance = provenances(ws)?;
        let licenses = source_licenses(ws)?;
        let kept = read_clean_listing(ws)?;
        let task = reporter.task("generate: reading files", Some(kept.len() as u64));
        let files: Vec<SourceFile> = kept
            .par_iter()
            .filter(|k| wanted(&k.path))
            .map(
                |CleanListed {
                     path,
                     source,
                     spdx,
                     duplicate_of,
                 }| {
                    task.advance(1);
                    let full = ws.path(CLEAN_DIR).join(path);
                    let text = std::fs::read_to_string(&full)
                        .map_err(tuneforge_core::fsio::at("cannot read", &full))?;
                    let mut p = provenance
                        .get(source)
                        .cloned()
                        .unwrap_or_else(|| Provenance {
                            source_ref: source.clone(),
                            timestamp: String::new(),
                            license: None,
                        });
                    // `code/<dir>/<path>` → `<path>`.
                    let rel = path.splitn(3, '/').nth(2).unwrap_or(path).to_owned();
                    // The file's own SPDX line, else what its source says for its directory,
                    // else the source's kind (drupal.org code is GPL-2.0-or-later).
                    if let Some(id) = spdx
                        .clone()
                        .or_else(|| Some(licenses.get(source)?.of(&rel)?.to_owned()))
                    {
                        p.license = Some(id);
                    }
                    Ok(SourceFile {
                        path: path.clone(),
                        rel,
                        text,
                        provenance: p,
                        group: duplicate_of.clone().unwrap_or_else(|| path.clone()),
                        duplicate_of: duplicate_of.clone(),
                    })
                },
            )
            .collect::<Result<_, PipelineError>>()?;
        task.finish();
        // The list is read once, for the checker and for the removed-symbol refactor.
        let records = workspace_deprecations(ws)?;
        let deprecations = records.clone().unwrap_or_default();
        let checker = checker_with(records, ws.config.rules.require_strict_types);
        let corpus = Corpus::new(files, &checker);
        let generated = generate(
            &corpus,
            &checker,
            &deprecations,
            &GenerateOptions {
                seed: ws.config.seed,
                only: Vec::new(),
            },
        );
        let mut generated = generated;
        let teacher = synthesize(ws, &corpus, reporter)?;
        generated.dropped.extend(teacher.dropped.iter().cloned());
        let interactions = if ws.path(RAW_INTERACTIONS).exists() {
            let read = tuneforge_dataset::process::read_interactions(ws, reporter)?;
            Some(read)
        } else {
            None
        };
        let interaction_samples = interactions
            .as_ref()
            .map(|i| i.samples.as_slice())
            .unwrap_or_default();
        let instructions = tuneforge_core::jsonl::to_lines(&generated.samples);
        let synthetic = tuneforge_core::jsonl::to_lines(&teacher.samples);
        let interactions_text = tuneforge_core::jsonl::to_lines(interaction_samples);
        let dropped = tuneforge_core::jsonl::to_lines(&generated.dropped);
        let combined = format!("{instructions}{synthetic}{interactions_text}");
        let combined_count =
            generated.samples.len() + teacher.samples.len() + interaction_samples.len();
        let mut outputs = Vec::new();
        for (rel, bytes, records) in [
            (
                INSTRUCTIONS,
                instructions.as_bytes(),
                generated.samples.len(),
            ),
            (SYNTHETIC, synthetic.as_bytes(), teacher.samples.len()),
            (
                SFT_INTERACTIONS,
                interactions_text.as_bytes(),
                interaction_samples.len(),
            ),
            (
                GENERATE_DROPPED,
                dropped.as_bytes(),
                generated.dropped.len(),
            ),
            (COMBINED_SAMPLES, combined.as_bytes(), combined_count),
        ] {
            tuneforge_core::fsio::write_atomic(&ws.path(rel), bytes)?;
            outputs.push(FileDigest::from_bytes(rel, bytes, Some(records as u64)));
        }
        let mut families: BTreeMap<String, u64> = BTreeMap::new();
        for (g, c) in &generated.generators {
            let family = g.split('@').next().unwrap_or(g).to_owned();
            *families.entry(family).or_default() += c.samples;
        }
        let summary = format!(
            "{} samples from {} files and {} docs nodes ({} candidates dropped, {} repeats); teacher: {}; {} interactions; {}",
            generated.samples.len(),
            corpus.files.len(),
            corpus.docs.len(),
            generated.dropped.len(),
            generated.repeats,
            teacher.summary,
            interaction_samples.len(),
            families
                .iter()
                .map(|(f, n)| format!("{f} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(StageRun {
            outputs,
            report: json!({
                "samples": generated.samples.len(),
                "files": corpus.files.len(),
                "docs_nodes": corpus.docs.len(),
                "dropped": generated.dropped.len(),
                "repeats": generated.repeats,
                "generators": generated.generators,
                "teacher": teacher.report,
                "interactions": interactions.as_ref().map(|i| json!({
                    "raw_lines": i.raw_lines,
                    "samples": i.samples.len(),
                    "unreadable": i.unreadable,
                    "excluded": i.excluded,
                    "duplicates": i.duplicates,
                    "redactions": i.redactions,
                })),
            }),
            summary,
            incomplete: teacher.incomplete,
        })
    }
}
