//! Prompt lint: the defects a reader notices first in a generated instruction. Generators
//! splice facts (a docblock summary, a plugin type, a list of dependencies) into sentences;
//! when a fact does not fit its slot the sentence breaks in a few recognisable ways, and
//! each check below names one of them. Code (fenced blocks and `inline spans`) is not
//! prose and is never linted.

/// One check, with the name reports count it under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintCheck {
    /// "the the", "plugin plugin".
    DoubledWord,
    /// The same word again one or two words later: "the plugin id plugin".
    EchoedWord,
    /// "a action", "an block".
    Article,
    /// "the its", "a their": two determiners in a row.
    DoubleDeterminer,
    /// A list naming one item twice: "`a`, `b` and `a`".
    RepeatedItem,
    /// Docblock syntax in the prose: `@param`, `{@inheritdoc}`, ` * `, "Contains \Foo".
    DocblockFragment,
    /// A clause spliced after "that"/"it" that does not start with a verb: "a class that
    /// hook implementations for file tokens", "in the cron module: it cron hooks".
    ClauseWithoutVerb,
}

impl LintCheck {
    pub const ALL: [LintCheck; 7] = [
        LintCheck::DoubledWord,
        LintCheck::EchoedWord,
        LintCheck::Article,
        LintCheck::DoubleDeterminer,
        LintCheck::RepeatedItem,
        LintCheck::DocblockFragment,
        LintCheck::ClauseWithoutVerb,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LintCheck::DoubledWord => "doubled-word",
            LintCheck::EchoedWord => "echoed-word",
            LintCheck::Article => "article",
            LintCheck::DoubleDeterminer => "double-determiner",
            LintCheck::RepeatedItem => "repeated-list-item",
            LintCheck::DocblockFragment => "docblock-fragment",
            LintCheck::ClauseWithoutVerb => "clause-without-verb",
        }
    }
}

/// The checks `prompt` fails, each once, in [`LintCheck::ALL`] order.
pub fn lint_prompt(prompt: &str) -> Vec<LintCheck> {
    let prose = prose_of(prompt);
    let split = split_words(&prose);
    let words: Vec<String> = split.iter().map(|(w, _)| w.clone()).collect();
    let clause_starts: Vec<bool> = split.iter().map(|(_, p)| *p).collect();
    let mut found = Vec::new();
    let mut flag = |c: LintCheck| {
        if !found.contains(&c) {
            found.push(c);
        }
    };
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        let prose_word = w != "CODE" && w.chars().all(char::is_alphabetic);
        // Punctuation between two words ("… plugin. Plugin ID") makes them two sentences.
        let joined = |j: usize| (i + 1..=j).all(|k| !clause_starts.get(k).copied().unwrap_or(true));
        if next == Some(w.as_str()) && prose_word && joined(i + 1) {
            flag(LintCheck::DoubledWord);
        }
        if w.len() >= 4
            && prose_word
            && !COMMON.contains(&w.as_str())
            && words.get(i + 2) == Some(w)
            && joined(i + 2)
        {
            flag(LintCheck::EchoedWord);
        }
        if let Some(next) = next {
            if article_mismatch(w, next) {
                flag(LintCheck::Article);
            }
            if ARTICLES.contains(&w.as_str()) && POSSESSIVES.contains(&next) {
                flag(LintCheck::DoubleDeterminer);
            }
            if clause_without_verb(&words, &clause_starts, i) {
                flag(LintCheck::ClauseWithoutVerb);
            }
        }
    }
    if has_repeated_item(&outside_fences(prompt)) {
        flag(LintCheck::RepeatedItem);
    }
    if has_docblock_fragment(&prose) {
        flag(LintCheck::DocblockFragment);
    }
    found.sort();
    found
}

/// `prompt` without fenced blocks, each inline code span replaced by `CODE`.
fn prose_of(prompt: &str) -> String {
    let mut out = String::new();
    for line in outside_fences(prompt) {
        let mut in_code = false;
        for part in line.split('`') {
            if in_code {
                out.push_str("CODE");
            } else {
                out.push_str(part);
            }
            in_code = !in_code;
        }
        out.push('\n');
    }
    out
}

/// The lines of `prompt` outside fenced code blocks.
fn outside_fences(prompt: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut fence: Option<String> = None;
    for line in prompt.lines() {
        let trimmed = line.trim_start();
        let ticks: String = trimmed.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open) if ticks.len() >= open.len() && trimmed.trim() == ticks => fence = None,
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => out.push(line),
        }
    }
    out
}

/// A word lower-cased, except `CODE` and initialisms ("SQL", "API"), whose article goes by
/// how their first letter is spoken.
fn keep_initialism(word: &str) -> String {
    if word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase()) {
        word.to_owned()
    } else {
        word.to_lowercase()
    }
}

/// Each word (letters, digits, `_`, `'`; lower-cased but for `CODE` and initialisms) with
/// whether clause punctuation (`:`, `;`, `,`, `.`, a line break) comes
/// right before it.
fn split_words(prose: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut after_punct = true;
    for c in prose.chars() {
        if c.is_alphanumeric() || c == '_' || c == '\'' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            let w = keep_initialism(&word);
            out.push((w, after_punct));
            word.clear();
            after_punct = false;
        }
        // An opening parenthesis starts an aside that may name its noun again: "a widget
        // plugin (plugin implementation of …)".
        if matches!(c, ':' | ';' | ',' | '.' | '\n' | '?' | '!' | '(') {
            after_punct = true;
        }
    }
    if !word.is_empty() {
        let w = keep_initialism(&word);
        out.push((w, after_punct));
    }
    out
}

/// Words that come back within three words in correct English.
const COMMON: &[&str] = &[
    "that", "this", "with", "from", "into", "when", "then", "than", "have", "each", "what",
    "which", "your", "their", "them", "they", "code",
];
const ARTICLES: &[&str] = &["a", "an", "the"];
const DETERMINERS: &[&str] = &["a", "an", "the", "this", "that", "these", "those"];
const POSSESSIVES: &[&str] = &[
    "its", "their", "his", "her", "my", "your", "our", "a", "an", "the",
];

/// "a" before a vowel sound or "an" before a consonant sound, by the first letters.
fn article_mismatch(article: &str, next: &str) -> bool {
    if next == "CODE" || !next.starts_with(|c: char| c.is_alphabetic()) {
        return false;
    }
    let vowel_sound = tuneforge_core::text::starts_with_vowel_sound(next);
    (article == "a" && vowel_sound) || (article == "an" && !vowel_sound)
}

/// After "that" or a clause-opening "it", a generator splices a summary that must start
/// with a verb ("that provides …", "it lists …"). A word that is neither a third-person
/// verb (ending in "s"), a modal, nor — after "that" — a determiner opening a noun clause
/// means a noun phrase was spliced in.
fn clause_without_verb(words: &[String], clause_starts: &[bool], i: usize) -> bool {
    const MODALS: &[&str] = &[
        "can", "will", "should", "must", "may", "might", "would", "could", "does", "did", "do",
        "has", "had", "have", "is", "was", "are", "were", "be", "only", "also", "then", "always",
        "never", "not", "already", "still", "just",
    ];
    let w = words[i].as_str();
    let Some(next) = words.get(i + 1).map(String::as_str) else {
        return false;
    };
    let opens_clause = match w {
        "that" => true,
        // "it" opens a clause after punctuation or "and"; "make it work" is not a splice.
        "it" => clause_starts[i] || (i > 0 && words[i - 1] == "and"),
        _ => false,
    };
    if !opens_clause || next == "CODE" {
        return false;
    }
    let after = words.get(i + 2).map(String::as_str).unwrap_or("");
    // "that requirements for …": a plural noun before "for"/"of", not a verb.
    let plural_noun = tuneforge_core::text::plural_noun_before_preposition(next, after);
    let verb_like =
        (next.ends_with('s') && !next.ends_with("ss") && !plural_noun) || MODALS.contains(&next);
    let determiner = w == "that"
        && (DETERMINERS.contains(&next)
            || POSSESSIVES.contains(&next)
            || matches!(
                next,
                "each"
                    | "every"
                    | "all"
                    | "no"
                    | "some"
                    | "any"
                    | "it"
                    | "they"
                    | "users"
                    | "when"
                    | "if"
                    | "there"
                    | "we"
                    | "you"
                    | "i"
            ));
    !verb_like && !determiner
}

/// A comma list whose items (as written, code spans included) name one item twice.
fn has_repeated_item(lines: &[&str]) -> bool {
    lines.iter().any(|line| {
        line.split(['.', ';', ':', '?', '(', ')'])
            .filter(|sentence| sentence.contains(','))
            .any(|sentence| {
                let items: Vec<String> = sentence
                    .split(',')
                    .flat_map(|part| part.split(" and "))
                    .map(|item| item.trim().trim_start_matches("and ").trim().to_lowercase())
                    .filter(|item| !item.is_empty())
                    .collect();
                items
                    .iter()
                    .enumerate()
                    .any(|(i, a)| items[i + 1..].contains(a))
            })
    })
}

fn has_docblock_fragment(prose: &str) -> bool {
    const TAGS: &[&str] = &[
        "@param",
        "@return",
        "@var",
        "@throws",
        "@see",
        "@todo",
        "@inheritdoc",
        "@deprecated",
        "@internal",
        "@ingroup",
        "@code",
        "@endcode",
        "*/",
        "/**",
        "contains \\",
    ];
    let lower = prose.to_lowercase();
    TAGS.iter().any(|t| lower.contains(t))
        || prose.lines().any(|l| {
            let t = l.trim_start();
            t.starts_with("* ") || t == "*"
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(prompt: &str) -> Vec<&'static str> {
        lint_prompt(prompt)
            .into_iter()
            .map(LintCheck::name)
            .collect()
    }

    #[test]
    fn the_broken_instructions_found_on_core_are_flagged() {
        let cases = [
            (
                "Using object-oriented hooks, create `CronHooks` in the announcements_feed module: it cron hook implementations for announcements_feed and implements hook_cron().",
                "clause-without-verb",
            ),
            (
                "Drupal 11: add a media source plugin to media that media source wrapping around a video file. Plugin ID: `video_file`.",
                "clause-without-verb",
            ),
            (
                "Implement hook_tokens() for the file module as Drupal 11 OOP hooks: a class `TokenHooks` that hook implementations for file tokens.",
                "clause-without-verb",
            ),
            (
                "Write the plugin id plugin `null` for the system module.",
                "echoed-word",
            ),
            ("Move the class from the its module.", "double-determiner"),
            ("Drupal 11: add a action plugin to node.", "article"),
            ("Write an block plugin.", "article"),
            ("Create the the form.", "doubled-word"),
            ("Write a form form.", "doubled-word"),
            (
                "Use dependency injection for `EntityTypeManagerInterface`, `Connection`, `EntityTypeManagerInterface` and `Connection`.",
                "repeated-list-item",
            ),
            (
                "Create a form that {@inheritdoc} for the user module.",
                "docblock-fragment",
            ),
            (
                "Write a class that Contains \\Drupal\\foo\\Bar.",
                "docblock-fragment",
            ),
        ];
        for (prompt, check) in cases {
            assert!(
                checks(prompt).contains(&check),
                "{check} not found in {prompt:?}: {:?}",
                checks(prompt)
            );
        }
    }

    #[test]
    fn well_formed_instructions_pass() {
        for prompt in [
            "Create a Drupal 11 block plugin for the node module that provides a syndicate block. Use the plugin ID `node_syndicate_block` and declare it with a PHP 8.3 attribute.",
            "I need a service that the user module can call, with a unique name, an HTML body and a URL.",
            "Write an event subscriber that reacts to the kernel request, and make it work with an SQL database; use an hour-long cache.",
            "Explain what this class does:\n\n```php\n* @param the the its\n```",
            "Inject `entity_type.manager`, `database` and `current_user` through `create()`.",
            "Create `FooHooks` in the foo module: it implements hook_cron() and it lists the queues.",
            "What does `a` do? A block, a form, and a route.",
            "Add a migrate destination plugin. Plugin ID: `x`; an entity plugin, plugin manager.",
            "I need a field widget plugin (plugin implementation of the 'text' widget) that validates that there are no updates.",
            "Explain this:\n\n```php\nuse A, B, A;\n$x = [a, b, a];\n```",
        ] {
            assert!(
                checks(prompt).is_empty(),
                "{prompt:?}: {:?}",
                checks(prompt)
            );
        }
    }
}
