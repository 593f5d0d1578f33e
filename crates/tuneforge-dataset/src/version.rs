//! Dataset versions: `dataset/v<N>/` written whole or not at all, by `process` and
//! `package` alike.
//!
//! The files of a version (the three splits, the same per domain, the export formats)
//! are built from samples and their splits; [`write_dataset`] hashes them, and when their
//! content equals the latest version's (and that version is intact on disk) no new version
//! is made. Otherwise the files, `manifest.json` and the dataset card are written into a
//! staging directory, each synced, and the directory is renamed into place, so a version
//! exists only complete. Kept apart from `process` and `package`, which both use it.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tuneforge_core::config::{ExportFormat, PipelineConfig, SplitConfig};
use tuneforge_core::fsio::{IoError, StagingDir, at, remove_stale_staging};
use tuneforge_core::hash::hash_bytes;
use tuneforge_core::layout::{DATASET_DIR, dataset_version_dir};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::records::Sample;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::RedactionCounts;

use crate::error::ProcessError;
use crate::formats::write_record;
use crate::split::{Split, SplitCounts};

/// What [`write_dataset`] did with the dataset version directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatasetWrite {
    /// A new version: the content changed.
    Written,
    /// The latest version already held this content, intact on disk.
    Unchanged,
    /// The latest version held this content but a file on disk no longer matched its
    /// manifest; the version was rewritten in place.
    Repaired,
}

/// A dataset file before it is written: path relative to `dataset/v<N>`, bytes, records.
pub(crate) struct DataFile {
    pub(crate) rel: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) records: u64,
}

/// Each sample as one JSON line's bytes (without the newline), in parallel.
pub(crate) fn serialize_all(samples: &[Sample]) -> Vec<Vec<u8>> {
    samples
        .par_iter()
        .map(|s| serde_json::to_vec(s).expect("samples always serialize"))
        .collect()
}

/// The split files, per-domain splits and export formats of a dataset version.
pub(crate) fn build_dataset_files(
    config: &PipelineConfig,
    kept: &[Sample],
    serialized: &[Vec<u8>],
    splits: &[Split],
) -> Vec<DataFile> {
    let mut formats = config.process.formats.clone();
    formats.sort();
    formats.dedup();
    let present: std::collections::BTreeSet<&str> =
        kept.iter().map(|s| s.metadata.domain.as_str()).collect();
    let domains: Vec<&str> = config
        .domains
        .names()
        .into_iter()
        .filter(|d| present.contains(d))
        .collect();

    // One job per file, in the order the files are listed; built in parallel.
    let mut jobs: Vec<(String, Split, Option<&str>, Option<ExportFormat>)> = Vec::new();
    for split in [Split::Train, Split::Valid, Split::Test] {
        jobs.push((format!("{}.jsonl", split.name()), split, None, None));
        for format in &formats {
            let rel = format!("{}/{}.jsonl", format.dir_name(), split.name());
            jobs.push((rel, split, None, Some(*format)));
        }
    }
    for domain in &domains {
        for split in [Split::Train, Split::Valid, Split::Test] {
            let rel = format!("domains/{domain}/{}.jsonl", split.name());
            jobs.push((rel, split, Some(domain), None));
        }
    }
    jobs.into_par_iter()
        .map(|(rel, split, domain, format)| {
            let members = (0..kept.len()).filter(|&i| {
                splits[i] == split && domain.is_none_or(|d| kept[i].metadata.domain == d)
            });
            let mut bytes = Vec::new();
            let mut records = 0u64;
            for i in members {
                match format {
                    None => {
                        bytes.extend_from_slice(&serialized[i]);
                        bytes.push(b'\n');
                        records += 1;
                    }
                    Some(f) => records += u64::from(write_record(f, &kept[i], &mut bytes)),
                }
            }
            DataFile {
                rel,
                bytes,
                records,
            }
        })
        .collect()
}

/// `dataset/v<N>/manifest.json`. Holds nothing that differs between identical runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetManifest {
    pub version: u32,
    /// blake3 over every data file's path and hash: equal content, equal hash.
    pub content_hash: String,
    pub tool_version: String,
    #[serde(flatten)]
    pub facts: DatasetFacts,
    /// Every data file, relative to the version directory.
    pub files: Vec<FileDigest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetFacts {
    pub seed: u64,
    pub split: SplitConfig,
    pub min_domain_samples_for_holdout: u64,
    pub formats: Vec<ExportFormat>,
    pub source: FileDigest,
    pub counts: SplitCounts,
    pub train_only_domains: Vec<String>,
    pub redactions: RedactionCounts,
    /// What `package` adds: sources, rules, groups, per-domain and per-generator counts,
    /// gate pass rates, decontamination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageFacts>,
}

pub const DATASET_MANIFEST: &str = "manifest.json";
/// How the card and manifest count samples whose source states no licence.
pub const UNKNOWN_LICENSE: &str = "unknown";
pub const DATASET_CARD: &str = "README.md";
/// The chart of a packaged version's composition, which its card shows.
pub const COMPOSITION_CHART: &str = "composition.svg";

/// The highest `dataset/v<N>` present.
pub fn latest_version(dataset_dir: &Path) -> Result<Option<u32>, IoError> {
    let entries = match std::fs::read_dir(dataset_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::new("cannot list", dataset_dir, e)),
    };
    let mut best = None;
    for entry in entries {
        let entry = entry.map_err(at("cannot list", dataset_dir))?;
        let name = entry.file_name();
        let version = name
            .to_str()
            .and_then(|n| n.strip_prefix('v'))
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(v) = version
            && entry.path().join(DATASET_MANIFEST).is_file()
        {
            best = best.max(Some(v));
        }
    }
    Ok(best)
}

/// The version `write_dataset` settled on, and its files relative to `dataset/v<N>`.
pub(crate) struct WrittenDataset {
    pub(crate) version: u32,
    pub(crate) write: DatasetWrite,
    pub(crate) files: Vec<FileDigest>,
}

/// The first file of a dataset version that is missing or differs from its manifest.
pub fn damaged_file(version_dir: &Path, manifest: &DatasetManifest) -> Option<String> {
    let listed = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), Some(&f.blake3)));
    let card = std::iter::once((DATASET_CARD, None));
    for (rel, expected) in listed.chain(card) {
        match (
            tuneforge_core::hash::hash_file(&version_dir.join(rel)),
            expected,
        ) {
            (Err(_), _) => return Some(format!("{rel} is missing")),
            (Ok((h, _)), Some(e)) if &h != e => return Some(format!("{rel} was modified")),
            _ => {}
        }
    }
    None
}

/// Write `files` as the next version, or settle on the latest when it already holds the
/// same content intact (rewriting it in place when a file was damaged); `facts` go into
/// its manifest and card. Warns when a domain leaves train-only.
pub(crate) fn write_dataset(
    ws: &Workspace,
    reporter: &dyn Reporter,
    files: Vec<DataFile>,
    facts: DatasetFacts,
) -> Result<WrittenDataset, ProcessError> {
    let dataset_dir = ws.path(DATASET_DIR);
    remove_stale_staging(&dataset_dir)?;
    let digests: Vec<FileDigest> = files
        .par_iter()
        .map(|f| FileDigest::from_bytes(&f.rel, &f.bytes, Some(f.records)))
        .collect();
    let mut content = String::new();
    for d in &digests {
        content.push_str(&d.path);
        content.push('\0');
        content.push_str(&d.blake3);
        content.push('\n');
    }
    let content_hash = hash_bytes(content.as_bytes());

    let latest = latest_version(&dataset_dir)?;
    let mut version = latest.map_or(1, |v| v + 1);
    let mut write = DatasetWrite::Written;
    if let Some(v) = latest {
        let dir = dataset_dir.join(format!("v{v}"));
        let manifest_path = dir.join(DATASET_MANIFEST);
        let text = std::fs::read(&manifest_path).map_err(at("cannot read", &manifest_path))?;
        let existing: DatasetManifest =
            serde_json::from_slice(&text).map_err(|e| ProcessError::BadDataset {
                path: format!("{}/{DATASET_MANIFEST}", dataset_version_dir(v)),
                message: format!("{e}; move the damaged version away and run again"),
            })?;
        // A domain that was train-only and now has held-out samples was split for the first
        // time. One that is simply gone (or still train-only) was not.
        let held_out = |domain: &str| {
            ["valid", "test"].iter().any(|split| {
                let rel = format!("domains/{domain}/{split}.jsonl");
                files.iter().any(|f| f.rel == rel && f.records > 0)
            })
        };
        for domain in existing
            .facts
            .train_only_domains
            .iter()
            .filter(|d| !facts.train_only_domains.contains(d) && held_out(d))
        {
            reporter.warn(&format!(
                "domain {domain} now has enough samples to be split: some of its samples that \
                 v{v} had in train are now in valid or test; compare adapters on the new test \
                 split only"
            ));
        }
        if existing.content_hash == content_hash {
            match damaged_file(&dir, &existing) {
                None => {
                    let mut files = digests;
                    for extra in [DATASET_MANIFEST, DATASET_CARD] {
                        files.push(FileDigest::of(&dir, extra, None)?);
                    }
                    return Ok(WrittenDataset {
                        version: v,
                        write: DatasetWrite::Unchanged,
                        files,
                    });
                }
                Some(damage) => {
                    reporter.warn(&format!(
                        "{}: {damage} since it was written; rewriting v{v}",
                        dataset_version_dir(v)
                    ));
                    // The staging commit below replaces the damaged directory.
                    version = v;
                    write = DatasetWrite::Repaired;
                }
            }
        }
    }
    let manifest = DatasetManifest {
        version,
        content_hash,
        tool_version: tuneforge_core::TOOL_VERSION.to_owned(),
        facts,
        files: digests.clone(),
    };
    let staging = StagingDir::create(&dataset_dir.join(format!("v{version}")))?;
    // Every file is synced before the directory is renamed into place, so even a power
    // loss cannot leave a committed version with empty files.
    files.par_iter().try_for_each(|f| {
        let path = staging.path().join(&f.rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(at("cannot create directory", parent))?;
        }
        write_synced(&path, &f.bytes)
    })?;
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    manifest_bytes.push(b'\n');
    let card = dataset_card(&manifest);
    let mut written = manifest.files;
    for (name, bytes) in [
        (DATASET_MANIFEST, manifest_bytes.as_slice()),
        (DATASET_CARD, card.as_bytes()),
    ] {
        write_synced(&staging.path().join(name), bytes)?;
        written.push(FileDigest::from_bytes(name, bytes, None));
    }
    staging.commit()?;
    Ok(WrittenDataset {
        version,
        write,
        files: written,
    })
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let mut file = std::fs::File::create(path).map_err(at("cannot create", path))?;
    std::io::Write::write_all(&mut file, bytes).map_err(at("cannot write", path))?;
    file.sync_all().map_err(at("cannot sync", path))
}

fn dataset_card(m: &DatasetManifest) -> String {
    let f = &m.facts;
    // Front matter Hugging Face `datasets` reads: `load_dataset(<this directory>)` gives
    // the three splits.
    // One licence only when every sample is under it; samples of unknown licence, or
    // several licences, make the dataset's `other`, and the card lists them.
    let counted: Vec<&String> = f
        .package
        .as_ref()
        .map(|p| p.license_samples.keys().collect())
        .unwrap_or_default();
    let license = match counted.as_slice() {
        [only] if only.as_str() != UNKNOWN_LICENSE => only.to_ascii_lowercase(),
        _ => "other".to_owned(),
    };
    let mut card = format!(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: train.jsonl\n  - split: validation\n    path: valid.jsonl\n  - split: test\n    path: test.jsonl\nlicense: {license}\ntask_categories:\n- text-generation\ntags:\n- tuneforge\n- code\n---\n\n",
    );
    card.push_str(&format!(
        "# Dataset v{version}\n\n\
         Made by tuneforge {tool} from `{source}` (blake3 `{source_hash}`), seed {seed}.\n\n\
         | split | samples |\n|---|---|\n| train | {train} |\n| valid | {valid} |\n| test | {test} |\n\n\
         Files: `{{train,valid,test}}.jsonl` are tuneforge samples (only the turns marked by \
         `train_on` are trained); `domains/<domain>/` holds the same split per domain; \
         {formats}.\n",
        version = m.version,
        tool = m.tool_version,
        source = f.source.path,
        source_hash = f.source.blake3,
        seed = f.seed,
        train = f.counts.train,
        valid = f.counts.valid,
        test = f.counts.test,
        formats = if f.formats.is_empty() {
            "no export formats".to_owned()
        } else {
            f.formats
                .iter()
                .map(|x| format!("`{}/`", x.dir_name()))
                .collect::<Vec<_>>()
                .join(", ")
                + " hold the export formats"
        },
    ));
    if let Some(p) = &f.package {
        card.push_str(&format!(
            "\n{} groups (a source file with its duplicates): no group is in two splits.\n\n| generator | train | valid | test |\n|---|---|---|---|\n",
            p.groups
        ));
        for (g, c) in &p.by_generator {
            card.push_str(&format!(
                "| {g} | {} | {} | {} |\n",
                c.train, c.valid, c.test
            ));
        }
        card.push_str(&format!(
            "\nDecontamination: {} training samples dropped for sharing more than {:.0}% of their {}-grams with the test split or an eval prompt ({}).\n",
            p.decontamination.dropped.len(),
            p.decontamination.threshold * 100.0,
            p.decontamination.ngram,
            p.decontamination.eval_prompts
        ));
        card.push_str("\n`axolotl.yaml` and `dataset_info.json` (LLaMA-Factory) point at the export formats.\n");
        if p.composition.total() > 0 {
            card.push_str(&format!(
                "\nThe composition policy (`package.composition`) removed {} samples:\n\n| reason | samples |\n|---|---|\n",
                p.composition.total()
            ));
            for (reason, n) in &p.composition.removed {
                card.push_str(&format!("| {reason} | {n} |\n"));
            }
        }
        if let Some(stats) = &p.stats {
            card.push_str(&format!(
                "\n## Composition\n\n![Samples by generator]({COMPOSITION_CHART})\n\n"
            ));
            card.push_str(&crate::stats::markdown(stats));
        }
        if !p.license_samples.is_empty() {
            card.push_str("\n## Licences\n\nEach sample carries its source's licence (`metadata.license`), read from the source (an SPDX line, `composer.json`, a licence file, a Drupal extension's `*.info.yml`); use the samples as those licences allow.\n\n| licence | samples |\n|---|---|\n");
            for (l, n) in &p.license_samples {
                card.push_str(&format!("| {l} | {n} |\n"));
            }
            card.push_str("\n| source | licences |\n|---|---|\n");
            for (source, ls) in &p.licenses_by_source {
                card.push_str(&format!("| {source} | {} |\n", ls.join(", ")));
            }
        }
    }
    if !f.train_only_domains.is_empty() {
        card.push_str(&format!(
            "\nDomains with fewer than {} samples are in train only: {}.\n",
            f.min_domain_samples_for_holdout,
            f.train_only_domains.join(", ")
        ));
    }
    if !f.redactions.is_empty() {
        let list: Vec<String> = f
            .redactions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        card.push_str(&format!(
            "\nRedacted before packaging: {}.\n",
            list.join(", ")
        ));
    }
    card
}

/// What `package` records beyond a `process` manifest (`DatasetFacts::package`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageFacts {
    /// Every source: name, kind, location, pinned commit or content hash.
    pub sources: serde_json::Value,
    /// The `clean` settings (normalization, redaction, dedup) the code went through.
    pub rules: serde_json::Value,
    pub groups: u64,
    /// The samples' licenses (SPDX ids).
    pub licenses: Vec<String>,
    /// Samples per licence; `unknown` counts those whose source states none.
    #[serde(default)]
    pub license_samples: BTreeMap<String, u64>,
    /// The licences of each source's samples, by source name.
    #[serde(default)]
    pub licenses_by_source: BTreeMap<String, Vec<String>>,
    pub by_domain: BTreeMap<String, SplitCounts>,
    pub by_generator: BTreeMap<String, SplitCounts>,
    /// The gate's pass rates by generator and by kind of generator.
    pub gate: serde_json::Value,
    pub decontamination: DecontaminationReport,
    /// What the composition policy removed, by reason.
    #[serde(default)]
    pub composition: crate::composition::CompositionReport,
    /// Composition, lengths and prompt lint of the packaged samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<crate::stats::DatasetStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecontaminationReport {
    pub ngram: usize,
    pub threshold: f64,
    pub test_samples: u64,
    /// Evaluation prompts compared against, or why there are none.
    pub eval_prompts: String,
    pub dropped: Vec<Contaminated>,
}

/// A training sample dropped for overlapping the test split or an eval prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contaminated {
    pub id: String,
    pub generator: String,
    /// The test sample id or `eval:<file>:<line>` it overlaps most.
    pub overlaps: String,
    /// Share of its n-grams found there.
    pub overlap: f64,
}
