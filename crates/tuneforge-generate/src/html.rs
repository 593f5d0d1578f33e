//! drupal.org's HTML fields as Markdown-ish blocks: paragraphs, headings, list items and
//! code blocks (`<pre><code class="language-php">`), entities decoded. A small reader for
//! the tags those fields use, not a general HTML parser: unknown tags are dropped and their
//! text kept.

use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Text(String),
    Heading(String),
    Code { lang: String, body: String },
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<pre[^>]*>\s*(?:<code([^>]*)>)?(.*?)(?:</code>)?\s*</pre>|<(/?)(h[1-6]|p|li|ul|ol|br|div|code|strong|em|a|b|i|span|blockquote)\b[^>]*>"#)
        .expect("a valid pattern")
});
static LANG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"class\s*=\s*"[^"]*language-([A-Za-z0-9_+-]+)"#).expect("a valid pattern")
});
static OTHER_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<[^>]+>").expect("a valid pattern"));

pub fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The blocks of an HTML field, in order.
pub fn blocks(html: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut heading: Option<String> = None;
    let flush = |text: &mut String, out: &mut Vec<Block>| {
        let t = OTHER_TAG.replace_all(text, "");
        let t = decode(&t);
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            out.push(Block::Text(t));
        }
        text.clear();
    };
    let mut last = 0;
    for caps in TAG.captures_iter(html) {
        let m = caps.get(0).expect("a match has a group 0");
        text.push_str(&html[last..m.start()]);
        last = m.end();
        if let Some(body) = caps.get(2) {
            flush(&mut text, &mut out);
            let lang = caps
                .get(1)
                .and_then(|attrs| LANG.captures(attrs.as_str()))
                .map(|c| c[1].to_ascii_lowercase())
                .unwrap_or_default();
            let body = decode(&OTHER_TAG.replace_all(body.as_str(), ""));
            out.push(Block::Code {
                lang,
                body: body.trim_matches('\n').to_owned(),
            });
            continue;
        }
        let closing = &caps[3] == "/";
        let tag = caps[4].to_ascii_lowercase();
        match tag.as_str() {
            "code" => text.push('`'),
            "li" if !closing => {
                flush(&mut text, &mut out);
                text.push_str("- ");
            }
            t if t.starts_with('h') && t.len() == 2 => {
                if closing {
                    let h = decode(&OTHER_TAG.replace_all(&text, ""));
                    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
                    text.clear();
                    if let Some(prefix) = heading.take() {
                        text.push_str(&prefix);
                    }
                    if !h.is_empty() {
                        out.push(Block::Heading(h));
                    }
                } else {
                    flush(&mut text, &mut out);
                    heading = Some(String::new());
                }
            }
            "p" | "ul" | "ol" | "br" | "div" | "blockquote" | "li" => flush(&mut text, &mut out),
            _ => {}
        }
    }
    text.push_str(&html[last..]);
    flush(&mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_as_blocks() {
        let html = "<p>Hooks can now be <code>#[Hook]</code> methods &amp; more.</p>\n<h3>Before</h3>\n<pre><code class=\"language-php\">function a_help() {\n  return &quot;x&quot; &lt; 1;\n}\n</code></pre><h3>After</h3><pre>b();</pre><ul><li>One</li><li>Two</li></ul>";
        assert_eq!(
            blocks(html),
            vec![
                Block::Text("Hooks can now be `#[Hook]` methods & more.".into()),
                Block::Heading("Before".into()),
                Block::Code {
                    lang: "php".into(),
                    body: "function a_help() {\n  return \"x\" < 1;\n}".into()
                },
                Block::Heading("After".into()),
                Block::Code {
                    lang: String::new(),
                    body: "b();".into()
                },
                Block::Text("- One".into()),
                Block::Text("- Two".into()),
            ]
        );
        assert_eq!(decode("&#039;a&#x27;&bogus; &"), "'a'&bogus; &");
    }
}
