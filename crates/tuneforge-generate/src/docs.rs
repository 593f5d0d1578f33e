//! Docs pairs from drupal.org nodes: change records (`docs:changenotice`) and security
//! advisories (`docs:sa`), question → answer with the record's before/after code.
//!
//! The "before" code is old by definition, so it is shown only as the `diff` to the "after"
//! code; the trained answer's PHP and YAML blocks are the current code the gate checks.

use serde_json::Value;
use tuneforge_core::records::SampleMetadata;

use crate::Emitter;
use crate::corpus::Corpus;
use crate::html::{Block, blocks};
use crate::phrasing::{fenced, fill};

const VERSION: u32 = 1;
/// drupal.org's content license.
const LICENSE: &str = "CC-BY-SA-2.0";

fn field_html<'v>(node: &'v Value, field: &str) -> Option<&'v str> {
    node.get(field)?.get("value")?.as_str()
}

fn field_str<'v>(node: &'v Value, field: &str) -> Option<&'v str> {
    node.get(field)?.as_str().filter(|s| !s.trim().is_empty())
}

/// A line diff (longest common subsequence) in unified style without hunk headers.
pub fn line_diff(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(format!(" {}", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(format!("+{}", b[j]));
            j += 1;
        } else {
            out.push(format!("-{}", a[i]));
            i += 1;
        }
    }
    out.join("\n")
}

/// The description as Markdown: text as paragraphs; a Before/After pair of code blocks as
/// a diff followed by the after code; any other code block as is.
fn render(blocks: &[Block]) -> (String, bool) {
    let mut parts: Vec<String> = Vec::new();
    let mut before: Option<(&str, &str)> = None;
    let mut heading: Option<&str> = None;
    let mut has_pair = false;
    for b in blocks {
        match b {
            Block::Text(t) => parts.push(t.clone()),
            Block::Heading(h) => heading = Some(h.as_str()),
            Block::Code { lang, body } => {
                let h = heading.take().unwrap_or("").to_ascii_lowercase();
                if h.starts_with("before") {
                    before = Some((lang.as_str(), body.as_str()));
                    continue;
                }
                if let (true, Some((_, old))) = (h.starts_with("after"), before.take()) {
                    has_pair = true;
                    parts.push(format!(
                        "The change, from the old code to the new:\n\n{}",
                        fenced("diff", &line_diff(old, body))
                    ));
                    parts.push(format!("The code as it is now:\n\n{}", fenced(lang, body)));
                    continue;
                }
                if let Some((_, old)) = before.take() {
                    // A "before" without an "after": old code, shown only as removed lines.
                    parts.push(fenced("diff", &line_diff(old, "")));
                }
                parts.push(fenced(lang, body));
            }
        }
    }
    if let Some((_, old)) = before {
        parts.push(fenced("diff", &line_diff(old, "")));
    }
    (parts.join("\n\n"), has_pair)
}

fn metadata(
    corpus: &Corpus,
    file: usize,
    node: &Value,
    generator: &str,
    domain: &str,
) -> SampleMetadata {
    let f = &corpus.files[file];
    let url = field_str(node, "url")
        .map(str::to_owned)
        .unwrap_or_else(|| f.cite());
    let timestamp = field_str(node, "changed")
        .or_else(|| field_str(node, "created"))
        .and_then(|t| t.parse::<i64>().ok())
        .and_then(tuneforge_core::time::unix_rfc3339)
        .unwrap_or_else(|| f.provenance.timestamp.clone());
    // Cited by its URL and dated by the node, under drupal.org's licence.
    SampleMetadata {
        source: url,
        license: Some(LICENSE.to_owned()),
        timestamp,
        ..crate::file_metadata(generator, domain, f)
    }
}

pub fn generate(corpus: &Corpus, out: &mut Emitter) {
    for doc in &corpus.docs {
        match doc.value.get("type").and_then(Value::as_str) {
            Some("changenotice") => change_record(corpus, doc.file, &doc.value, out),
            Some("sa") => advisory(corpus, doc.file, &doc.value, out),
            _ => {}
        }
    }
}

fn change_record(corpus: &Corpus, file: usize, node: &Value, out: &mut Emitter) {
    let generator = format!("docs:changenotice@{VERSION}");
    let src = corpus.files[file].cite();
    let Some(title) = field_str(node, "title") else {
        out.drop(&generator, src, "the change record has no title");
        return;
    };
    if field_str(node, "field_change_record_status").is_some_and(|s| s != "published") {
        out.drop(&generator, src, "the change record is not published");
        return;
    }
    let Some(html) = field_html(node, "field_description").or_else(|| field_html(node, "body"))
    else {
        out.drop(&generator, src, "the change record has no description");
        return;
    };
    let (body, has_pair) = render(&blocks(html));
    if body.len() < 40 {
        out.drop(
            &generator,
            src,
            "the description is too short to answer from",
        );
        return;
    }
    let version = field_str(node, "field_change_to").unwrap_or("11.x");
    let key = format!("{src}#changenotice");
    let ask = if has_pair {
        out.pick(
            &key,
            &[
                "What changed in Drupal {version}: \"{title}\"? Show the code before and after.",
                "{title} (Drupal {version}). How do I update my code?",
                "I maintain a Drupal module. What does the change \"{title}\" in Drupal {version} mean for my code?",
            ],
        )
    } else {
        out.pick(
            &key,
            &[
                "What changed in Drupal {version}: \"{title}\"?",
                "Explain the Drupal {version} change \"{title}\".",
            ],
        )
    };
    let user = fill(ask, &[("version", version), ("title", title)]);
    let link = field_str(node, "url")
        .map(|u| format!("\n\nChange record: {u}"))
        .unwrap_or_default();
    let answer = format!("{body}{link}");
    let meta = metadata(corpus, file, node, &generator, "drupal-upgrade");
    out.emit_with(&generator, user, answer, meta);
}

fn advisory(corpus: &Corpus, file: usize, node: &Value, out: &mut Emitter) {
    let generator = format!("docs:sa@{VERSION}");
    let src = corpus.files[file].cite();
    let Some(title) = field_str(node, "title") else {
        out.drop(&generator, src, "the advisory has no title");
        return;
    };
    let Some(description) = field_html(node, "field_sa_description") else {
        out.drop(&generator, src, "the advisory has no description");
        return;
    };
    let (description, _) = render(&blocks(description));
    let solution = field_html(node, "field_sa_solution")
        .map(|s| render(&blocks(s)).0)
        .unwrap_or_default();
    // "Project - Criticality - Type - SA-CONTRIB-YYYY-NNN".
    let parts: Vec<&str> = title.split(" - ").map(str::trim).collect();
    let sa_id = parts
        .iter()
        .find(|p| p.starts_with("SA-"))
        .copied()
        .unwrap_or(title);
    let project = parts.first().copied().unwrap_or(title);
    let kind = field_str(node, "field_sa_type").unwrap_or("security");
    let affected = field_str(node, "field_affected_versions");
    let cves: Vec<&str> = node
        .get("field_sa_cve")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let key = format!("{src}#sa");
    let ask = out.pick(
        &key,
        &[
            "What is {id} about, and what should I do if my site uses {project}?",
            "Explain the Drupal security advisory \"{title}\".",
            "Our site runs {project}. Is {id} ({kind}) a problem for us, and how is it fixed?",
        ],
    );
    let user = fill(
        ask,
        &[
            ("id", sa_id),
            ("project", project),
            ("title", title),
            ("kind", kind),
        ],
    );
    let mut answer = format!(
        "{sa_id} is a {} vulnerability in {project}",
        kind.to_lowercase()
    );
    if let Some(a) = affected {
        answer.push_str(&format!(" (affected versions: `{a}`)"));
    }
    if !cves.is_empty() {
        answer.push_str(&format!(", tracked as {}", cves.join(", ")));
    }
    answer.push_str(&format!(".\n\n{description}"));
    if !solution.is_empty() {
        answer.push_str(&format!("\n\nSolution: {solution}"));
    }
    if let Some(u) = field_str(node, "url") {
        answer.push_str(&format!("\n\nAdvisory: {u}"));
    }
    let meta = metadata(corpus, file, node, &generator, "drupal-security");
    out.emit_with(&generator, user, answer, meta);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_keep_common_lines() {
        assert_eq!(line_diff("a\nb\nc", "a\nx\nc"), " a\n+x\n-b\n c");
        assert_eq!(line_diff("a", ""), "-a");
    }

    #[test]
    fn before_and_after_become_a_diff_and_the_new_code() {
        let html = "<p>Use attributes.</p><h3>Before</h3><pre><code class=\"language-php\">old();\nkeep();</code></pre><h3>After</h3><pre><code class=\"language-php\">keep();\nnew();</code></pre>";
        let (md, pair) = render(&blocks(html));
        assert!(pair);
        assert_eq!(
            md,
            "Use attributes.\n\nThe change, from the old code to the new:\n\n```diff\n-old();\n keep();\n+new();\n```\n\nThe code as it is now:\n\n```php\nkeep();\nnew();\n```"
        );
    }
}
