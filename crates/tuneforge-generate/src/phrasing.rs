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
        // An acronym or a name stays as it is ("RSS feed …", "PHPUnit …").
        Some(_) if chars.clone().next().is_some_and(|n| n.is_uppercase()) => t.to_owned(),
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
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
    fn clauses_read_inside_a_sentence() {
        assert_eq!(clause("Shows upcoming events."), "shows upcoming events");
        assert_eq!(clause("RSS feed of events."), "RSS feed of events");
        assert_eq!(
            fill("a {x} {y} {z}", &[("x", "1"), ("y", "2")]),
            "a 1 2 {z}"
        );
    }
}
