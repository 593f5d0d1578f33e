//! A small scanner over Jinja source: finds the `{{ … }}` and `{% … %}` tags (skipping
//! comments, `{% raw %}` bodies and string literals) so that load time can
//!
//! * refuse Python `%` string formatting (item 7 of [`crate::template`]'s list),
//! * note constructs whose float output differs from Python (`~`, `format`), and
//! * rewrite HF's `{% generation %}` extension tag, which minijinja does not know, into a
//!   filter block (item 5).
//!
//! It is not a Jinja parser: it only needs tag boundaries and the token before a `%`.

use std::ops::Range;

/// The filter that replaces `{% generation %}`: it wraps the block's output in the two
/// sentinels below.
pub const GENERATION_FILTER: &str = "__tuneforge_generation";
/// Private-use (plane 16) characters marking where a generation block's output starts and
/// ends. Input text containing them is refused, so they can only come from the filter.
pub const GEN_START: char = '\u{10FFFA}';
pub const GEN_END: char = '\u{10FFFB}';

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    Block,
    Variable,
}

#[derive(Debug, Clone)]
struct Tag {
    kind: TagKind,
    /// The whole tag including delimiters.
    span: Range<usize>,
    /// Between the delimiters, whitespace-control markers included.
    body: Range<usize>,
}

/// What load time needs to know about a template's source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceFacts {
    /// 1-based line of the first `'literal' % value` expression.
    pub percent_format_line: Option<usize>,
    /// Constructs that print floats with minijinja's formatting instead of Python's.
    pub float_sensitive: Vec<&'static str>,
    pub has_generation: bool,
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset].matches('\n').count() + 1
}

/// Skip a string literal starting at `i` (at the quote); returns the index after it.
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Find the end of a tag body starting at `from`: the closing delimiter outside strings and
/// (for variables) outside brackets, as Jinja's lexer balances them.
fn find_close(bytes: &[u8], from: usize, close: &[u8; 2]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        if depth == 0 && bytes[i..].starts_with(close) {
            return Some(i);
        }
        match bytes[i] {
            b'\'' | b'"' => {
                i = skip_string(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn scan_tags(source: &str) -> Vec<Tag> {
    let bytes = source.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    let mut in_raw = false;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        match bytes[i + 1] {
            b'#' if !in_raw => {
                i = source[i + 2..]
                    .find("#}")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
            }
            b'%' | b'{' => {
                let (kind, close) = if bytes[i + 1] == b'%' {
                    (TagKind::Block, b"%}")
                } else {
                    (TagKind::Variable, b"}}")
                };
                if in_raw && kind == TagKind::Variable {
                    i += 2;
                    continue;
                }
                let Some(end) = find_close(bytes, i + 2, close) else {
                    break;
                };
                let tag = Tag {
                    kind,
                    span: i..end + 2,
                    body: i + 2..end,
                };
                let word = statement_word(&source[tag.body.clone()]);
                if in_raw {
                    if kind == TagKind::Block && word == "endraw" {
                        in_raw = false;
                    }
                } else if kind == TagKind::Block && word == "raw" {
                    in_raw = true;
                } else {
                    tags.push(tag);
                }
                i = end + 2;
            }
            _ => i += 1,
        }
    }
    tags
}

/// The body without whitespace-control markers and surrounding whitespace.
fn inner(body: &str) -> &str {
    let body = body.strip_prefix(['-', '+']).unwrap_or(body);
    let body = body.strip_suffix(['-', '+']).unwrap_or(body);
    body.trim()
}

fn statement_word(body: &str) -> &str {
    inner(body).split_whitespace().next().unwrap_or("")
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Str,
    Word(&'a str),
    Op(char),
}

fn tokens(body: &str) -> Vec<Tok<'_>> {
    let bytes = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'\'' || c == b'"' {
            i = skip_string(bytes, i);
            out.push(Tok::Str);
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Word(&body[start..i]));
        } else {
            let ch = body[i..].chars().next().unwrap_or(' ');
            out.push(Tok::Op(ch));
            i += ch.len_utf8();
        }
    }
    out
}

/// Facts about `source` (see [`SourceFacts`]).
pub fn inspect(source: &str) -> SourceFacts {
    let mut facts = SourceFacts::default();
    for tag in scan_tags(source) {
        let body = &source[tag.body.clone()];
        if tag.kind == TagKind::Block && matches!(statement_word(body), "generation") {
            facts.has_generation = true;
        }
        let toks = tokens(inner(body));
        for (k, tok) in toks.iter().enumerate() {
            match tok {
                Tok::Op('%') if k > 0 && toks[k - 1] == Tok::Str => {
                    facts
                        .percent_format_line
                        .get_or_insert(line_of(source, tag.span.start));
                }
                Tok::Op('~') => note(&mut facts, "`~` concatenation"),
                Tok::Word("format") if k > 0 && toks[k - 1] == Tok::Op('|') => {
                    note(&mut facts, "the `format` filter")
                }
                Tok::Word("format")
                    if k > 0
                        && toks[k - 1] == Tok::Op('.')
                        && toks.get(k + 1) == Some(&Tok::Op('(')) =>
                {
                    note(&mut facts, "the `.format()` method")
                }
                _ => {}
            }
        }
    }
    facts
}

fn note(facts: &mut SourceFacts, what: &'static str) {
    if !facts.float_sensitive.contains(&what) {
        facts.float_sensitive.push(what);
    }
}

/// Rewrite `{% generation %}` / `{% endgeneration %}` (with any whitespace control) into
/// `{% filter __tuneforge_generation %}` / `{% endfilter %}`. Everything else, including
/// the tags' whitespace control and line count, is kept, so Jinja's trimming rules and
/// error line numbers are unchanged.
pub fn rewrite_generation(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 64);
    let mut last = 0;
    for tag in scan_tags(source) {
        if tag.kind != TagKind::Block {
            continue;
        }
        let body = &source[tag.body.clone()];
        let replacement = match statement_word(body) {
            "generation" => format!("filter {GENERATION_FILTER}"),
            "endgeneration" => "endfilter".to_owned(),
            _ => continue,
        };
        let word = statement_word(body);
        let at = tag.body.start + body.find(word).unwrap_or(0);
        out.push_str(&source[last..at]);
        out.push_str(&replacement);
        last = at + word.len();
    }
    out.push_str(&source[last..]);
    out
}

/// Remove the generation sentinels from rendered text, returning the clean text and the
/// byte ranges (in the clean text) that generation blocks produced. `None` if the
/// sentinels do not pair up (a generation block nested in another one).
pub fn strip_generation_markers(text: &str) -> Option<(String, Vec<Range<usize>>)> {
    let mut clean = String::with_capacity(text.len());
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    for c in text.chars() {
        match c {
            GEN_START => {
                if open.is_some() {
                    return None;
                }
                open = Some(clean.len());
            }
            GEN_END => spans.push(open.take()?..clean.len()),
            c => clean.push(c),
        }
    }
    open.is_none().then_some((clean, spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formatting_on_literals_is_found() {
        let t = "{{ 'a' }}\n{%- set x = '%s items' % n -%}";
        assert_eq!(inspect(t).percent_format_line, Some(2));
        let t = "{{ \"%d\"|string }} {% if loop.index0 % 2 == 0 %}x{% endif %}";
        assert_eq!(
            inspect(t).percent_format_line,
            None,
            "modulo on numbers is fine"
        );
        let t = "{# '%s' % x #}{% raw %}{{ '%s' % x }}{% endraw %}{{ '100%' }}";
        assert_eq!(
            inspect(t).percent_format_line,
            None,
            "comments, raw and strings"
        );
        let t = "{{ (\"%.2f\" % x) }}";
        assert_eq!(inspect(t).percent_format_line, Some(1));
    }

    #[test]
    fn float_sensitive_constructs_are_noted() {
        let f = inspect("{{ 'a' ~ b }}{{ '{}'.format(x) }}{{ '%s'|format(y) }}{{ '~' }}");
        assert_eq!(
            f.float_sensitive,
            [
                "`~` concatenation",
                "the `.format()` method",
                "the `format` filter"
            ]
        );
        assert!(inspect("{{ a + '~' }}").float_sensitive.is_empty());
    }

    #[test]
    fn generation_tags_are_rewritten_with_their_whitespace_control() {
        let src = "{%- for m in messages %}{% generation %}{{ m }}{%- endgeneration +%}\n{%+generation-%}x{%endgeneration%}{% endfor %}";
        let facts = inspect(src);
        assert!(facts.has_generation);
        assert_eq!(
            rewrite_generation(src),
            "{%- for m in messages %}{% filter __tuneforge_generation %}{{ m }}{%- endfilter +%}\n{%+filter __tuneforge_generation-%}x{%endfilter%}{% endfor %}"
        );
        let untouched = "{{ 'generation' }}{% raw %}{% generation %}{% endraw %}";
        assert_eq!(rewrite_generation(untouched), untouched);
        assert!(!inspect(untouched).has_generation);
    }

    #[test]
    fn markers_become_spans() {
        let text = format!("ab{GEN_START}cd{GEN_END}e{GEN_START}{GEN_END}");
        let (clean, spans) = strip_generation_markers(&text).unwrap();
        assert_eq!(clean, "abcde");
        assert_eq!(spans, [2..4, 5..5]);
        assert!(strip_generation_markers(&format!("{GEN_START}{GEN_START}")).is_none());
        assert!(strip_generation_markers(&format!("{GEN_END}")).is_none());
    }

    #[test]
    fn nested_braces_in_variables_do_not_end_the_tag() {
        let f = inspect("{{ {'a': {'b': 1}} ~ x }}");
        assert_eq!(f.float_sensitive, ["`~` concatenation"]);
        // A dict closing right before the tag's `}}`.
        let src = "{{ {'a': 1}}}{% generation %}x{% endgeneration %}";
        assert!(inspect(src).has_generation);
    }
}
