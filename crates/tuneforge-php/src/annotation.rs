//! Doctrine-style annotations in docblocks, as Drupal declared plugins before PHP
//! attributes: `@Block(id = "x", admin_label = @Translation("X"))`. A small parser over the
//! comment's text: the annotation's name and its top-level `key = value` pairs, where a
//! value is a string, a nested annotation (its first string: `@Translation("X")` → `X`), a
//! `{…}` list (kept as written) or a bare word.

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub name: String,
    pub values: BTreeMap<String, String>,
}

/// The comment's text without the `/**`, `*/` and leading `*` of each line.
fn body(doc: &str) -> String {
    let inner = doc
        .trim()
        .trim_start_matches("/**")
        .trim_start_matches("/*")
        .trim_end_matches("*/");
    inner
        .lines()
        .map(|l| {
            let t = l.trim_start();
            t.strip_prefix('*').unwrap_or(t)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A docblock's summary: its first paragraph, joined into one line, up to the first tag.
pub fn summary(doc: &str) -> Option<String> {
    let text = body(doc);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('@'))
        .collect();
    let joined = lines.join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The docblock's second paragraph (what follows the summary), up to the next blank line
/// or tag.
pub fn description(doc: &str) -> Option<String> {
    let text = body(doc);
    let mut lines = text.lines().map(str::trim).skip_while(|l| l.is_empty());
    // Past the summary and the blank lines after it.
    lines.by_ref().take_while(|l| !l.is_empty()).for_each(drop);
    let paragraph: Vec<&str> = lines
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty() && !l.starts_with('@'))
        .collect();
    let joined = paragraph.join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The text after a docblock's `@deprecated` tag, up to the next tag or blank line (empty
/// when the tag stands alone); `None` without the tag.
pub fn deprecated(doc: &str) -> Option<String> {
    let text = body(doc);
    let mut lines = text.lines().map(str::trim);
    let first = lines.find_map(|l| {
        l.strip_prefix("@deprecated")
            .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    })?;
    let mut out = vec![first.trim()];
    out.extend(lines.take_while(|l| !l.is_empty() && !l.starts_with('@')));
    Some(out.join(" ").trim().to_owned())
}

/// Every annotation with arguments at the top level of a docblock (`@Name(…)`).
pub fn parse_annotations(doc: &str) -> Vec<Annotation> {
    let text = body(doc);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = text[i..].find('@') {
        let start = i + at + 1;
        let name_len = text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '\\'))
            .unwrap_or(text.len() - start);
        let name = &text[start..start + name_len];
        let open = start + name_len;
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_uppercase() || c == '\\')
            || bytes.get(open) != Some(&b'(')
        {
            i = open.max(start);
            continue;
        }
        let Some(close) = matching(&text, open) else {
            // Unbalanced: skip this one; a well-formed annotation may follow.
            i = open + 1;
            continue;
        };
        out.push(Annotation {
            name: name.to_owned(),
            values: pairs(&text[open + 1..close]),
        });
        i = close + 1;
    }
    out
}

/// The index of the `)` or `}` closing the bracket at `open`, skipping strings.
fn matching(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (k, c) in text[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '{' | '[') => depth += 1,
            (None, ')' | '}' | ']') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Split the arguments at top-level commas into `key = value` pairs.
fn pairs(args: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (k, c) in args.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '{' | '[') => depth += 1,
            (None, ')' | '}' | ']') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                parts.push(&args[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&args[start..]);
    for part in parts {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        out.insert(key.to_owned(), value_of(value.trim()));
    }
    out
}

fn value_of(v: &str) -> String {
    let first_string = |s: &str| {
        let q = s.find(['"', '\''])?;
        let quote = s[q..].chars().next()?;
        let end = s[q + 1..].find(quote)?;
        Some(s[q + 1..q + 1 + end].to_owned())
    };
    if v.starts_with('"') || v.starts_with('\'') || v.starts_with('@') {
        first_string(v).unwrap_or_else(|| v.to_owned())
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plugin_annotation() {
        let doc = "/**\n * Provides a 'Demo' block.\n *\n * @Block(\n *   id = \"demo_block\",\n *   admin_label = @Translation(\"Demo, the block\"),\n *   category = @Translation(\"Demo\"),\n *   context_definitions = {\n *     \"node\" = @ContextDefinition(\"entity:node\", label = @Translation(\"Node\"))\n *   }\n * )\n *\n * @see \\Drupal\\demo\\Other\n */";
        let found = parse_annotations(doc);
        assert_eq!(found.len(), 1);
        let a = &found[0];
        assert_eq!(a.name, "Block");
        assert_eq!(a.values["id"], "demo_block");
        assert_eq!(a.values["admin_label"], "Demo, the block");
        assert!(a.values["context_definitions"].starts_with('{'));
    }

    #[test]
    fn tags_without_arguments_and_broken_ones_are_not_annotations() {
        assert!(parse_annotations("/** @var int $x\n * @see foo() */").is_empty());
        assert!(parse_annotations("/** @Block(id = \"x\" */").is_empty());
        let after_broken =
            parse_annotations("/**\n * @see Foo( for details\n * @Block(id = \"b\")\n */");
        assert_eq!(after_broken.len(), 1);
        assert_eq!(after_broken[0].values["id"], "b");
        assert!(parse_annotations("").is_empty());
    }

    #[test]
    fn the_deprecated_tag_is_read_with_its_continuation() {
        let doc = "/**\n * Old thing.\n *\n * @deprecated in drupal:11.3.0 and is removed from drupal:13.0.0.\n *   Use \\Drupal\\x\\New instead.\n *\n * @see https://www.drupal.org/node/1\n */";
        assert_eq!(
            deprecated(doc).as_deref(),
            Some(
                "in drupal:11.3.0 and is removed from drupal:13.0.0. Use \\Drupal\\x\\New instead."
            )
        );
        assert_eq!(deprecated("/** @deprecated */").as_deref(), Some(""));
        assert_eq!(deprecated("/** Summary.\n * @deprecatedSince foo */"), None);
        assert_eq!(deprecated("/** Summary. */"), None);
    }
}
