//! The deprecation list, mined from a Drupal core checkout rather than typed by hand:
//! every `@deprecated in drupal:X and is removed from drupal:Y.` docblock (with the symbol
//! it documents) and every `@trigger_error('… is deprecated in drupal:X and is removed from
//! drupal:Y. …', E_USER_DEPRECATED)` runtime deprecation (with its enclosing function, if
//! any). Records have the shape of the repository's `fixtures/drupal/deprecations-sample.jsonl`.

use std::path::Path;
use std::sync::LazyLock;

use rayon::prelude::*;
use regex::Regex;
use serde::{Deserialize, Serialize};
use tree_sitter::Node;
use tuneforge_core::reporter::Reporter;

use crate::analyze::is_php;
use crate::parse::{Position, parse, text, visit};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecation {
    /// `docblock` or `trigger_error`.
    pub source: String,
    /// Relative to the core directory, `/`-separated.
    pub file: String,
    pub line: usize,
    /// `function`, `method`, `class`, `interface`, `trait`, `enum`, `constant`, `property`,
    /// or `runtime` for a `trigger_error` outside those.
    pub kind: String,
    /// `file_get_content_headers`, `Drupal\node\NodeForm::save`, …; `None` when a runtime
    /// deprecation is outside any function.
    pub symbol: Option<String>,
    pub deprecated_in: String,
    pub removed_in: String,
    /// What to use instead, as the notice names it; empty when it names none ("There is no
    /// replacement", or only a change record).
    pub replacement: String,
    pub change_records: Vec<String>,
    /// When only some calls are deprecated (an argument left out, a value passed), the
    /// notice's words for them ("Calling drupal_static_reset() with no arguments"): a
    /// call cannot be judged by its symbol alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

static VERSIONS: LazyLock<Regex> = LazyLock::new(|| {
    // `[\s*]+`: a docblock line may wrap anywhere, its next line starting with ` * `.
    Regex::new(r"deprecated[\s*]+in[\s*]+drupal:(\d+\.\d+\.\d+)\S*[\s*]+and[\s*]+(?:is[\s*]+)?removed[\s*]+from[\s*]+drupal:(\d+\.\d+\.\d+)\.?")
        .expect("valid pattern")
});
static CHANGE_RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"https?://(?:www\.)?drupal\.org/(?:node/\d+|list-changes/\S+)")
        .expect("valid pattern")
});

/// What follows the versions in a docblock's `@deprecated` paragraph, up to the next tag.
fn replacement_after(doc: &str, end: usize) -> String {
    let rest = &doc[end..];
    let mut out = Vec::new();
    for line in rest.lines() {
        let t = line
            .trim()
            .trim_end_matches("*/")
            .trim()
            .trim_start_matches('*')
            .trim();
        if t.starts_with('@') {
            break;
        }
        if !t.is_empty() {
            out.push(t);
        }
    }
    out.join(" ")
}

/// The replacement a runtime notice names after its versions ("Use X instead. See
/// https://…"), without the change record; empty when it names none.
fn named_replacement(after_versions: &str) -> String {
    let text = after_versions
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let without_see = match text.find("See http") {
        Some(at) => text[..at].trim(),
        None => text.trim(),
    };
    let lower = without_see.to_ascii_lowercase();
    if without_see.is_empty() || lower.contains("no replacement") {
        String::new()
    } else {
        without_see.to_owned()
    }
}

/// The condition of a runtime notice about some calls only: what precedes "is deprecated"
/// when it speaks of an argument or parameter ("Calling X() without the $y argument",
/// "Passing a string to X()"); `None` when the notice deprecates the symbol itself.
fn argument_condition(before_versions: &str) -> Option<String> {
    let subject = before_versions
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let subject = subject
        .trim_end_matches(" is")
        .trim_end_matches(" are")
        .trim()
        .to_owned();
    let lower = subject.to_ascii_lowercase();
    let about_arguments = ["argument", "parameter", "passing", "without", " with ", "$"]
        .iter()
        .any(|w| lower.contains(w));
    about_arguments.then_some(subject)
}

fn change_records(text: &str) -> Vec<String> {
    let mut out: Vec<String> = CHANGE_RECORD
        .find_iter(text)
        .map(|m| {
            m.as_str()
                .trim_end_matches(['.', ',', ')', '\''])
                .to_owned()
        })
        .collect();
    out.dedup();
    out
}

/// The declaration a docblock documents: the next named sibling, if it declares something.
fn documented(comment: Node<'_>, source: &str, namespace: &str) -> Option<(String, String)> {
    let mut next = comment.next_named_sibling();
    // Attributes and further comments may sit between the docblock and the declaration.
    while let Some(n) = next
        && n.kind() == "comment"
    {
        next = n.next_named_sibling();
    }
    let n = next?;
    let name = |node: Node<'_>| {
        node.child_by_field_name("name")
            .map(|x| text(x, source).to_owned())
    };
    let qualify = |s: String| {
        if namespace.is_empty() {
            s
        } else {
            format!("{namespace}\\{s}")
        }
    };
    let enclosing_class = || {
        let mut p = n.parent();
        while let Some(x) = p {
            if matches!(
                x.kind(),
                "class_declaration"
                    | "interface_declaration"
                    | "trait_declaration"
                    | "enum_declaration"
            ) {
                return name(x).map(qualify);
            }
            p = x.parent();
        }
        None
    };
    Some(match n.kind() {
        "function_definition" => ("function".to_owned(), qualify_fn(name(n)?, namespace)),
        "method_declaration" => (
            "method".to_owned(),
            format!("{}::{}", enclosing_class().unwrap_or_default(), name(n)?),
        ),
        "class_declaration" => ("class".to_owned(), qualify(name(n)?)),
        "interface_declaration" => ("interface".to_owned(), qualify(name(n)?)),
        "trait_declaration" => ("trait".to_owned(), qualify(name(n)?)),
        "enum_declaration" => ("enum".to_owned(), qualify(name(n)?)),
        "const_declaration" => {
            let element = n
                .named_children(&mut n.walk())
                .find(|c| c.kind() == "const_element")?;
            let cname = element.named_child(0).map(|x| text(x, source).to_owned())?;
            let symbol = match enclosing_class() {
                Some(c) => format!("{c}::{cname}"),
                None => qualify(cname),
            };
            ("constant".to_owned(), symbol)
        }
        "property_declaration" => {
            let element = n
                .named_children(&mut n.walk())
                .find(|c| c.kind() == "property_element")?;
            let pname = text(element, source).split('=').next()?.trim().to_owned();
            (
                "property".to_owned(),
                format!("{}::{pname}", enclosing_class().unwrap_or_default()),
            )
        }
        _ => return None,
    })
}

/// Procedural functions of core live in the global namespace unless a namespace is declared.
fn qualify_fn(name: String, namespace: &str) -> String {
    if namespace.is_empty() {
        name
    } else {
        format!("{namespace}\\{name}")
    }
}

/// The function or method a node sits in, named as [`documented`] names it.
fn enclosing_function(node: Node<'_>, source: &str, namespace: &str) -> Option<(String, String)> {
    let mut p = node.parent();
    while let Some(x) = p {
        if matches!(x.kind(), "function_definition" | "method_declaration") {
            let fname = x
                .child_by_field_name("name")
                .map(|n| text(n, source).to_owned())?;
            if x.kind() == "function_definition" {
                return Some(("function".to_owned(), qualify_fn(fname, namespace)));
            }
            let mut c = x.parent();
            while let Some(y) = c {
                if y.kind().ends_with("_declaration") && y.kind() != "method_declaration" {
                    let cname = y
                        .child_by_field_name("name")
                        .map(|n| text(n, source).to_owned())?;
                    let class = if namespace.is_empty() {
                        cname
                    } else {
                        format!("{namespace}\\{cname}")
                    };
                    return Some(("method".to_owned(), format!("{class}::{fname}")));
                }
                c = y.parent();
            }
            return None;
        }
        p = x.parent();
    }
    None
}

/// The message of a `trigger_error(…, E_USER_DEPRECATED)` call: its string parts joined.
fn trigger_message(call: Node<'_>, source: &str) -> Option<String> {
    let function = call
        .child_by_field_name("function")
        .map(|f| text(f, source))?;
    if function.trim_start_matches('\\') != "trigger_error" {
        return None;
    }
    let args = call.child_by_field_name("arguments")?;
    if !text(args, source).contains("E_USER_DEPRECATED") {
        return None;
    }
    let first = args.named_child(0)?;
    let mut message = String::new();
    visit(first, &mut |n| {
        match n.kind() {
            "string_content" | "string_value" => {
                message.push_str(text(n, source));
                false
            }
            // `\\` is one backslash, `\'` a quote; other escapes (`\n`) read as whitespace.
            "escape_sequence" => {
                let e = text(n, source);
                message.push_str(match e {
                    "\\\\" => "\\",
                    "\\'" => "'",
                    "\\\"" => "\"",
                    _ => " ",
                });
                false
            }
            _ => true,
        }
    });
    Some(message)
}

/// Mine one file's deprecations.
pub fn mine_file(rel: &str, source: &str) -> Vec<Deprecation> {
    if !(source.contains("deprecated") && source.contains("drupal:")) {
        return Vec::new();
    }
    let tree = parse(source);
    let mut namespace = String::new();
    let mut out = Vec::new();
    visit(tree.root_node(), &mut |n| {
        match n.kind() {
            "namespace_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    namespace = text(name, source).to_owned();
                }
            }
            "comment" => {
                let doc = text(n, source);
                if let Some(tag) = doc.find("@deprecated")
                    && let Some(c) = VERSIONS.captures(&doc[tag..])
                    && let Some((kind, symbol)) = documented(n, source, &namespace)
                {
                    let whole = c.get(0).expect("group 0");
                    let line = Position::of(n).line + doc[..tag].matches('\n').count();
                    out.push(Deprecation {
                        source: "docblock".to_owned(),
                        file: rel.to_owned(),
                        line,
                        kind,
                        symbol: Some(symbol),
                        deprecated_in: c[1].to_owned(),
                        removed_in: c[2].to_owned(),
                        replacement: replacement_after(&doc[tag..], whole.end()),
                        change_records: change_records(doc),
                        condition: None,
                    });
                }
                return false;
            }
            "function_call_expression" => {
                if let Some(message) = trigger_message(n, source)
                    && let Some(c) = VERSIONS.captures(&message)
                {
                    let (kind, symbol) = match enclosing_function(n, source, &namespace) {
                        Some((k, s)) => (k, Some(s)),
                        None => ("runtime".to_owned(), None),
                    };
                    out.push(Deprecation {
                        source: "trigger_error".to_owned(),
                        file: rel.to_owned(),
                        line: Position::of(n).line,
                        kind,
                        symbol,
                        deprecated_in: c[1].to_owned(),
                        removed_in: c[2].to_owned(),
                        replacement: named_replacement(
                            &message[c.get(0).expect("group 0").end()..],
                        ),
                        change_records: change_records(&message),
                        condition: argument_condition(
                            &message[..c.get(0).expect("group 0").start()],
                        ),
                    });
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// The directory records are relative to: `<checkout>/core` for a full Drupal checkout,
/// else the checkout itself (a `drupal/core` subtree split).
pub fn core_root(checkout: &Path) -> std::path::PathBuf {
    let core = checkout.join("core");
    if core.join("lib/Drupal.php").is_file() {
        core
    } else {
        checkout.to_path_buf()
    }
}

/// Mine every PHP file under the core directory of `checkout`, sorted by file and line.
pub fn mine(checkout: &Path, reporter: &dyn Reporter) -> std::io::Result<Vec<Deprecation>> {
    let root = core_root(checkout);
    let listing = tuneforge_core::fsio::list_files(&root)?;
    let files: Vec<_> = listing
        .files
        .into_iter()
        .filter(|(rel, _)| {
            is_php(rel) && !rel.split('/').any(|p| p == "vendor" || p == "node_modules")
        })
        .collect();
    let task = reporter.task("rules mine: files", Some(files.len() as u64));
    let mut out: Vec<Deprecation> = files
        .par_iter()
        .flat_map_iter(|(rel, path)| {
            task.advance(1);
            let bytes = std::fs::read(path).unwrap_or_default();
            mine_file(rel, &String::from_utf8_lossy(&bytes))
        })
        .collect();
    task.finish();
    out.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(out)
}

/// One line for humans: how many, by how found and by removal version.
pub fn summary(records: &[Deprecation]) -> String {
    let mut removed: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in records {
        *removed.entry(r.removed_in.as_str()).or_default() += 1;
    }
    let docblocks = records.iter().filter(|r| r.source == "docblock").count();
    let by_version: Vec<String> = removed
        .iter()
        .map(|(v, n)| format!("{n} removed in {v}"))
        .collect();
    format!(
        "{} deprecations ({docblocks} docblocks, {} trigger_error; {})",
        records.len(),
        records.len() - docblocks,
        if by_version.is_empty() {
            "none".to_owned()
        } else {
            by_version.join(", ")
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_records_parse() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/drupal/deprecations-sample.jsonl");
        let text = std::fs::read_to_string(path).unwrap();
        let records: Vec<Deprecation> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(records.len(), 3);
        assert_eq!(
            records[1].symbol.as_deref(),
            Some("file_get_content_headers")
        );
    }

    #[test]
    fn docblocks_and_runtime_deprecations() {
        let module = r#"<?php

/**
 * Returns headers.
 *
 * @deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. Use
 *   Drupal\file\Entity\FileInterface::getDownloadHeaders() instead.
 *
 * @see https://www.drupal.org/node/3494172
 */
function file_get_content_headers($file) {
  @trigger_error(__FUNCTION__ . '() is deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. Use getDownloadHeaders() instead. See https://www.drupal.org/node/3494172', E_USER_DEPRECATED);
}

@trigger_error('authorize.php is deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. There is no replacement. See https://www.drupal.org/node/3512364', E_USER_DEPRECATED);
"#;
        let found = mine_file("modules/file/file.module", module);
        assert_eq!(found.len(), 3, "{found:#?}");
        let doc = &found[0];
        assert_eq!(
            (
                doc.source.as_str(),
                doc.kind.as_str(),
                doc.symbol.as_deref(),
                doc.line
            ),
            ("docblock", "function", Some("file_get_content_headers"), 6)
        );
        assert_eq!(
            (doc.deprecated_in.as_str(), doc.removed_in.as_str()),
            ("11.2.0", "12.0.0")
        );
        assert_eq!(
            doc.replacement,
            "Use Drupal\\file\\Entity\\FileInterface::getDownloadHeaders() instead."
        );
        assert_eq!(doc.change_records, ["https://www.drupal.org/node/3494172"]);
        assert_eq!(found[1].kind, "function");
        assert_eq!(found[1].source, "trigger_error");
        assert_eq!(found[2].kind, "runtime");
        assert_eq!(found[2].symbol, None);
        assert_eq!(
            found[2].change_records,
            ["https://www.drupal.org/node/3512364"]
        );
    }

    #[test]
    fn wrapped_tags_and_escaped_messages() {
        let src = "<?php\n/**\n * @deprecated in drupal:11.1.0 and is removed from\n *   drupal:12.0.0. Use x() instead.\n */\nfunction old_x() {\n  @trigger_error('old_x() is deprecated in drupal:11.1.0 and is removed from drupal:12.0.0. Use \\\\Drupal\\\\Core\\\\X instead.', E_USER_DEPRECATED);\n}\n";
        let found = mine_file("m.module", src);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].removed_in, "12.0.0");
        assert!(
            found[1].replacement.contains("\\Drupal\\Core\\X"),
            "{}",
            found[1].replacement
        );
    }

    #[test]
    fn methods_classes_and_constants_are_qualified() {
        let src = r#"<?php
namespace Drupal\node;

/**
 * @deprecated in drupal:10.3.0 and is removed from drupal:11.0.0. Use NodeStorage.
 */
class OldStorage {
  /**
   * @deprecated in drupal:10.1.0 and is removed from drupal:11.0.0. Use ::newer().
   */
  public function older() {}

  /**
   * @deprecated in drupal:11.1.0 and is removed from drupal:12.0.0. No replacement.
   */
  const LIMIT = 5;
}
"#;
        let found = mine_file("modules/node/src/OldStorage.php", src);
        let symbols: Vec<_> = found
            .iter()
            .map(|d| (d.kind.as_str(), d.symbol.clone().unwrap()))
            .collect();
        assert_eq!(
            symbols,
            [
                ("class", "Drupal\\node\\OldStorage".to_owned()),
                ("method", "Drupal\\node\\OldStorage::older".to_owned()),
                ("constant", "Drupal\\node\\OldStorage::LIMIT".to_owned()),
            ]
        );
        assert_eq!(found[0].replacement, "Use NodeStorage.");
    }

    #[test]
    fn runtime_notices_keep_a_named_replacement_and_their_condition() {
        assert_eq!(
            named_replacement(
                " Use getDownloadHeaders() instead. See https://www.drupal.org/node/3494172"
            ),
            "Use getDownloadHeaders() instead."
        );
        assert_eq!(
            named_replacement(" There is no replacement. See https://www.drupal.org/node/1"),
            ""
        );
        assert_eq!(named_replacement(" See https://www.drupal.org/node/1"), "");
        assert_eq!(
            argument_condition("Calling drupal_static_reset() with no arguments is"),
            Some("Calling drupal_static_reset() with no arguments".to_owned())
        );
        assert_eq!(
            argument_condition("Calling Foo::__construct() without the $bar argument is"),
            Some("Calling Foo::__construct() without the $bar argument".to_owned())
        );
        assert_eq!(argument_condition("file_get_content_headers() is"), None);
        let source = "<?php\nfunction drupal_static_reset($name = NULL) {\n  if ($name === NULL) {\n    @trigger_error('Calling drupal_static_reset() with no arguments is deprecated in drupal:11.2.0 and is removed from drupal:12.0.0. There is no replacement. See https://www.drupal.org/node/1', E_USER_DEPRECATED);\n  }\n}\n";
        let found = mine_file("includes/bootstrap.inc", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].replacement, "");
        assert_eq!(
            found[0].condition.as_deref(),
            Some("Calling drupal_static_reset() with no arguments")
        );
    }
}
