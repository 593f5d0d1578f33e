//! `validate`: every line of the workspace's JSON Lines data checked, every problem
//! reported as `file:line: reason`, none skipped.
//!
//! Errors make the command fail; warnings do not. In `raw/` (an append-only capture log)
//! duplicate ids are warnings; in `processed/` and `dataset/` they are errors. Beyond single
//! lines: leakage (the same content or id in two splits), domain balance, split sizes and
//! agreement between `processed/` and the dataset.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tuneforge_core::config::{ExportFormat, PipelineConfig};
use tuneforge_core::fsio::{IoError, read_appended};
use tuneforge_core::jsonl::{RawLine, parse_line, split_lines};
use tuneforge_core::layout::{
    DATASET_DIR, PROCESSED_INTERACTIONS, RAW_INTERACTIONS, dataset_version_dir,
};
use tuneforge_core::records::{Interaction, Message, Role, Sample, sample_id};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;

use crate::SPLITS;
use crate::process::dedup_key;
use crate::version::{DATASET_MANIFEST, DatasetManifest, latest_version};
use tuneforge_core::hash::hash_file;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// Workspace-relative file, or the workspace itself for whole-dataset findings.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.line {
            Some(l) => write!(f, "{}:{}: {sev}: {}", self.path, l, self.message),
            None => write!(f, "{}: {sev}: {}", self.path, self.message),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedFile {
    pub path: String,
    pub lines: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationReport {
    pub errors: u64,
    pub warnings: u64,
    pub dataset_version: Option<u32>,
    pub files: Vec<CheckedFile>,
    /// Samples per domain and split (train, valid, test) in the dataset.
    pub domains: BTreeMap<String, [u64; 3]>,
    pub findings: Vec<Finding>,
}

/// What one line contributed to the cross-line checks.
#[derive(Default)]
struct LineFacts {
    id: Option<String>,
    content_key: Option<[u8; 32]>,
    domain: Option<String>,
    problems: Vec<(Severity, String)>,
}

impl LineFacts {
    fn problem(mut self, severity: Severity, message: impl Into<String>) -> Self {
        self.problems.push((severity, message.into()));
        self
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Raw,
    Samples,
    /// A top-level split: its content keys feed the leakage check.
    Split,
    Format(ExportFormat),
}

struct Checked {
    path: String,
    lines: Vec<(u64, LineFacts)>,
}

fn check_raw(line: &RawLine<'_>, config: &PipelineConfig) -> LineFacts {
    let rec: Interaction = match parse_line(line) {
        Ok(r) => r,
        Err(e) => return LineFacts::default().problem(Severity::Error, e.message),
    };
    let mut facts = LineFacts {
        id: Some(rec.metadata.interaction_id.clone()),
        domain: Some(rec.metadata.domain.clone()),
        ..LineFacts::default()
    };
    if rec.metadata.interaction_id.trim().is_empty() {
        facts = facts.problem(Severity::Error, "metadata.interaction_id is empty");
    }
    if rec.metadata.timestamp.trim().is_empty() {
        facts = facts.problem(Severity::Error, "metadata.timestamp is empty");
    }
    if let Err(reason) = rec.check_shape() {
        return facts.problem(Severity::Error, reason);
    }
    facts = check_messages(facts, &rec.messages);
    facts = check_domain(facts, &rec.metadata.domain, config);
    let limit = config.collect.max_text_bytes;
    for (i, m) in rec.messages.iter().enumerate() {
        if m.content.len() as u64 > limit {
            facts = facts.problem(
                Severity::Warning,
                format!(
                    "message {} is {} bytes, over collect.max_text_bytes ({limit})",
                    i + 1,
                    m.content.len()
                ),
            );
        }
    }
    facts
}

fn check_domain(facts: LineFacts, domain: &str, config: &PipelineConfig) -> LineFacts {
    if config.domains.contains(domain) {
        facts
    } else {
        facts.problem(
            Severity::Error,
            format!(
                "domain {domain:?} is not configured in pipeline.yaml (configured: {}); add it under domains.rules or fix the record",
                config.domains.names().join(", ")
            ),
        )
    }
}

fn check_messages(mut facts: LineFacts, messages: &[Message]) -> LineFacts {
    for (i, m) in messages.iter().enumerate() {
        if m.content.trim().is_empty() {
            facts = facts.problem(
                Severity::Error,
                format!(
                    "message {} ({}) is empty or whitespace only",
                    i + 1,
                    m.role.as_str()
                ),
            );
        }
    }
    facts
}

/// Optional system turn, then user and assistant alternating, ending with the assistant.
fn check_role_order(facts: LineFacts, messages: &[Message]) -> LineFacts {
    let mut turns = messages.iter().map(|m| m.role).peekable();
    if turns.peek() == Some(&Role::System) {
        turns.next();
    }
    let mut expected = Role::User;
    let mut count = 0;
    for (i, role) in turns.enumerate() {
        if role != expected {
            return facts.problem(
                Severity::Error,
                format!(
                    "role order: turn {} is {}, expected {} (an optional system turn, then user and assistant alternating)",
                    i + 1,
                    role.as_str(),
                    expected.as_str()
                ),
            );
        }
        expected = if role == Role::User {
            Role::Assistant
        } else {
            Role::User
        };
        count += 1;
    }
    if count == 0 || expected != Role::User {
        return facts.problem(Severity::Error, "a sample must end with an assistant turn");
    }
    facts
}

fn check_sample(line: &RawLine<'_>, config: &PipelineConfig, want_key: bool) -> LineFacts {
    let s: Sample = match parse_line(line) {
        Ok(s) => s,
        Err(e) => return LineFacts::default().problem(Severity::Error, e.message),
    };
    let mut facts = LineFacts {
        id: Some(s.id.clone()),
        domain: Some(s.metadata.domain.clone()),
        content_key: match (want_key, s.prompt(), s.final_answer()) {
            (true, Some(p), Some(a)) => Some(dedup_key(p, a)),
            _ => None,
        },
        ..LineFacts::default()
    };
    if s.id != sample_id(&s.messages) {
        facts = facts.problem(
            Severity::Error,
            "id is not the blake3 of the messages: the content was edited after packaging; run `tuneforge process --force`",
        );
    }
    facts = check_role_order(facts, &s.messages);
    facts = check_messages(facts, &s.messages);
    check_domain(facts, &s.metadata.domain, config)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesLine {
    messages: Vec<Message>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlpacaLine {
    instruction: String,
    #[allow(dead_code)]
    input: String,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PreferenceLine {
    prompt: String,
    chosen: String,
    rejected: String,
}

fn required(facts: LineFacts, fields: &[(&str, &str)]) -> LineFacts {
    fields.iter().fold(facts, |f, (name, value)| {
        if value.trim().is_empty() {
            f.problem(
                Severity::Error,
                format!("{name} is empty or whitespace only"),
            )
        } else {
            f
        }
    })
}

fn check_format(line: &RawLine<'_>, format: ExportFormat) -> LineFacts {
    let facts = LineFacts::default();
    match format {
        ExportFormat::Messages => match parse_line::<MessagesLine>(line) {
            Ok(m) => check_messages(check_role_order(facts, &m.messages), &m.messages),
            Err(e) => facts.problem(Severity::Error, e.message),
        },
        ExportFormat::Alpaca => match parse_line::<AlpacaLine>(line) {
            Ok(a) => required(
                facts,
                &[("instruction", &a.instruction), ("output", &a.output)],
            ),
            Err(e) => facts.problem(Severity::Error, e.message),
        },
        ExportFormat::Preference => match parse_line::<PreferenceLine>(line) {
            Ok(p) => {
                let same = p.chosen == p.rejected;
                let f = required(
                    facts,
                    &[
                        ("prompt", &p.prompt),
                        ("chosen", &p.chosen),
                        ("rejected", &p.rejected),
                    ],
                );
                if same {
                    f.problem(
                        Severity::Warning,
                        "chosen and rejected are identical: the pair teaches nothing",
                    )
                } else {
                    f
                }
            }
            Err(e) => facts.problem(Severity::Error, e.message),
        },
    }
}

fn check_file(
    ws: &Workspace,
    rel: &str,
    kind: FileKind,
    task: &dyn tuneforge_core::reporter::Task,
) -> Result<Option<Checked>, IoError> {
    // raw/ may be appended to while we read; the shared lock keeps records whole.
    let Some(bytes) = read_appended(&ws.path(rel))? else {
        return Ok(None);
    };
    let lines = split_lines(&bytes);
    let config = &ws.config;
    let checked: Vec<(u64, LineFacts)> = lines
        .par_chunks(1024)
        .flat_map_iter(|chunk| {
            let out: Vec<_> = chunk
                .iter()
                .map(|l| {
                    let facts = match kind {
                        FileKind::Raw => check_raw(l, config),
                        FileKind::Samples => check_sample(l, config, false),
                        FileKind::Split => check_sample(l, config, true),
                        FileKind::Format(f) => check_format(l, f),
                    };
                    (l.number, facts)
                })
                .collect();
            task.advance(chunk.iter().map(|l| l.bytes.len() as u64 + 1).sum());
            out
        })
        .collect();
    Ok(Some(Checked {
        path: rel.to_owned(),
        lines: checked,
    }))
}

/// Run every check. I/O failures are errors; findings are in the report.
pub fn validate(ws: &Workspace, reporter: &dyn Reporter) -> Result<ValidationReport, IoError> {
    let version = latest_version(&ws.path(DATASET_DIR))?;
    let mut plan: Vec<(String, FileKind)> = vec![
        (RAW_INTERACTIONS.to_owned(), FileKind::Raw),
        (PROCESSED_INTERACTIONS.to_owned(), FileKind::Samples),
    ];
    if let Some(v) = version {
        let dir = dataset_version_dir(v);
        for split in SPLITS {
            plan.push((format!("{dir}/{split}.jsonl"), FileKind::Split));
            for format in ExportFormat::ALL {
                plan.push((
                    format!("{dir}/{}/{split}.jsonl", format.dir_name()),
                    FileKind::Format(format),
                ));
            }
        }
        let domains_dir = ws.path(&format!("{dir}/domains"));
        if let Ok(entries) = std::fs::read_dir(&domains_dir) {
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for name in names {
                for split in SPLITS {
                    plan.push((
                        format!("{dir}/domains/{name}/{split}.jsonl"),
                        FileKind::Samples,
                    ));
                }
            }
        }
    }
    let total: u64 = plan
        .iter()
        .filter_map(|(rel, _)| std::fs::metadata(ws.path(rel)).ok())
        .map(|m| m.len())
        .sum();
    let task = reporter.task("validate: checking every line", Some(total));
    let mut checked = Vec::new();
    for (rel, kind) in &plan {
        if let Some(c) = check_file(ws, rel, *kind, task.as_ref())? {
            checked.push((c, *kind));
        }
    }
    task.finish();

    let mut findings = Vec::new();
    let mut files = Vec::new();
    for (c, kind) in &checked {
        files.push(CheckedFile {
            path: c.path.clone(),
            lines: c.lines.len() as u64,
        });
        let dup_severity = if *kind == FileKind::Raw {
            Severity::Warning
        } else {
            Severity::Error
        };
        let mut seen: HashMap<&str, u64> = HashMap::new();
        for (line, facts) in &c.lines {
            for (severity, message) in &facts.problems {
                findings.push(Finding {
                    severity: *severity,
                    path: c.path.clone(),
                    line: Some(*line),
                    message: message.clone(),
                });
            }
            if let Some(id) = facts.id.as_deref()
                && let Some(first) = seen.insert(id, *line)
            {
                seen.insert(id, first);
                findings.push(Finding {
                    severity: dup_severity,
                    path: c.path.clone(),
                    line: Some(*line),
                    message: format!("duplicate id {id} (first on line {first})"),
                });
            }
            if let (Some(domain), true) = (facts.domain.as_deref(), c.path.contains("/domains/")) {
                let dir_domain = c.path.rsplit('/').nth(1).unwrap_or_default();
                if domain != dir_domain {
                    findings.push(Finding {
                        severity: Severity::Error,
                        path: c.path.clone(),
                        line: Some(*line),
                        message: format!(
                            "sample of domain {domain:?} in the directory of {dir_domain:?}"
                        ),
                    });
                }
            }
        }
    }

    let mut domains: BTreeMap<String, [u64; 3]> = BTreeMap::new();
    if let Some(v) = version {
        let dir = dataset_version_dir(v);
        let manifest = read_version_manifest(ws, &dir);
        // Written by `package` (rather than `process`): an empty one is only a warning.
        let packaged = manifest.as_ref().is_ok_and(|m| m.facts.package.is_some());
        dataset_checks(ws, &dir, &checked, packaged, &mut domains, &mut findings);
        manifest_checks(ws, &dir, manifest, &checked, &mut findings);
    }

    findings.sort_by(|a, b| (a.severity, &a.path, a.line).cmp(&(b.severity, &b.path, b.line)));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count() as u64;
    let warnings = findings.len() as u64 - errors;
    Ok(ValidationReport {
        errors,
        warnings,
        dataset_version: version,
        files,
        domains,
        findings,
    })
}

/// The version's `manifest.json`, or why it cannot be read.
fn read_version_manifest(ws: &Workspace, dir: &str) -> Result<DatasetManifest, String> {
    std::fs::read(ws.path(&format!("{dir}/{DATASET_MANIFEST}")))
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
}

/// Every file of the version against `manifest.json`: present, same hash, same count.
fn manifest_checks(
    ws: &Workspace,
    dir: &str,
    manifest: Result<DatasetManifest, String>,
    checked: &[(Checked, FileKind)],
    findings: &mut Vec<Finding>,
) {
    let manifest_rel = format!("{dir}/{DATASET_MANIFEST}");
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) => {
            findings.push(Finding {
                severity: Severity::Error,
                path: manifest_rel,
                line: None,
                message: format!("unreadable: {e}; run `tuneforge process --force`"),
            });
            return;
        }
    };
    for file in &manifest.files {
        let rel = format!("{dir}/{}", file.path);
        let problem = match hash_file(&ws.path(&rel)) {
            Err(_) => Some("is missing".to_owned()),
            Ok((hash, _)) if hash != file.blake3 => {
                Some("differs from its hash in manifest.json".to_owned())
            }
            Ok(_) => {
                let lines = checked
                    .iter()
                    .find(|(c, _)| c.path == rel)
                    .map(|(c, _)| c.lines.len() as u64);
                match (lines, file.records) {
                    (Some(n), Some(want)) if n != want => {
                        Some(format!("has {n} records, manifest.json says {want}"))
                    }
                    _ => None,
                }
            }
        };
        if let Some(problem) = problem {
            findings.push(Finding {
                severity: Severity::Error,
                path: rel,
                line: None,
                message: format!(
                    "{problem}: the file changed after packaging; `tuneforge process --force` rewrites it"
                ),
            });
        }
    }
}

/// Record that split `split` holds `key` at `line`; if another split held it first, that
/// split and line.
fn first_owner<K: std::hash::Hash + Eq>(
    owners: &mut HashMap<K, (usize, u64)>,
    key: K,
    split: usize,
    line: u64,
) -> Option<(usize, u64)> {
    match owners.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => {
            let (other, other_line) = *e.get();
            (other != split).then_some((other, other_line))
        }
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert((split, line));
            None
        }
    }
}

fn dataset_checks(
    ws: &Workspace,
    dir: &str,
    checked: &[(Checked, FileKind)],
    packaged: bool,
    domains: &mut BTreeMap<String, [u64; 3]>,
    findings: &mut Vec<Finding>,
) {
    let config = &ws.config;
    let whole = |severity, message: String| Finding {
        severity,
        path: dir.to_owned(),
        line: None,
        message,
    };
    // Leakage: the same content or id in two splits.
    let mut owner: HashMap<[u8; 32], (usize, u64)> = HashMap::new();
    let mut id_owner: HashMap<&str, (usize, u64)> = HashMap::new();
    let mut split_totals = [0u64; 3];
    for (si, split) in SPLITS.iter().enumerate() {
        let rel = format!("{dir}/{split}.jsonl");
        let Some((c, _)) = checked.iter().find(|(c, _)| c.path == rel) else {
            findings.push(whole(
                Severity::Error,
                format!("{split}.jsonl is missing; run `tuneforge process --force`"),
            ));
            continue;
        };
        split_totals[si] = c.lines.len() as u64;
        for (line, facts) in &c.lines {
            if let Some(d) = &facts.domain {
                domains.entry(d.clone()).or_default()[si] += 1;
            }
            let mut leak = |other: usize, other_line: u64, what: String| {
                findings.push(Finding {
                    severity: Severity::Error,
                    path: rel.clone(),
                    line: Some(*line),
                    message: format!(
                        "leakage: {what} in {}.jsonl line {other_line}",
                        SPLITS[other]
                    ),
                });
            };
            if let Some(key) = facts.content_key
                && let Some((other, other_line)) = first_owner(&mut owner, key, si, *line)
            {
                leak(
                    other,
                    other_line,
                    "the same prompt and answer are also".to_owned(),
                );
            }
            if let Some(id) = facts.id.as_deref()
                && let Some((other, other_line)) = first_owner(&mut id_owner, id, si, *line)
            {
                leak(other, other_line, format!("id {id} is also"));
            }
        }
    }
    let total: u64 = split_totals.iter().sum();
    if total == 0 {
        // Captured interactions that all vanished are an error; sources from which nothing
        // passed generation and the gate are worth a warning (the gate report says why).
        findings.push(if packaged {
            whole(
                Severity::Warning,
                "the dataset has no samples: nothing from the sources passed generation and the gate (see sft/dropped.jsonl and quality/report.json)".to_owned(),
            )
        } else {
            whole(
                Severity::Error,
                "the dataset has no samples".to_owned(),
            )
        });
        return;
    }
    if split_totals[1] == 0 || split_totals[2] == 0 {
        findings.push(whole(
            Severity::Warning,
            format!(
                "split sizes train {} / valid {} / test {}: an empty valid or test split cannot measure the model; collect more interactions",
                split_totals[0], split_totals[1], split_totals[2]
            ),
        ));
    }
    if let Some((c, _)) = checked
        .iter()
        .find(|(c, _)| c.path == PROCESSED_INTERACTIONS)
    {
        let processed = c.lines.len() as u64;
        if processed != total {
            findings.push(whole(
                Severity::Error,
                format!(
                    "{PROCESSED_INTERACTIONS} has {processed} samples but the dataset has {total}: they are out of step; run `tuneforge process --force`"
                ),
            ));
        }
    }
    let max_share = config.validate.max_domain_share.get();
    let min_samples = config.validate.min_domain_samples;
    for (domain, counts) in domains.iter() {
        let n: u64 = counts.iter().sum();
        let share = n as f64 / total as f64;
        if domains.len() > 1 && share > max_share {
            findings.push(whole(
                Severity::Warning,
                format!(
                    "domain {domain} holds {:.0}% of the samples (validate.max_domain_share is {:.0}%): the adapter will lean towards it",
                    share * 100.0,
                    max_share * 100.0
                ),
            ));
        }
        if n < min_samples {
            findings.push(whole(
                Severity::Warning,
                format!(
                    "domain {domain} has {n} samples, below validate.min_domain_samples ({min_samples})"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msgs(roles: &[Role]) -> Vec<Message> {
        roles.iter().map(|r| Message::new(*r, "x")).collect()
    }

    #[test]
    fn role_order_rules() {
        use Role::*;
        let ok = |roles: &[Role]| {
            check_role_order(LineFacts::default(), &msgs(roles))
                .problems
                .is_empty()
        };
        assert!(ok(&[User, Assistant]));
        assert!(ok(&[System, User, Assistant, User, Assistant]));
        assert!(!ok(&[Assistant, User]));
        assert!(!ok(&[User, User, Assistant]));
        assert!(!ok(&[User]));
        assert!(!ok(&[]));
        assert!(!ok(&[User, Assistant, System]));
    }
}
