//! Dataset statistics: what a dataset is made of and how its prompts read, so that a
//! change to a generator shows up as a change in numbers. `package` writes them beside each
//! version (`stats.json`, a chart, a section of the card); `tuneforge stats` prints them for
//! any packaged dataset.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tuneforge_core::records::{Role, Sample};
use tuneforge_core::source_path::{cited_path, is_test_path};
use tuneforge_curate::redact::PLACEHOLDER_PREFIX;

use crate::lint::{LintCheck, lint_prompt};
use crate::package::generator_kind;

/// Example sample ids kept per lint check.
const EXAMPLES_PER_CHECK: usize = 5;

/// How answer lengths are measured: characters divided by four, close to a BPE token
/// count for English and code without needing a tokenizer.
pub const LENGTH_MEASURE: &str = "chars/4";

/// The length of a sample's assistant answers in [`LENGTH_MEASURE`] units (each message
/// rounded up), as the statistics report it and the composition policy limits it.
pub fn answer_tokens(s: &Sample) -> u64 {
    s.messages
        .iter()
        .filter(|m| m.role == Role::Assistant)
        .map(|m| m.content.chars().count().div_ceil(4) as u64)
        .sum()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetStats {
    pub samples: u64,
    /// Samples per generator family (`template:explain-class`: the version left out, so
    /// that commits compare).
    pub by_generator: BTreeMap<String, u64>,
    /// Samples per kind of generator (`template`, `refactor`, `docs`, `teacher`, …).
    pub by_kind: BTreeMap<String, u64>,
    pub by_domain: BTreeMap<String, u64>,
    /// Samples per source (`drupal-core`, a docs host, `interaction`, …).
    pub by_source: BTreeMap<String, u64>,
    /// Samples whose cited file is test code (a test suite, test module or fixture).
    pub test_code: u64,
    /// The source file that feeds the most samples, and how many.
    pub busiest_file: Option<(String, u64)>,
    /// Trained answer lengths.
    pub answer_length: Lengths,
    /// Redaction placeholders in the samples, by kind (`high_entropy`, `email`, …).
    pub placeholders: BTreeMap<String, u64>,
    pub lint: PromptLint,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lengths {
    /// `chars/4` or a tokenizer's name.
    pub measure: String,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub max: u64,
    pub over_4k: u64,
    pub over_8k: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PromptLint {
    pub prompts: u64,
    /// Prompts failing at least one check.
    pub flagged: u64,
    pub by_check: BTreeMap<String, LintHits>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LintHits {
    pub count: u64,
    /// A few sample ids (the smallest), to read.
    pub examples: Vec<String>,
}

impl DatasetStats {
    pub fn share(&self, n: u64) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            n as f64 / self.samples as f64
        }
    }
}

/// The generator's family: `template:plugin@1` → `template:plugin`.
pub fn generator_family(generator: &str) -> &str {
    generator.split('@').next().unwrap_or(generator)
}

/// The name of the source a sample came from: `drupal-core` of
/// `git:drupal-core@<commit>:<path>`, the host of a page's URL, or the origin's kind.
pub fn source_name(source: &str) -> &str {
    if let Some(rest) = source
        .strip_prefix("https://")
        .or_else(|| source.strip_prefix("http://"))
    {
        return rest.split('/').next().unwrap_or(rest);
    }
    match source.split_once(':') {
        Some(("path" | "git", rest)) => rest.split_once('@').map_or(rest, |(name, _)| name),
        Some((kind, _)) => kind,
        None => source,
    }
}

/// Statistics of `samples`.
pub fn compute(samples: &[Sample]) -> DatasetStats {
    let mut stats = DatasetStats {
        samples: samples.len() as u64,
        ..DatasetStats::default()
    };
    let mut per_file: BTreeMap<&str, u64> = BTreeMap::new();
    let mut lengths = Vec::with_capacity(samples.len());
    for s in samples {
        let m = &s.metadata;
        *stats
            .by_generator
            .entry(generator_family(&m.generator).to_owned())
            .or_default() += 1;
        *stats
            .by_kind
            .entry(generator_kind(&m.generator).to_owned())
            .or_default() += 1;
        *stats.by_domain.entry(m.domain.clone()).or_default() += 1;
        *stats
            .by_source
            .entry(source_name(&m.source).to_owned())
            .or_default() += 1;
        if let Some(path) = cited_path(&m.source) {
            if is_test_path(path) {
                stats.test_code += 1;
            }
            *per_file.entry(&m.source).or_default() += 1;
        }
        lengths.push(answer_tokens(s));
        for msg in &s.messages {
            count_placeholders(&msg.content, &mut stats.placeholders);
        }
        // The first user turn is the instruction a generator wrote.
        if let Some(prompt) = s.messages.iter().find(|msg| msg.role == Role::User) {
            stats.lint.prompts += 1;
            let failed = lint_prompt(&prompt.content);
            if !failed.is_empty() {
                stats.lint.flagged += 1;
            }
            for check in failed {
                let hits = stats
                    .lint
                    .by_check
                    .entry(check.name().to_owned())
                    .or_default();
                hits.count += 1;
                hits.examples.push(s.id.clone());
            }
        }
    }
    for check in LintCheck::ALL {
        stats
            .lint
            .by_check
            .entry(check.name().to_owned())
            .or_default();
    }
    // The smallest ids, so the examples do not depend on the order samples were read in.
    for hits in stats.lint.by_check.values_mut() {
        hits.examples.sort_unstable();
        hits.examples.truncate(EXAMPLES_PER_CHECK);
    }
    stats.busiest_file = per_file
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(f, n)| (f.to_owned(), n));
    stats.answer_length = lengths_of(lengths, LENGTH_MEASURE);
    stats
}

fn count_placeholders(text: &str, into: &mut BTreeMap<String, u64>) {
    for (at, _) in text.match_indices(PLACEHOLDER_PREFIX) {
        let rest = &text[at + PLACEHOLDER_PREFIX.len()..];
        if let Some(end) = rest.find('>') {
            let kind = &rest[..end];
            if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                *into.entry(kind.to_owned()).or_default() += 1;
            }
        }
    }
}

fn lengths_of(mut values: Vec<u64>, measure: &str) -> Lengths {
    values.sort_unstable();
    // Nearest rank: the smallest value with at least p% of values at or below it.
    let rank = |p: f64| -> u64 {
        if values.is_empty() {
            return 0;
        }
        let r = ((p / 100.0) * values.len() as f64).ceil() as usize;
        values[r.clamp(1, values.len()) - 1]
    };
    Lengths {
        measure: measure.to_owned(),
        p50: rank(50.0),
        p90: rank(90.0),
        p99: rank(99.0),
        max: values.last().copied().unwrap_or(0),
        over_4k: values.iter().filter(|v| **v > 4096).count() as u64,
        over_8k: values.iter().filter(|v| **v > 8192).count() as u64,
    }
}

/// The statistics as a Markdown section (the dataset card's, and `tuneforge stats`'s).
pub fn markdown(stats: &DatasetStats) -> String {
    let pct = |n: u64| format!("{:.1}%", stats.share(n) * 100.0);
    let mut out = format!(
        "{} samples; {} ({}) from test code; answers ({}) p50 {}, p90 {}, p99 {}, max {}; {} over 4k, {} over 8k.\n",
        stats.samples,
        stats.test_code,
        pct(stats.test_code),
        stats.answer_length.measure,
        stats.answer_length.p50,
        stats.answer_length.p90,
        stats.answer_length.p99,
        stats.answer_length.max,
        stats.answer_length.over_4k,
        stats.answer_length.over_8k,
    );
    if let Some((file, n)) = &stats.busiest_file {
        out.push_str(&format!(
            "The busiest source file feeds {n} samples: `{file}`.\n"
        ));
    }
    for (title, map) in [
        ("generator", &stats.by_generator),
        ("kind", &stats.by_kind),
        ("domain", &stats.by_domain),
        ("source", &stats.by_source),
    ] {
        out.push_str(&format!("\n| {title} | samples | share |\n|---|---|---|\n"));
        let mut rows: Vec<(&String, &u64)> = map.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (name, n) in rows {
            out.push_str(&format!("| {name} | {n} | {} |\n", pct(*n)));
        }
    }
    let lint = &stats.lint;
    out.push_str(&format!(
        "\nPrompt lint: {} of {} prompts flagged ({:.1}%).\n\n| check | prompts | examples |\n|---|---|---|\n",
        lint.flagged,
        lint.prompts,
        if lint.prompts == 0 { 0.0 } else { lint.flagged as f64 * 100.0 / lint.prompts as f64 },
    ));
    for (check, hits) in &lint.by_check {
        let examples: Vec<String> = hits
            .examples
            .iter()
            .map(|e| format!("`{}`", &e[..e.len().min(12)]))
            .collect();
        out.push_str(&format!(
            "| {check} | {} | {} |\n",
            hits.count,
            examples.join(" ")
        ));
    }
    if stats.placeholders.is_empty() {
        out.push_str("\nNo redaction placeholders.\n");
    } else {
        let list: Vec<String> = stats
            .placeholders
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        out.push_str(&format!("\nRedaction placeholders: {}.\n", list.join(", ")));
    }
    out
}

/// A horizontal bar chart (SVG) of the share of each generator family, largest first.
pub fn composition_svg(stats: &DatasetStats) -> String {
    const BAR: f64 = 22.0;
    const LABEL: f64 = 250.0;
    const WIDTH: f64 = 420.0;
    let mut rows: Vec<(&String, &u64)> = stats.by_generator.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let height = 40.0 + BAR * rows.len() as f64 + 10.0;
    let total = LABEL + WIDTH + 80.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Samples by generator ({} samples)</text>\n",
        stats.samples
    );
    for (i, (name, n)) in rows.iter().enumerate() {
        let share = stats.share(**n);
        let y = 36.0 + BAR * i as f64;
        let w = (share * WIDTH).max(1.0);
        svg.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{name}</text>\n\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\" fill=\"#4C78A8\"/>\n\
             <text x=\"{vx:.1}\" y=\"{ty}\">{n} ({p:.1}%)</text>\n",
            lx = LABEL - 8.0,
            ty = y + 15.0,
            bh = BAR - 6.0,
            vx = LABEL + w + 6.0,
            name = xml_escape(name),
            p = share * 100.0,
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tuneforge_core::records::{Message, SampleMetadata, TrainOn};

    /// A one-turn sample of `generator` citing `source` (the tests of this crate's
    /// composition policy make theirs with it too).
    pub(crate) fn sample(
        id: &str,
        generator: &str,
        source: &str,
        prompt: &str,
        answer: &str,
    ) -> Sample {
        Sample {
            id: id.to_owned(),
            messages: vec![
                Message::new(Role::User, prompt),
                Message::new(Role::Assistant, answer),
            ],
            train_on: TrainOn::AllAssistant,
            metadata: SampleMetadata {
                domain: "drupal-plugins".to_owned(),
                source: source.to_owned(),
                generator: generator.to_owned(),
                license: None,
                timestamp: "2026-01-01T00:00:00Z".to_owned(),
                local_model: None,
                expert_model: None,
                adapter: None,
                interaction_id: None,
                group: None,
            },
        }
    }

    #[test]
    fn composition_test_share_lengths_placeholders_and_lint_are_counted() {
        let samples = vec![
            sample(
                "a1",
                "template:plugin@1",
                "git:drupal-core@abc:core/modules/node/src/Plugin/Block/X.php",
                "Drupal 11: add a action plugin to node.",
                &"x".repeat(40_000),
            ),
            sample(
                "b2",
                "template:explain-class@1",
                "git:drupal-core@abc:core/modules/node/tests/src/Kernel/T.php",
                "Explain this class.",
                "It uses <REDACTED:high_entropy> and <REDACTED:email>.",
            ),
            sample(
                "c3",
                "template:explain-class@1",
                "git:drupal-core@abc:core/modules/node/tests/src/Kernel/T.php",
                "What does `T` do?",
                "A test.",
            ),
            sample("d4", "interaction", "interaction", "Why?", "Because."),
        ];
        let stats = compute(&samples);
        assert_eq!(stats.samples, 4);
        assert_eq!(stats.by_generator["template:explain-class"], 2);
        assert_eq!(stats.by_kind["template"], 3);
        assert_eq!(stats.by_source["drupal-core"], 3);
        assert_eq!(stats.by_source["interaction"], 1);
        assert_eq!(stats.test_code, 2);
        assert_eq!(
            stats.busiest_file,
            Some((
                "git:drupal-core@abc:core/modules/node/tests/src/Kernel/T.php".to_owned(),
                2
            ))
        );
        assert_eq!(stats.answer_length.max, 10_000);
        assert_eq!(stats.answer_length.over_8k, 1);
        assert_eq!(stats.placeholders["high_entropy"], 1);
        assert_eq!(stats.placeholders["email"], 1);
        assert_eq!(stats.lint.prompts, 4);
        assert_eq!(stats.lint.flagged, 1);
        assert_eq!(stats.lint.by_check["article"].examples, ["a1"]);
        assert_eq!(stats.lint.by_check["doubled-word"].count, 0);
        let md = markdown(&stats);
        assert!(
            md.contains("| template:explain-class | 2 | 50.0% |"),
            "{md}"
        );
        assert!(
            md.contains("Prompt lint: 1 of 4 prompts flagged (25.0%)"),
            "{md}"
        );
        let svg = composition_svg(&stats);
        assert_eq!(svg.matches("<rect x=").count(), 3, "{svg}");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let l = lengths_of((1..=100).collect(), "n");
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50, 90, 99, 100));
        assert_eq!(lengths_of(Vec::new(), "n").max, 0);
    }
}
