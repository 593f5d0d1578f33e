//! Seeded choice among phrasings, so the model does not learn one sentence per task.
//!
//! The choice is a hash of the seed and the sample's own key (its source and family), not a
//! position in a random stream: adding a file to the corpus leaves every other sample's
//! wording as it was.

use xxhash_rust::xxh3::xxh3_64_with_seed;

/// One of `options`, chosen by `seed` and `key`.
pub fn pick<'a>(seed: u64, key: &str, options: &[&'a str]) -> &'a str {
    assert!(!options.is_empty(), "a phrasing list is never empty");
    let h = xxh3_64_with_seed(key.as_bytes(), seed);
    options[(h % options.len() as u64) as usize]
}

/// `template` with each `{name}` replaced by its value; unknown names are left as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A Markdown code block whose fence is longer than any run of backticks in `body`.
pub fn fenced(lang: &str, body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let body = body.trim_end_matches('\n');
    format!("{fence}{lang}\n{body}\n{fence}")
}

/// `text` with its first letter lower-cased, for a summary spliced into a sentence
/// ("Shows upcoming events." → "shows upcoming events"), the final period dropped.
pub fn clause(text: &str) -> String {
    let t = text.trim().trim_end_matches('.');
    let mut chars = t.chars();
    match chars.next() {
        // An acronym or a name stays as it is ("RSS feed …", "PHPUnit …",
        // "LayoutBuilderOverridesPermissions constructor").
        Some(_)
            if chars.clone().next().is_some_and(|n| n.is_uppercase())
                || t.split_whitespace()
                    .next()
                    .is_some_and(|w| w.chars().skip(1).any(char::is_uppercase)) =>
        {
            t.to_owned()
        }
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// First words of a summary that are nouns although they end in "s".
const PLURAL_NOUNS: &[&str] = &[
    "hooks",
    "settings",
    "helpers",
    "utilities",
    "classes",
    "services",
    "plugins",
    "routes",
    "forms",
    "events",
    "options",
    "tests",
    "tools",
    "constraints",
    "fields",
    "widgets",
    "formatters",
    "blocks",
    "entities",
    "permissions",
    "tokens",
    "menus",
    "views",
    "nodes",
    "users",
    "files",
    "images",
    "links",
    "controller",
    "controllers",
    "callbacks",
    "methods",
    "details",
    "contents",
    "access",
    "process",
    "status",
    "class",
    "alias",
    "address",
];

/// Whether a summary clause starts with a third-person verb ("provides …", "validates …")
/// rather than a noun ("hook implementations …", "settings form …").
pub fn starts_with_verb(clause: &str) -> bool {
    let mut words = clause.split_whitespace();
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    first.len() > 2
        && first.ends_with('s')
        && !first.ends_with("ss")
        && first.chars().all(|c| c.is_ascii_lowercase())
        && !PLURAL_NOUNS.contains(&first)
        && !tuneforge_core::text::plural_noun_before_preposition(first, second)
}

/// A summary as the predicate of a sentence about the class: "Provides a block …" →
/// "provides a block …"; a noun phrase gets "is" and its article ("file upload resource"
/// → "is a file upload resource"), or "provides" when its head noun is plural ("hook
/// implementations for file forms" → "provides hook implementations for file forms").
pub fn predicate(summary: &str) -> String {
    let c = tuneforge_core::text::fix_articles(&clause(summary));
    if starts_with_verb(&c) {
        return c;
    }
    let words: Vec<&str> = c.split_whitespace().collect();
    let first = words.first().copied().unwrap_or("");
    // A whole sentence ("A placed item's conditions must be met.") has its own verb: it is
    // quoted, not made the object of "is".
    const FINITE: &[&str] = &[
        "must", "should", "can", "cannot", "will", "may", "is", "are", "was", "were", "has",
        "have", "does", "do",
    ];
    if words.iter().skip(1).any(|w| FINITE.contains(w)) {
        let sentence = summary.trim();
        let sentence = sentence.strip_suffix('.').unwrap_or(sentence);
        return format!("is documented as \"{sentence}\"");
    }
    if matches!(first, "a" | "an" | "the" | "this" | "one") {
        return format!("is {c}");
    }
    const PREPOSITIONS: &[&str] = &[
        "for", "of", "to", "that", "with", "in", "on", "from", "which", "used", "when", "and",
    ];
    let head = words
        .iter()
        .take_while(|w| !PREPOSITIONS.contains(w))
        .last()
        .copied()
        .unwrap_or(first)
        .trim_end_matches(|ch: char| !ch.is_alphanumeric());
    if head.ends_with('s') && !head.ends_with("ss") {
        format!("provides {c}")
    } else {
        format!("is {}", tuneforge_core::text::with_article(&c))
    }
}

/// Where a docblock summary goes in an instruction about the thing it describes. "Provides
/// a block of events." reads as a verb clause ("… that provides a block of events"); "Hook
/// implementations for file tokens." is a noun phrase and goes in parentheses ("…
/// (hook implementations for file tokens)"), never after "that".
pub struct Described {
    /// `" that provides a block of events"` or `" (hook implementations for file tokens)"`,
    /// with its leading space, to follow the noun it describes.
    pub that: String,
}

impl Described {
    pub fn new(summary: &str) -> Self {
        let clause = tuneforge_core::text::fix_articles(&clause(summary));
        // "Defines a class for reacting to …" after "a class `X`" would say "class" twice:
        // what follows "class" is what describes it.
        static CLASS_FOR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"^(?:defines|provides|is) (?:a|an|the) (?:[\w-]+ )?class (for|that|to|which|with) (.+)$")
                .expect("a valid pattern")
        });
        if let Some(c) = CLASS_FOR.captures(&clause) {
            return Self {
                that: format!(" {} {}", &c[1], &c[2]),
            };
        }
        let that = if starts_with_verb(&clause) {
            format!(" that {clause}")
        } else {
            format!(" ({clause})")
        };
        Self { that }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gets_the_same_phrasing_and_keys_spread() {
        let options = ["a", "b", "c", "d"];
        assert_eq!(pick(7, "x", &options), pick(7, "x", &options));
        let chosen: std::collections::BTreeSet<_> = (0..64)
            .map(|i| pick(7, &format!("file{i}"), &options))
            .collect();
        assert_eq!(chosen.len(), 4, "64 keys reach every phrasing");
        let other_seed: Vec<_> = (0..16)
            .map(|i| pick(8, &format!("f{i}"), &options))
            .collect();
        let this_seed: Vec<_> = (0..16)
            .map(|i| pick(7, &format!("f{i}"), &options))
            .collect();
        assert_ne!(other_seed, this_seed, "the seed changes the choice");
    }

    #[test]
    fn fences_outgrow_backticks_in_the_body() {
        assert_eq!(fenced("php", "<?php\n"), "```php\n<?php\n```");
        assert_eq!(fenced("md", "a ```b```"), "````md\na ```b```\n````");
    }

    #[test]
    fn a_summary_that_defines_a_class_describes_it_once() {
        assert_eq!(
            Described::new("Defines a class for reacting to entity runtime hooks.").that,
            " for reacting to entity runtime hooks"
        );
        assert_eq!(
            Described::new("Provides a helper class that builds links.").that,
            " that builds links"
        );
    }

    #[test]
    fn verb_summaries_follow_that_and_noun_phrases_go_in_parentheses() {
        assert_eq!(
            Described::new("Provides a syndicate block.").that,
            " that provides a syndicate block"
        );
        assert_eq!(
            Described::new("Hook implementations for file tokens.").that,
            " (hook implementations for file tokens)"
        );
        assert_eq!(
            Described::new("Media source wrapping around a video file.").that,
            " (media source wrapping around a video file)"
        );
        assert_eq!(
            Described::new("Hooks for the node module.").that,
            " (hooks for the node module)"
        );
        assert_eq!(
            Described::new("Returns responses for config module routes.").that,
            " that returns responses for config module routes"
        );
    }

    #[test]
    fn summaries_become_predicates() {
        assert_eq!(
            predicate("Provides a block of events."),
            "provides a block of events"
        );
        assert_eq!(
            predicate("File upload resource."),
            "is a file upload resource"
        );
        assert_eq!(
            predicate("Hook implementations for file forms."),
            "provides hook implementations for file forms"
        );
        assert_eq!(
            predicate("A queue worker for mail."),
            "is a queue worker for mail"
        );
        assert_eq!(
            predicate("Event subscriber for the request."),
            "is an event subscriber for the request"
        );
        assert_eq!(
            predicate("A (placed) CKEditor 5 toolbar item's conditions must be met."),
            "is documented as \"A (placed) CKEditor 5 toolbar item's conditions must be met\""
        );
        assert_eq!(
            predicate("Event subscriber for the request."),
            "is an event subscriber for the request"
        );
    }

    #[test]
    fn clauses_read_inside_a_sentence() {
        assert_eq!(clause("Shows upcoming events."), "shows upcoming events");
        assert_eq!(clause("RSS feed of events."), "RSS feed of events");
        assert_eq!(
            clause("LayoutBuilderOverridesPermissions constructor."),
            "LayoutBuilderOverridesPermissions constructor"
        );
        assert_eq!(
            fill("a {x} {y} {z}", &[("x", "1"), ("y", "2")]),
            "a 1 2 {z}"
        );
    }
}
