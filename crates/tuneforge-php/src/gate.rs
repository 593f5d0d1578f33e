//! The quality gate over training samples (`tuneforge_core::records::Sample`): every fenced code block of
//! every trained assistant message is checked, and a sample whose findings of a severity
//! exceed that severity's maximum is rejected with every finding listed.
//!
//! - PHP blocks (```php, or any block starting with `<?php`; a snippet without the tag gets
//!   one for checking): tree-sitter syntax and the Drupal 11 rules always; `php -l`, phpcs
//!   (the Drupal standard if installed, else the fallback ruleset shipped here) and phpstan
//!   when installed. phpcs ERRORs count as warnings (style), its WARNINGs as notes.
//! - YAML blocks (```yaml / ```yml): services, routing, component and info rules, by what the
//!   block holds.
//! - Every message: the text rules (an empty answer, an unclosed code fence, a removed
//!   Drupal API recommended in prose).
//!
//! `php -l` of PHP older than 8.3 rejects 8.3 syntax (typed class constants, dynamic class
//! constant fetch, readonly anonymous classes). When tree-sitter parses the block cleanly
//! and the error sits on such syntax, the failure is a note about the linter's version,
//! not a rejection of good code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use rayon::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};
use tuneforge_core::records::{Role, Sample, TrainOn};
use tuneforge_core::reporter::Reporter;

use crate::class_index::{ClassIndex, declared_classes};
use crate::parse::{parse, text, visit};
use crate::rules::{Checker, LEGACY_API, Severity, Skipped};
use crate::tools::{self, Tool, ToolFinding};

/// The name of the fallback phpcs ruleset in reports; the gate writes it as a file of this
/// name next to the blocks it checks.
pub const FALLBACK_STANDARD: &str = "tuneforge:phpcs-fallback.xml";

/// What the gate runs with.
pub struct GateOptions {
    pub max_errors: u64,
    pub max_warnings: u64,
    pub max_notes: Option<u64>,
    pub tools: GateTools,
    /// The classes the sources declare: answers importing a `Drupal\…` class the index
    /// covers but lacks, or declaring a class the sources mark `@deprecated`, are errors.
    pub classes: Option<ClassIndex>,
}

/// An import of a `Drupal\…` class the sources do not declare.
pub const UNKNOWN_CLASS: &str = "import-unknown-class";
/// An answer whose class the sources mark `@deprecated`.
pub const DEPRECATED_CLASS: &str = "deprecated-class";

/// The external tools found, and how phpcs is run.
#[derive(Debug, Clone, Serialize)]
pub struct GateTools {
    pub php: Tool,
    pub phpcs: Tool,
    pub phpstan: Tool,
    /// `Drupal`, or [`FALLBACK_STANDARD`] (the ruleset shipped here); empty when the tools
    /// are off.
    pub phpcs_standard: String,
}

impl GateTools {
    /// Find the tools (configured paths, else `PATH`); `enabled: false` makes them all
    /// absent. Nothing is written: the fallback ruleset is put where phpcs runs.
    pub fn detect(
        enabled: bool,
        php: Option<&Path>,
        phpcs: Option<&Path>,
        phpstan: Option<&Path>,
    ) -> Self {
        let absent = |name| Tool {
            name,
            path: None,
            version: "absent".to_owned(),
        };
        if !enabled {
            return Self {
                php: absent("php"),
                phpcs: absent("phpcs"),
                phpstan: absent("phpstan"),
                phpcs_standard: String::new(),
            };
        }
        let phpcs = tools::find("phpcs", phpcs, "--version");
        let phpcs_standard = if tools::phpcs_has_drupal(&phpcs) {
            "Drupal"
        } else {
            FALLBACK_STANDARD
        };
        Self {
            php: tools::find("php", php, "-v"),
            phpcs,
            phpstan: tools::find("phpstan", phpstan, "--version"),
            phpcs_standard: phpcs_standard.to_owned(),
        }
    }

    pub fn all(&self) -> [&Tool; 3] {
        [&self.php, &self.phpcs, &self.phpstan]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateFinding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Which trained assistant message (0-based among the sample's messages).
    pub message_index: usize,
    /// Which code block of that message (1-based), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<usize>,
    /// Line within the block (or message).
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct RejectedLine {
    pub id: String,
    pub generator: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<usize>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    pub samples: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// Lines that are not samples, by line number with the reason.
    pub unreadable: Vec<String>,
    pub code_blocks: u64,
    pub findings_by_rule: BTreeMap<String, u64>,
    pub rejected_by_rule: BTreeMap<String, u64>,
    pub thresholds: BTreeMap<&'static str, Option<u64>>,
    pub tools: Vec<Tool>,
    pub phpcs_standard: String,
    pub skipped: Vec<Skipped>,
    /// php -l failures put down to the linter's PHP version, not the code.
    pub php_version_notes: u64,
    /// External tool runs that failed (their blocks were not checked by that tool).
    pub tool_errors: Vec<String>,
    /// Pass rates by generator (`template:plugin@1`, `refactor:hook@1`, `interaction`, …).
    pub by_generator: BTreeMap<String, PassRate>,
    /// Pass rates by kind of generator: the part before `:` (`template`, `refactor`,
    /// `docs`, `teacher`, `interaction`).
    pub by_kind: BTreeMap<String, PassRate>,
}

/// How many samples of one generator the gate saw and accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PassRate {
    pub samples: u64,
    pub accepted: u64,
    pub rejected: u64,
    /// `accepted / samples`, rounded to 4 decimals.
    pub pass_rate: f64,
}

impl PassRate {
    fn add(&mut self, accepted: bool) {
        self.samples += 1;
        if accepted {
            self.accepted += 1;
        } else {
            self.rejected += 1;
        }
        self.pass_rate = (self.accepted as f64 / self.samples as f64 * 10_000.0).round() / 10_000.0;
    }
}

pub struct GateOutput {
    pub report: GateReport,
    /// The accepted samples' lines, as read.
    pub accepted: Vec<String>,
    pub rejected: Vec<RejectedLine>,
}

static FENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*(```+|~~~+)[ \t]*([A-Za-z0-9_+.-]*)[^\n]*$").expect("valid pattern")
});

/// A fenced block: its language tag, body and the line (in the message) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    pub lang: String,
    pub body: String,
    pub line: usize,
}

/// The fenced code blocks of a message, and whether a fence was left open.
pub fn code_blocks(content: &str) -> (Vec<CodeBlock>, bool) {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String, usize, usize)> = None; // fence, lang, body start, line
    for m in FENCE.captures_iter(content) {
        let whole = m.get(0).expect("group 0");
        let fence = m[1].to_owned();
        let line = content[..whole.start()].matches('\n').count() + 1;
        match &open {
            None => open = Some((fence, m[2].to_ascii_lowercase(), whole.end() + 1, line)),
            Some((f, lang, start, at)) if fence.starts_with(f.as_str()) && m[2].is_empty() => {
                let body = content.get(*start..whole.start()).unwrap_or("").to_owned();
                blocks.push(CodeBlock {
                    lang: lang.clone(),
                    body,
                    line: at + 1,
                });
                open = None;
            }
            Some(_) => {}
        }
    }
    (blocks, open.is_some())
}

/// The source with the syntax PHP 8.3 added rewritten into PHP 8.2's, line for line: a
/// typed class constant's type blanked, `new readonly class` without `readonly`, a dynamic
/// class constant fetch `C::{$x}` as `C::X`. `None` when there is none, so an older
/// `php -l` can be asked again about everything else.
fn without_php83_syntax(source: &str) -> Option<String> {
    let tree = parse(source);
    let mut ranges: Vec<(std::ops::Range<usize>, &str)> = Vec::new();
    visit(tree.root_node(), &mut |n| {
        match n.kind() {
            "const_declaration" => {
                if let Some(ty) = n.child_by_field_name("type") {
                    ranges.push((ty.byte_range(), ""));
                }
            }
            "class_constant_access_expression" => {
                let t = text(n, source);
                if let Some(at) = t.find("::{") {
                    let start = n.start_byte() + at + 2;
                    ranges.push((start..n.end_byte(), "X"));
                }
            }
            "object_creation_expression" => {
                let t = text(n, source);
                if let Some(at) = t.find("readonly class") {
                    let start = n.start_byte() + at;
                    ranges.push((start..start + "readonly".len(), ""));
                }
            }
            _ => {}
        }
        true
    });
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (r, with) in ranges {
        if r.start < at {
            continue;
        }
        out.push_str(&source[at..r.start]);
        out.push_str(with);
        // Keep the lines: blank the rest, newlines stay.
        for c in source[r.clone()].chars().skip(with.chars().count()) {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
        at = r.end;
    }
    out.push_str(&source[at..]);
    Some(out)
}

/// The YAML file name whose rules apply to a block, by what it holds.
fn yaml_kind(body: &str) -> Option<&'static str> {
    let doc: serde_json::Value = serde_saphyr::from_str(body).ok()?;
    let map = doc.as_object()?;
    if map.contains_key("services") {
        Some("block.services.yml")
    } else if map.contains_key("core_version_requirement")
        || map
            .get("type")
            .is_some_and(|t| matches!(t.as_str(), Some("module" | "theme" | "profile")))
    {
        Some("block.info.yml")
    } else if map.contains_key("props") || map.contains_key("slots") {
        Some("block.component.yml")
    } else if map.values().any(|v| v.get("path").is_some()) {
        Some("block.routing.yml")
    } else {
        None
    }
}

struct PhpBlock {
    sample: usize,
    message: usize,
    block: usize,
    /// The block as checked (with `<?php` added to a snippet).
    source: String,
    /// Lines added in front, subtracted from tool line numbers.
    offset: usize,
    file: PathBuf,
}

/// A snippet that is class members (methods, properties, constants), not a file.
fn is_class_member(body: &str) -> bool {
    let first = body.lines().map(str::trim).find(|l| {
        !l.is_empty()
            && !l.starts_with("/**")
            && !l.starts_with('*')
            && !l.starts_with("//")
            && !l.starts_with("#[")
    });
    first.is_some_and(|l| {
        [
            "public ",
            "protected ",
            "private ",
            "final public ",
            "final protected ",
            "abstract ",
            "const ",
        ]
        .iter()
        .any(|p| l.starts_with(p))
    })
}

/// Gate samples (JSON lines). `scratch` holds the blocks external tools read.
///
/// The steps: read the samples; check every trained answer in process (text rules,
/// tree-sitter and the Drupal 11 rules per block); run the external tools over the PHP
/// blocks (`php -l` per block in parallel, phpcs and phpstan in batches); decide each
/// sample by the severity thresholds and count the report.
pub fn gate(
    input: &str,
    checker: &Checker,
    options: &GateOptions,
    scratch: &Path,
    reporter: &dyn Reporter,
) -> std::io::Result<GateOutput> {
    let (samples, unreadable) = read_samples(input);
    std::fs::create_dir_all(scratch)?;
    let mut checked = Checked {
        findings: vec![Vec::new(); samples.len()],
        php_blocks: Vec::new(),
        code_blocks: 0,
    };
    for (s, (_, sample)) in samples.iter().enumerate() {
        for m in trained_messages(sample) {
            let content = &sample.messages[m].content;
            let at = Place::new(s, m);
            check_answer(checker, scratch, at, content, &mut checked);
            if let Some(index) = &options.classes {
                check_classes(index, at, content, &mut checked);
            }
        }
    }
    let tools = run_tools(
        &options.tools,
        &checked.php_blocks,
        &mut checked.findings,
        scratch,
        reporter,
    )?;
    let report = GateReport {
        samples: samples.len() as u64,
        accepted: 0,
        rejected: 0,
        unreadable,
        code_blocks: checked.code_blocks,
        findings_by_rule: BTreeMap::new(),
        rejected_by_rule: BTreeMap::new(),
        thresholds: BTreeMap::from([
            ("error", Some(options.max_errors)),
            ("warning", Some(options.max_warnings)),
            ("info", options.max_notes),
        ]),
        tools: options.tools.all().into_iter().cloned().collect(),
        phpcs_standard: options.tools.phpcs_standard.clone(),
        skipped: checker.skipped(),
        php_version_notes: tools.version_notes,
        tool_errors: tools.errors,
        by_generator: BTreeMap::new(),
        by_kind: BTreeMap::new(),
    };
    Ok(decide(samples, checked.findings, options, report))
}

/// What the gate finds in free-standing answers (an evaluation's model outputs, one per
/// entry): the same per-block checks as a trained answer gets (text rules, tree-sitter and
/// the Drupal 11 rules, imports against the class index when given, then `php -l`, phpcs
/// and phpstan when installed), without thresholds. Also returns the tool runs that failed.
pub fn check_answers(
    answers: &[&str],
    checker: &Checker,
    tools: &GateTools,
    classes: Option<&ClassIndex>,
    scratch: &Path,
    reporter: &dyn Reporter,
) -> std::io::Result<(Vec<Vec<GateFinding>>, Vec<String>)> {
    std::fs::create_dir_all(scratch)?;
    let mut checked = Checked {
        findings: vec![Vec::new(); answers.len()],
        php_blocks: Vec::new(),
        code_blocks: 0,
    };
    for (i, answer) in answers.iter().enumerate() {
        let at = Place::new(i, 0);
        check_answer(checker, scratch, at, answer, &mut checked);
        if let Some(index) = classes {
            check_classes(index, at, answer, &mut checked);
        }
    }
    let run = run_tools(
        tools,
        &checked.php_blocks,
        &mut checked.findings,
        scratch,
        reporter,
    )?;
    Ok((checked.findings, run.errors))
}

/// The samples of a JSON Lines text with each line as read, and the lines that are not
/// samples (`line N: <serde's message>`); blank lines are skipped.
///
/// Not `tuneforge_core::jsonl`: its messages differ from serde's (which `report.json`
/// holds), and it drops the `\r` of an unterminated last line, which `str::lines` keeps
/// and `accepted.jsonl` copies as read.
fn read_samples(input: &str) -> (Vec<(String, Sample)>, Vec<String>) {
    let mut samples = Vec::new();
    let mut unreadable = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Sample>(line) {
            Ok(s) => samples.push((line.to_owned(), s)),
            Err(e) => unreadable.push(format!("line {}: {e}", i + 1)),
        }
    }
    (samples, unreadable)
}

/// The messages the model is trained on, by index: what the gate judges.
fn trained_messages(sample: &Sample) -> Vec<usize> {
    let assistant: Vec<usize> = sample
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.role == Role::Assistant)
        .map(|(i, _)| i)
        .collect();
    match sample.train_on {
        TrainOn::AllAssistant => assistant,
        TrainOn::LastAssistant => assistant.last().copied().into_iter().collect(),
    }
}

/// What the in-process checks found per sample, and the PHP blocks left for the tools.
struct Checked {
    findings: Vec<Vec<GateFinding>>,
    php_blocks: Vec<PhpBlock>,
    code_blocks: u64,
}

/// Where a finding is: which sample, which of its messages, which code block (1-based).
#[derive(Clone, Copy)]
struct Place {
    sample: usize,
    message: usize,
    block: Option<usize>,
}

impl Place {
    fn new(sample: usize, message: usize) -> Self {
        Self {
            sample,
            message,
            block: None,
        }
    }

    fn in_block(self, block: usize) -> Self {
        Self {
            block: Some(block),
            ..self
        }
    }

    fn finding(self, rule: &str, severity: Severity, message: String, line: usize) -> GateFinding {
        GateFinding {
            rule: rule.to_owned(),
            severity,
            message,
            message_index: self.message,
            block: self.block,
            line,
        }
    }
}

impl Checked {
    fn push(&mut self, at: Place, rule: &str, severity: Severity, message: String, line: usize) {
        self.findings[at.sample].push(at.finding(rule, severity, message, line));
    }
}

/// One trained answer: the text rules over the whole message, then each fenced block by
/// its language. An empty answer has nothing else to check.
fn check_answer(
    checker: &Checker,
    scratch: &Path,
    at: Place,
    content: &str,
    checked: &mut Checked,
) {
    if content.trim().is_empty() {
        let message = "the trained answer is empty".to_owned();
        checked.push(at, "empty-answer", Severity::Error, message, 1);
        return;
    }
    let (blocks, unclosed) = code_blocks(content);
    if unclosed {
        let message = "a code fence is never closed (a truncated answer?)".to_owned();
        checked.push(at, "unclosed-code-fence", Severity::Error, message, 1);
    }
    for name in legacy_apis_recommended(content) {
        let message = format!("the answer recommends {name}(), removed before Drupal 10");
        checked.push(at, LEGACY_API.id, Severity::Warning, message, 1);
    }
    for (b, block) in blocks.iter().enumerate() {
        let at = at.in_block(b + 1);
        // An unlabelled block is PHP when it opens like PHP; a labelled one is what its
        // label says (a ```diff of PHP code is a diff, not code to run).
        let is_php = matches!(block.lang.as_str(), "php" | "php8")
            || (block.lang.is_empty() && block.body.trim_start().starts_with("<?php"));
        if is_php {
            checked.code_blocks += 1;
            check_php_block(checker, scratch, at, &block.body, checked);
        } else if matches!(block.lang.as_str(), "yaml" | "yml") {
            checked.code_blocks += 1;
            check_yaml_block(checker, at, &block.body, checked);
        }
    }
}

/// Each PHP block's imports against the sources' classes, and its declared classes against
/// their `@deprecated` marks.
fn check_classes(index: &ClassIndex, at: Place, content: &str, checked: &mut Checked) {
    let (blocks, _) = code_blocks(content);
    for (b, block) in blocks.iter().enumerate() {
        let is_php = matches!(block.lang.as_str(), "php" | "php8")
            || (block.lang.is_empty() && block.body.trim_start().starts_with("<?php"));
        if !is_php {
            continue;
        }
        let at = at.in_block(b + 1);
        for (name, line) in index.unknown_imports(&block.body) {
            let message = format!(
                "imports {name}, which the sources do not declare (an invented or removed class)"
            );
            checked.push(at, UNKNOWN_CLASS, Severity::Error, message, line);
        }
        for name in declared_classes(&block.body) {
            if index.is_deprecated(&name) {
                let message =
                    format!("{name} is @deprecated in the sources: not an example to learn from");
                checked.push(at, DEPRECATED_CLASS, Severity::Error, message, 1);
            }
        }
    }
}

/// The removed APIs the prose of an answer recommends: a whole word (not
/// `hook_entity_load()`), on a line that does not say it is gone
/// (`drupal_set_message() was removed; use …`). Code blocks are left out.
fn legacy_apis_recommended(content: &str) -> Vec<&'static str> {
    let prose = FENCE_BLOCK.replace_all(content, "");
    LEGACY_APIS_IN_TEXT
        .iter()
        .copied()
        .filter(|name| {
            prose.lines().any(|line| {
                let lower = line.to_ascii_lowercase();
                line.match_indices(&format!("{name}("))
                    .any(|(at, _)| !line[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
                    && ![
                        "removed",
                        "deprecated",
                        "instead",
                        "no longer",
                        "replace",
                        "don't",
                        "do not",
                        "avoid",
                    ]
                    .iter()
                    .any(|w| lower.contains(w))
            })
        })
        .collect()
}

/// The PHP file a block is checked as, and how many lines were put in front of it. A
/// method or property shown alone is checked inside a class, where it would live (and
/// where its indentation is right); other snippets get an opening tag.
fn php_source_of(body: &str) -> (String, usize) {
    if body.trim_start().starts_with("<?php") {
        (body.to_owned(), 0)
    } else if is_class_member(body) {
        (
            format!("<?php\n\nclass Snippet {{\n\n{}\n\n}}\n", body.trim_end()),
            4,
        )
    } else {
        (format!("<?php\n{body}"), 1)
    }
}

/// A PHP block through tree-sitter and the rules, its lines counted within the block; the
/// block is kept for the external tools.
fn check_php_block(
    checker: &Checker,
    scratch: &Path,
    at: Place,
    body: &str,
    checked: &mut Checked,
) {
    let (source, offset) = php_source_of(body);
    for f in checker.check("block.php", &source) {
        let line = f.line.saturating_sub(offset).max(1);
        checked.push(at, f.rule, f.severity, f.message, line);
    }
    let block = at.block.expect("a block's place");
    checked.php_blocks.push(PhpBlock {
        sample: at.sample,
        message: at.message,
        block,
        file: scratch.join(format!("s{}_m{}_b{block}.php", at.sample, at.message)),
        source,
        offset,
    });
}

/// A YAML block: it must parse, and the Drupal YAML rules apply by what it holds.
fn check_yaml_block(checker: &Checker, at: Place, body: &str, checked: &mut Checked) {
    if let Err(e) = serde_saphyr::from_str::<serde_json::Value>(body) {
        let message = format!("the YAML does not parse: {e}");
        checked.push(at, "yaml-syntax", Severity::Error, message, 1);
    } else if let Some(kind) = yaml_kind(body) {
        for f in checker.check(kind, body) {
            checked.push(at, f.rule, f.severity, f.message, f.line);
        }
    }
}

/// What running the external tools left for the report.
#[derive(Default)]
struct ToolRun {
    /// php -l failures put down to the linter's PHP version.
    version_notes: u64,
    /// Runs that failed; their blocks were not checked by that tool.
    errors: Vec<String>,
}

/// The external tools over the PHP blocks, their findings added to `findings`: `php -l`
/// per block, then phpcs and phpstan over the blocks in batches. Nothing runs (and no
/// block is written) when none is installed.
fn run_tools(
    tools: &GateTools,
    blocks: &[PhpBlock],
    findings: &mut [Vec<GateFinding>],
    scratch: &Path,
    reporter: &dyn Reporter,
) -> std::io::Result<ToolRun> {
    let mut run = ToolRun::default();
    if !(tools.php.present() || tools.phpcs.present() || tools.phpstan.present()) {
        return Ok(run);
    }
    for b in blocks {
        std::fs::write(&b.file, &b.source)?;
    }
    lint_blocks(tools, blocks, findings, reporter, &mut run)?;
    let by_file: BTreeMap<String, &PhpBlock> = blocks
        .iter()
        .map(|b| {
            (
                b.file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                b,
            )
        })
        .collect();
    let mut fold = |tool_findings: Vec<(String, ToolFinding)>, error: Severity, other: Severity| {
        for (file, f) in tool_findings {
            let Some(b) = by_file.get(&file) else {
                continue;
            };
            findings[b.sample].push(GateFinding {
                rule: f.rule,
                severity: if f.error { error } else { other },
                message: f.message,
                message_index: b.message,
                block: Some(b.block),
                line: f.line.saturating_sub(b.offset).max(1),
            });
        }
    };
    let files: Vec<&Path> = blocks.iter().map(|b| b.file.as_path()).collect();
    if let (Some(phpcs), false) = (tools.phpcs.path.as_deref(), files.is_empty()) {
        let standard = phpcs_standard(tools, scratch)?;
        let (found, errors) =
            run_on_files(|chunk| tools::run_phpcs(phpcs, &standard, chunk), &files);
        // phpcs is about style: its ERRORs count as warnings, its WARNINGs as notes.
        fold(found, Severity::Warning, Severity::Info);
        run.errors.extend(errors);
    }
    if let (Some(phpstan), false) = (tools.phpstan.path.as_deref(), files.is_empty()) {
        let (found, errors) = run_on_files(|chunk| tools::run_phpstan(phpstan, chunk), &files);
        fold(found, Severity::Error, Severity::Error);
        run.errors.extend(errors);
    }
    Ok(run)
}

/// The `--standard` phpcs runs with: `Drupal`, or the fallback ruleset written into
/// `scratch` (phpcs reads a ruleset from a file).
fn phpcs_standard(tools: &GateTools, scratch: &Path) -> std::io::Result<String> {
    if tools.phpcs_standard == FALLBACK_STANDARD {
        let ruleset = scratch.join("phpcs-fallback.xml");
        std::fs::write(&ruleset, tools::FALLBACK_RULESET)?;
        Ok(ruleset.display().to_string())
    } else {
        Ok(tools.phpcs_standard.clone())
    }
}

/// `php -l` over every block in parallel. Without php there is no lint result at all
/// (not a pass). A block php parses excuses tree-sitter's syntax errors in it (the
/// grammar misreads a few valid forms); a block it rejects is a `php-lint` finding,
/// unless an older php is only rejecting PHP 8.3 syntax.
fn lint_blocks(
    tools: &GateTools,
    blocks: &[PhpBlock],
    findings: &mut [Vec<GateFinding>],
    reporter: &dyn Reporter,
    run: &mut ToolRun,
) -> std::io::Result<()> {
    let php_version = tools::php_version(&tools.php);
    let task = reporter.task("gate: php -l", Some(blocks.len() as u64));
    let lint: Vec<Result<Option<(usize, String)>, tools::ToolError>> =
        match tools.php.path.as_deref() {
            Some(php) => blocks
                .par_iter()
                .map(|b| {
                    task.advance(1);
                    tools::php_lint(php, &b.file)
                })
                .collect(),
            None => Vec::new(),
        };
    task.finish();
    for (b, error) in blocks.iter().zip(lint) {
        let (line, message) = match error {
            Ok(Some(e)) => e,
            Ok(None) => {
                excuse_syntax_errors(&mut findings[b.sample], b);
                continue;
            }
            Err(e) => {
                run.errors.push(e.to_string());
                continue;
            }
        };
        let older = php_version.is_some_and(|v| v < (8, 3));
        let (rule, severity, line, message) = if older {
            relint_without_php83(tools, b, line, message, run)?
        } else {
            ("php-lint", Severity::Error, line, message)
        };
        findings[b.sample].push(GateFinding {
            rule: rule.to_owned(),
            severity,
            message,
            message_index: b.message,
            block: Some(b.block),
            line: line.saturating_sub(b.offset).max(1),
        });
    }
    Ok(())
}

/// php parses the block, so tree-sitter's syntax errors in it become notes.
fn excuse_syntax_errors(findings: &mut [GateFinding], b: &PhpBlock) {
    for f in findings.iter_mut().filter(|f| {
        f.rule == "syntax-error" && f.message_index == b.message && f.block == Some(b.block)
    }) {
        f.severity = Severity::Info;
        f.message = format!("{}; php -l parses it", f.message);
    }
}

/// An older `php -l` cannot read PHP 8.3 syntax: it is asked again about the block with
/// that syntax rewritten, and only what it still rejects is an error. The finding as
/// (rule, severity, line, message); `line` and `message` are the first lint's.
fn relint_without_php83(
    tools: &GateTools,
    b: &PhpBlock,
    line: usize,
    message: String,
    run: &mut ToolRun,
) -> std::io::Result<(&'static str, Severity, usize, String)> {
    let (Some(src), Some(php)) = (without_php83_syntax(&b.source), tools.php.path.as_deref())
    else {
        return Ok(("php-lint", Severity::Error, line, message));
    };
    let file = b.file.with_extension("php82.php");
    std::fs::write(&file, src)?;
    Ok(match tools::php_lint(php, &file) {
        Ok(None) => {
            run.version_notes += 1;
            (
                "php-lint-version",
                Severity::Info,
                line,
                format!(
                    "php -l ({}) cannot read the PHP 8.3 syntax here; with it rewritten the block parses: {message}",
                    tools.php.version
                ),
            )
        }
        Ok(Some((l, m))) => ("php-lint", Severity::Error, l, m),
        Err(e) => {
            run.errors.push(e.to_string());
            ("php-lint", Severity::Error, line, message)
        }
    })
}

/// Each sample accepted or rejected by the thresholds, in input order, with the counts of
/// `report` (whose other fields are filled in).
fn decide(
    samples: Vec<(String, Sample)>,
    findings: Vec<Vec<GateFinding>>,
    options: &GateOptions,
    mut report: GateReport,
) -> GateOutput {
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for ((line, sample), mut found) in samples.into_iter().zip(findings) {
        found.sort_by(|a, b| {
            (a.message_index, a.block, a.line, &a.rule).cmp(&(
                b.message_index,
                b.block,
                b.line,
                &b.rule,
            ))
        });
        let over = over_thresholds(&found, options);
        for f in &found {
            *report.findings_by_rule.entry(f.rule.clone()).or_default() += 1;
        }
        let generator = &sample.metadata.generator;
        let kind = generator.split([':', '@']).next().unwrap_or(generator);
        report
            .by_generator
            .entry(generator.clone())
            .or_default()
            .add(!over);
        report
            .by_kind
            .entry(kind.to_owned())
            .or_default()
            .add(!over);
        if over {
            report.rejected += 1;
            for f in found {
                *report.rejected_by_rule.entry(f.rule.clone()).or_default() += 1;
                rejected.push(RejectedLine {
                    id: sample.id.clone(),
                    generator: sample.metadata.generator.clone(),
                    rule: f.rule,
                    severity: f.severity,
                    message: f.message,
                    block: f.block,
                    line: f.line,
                });
            }
        } else {
            report.accepted += 1;
            accepted.push(line);
        }
    }
    GateOutput {
        report,
        accepted,
        rejected,
    }
}

/// Whether a sample's findings of some severity exceed that severity's maximum.
fn over_thresholds(found: &[GateFinding], options: &GateOptions) -> bool {
    let count = |sev| found.iter().filter(|f| f.severity == sev).count() as u64;
    count(Severity::Error) > options.max_errors
        || count(Severity::Warning) > options.max_warnings
        || options.max_notes.is_some_and(|m| count(Severity::Info) > m)
}

/// A fenced block and its fences, removed to leave the prose.
static FENCE_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?ms)^[ \t]*(```+|~~~+).*?^[ \t]*(```+|~~~+)[ \t]*$").expect("valid pattern")
});

/// Removed APIs whose recommendation in prose marks an outdated answer.
const LEGACY_APIS_IN_TEXT: &[&str] = &[
    "drupal_set_message",
    "db_query",
    "entity_load",
    "drupal_render",
    "format_date",
    "drupal_get_path",
];

/// Run a tool over files in chunks that fit a command line, in parallel: findings keyed by
/// file name, and the errors of runs that did not check their files.
fn run_on_files(
    run: impl Fn(&[&Path]) -> Result<Vec<(String, ToolFinding)>, tools::ToolError> + Sync,
    files: &[&Path],
) -> (Vec<(String, ToolFinding)>, Vec<String>) {
    let results: Vec<_> = files.par_chunks(200).map(&run).collect();
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(f) => found.extend(f.into_iter().map(|(path, finding)| {
                (path.rsplit('/').next().unwrap_or(&path).to_owned(), finding)
            })),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (found, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::CheckOptions;
    use tuneforge_core::reporter::Silent;

    fn sample(id: &str, answer: &str) -> String {
        serde_json::json!({
            "id": id,
            "messages": [
                {"role": "user", "content": "Write it for Drupal 11."},
                {"role": "assistant", "content": answer}
            ],
            "train_on": "last_assistant",
            "metadata": {
                "domain": "drupal-plugins",
                "source": "test",
                "generator": "template:test@1",
                "timestamp": "2026-01-01T00:00:00Z"
            }
        })
        .to_string()
    }

    const GOOD: &str = "Here is the block:\n\n```php\n<?php\n\ndeclare(strict_types=1);\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Says hello.\n */\n#[Block(\n  id: 'demo_hello',\n  admin_label: new TranslatableMarkup('Hello'),\n)]\nfinal class Hello extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build(): array {\n    return ['#markup' => $this->t('Hello')];\n  }\n\n}\n```\n";

    const BAD: &str = "```php\nclass Page {\n    public function build() {\n        $r = \\Drupal::service('renderer');\n        return ['#markup' => '<p>' . $name . '</p>', '#cache' => true];\n    }\n}\n```";

    const TYPED_CONST: &str =
        "```php\n<?php\n\nfinal class Limits {\n\n  public const int MAX = 10;\n\n}\n```";

    /// Valid for tree-sitter, not for PHP (`==` does not chain), next to 8.3 syntax.
    const MIXED: &str = "```php\n<?php\n\nfunction same($a, $b, $c) {\n  return $a == $b == $c;\n}\n\nfinal class L {\n\n  public const int MAX = 10;\n\n}\n```";

    const BROKEN: &str = "```php\n<?php\nfunction f( {\n```";

    const ROUTE: &str = "```yaml\ndemo.page:\n  path: '/demo'\n  defaults:\n    _controller: '\\\\Drupal\\\\demo\\\\Controller\\\\Page::build'\n```";

    fn run(tools: GateTools, max_warnings: u64) -> GateOutput {
        let input = [
            sample("good", GOOD),
            sample("bad", BAD),
            sample("typed", TYPED_CONST),
            sample("mixed", MIXED),
            sample("broken", BROKEN),
            sample("route", ROUTE),
            sample("prose", "Call drupal_set_message() to show it."),
            sample("yaml-broken", "```yaml\nservices:\n  a: [\n```"),
            sample("negated", "drupal_set_message() was removed; use the messenger service instead.\nImplement hook_entity_load() to react."),
            sample("open", "```php\n<?php echo 1;\n"),
            "{not json".to_owned(),
        ]
        .join("\n");
        let scratch = tempfile::tempdir().unwrap();
        let checker = Checker::new(None, CheckOptions::default());
        gate(
            &input,
            &checker,
            &GateOptions {
                max_errors: 0,
                max_warnings,
                max_notes: None,
                tools,
                classes: None,
            },
            scratch.path(),
            &Silent,
        )
        .unwrap()
    }

    fn rules_of(out: &GateOutput, id: &str) -> Vec<String> {
        out.rejected
            .iter()
            .filter(|r| r.id == id)
            .map(|r| r.rule.clone())
            .collect()
    }

    fn accepted_ids(out: &GateOutput) -> Vec<String> {
        out.accepted
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }

    #[test]
    fn php83_syntax_is_rewritten_line_for_line() {
        let src = "<?php\nclass A {\n  public const string X = 'a';\n}\n$o = new readonly class {};\n$v = A::{$name};\n";
        let out = without_php83_syntax(src).unwrap();
        assert_eq!(out.lines().count(), src.lines().count());
        assert!(out.contains("public const        X = 'a';"), "{out}");
        assert!(out.contains("new          class {}"), "{out}");
        assert!(out.contains("A::X"), "{out}");
        assert!(without_php83_syntax("<?php\nconst X = 1;\n").is_none());
    }

    #[test]
    fn without_php_a_syntax_error_is_not_excused() {
        let Some(phpcs) = crate::tools::which("phpcs") else {
            assert!(
                std::env::var_os("TUNEFORGE_REQUIRE_PHP_TOOLS").is_none(),
                "phpcs missing"
            );
            return;
        };
        let scratch = tempfile::tempdir().unwrap();
        let tools = GateTools::detect(
            true,
            Some(Path::new("/nonexistent/php")),
            Some(&phpcs),
            Some(Path::new("/nonexistent/phpstan")),
        );
        assert!(!tools.php.present() && tools.phpcs.present());
        let out = gate(
            &sample("broken", BROKEN),
            &Checker::new(None, CheckOptions::default()),
            &GateOptions {
                max_errors: 0,
                max_warnings: 3,
                max_notes: None,
                tools,
                classes: None,
            },
            scratch.path(),
            &Silent,
        )
        .unwrap();
        assert_eq!(out.report.rejected, 1);
        assert_eq!(out.rejected[0].rule, "syntax-error");
        assert_eq!(out.rejected[0].severity, Severity::Error);
    }

    #[test]
    fn code_blocks_are_found_with_their_language_and_line() {
        let (blocks, open) =
            code_blocks("Intro\n```php\n<?php\necho 1;\n```\ntext\n~~~yaml\na: 1\n~~~\n");
        assert!(!open);
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].lang.as_str(), blocks[0].line), ("php", 3));
        assert_eq!(blocks[0].body, "<?php\necho 1;\n");
        assert_eq!(blocks[1].lang, "yaml");
        assert!(code_blocks("```php\nx\n").1);
    }

    #[test]
    fn without_external_tools_the_native_rules_decide() {
        let tools = GateTools::detect(false, None, None, None);
        assert!(tools.all().iter().all(|t| t.identity() == "absent"));
        let out = run(tools, 0);
        assert_eq!(out.report.samples, 10);
        assert_eq!(out.report.unreadable.len(), 1);
        assert!(out.report.unreadable[0].starts_with("line 11:"));
        assert_eq!(accepted_ids(&out), ["good", "typed", "mixed", "negated"]);
        let bad = rules_of(&out, "bad");
        assert!(
            bad.contains(&"drupal-service-in-class".to_owned()),
            "{bad:?}"
        );
        assert!(bad.contains(&"markup-unescaped".to_owned()), "{bad:?}");
        assert_eq!(rules_of(&out, "broken"), ["syntax-error"]);
        assert_eq!(rules_of(&out, "route"), ["route-access-missing"]);
        assert_eq!(rules_of(&out, "prose"), ["legacy-api"]);
        assert_eq!(rules_of(&out, "yaml-broken"), ["yaml-syntax"]);
        assert!(rules_of(&out, "open").contains(&"unclosed-code-fence".to_owned()));
        let line = out
            .rejected
            .iter()
            .find(|r| r.rule == "markup-unescaped")
            .unwrap();
        assert_eq!(
            (line.block, line.line),
            (Some(1), 4),
            "lines count within the block"
        );
        assert_eq!(
            out.report.skipped.len(),
            2,
            "symbol rules skipped without a list"
        );
    }

    #[test]
    fn invented_imports_and_deprecated_classes_are_errors_against_the_sources_classes() {
        let mut index = ClassIndex::default();
        index.insert(crate::class_index::CORE_SENTINEL, false);
        index.insert("Drupal\\Core\\Block\\BlockBase", false);
        index.insert("Drupal\\demo\\Plugin\\Block\\OldBlock", true);
        let invented = "```php\n<?php\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\Block\\Attribute\\Blok;\n\nfinal class NewBlock extends BlockBase {}\n```";
        let deprecated = "```php\n<?php\n\nnamespace Drupal\\demo\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\BlockBase;\n\nclass OldBlock extends BlockBase {}\n```";
        let fine = "```php\n<?php\n\nnamespace Drupal\\demo;\n\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\contrib_module\\Unseen;\n\nclass Fine extends BlockBase {}\n```";
        let input = [
            sample("invented", invented),
            sample("deprecated", deprecated),
            sample("fine", fine),
        ]
        .join("\n");
        let scratch = tempfile::tempdir().unwrap();
        let out = gate(
            &input,
            &Checker::new(None, CheckOptions::default()),
            &GateOptions {
                max_errors: 0,
                max_warnings: 10,
                max_notes: None,
                tools: GateTools::detect(false, None, None, None),
                classes: Some(index),
            },
            scratch.path(),
            &Silent,
        )
        .unwrap();
        assert_eq!(rules_of(&out, "invented"), [UNKNOWN_CLASS]);
        let line = out.rejected.iter().find(|r| r.id == "invented").unwrap();
        assert_eq!((line.block, line.line), (Some(1), 6));
        assert_eq!(rules_of(&out, "deprecated"), [DEPRECATED_CLASS]);
        assert_eq!(
            accepted_ids(&out),
            ["fine"],
            "a module outside the sources is not judged"
        );
    }

    /// php8.2-cli and php-codesniffer from Debian run for real; scripts/test.sh installs them
    /// and sets TUNEFORGE_REQUIRE_PHP_TOOLS=1, so CI cannot skip this silently.
    #[test]
    fn with_php_and_phpcs_installed_they_run_for_real() {
        let tools = GateTools::detect(true, None, None, None);
        if !(tools.php.present() && tools.phpcs.present()) {
            assert!(
                std::env::var_os("TUNEFORGE_REQUIRE_PHP_TOOLS").is_none(),
                "php and phpcs are required here but not found: {:?}",
                tools.all()
            );
            eprintln!(
                "php or phpcs not installed: skipping the external-tool half of the gate test"
            );
            return;
        }
        assert!(
            tools.php.version.starts_with("PHP "),
            "{}",
            tools.php.version
        );
        let out = run(tools.clone(), 3);
        assert!(
            out.report.tool_errors.is_empty(),
            "{:?}",
            out.report.tool_errors
        );
        // A syntax error is php -l's as well as tree-sitter's.
        let broken = rules_of(&out, "broken");
        assert!(broken.contains(&"php-lint".to_owned()), "{broken:?}");
        // Good code stays good: phpcs (fallback ruleset) finds nothing to reject in it.
        assert!(
            accepted_ids(&out).contains(&"good".to_owned()),
            "{:#?}",
            out.report
        );
        // PHP 8.3 typed constants: a note about php -l's version, not a rejection.
        let php83 = crate::tools::php_version(&tools.php).is_some_and(|v| v >= (8, 3));
        assert!(
            accepted_ids(&out).contains(&"typed".to_owned()),
            "{:?}",
            out.rejected
        );
        if !php83 {
            assert_eq!(out.report.php_version_notes, 1);
            assert_eq!(
                out.report.findings_by_rule.get("php-lint-version"),
                Some(&1)
            );
        }
        // 8.3 syntax excuses only itself: a real parse error beside it is still one.
        let mixed = out
            .rejected
            .iter()
            .find(|r| r.id == "mixed")
            .expect("mixed rejected");
        assert_eq!(
            (mixed.rule.as_str(), mixed.line),
            ("php-lint", 4),
            "{mixed:?}"
        );
        // phpcs style findings on the badly formatted sample.
        let bad = rules_of(&out, "bad");
        assert!(bad.iter().any(|r| r.starts_with("phpcs:")), "{bad:?}");
        if tools.phpcs_standard != "Drupal" {
            assert!(tools.phpcs_standard.ends_with("phpcs-fallback.xml"));
        }
    }
}
