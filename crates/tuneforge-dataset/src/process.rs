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
//! written by [`crate::version`]: assembled in a staging directory and renamed into place,
//! and when the content equals the latest version's, no new version is made.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::{read_appended, write_atomic};
use tuneforge_core::jsonl::{RawLine, parse_line, split_lines};
use tuneforge_core::layout::{
    PROCESSED_INTERACTIONS, RAW_INTERACTIONS, RAW_REVIEWS, dataset_version_dir,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::records::{
    Interaction, ReviewDecision, SOURCE_PROXY, Sample, Verdict, last_reviews,
};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::text::normalize_stored;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::{RedactionCounts, Redactor};

use crate::error::ProcessError;
use crate::split::{Split, SplitCounts, assign};
use crate::version::{
    DatasetFacts, DatasetWrite, WrittenDataset, build_dataset_files, serialize_all, write_dataset,
};

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
    reviews: &Reviews,
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
    // The review's word, where there is one: rejected, re-domained, the answer edited.
    match reviews.get(&id) {
        Some((review_line, d)) => {
            match d.verdict {
                Verdict::Reject => {
                    return exclude(format!("rejected in review ({RAW_REVIEWS}:{review_line})"));
                }
                Verdict::Pending if interaction.metadata.source == SOURCE_PROXY => {
                    return exclude(not_accepted());
                }
                Verdict::Accept | Verdict::Pending => {}
            }
            if let Some(domain) = &d.domain {
                interaction.metadata.domain = domain.clone();
            }
            if let (Some(answer), Some(last)) = (&d.expert_answer, interaction.messages.last_mut())
            {
                last.content = answer.clone();
            }
        }
        // What the proxy captured by itself waits for a person's accept; what a person typed
        // into `collect` was chosen already.
        None if interaction.metadata.source == SOURCE_PROXY => return exclude(not_accepted()),
        None => {}
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

/// Why a proxy capture without an accept stays out.
fn not_accepted() -> String {
    "captured by the proxy and not accepted yet: `tuneforge review` shows it".to_owned()
}

/// The last review decision of each interaction, with its line in `raw/reviews.jsonl`.
pub type Reviews = HashMap<String, (u64, ReviewDecision)>;

/// `raw/reviews.jsonl` read (missing: no decisions); lines that are not decisions are
/// warned about by line and left out.
pub fn read_reviews(ws: &Workspace, reporter: &dyn Reporter) -> Result<Reviews, ProcessError> {
    let Some(bytes) = read_appended(&ws.path(RAW_REVIEWS))? else {
        return Ok(Reviews::new());
    };
    let (reviews, problems) = last_reviews(&bytes);
    for e in problems {
        reporter.warn(&format!(
            "{RAW_REVIEWS}:{}: skipped, not a review decision: {}",
            e.line, e.message
        ));
    }
    Ok(reviews)
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
    let reviews = read_reviews(ws, reporter)?;

    let task = reporter.task(
        "reading and redacting interactions",
        Some(lines.len() as u64),
    );
    let outcomes: Vec<LineOutcome> = lines
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let out: Vec<_> = chunk
                .iter()
                .map(|l| prepare(l, config, redactor.as_ref(), &reviews))
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
