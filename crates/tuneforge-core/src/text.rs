//! Text normalization shared by stages that store or compare text, and the English the
//! generators write and the prompt lint checks.

/// The stored form of captured text: CRLF and lone CR become LF and trailing spaces and
/// tabs are stripped from every line. Indentation and everything else is kept.
pub fn normalize_stored(text: &str) -> String {
    let unified = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_owned()
    };
    let mut out = String::with_capacity(unified.len());
    for (i, line) in unified.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.trim_end_matches([' ', '\t']));
    }
    out
}

/// The comparison form used for duplicate keys only: every run of whitespace becomes one
/// space and the ends are trimmed. Never stored.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `word` is spoken starting with a vowel sound, which decides "a" or "an": "an
/// action", "a user", "an hour", "a one-off"; initialisms go by their first letter's name
/// ("an SQL query", "a URL", "an API").
pub fn starts_with_vowel_sound(word: &str) -> bool {
    const YOU_SOUND: &[&str] = &[
        "uni", "use", "usa", "usu", "uti", "uri", "url", "uuid", "ubuntu",
    ];
    const ONE_SOUND: &[&str] = &["one", "once"];
    const SILENT_H: &[&str] = &["hour", "honest", "honor", "honour", "heir"];
    if word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase()) {
        return word.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X']);
    }
    let lower = word.to_lowercase();
    if YOU_SOUND.iter().any(|p| lower.starts_with(p)) || ONE_SOUND.contains(&lower.as_str()) {
        return false;
    }
    if SILENT_H.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    lower.starts_with(['a', 'e', 'i', 'o', 'u'])
}

/// `text` with each "a"/"an" matching the sound of the word after it ("provides a event
/// subscriber" → "provides an event subscriber"): docblock summaries spliced into
/// instructions carry their authors' slips.
pub fn fix_articles(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        // Code is left alone: how `id` is read aloud is the reader's choice.
        let next = words
            .get(i + 1)
            .filter(|n| !n.starts_with('`'))
            .map(|n| n.trim_start_matches(|c: char| !c.is_alphanumeric()))
            .filter(|n| n.starts_with(|c: char| c.is_alphabetic()));
        let fixed = match (*w, next) {
            ("a" | "an", Some(n)) => {
                if starts_with_vowel_sound(n) {
                    "an"
                } else {
                    "a"
                }
            }
            ("A" | "An", Some(n)) => {
                if starts_with_vowel_sound(n) {
                    "An"
                } else {
                    "A"
                }
            }
            _ => w,
        };
        out.push(fixed.to_owned());
    }
    out.join(" ")
}

/// Whether `word` (ending in "s") is a plural noun because a preposition follows it:
/// "requirements for …", "callbacks of …"; but for the few verbs that take those
/// prepositions ("checks for updates").
pub fn plural_noun_before_preposition(word: &str, next: &str) -> bool {
    const VERBS: &[&str] = &[
        "checks", "looks", "searches", "asks", "allows", "accounts", "waits", "scans", "consists",
        "tests", "stands", "listens",
    ];
    matches!(next, "for" | "of") && !VERBS.contains(&word)
}

/// `phrase` with "a" or "an" in front, by its first word.
pub fn with_article(phrase: &str) -> String {
    let first = phrase.split_whitespace().next().unwrap_or("");
    let first = first.trim_start_matches(|c: char| !c.is_alphanumeric());
    let article = if starts_with_vowel_sound(first) {
        "an"
    } else {
        "a"
    };
    format!("{article} {phrase}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_keeps_indentation_and_drops_trailing_space() {
        assert_eq!(normalize_stored("a  \r\n    b\t\r\nc\r"), "a\n    b\nc\n");
        assert_eq!(normalize_stored("  x  "), "  x");
    }

    #[test]
    fn collapse_joins_runs_of_whitespace() {
        assert_eq!(collapse_whitespace("  a \n\t b  "), "a b");
    }

    #[test]
    fn articles_follow_the_sound() {
        assert_eq!(with_article("action plugin"), "an action plugin");
        assert_eq!(
            with_article("entity reference selection plugin"),
            "an entity reference selection plugin"
        );
        assert_eq!(with_article("block plugin"), "a block plugin");
        assert_eq!(with_article("user form"), "a user form");
        assert_eq!(with_article("SQL query"), "an SQL query");
        assert_eq!(with_article("URL"), "a URL");
        assert_eq!(with_article("hour"), "an hour");
        assert_eq!(
            fix_articles("provides a HTTP middleware and a event subscriber, an user form"),
            "provides an HTTP middleware and an event subscriber, a user form"
        );
        assert_eq!(fix_articles("a `id` value"), "a `id` value");
    }
}
