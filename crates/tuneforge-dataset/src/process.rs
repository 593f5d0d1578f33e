//! `process`: captured interactions → `processed/interactions.jsonl` → a versioned dataset.
//!
//! For every line of `raw/interactions.jsonl`, in parallel: parse, check the four-message
//! shape and the domain, normalize the stored text (CRLF → LF, trailing spaces stripped),
//! redact secrets, and compute the duplicate key (query + expert answer with whitespace
//! collapsed). Then, in file order: drop exact duplicates (the first occurrence stays),
//! assign splits ([`crate::split`]) and write `dataset/v<N>/` with every export format.
//!
//! Nothing is dropped silently: unreadable lines, excluded records and removed duplicates
//! are all listed in the report, which the stage manifest carries. `dataset/v<N>` is
//! assembled in a staging directory and renamed into place; when the content equals the
//! latest version's, no new version is made.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tuneforge_core::config::{ExportFormat, PipelineConfig, SplitConfig};
use tuneforge_core::fsio::{
    IoError, StagingDir, at, read_appended, remove_stale_staging, write_atomic,
};
use tuneforge_core::hash::hash_bytes;
use tuneforge_core::jsonl::{RawLine, parse_line, split_lines};
use tuneforge_core::layout::{
    DATASET_DIR, PROCESSED_INTERACTIONS, RAW_INTERACTIONS, dataset_version_dir,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::records::{Interaction, Sample};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::text::normalize_stored;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::{RedactionCounts, Redactor};

use crate::formats::write_record;
use crate::split::{Split, assign};

#[derive(Debug, Error)]
pub enum ProcessError {
    #[error(
        "no interactions yet: {0} does not exist; capture some with `tuneforge collect` \
         or try `tuneforge quickstart`"
    )]
    NoInteractions(String),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{path}: {message}")]
    BadDataset { path: String, message: String },
}

/// A line that is not a record at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    pub line: u64,
    pub reason: String,
}

/// A record that was read but cannot become a sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Excluded {
    pub line: u64,
    pub interaction_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateRemoved {
    pub line: u64,
    pub interaction_id: String,
    pub duplicate_of: String,
    pub duplicate_of_line: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitCounts {
    pub train: u64,
    pub valid: u64,
    pub test: u64,
}

impl SplitCounts {
    pub fn add(&mut self, split: Split) {
        match split {
            Split::Train => self.train += 1,
            Split::Valid => self.valid += 1,
            Split::Test => self.test += 1,
        }
    }
    pub fn total(&self) -> u64 {
        self.train + self.valid + self.test
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub version: u32,
    /// Workspace-relative directory, `dataset/v<N>`.
    pub dir: String,
    pub counts: SplitCounts,
    /// Domains below `process.min_domain_samples_for_holdout`, kept in train only.
    pub train_only_domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessReport {
    pub raw_lines: u64,
    pub samples: u64,
    pub unreadable: Vec<Unreadable>,
    pub excluded: Vec<Excluded>,
    pub duplicates: Vec<DuplicateRemoved>,
    /// Placeholders inserted, by type.
    pub redactions: RedactionCounts,
    pub redacted_samples: u64,
    /// Samples per domain (all splits).
    pub domains: BTreeMap<String, u64>,
    pub dataset: DatasetSummary,
}

/// What the stage runner needs: the report and every file written (workspace-relative
/// digests, hashed from the bytes written rather than read back).
pub struct ProcessOutput {
    pub report: ProcessReport,
    /// What happened to `dataset/v<N>`; kept out of the report, which must not depend on
    /// whether an earlier run was interrupted.
    pub dataset_write: DatasetWrite,
    pub outputs: Vec<FileDigest>,
}

/// What `process` did with the dataset version directory.
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

enum LineOutcome {
    Unreadable(String),
    Excluded { id: String, reason: String },
    Kept(Box<Prepared>),
}

struct Prepared {
    sample: Sample,
    key: [u8; 32],
    redactions: RedactionCounts,
}

fn prepare(
    line: &RawLine<'_>,
    config: &PipelineConfig,
    redactor: Option<&Redactor>,
) -> LineOutcome {
    let mut interaction: Interaction = match parse_line(line) {
        Ok(i) => i,
        Err(e) => return LineOutcome::Unreadable(e.message),
    };
    let id = interaction.metadata.interaction_id.clone();
    let exclude = |reason: String| LineOutcome::Excluded {
        id: id.clone(),
        reason,
    };
    if let Err(reason) = interaction.check_shape() {
        return exclude(reason);
    }
    if !config.domains.contains(&interaction.metadata.domain) {
        return exclude(format!(
            "domain {:?} is not configured in pipeline.yaml (configured: {})",
            interaction.metadata.domain,
            config.domains.names().join(", ")
        ));
    }
    let mut redactions = RedactionCounts::new();
    for message in &mut interaction.messages {
        let mut text = normalize_stored(&message.content);
        if let Some(r) = redactor {
            text = r.redact(&text, &mut redactions).into_owned();
        }
        message.content = text;
    }
    if let Some((i, _)) = interaction
        .messages
        .iter()
        .enumerate()
        .find(|(_, m)| m.content.trim().is_empty())
    {
        return exclude(format!("message {} is empty or whitespace only", i + 1));
    }
    let key = dedup_key(interaction.query(), interaction.expert_answer());
    LineOutcome::Kept(Box::new(Prepared {
        sample: Sample::from_interaction(interaction),
        key,
        redactions,
    }))
}

/// The exact-duplicate key: query and expert answer with every run of whitespace
/// collapsed to one space, hashed as one buffer (blake3 is fast on whole buffers and slow
/// on many tiny updates).
pub fn dedup_key(query: &str, answer: &str) -> [u8; 32] {
    let mut buf = Vec::with_capacity(query.len() + answer.len() + 1);
    collapse_into(query, &mut buf);
    buf.push(0);
    collapse_into(answer, &mut buf);
    *blake3::hash(&buf).as_bytes()
}

/// Append `text` with whitespace runs collapsed and ends trimmed; the same result as
/// `split_whitespace().join(" ")`, with a byte loop for ASCII text (most of it).
fn collapse_into(text: &str, out: &mut Vec<u8>) {
    let start = out.len();
    if text.is_ascii() {
        // char::is_whitespace for ASCII: \t \n \x0B \x0C \r and space.
        let words = text
            .as_bytes()
            .split(|b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
            .filter(|w| !w.is_empty());
        for word in words {
            if out.len() > start {
                out.push(b' ');
            }
            out.extend_from_slice(word);
        }
    } else {
        for (j, word) in text.split_whitespace().enumerate() {
            if j > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(word.as_bytes());
        }
    }
}

/// Captured interactions read, checked, normalized, redacted and deduplicated: the samples
/// `process` splits and `generate` passes on to the gate, with everything left out listed.
pub struct InteractionSamples {
    pub raw_lines: u64,
    pub samples: Vec<Sample>,
    /// Each sample's duplicate key ([`dedup_key`]).
    pub keys: Vec<[u8; 32]>,
    pub unreadable: Vec<Unreadable>,
    pub excluded: Vec<Excluded>,
    pub duplicates: Vec<DuplicateRemoved>,
    pub redactions: RedactionCounts,
    pub redacted_samples: u64,
}

/// Read `raw/interactions.jsonl` into samples (see the module docs); warnings name every
/// line left out.
pub fn read_interactions(
    ws: &Workspace,
    reporter: &dyn Reporter,
) -> Result<InteractionSamples, ProcessError> {
    let config = &ws.config;
    let raw_path = ws.path(RAW_INTERACTIONS);
    let bytes = read_appended(&raw_path)?
        .ok_or_else(|| ProcessError::NoInteractions(RAW_INTERACTIONS.to_owned()))?;
    let lines = split_lines(&bytes);
    let redactor = config.redact.enabled.then(|| Redactor::new(&config.redact));

    let task = reporter.task(
        "reading and redacting interactions",
        Some(lines.len() as u64),
    );
    let outcomes: Vec<LineOutcome> = lines
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let out: Vec<_> = chunk
                .iter()
                .map(|l| prepare(l, config, redactor.as_ref()))
                .collect();
            task.advance(chunk.len() as u64);
            out
        })
        .collect();
    task.finish();

    let mut unreadable = Vec::new();
    let mut excluded = Vec::new();
    let mut duplicates = Vec::new();
    let mut redactions = RedactionCounts::new();
    let mut redacted_samples = 0u64;
    let mut first_seen: HashMap<[u8; 32], (u64, String)> = HashMap::new();
    let mut samples = Vec::new();
    let mut keys = Vec::new();
    for (line, outcome) in lines.iter().zip(outcomes) {
        match outcome {
            LineOutcome::Unreadable(reason) => unreadable.push(Unreadable {
                line: line.number,
                reason,
            }),
            LineOutcome::Excluded { id, reason } => excluded.push(Excluded {
                line: line.number,
                interaction_id: id,
                reason,
            }),
            LineOutcome::Kept(p) => {
                let id = p.sample.metadata.interaction_id.clone().unwrap_or_default();
                if let Some((first_line, first_id)) = first_seen.get(&p.key) {
                    duplicates.push(DuplicateRemoved {
                        line: line.number,
                        interaction_id: id,
                        duplicate_of: first_id.clone(),
                        duplicate_of_line: *first_line,
                    });
                    continue;
                }
                first_seen.insert(p.key, (line.number, id));
                if !p.redactions.is_empty() {
                    redacted_samples += 1;
                    for (k, v) in p.redactions {
                        *redactions.entry(k).or_default() += v;
                    }
                }
                samples.push(p.sample);
                keys.push(p.key);
            }
        }
    }
    for u in &unreadable {
        reporter.warn(&format!(
            "{RAW_INTERACTIONS}:{}: skipped, not a record: {}",
            u.line, u.reason
        ));
    }
    for e in &excluded {
        reporter.warn(&format!(
            "{RAW_INTERACTIONS}:{}: {} excluded: {}",
            e.line, e.interaction_id, e.reason
        ));
    }
    Ok(InteractionSamples {
        raw_lines: lines.len() as u64,
        samples,
        keys,
        unreadable,
        excluded,
        duplicates,
        redactions,
        redacted_samples,
    })
}

/// Run `process` over the workspace.
pub fn process(ws: &Workspace, reporter: &dyn Reporter) -> Result<ProcessOutput, ProcessError> {
    let config = &ws.config;
    let InteractionSamples {
        raw_lines,
        samples: kept,
        keys,
        unreadable,
        excluded,
        duplicates,
        redactions,
        redacted_samples,
    } = read_interactions(ws, reporter)?;

    // processed/interactions.jsonl: every kept sample, in capture order.
    let serialized = serialize_all(&kept);
    let mut processed = Vec::with_capacity(serialized.iter().map(|s| s.len() + 1).sum());
    for s in &serialized {
        processed.extend_from_slice(s);
        processed.push(b'\n');
    }
    write_atomic(&ws.path(PROCESSED_INTERACTIONS), &processed)?;

    let mut domains: BTreeMap<String, u64> = BTreeMap::new();
    for s in &kept {
        *domains.entry(s.metadata.domain.clone()).or_default() += 1;
    }
    let min_holdout = config.process.min_domain_samples_for_holdout;
    let train_only_domains: Vec<String> = domains
        .iter()
        .filter(|(_, n)| **n < min_holdout)
        .map(|(d, _)| d.clone())
        .collect();
    let splits: Vec<Split> = kept
        .iter()
        .zip(&keys)
        .map(|(s, key)| {
            let holdout = !train_only_domains.contains(&s.metadata.domain);
            assign(config.seed, key, &config.process.split, holdout)
        })
        .collect();

    let files = build_dataset_files(config, &kept, &serialized, &splits);
    let mut counts = SplitCounts::default();
    splits.iter().for_each(|s| counts.add(*s));
    let processed_digest =
        FileDigest::from_bytes(PROCESSED_INTERACTIONS, &processed, Some(kept.len() as u64));
    let source = processed_digest.clone();
    let WrittenDataset {
        version,
        write: dataset_write,
        files: dataset_files,
    } = write_dataset(
        ws,
        reporter,
        files,
        DatasetFacts {
            seed: config.seed,
            split: config.process.split,
            min_domain_samples_for_holdout: min_holdout,
            formats: config.process.formats.clone(),
            source,
            counts: counts.clone(),
            train_only_domains: train_only_domains.clone(),
            redactions: redactions.clone(),
            package: None,
        },
    )?;

    let dir = dataset_version_dir(version);
    let mut outputs = vec![processed_digest];
    outputs.extend(dataset_files.into_iter().map(|mut d| {
        d.path = format!("{dir}/{}", d.path);
        d
    }));
    Ok(ProcessOutput {
        report: ProcessReport {
            raw_lines,
            samples: kept.len() as u64,
            unreadable,
            excluded,
            duplicates,
            redactions,
            redacted_samples,
            domains,
            dataset: DatasetSummary {
                version,
                dir,
                counts,
                train_only_domains,
            },
        },
        dataset_write,
        outputs,
    })
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
    pub package: Option<crate::package::PackageFacts>,
}

pub const DATASET_MANIFEST: &str = "manifest.json";
pub const DATASET_CARD: &str = "README.md";

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
        for domain in existing
            .facts
            .train_only_domains
            .iter()
            .filter(|d| !facts.train_only_domains.contains(d))
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
    let licenses: std::collections::BTreeSet<&str> = f
        .package
        .as_ref()
        .map(|p| p.licenses.iter().map(String::as_str).collect())
        .unwrap_or_default();
    let license = match licenses.iter().next() {
        Some(l) if licenses.len() == 1 => l.to_ascii_lowercase(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::text::collapse_whitespace;

    #[test]
    fn collapse_matches_split_whitespace_on_ascii_and_unicode() {
        for text in [
            "",
            "  a \t\n b  ",
            "x\x0By\x0Cz",
            "naïve\u{a0} café  \u{3000}x",
            " \r\n ",
        ] {
            let mut buf = Vec::new();
            collapse_into(text, &mut buf);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                collapse_whitespace(text),
                "{text:?}"
            );
        }
        assert_eq!(dedup_key("a  b", "c"), dedup_key(" a b ", "c\n"));
        assert_ne!(dedup_key("a", "b c"), dedup_key("a b", "c"));
    }
}
