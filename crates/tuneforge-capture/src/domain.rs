//! Domain detection from the keyword rules in `pipeline.yaml`.
//!
//! Keywords match case-insensitively as whole words or phrases: an occurrence counts only
//! when the characters around it are not word characters (letters, digits, `_`) on the
//! sides where the keyword itself starts or ends with one, so `fix` does not match
//! `prefix` while `dist/` matches in `dist/index.html`. Runs of whitespace in the text and
//! in phrases compare equal. The rule with the most occurrences wins; a tie goes to the
//! rule listed first in `pipeline.yaml`; no occurrence at all gives the default domain.

use serde::Serialize;
use tuneforge_core::config::DomainsConfig;
use tuneforge_core::text::collapse_whitespace;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeywordHit {
    pub keyword: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainScore {
    pub domain: String,
    pub matches: u64,
    pub keywords: Vec<KeywordHit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detection {
    pub domain: String,
    /// Every rule with at least one match, in `pipeline.yaml` order.
    pub scores: Vec<DomainScore>,
    /// One sentence on how the domain was chosen.
    pub reason: String,
}

/// Pick the domain of `texts` (query and expert answer) by the configured keyword rules.
pub fn detect(domains: &DomainsConfig, texts: &[&str]) -> Detection {
    let haystack: Vec<String> = texts
        .iter()
        .map(|t| collapse_whitespace(t).to_lowercase())
        .collect();
    let mut scores = Vec::new();
    for rule in &domains.rules {
        let mut keywords = Vec::new();
        for keyword in &rule.keywords {
            let needle = collapse_whitespace(keyword).to_lowercase();
            let count: u64 = haystack.iter().map(|h| count_whole(h, &needle)).sum();
            if count > 0 {
                keywords.push(KeywordHit {
                    keyword: keyword.clone(),
                    count,
                });
            }
        }
        if !keywords.is_empty() {
            scores.push(DomainScore {
                domain: rule.name.to_string(),
                matches: keywords.iter().map(|k| k.count).sum(),
                keywords,
            });
        }
    }
    // `max_by_key` keeps the last maximum; scanning in reverse makes it the first listed.
    let best = scores.iter().rev().max_by_key(|s| s.matches);
    let (domain, reason) = match best {
        None => (
            domains.default.to_string(),
            "no keyword matched: the default domain".to_owned(),
        ),
        Some(best) => {
            let tied = scores.iter().filter(|s| s.matches == best.matches).count();
            let reason = if tied > 1 {
                format!(
                    "{} matches, tied with {} other rule(s): the rule listed first in pipeline.yaml wins",
                    best.matches,
                    tied - 1
                )
            } else {
                format!("most keyword matches ({})", best.matches)
            };
            (best.domain.clone(), reason)
        }
    };
    Detection {
        domain,
        scores,
        reason,
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Occurrences of `needle` in `haystack` that stand as whole words or phrases.
fn count_whole(haystack: &str, needle: &str) -> u64 {
    if needle.is_empty() {
        return 0;
    }
    let check_start = needle.chars().next().is_some_and(is_word);
    let check_end = needle.chars().next_back().is_some_and(is_word);
    haystack
        .match_indices(needle)
        .filter(|(at, _)| {
            let before_ok =
                !check_start || !haystack[..*at].chars().next_back().is_some_and(is_word);
            let after_ok = !check_end
                || !haystack[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(is_word);
            before_ok && after_ok
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::config::{PipelineConfig, Preset};

    fn domains() -> DomainsConfig {
        PipelineConfig::preset(Preset::Interactions).domains
    }

    #[test]
    fn whole_words_and_phrases_case_insensitive() {
        assert_eq!(count_whole("prefix fix fixes fix.", "fix"), 2);
        assert_eq!(count_whole("see dist/index.html", "dist/"), 1);
        assert_eq!(count_whole("a status code  here", "status code"), 1);
        assert_eq!(count_whole("statuscode", "status code"), 0);
        let d = detect(&domains(), &["What STATUS   code means IFC?"]);
        assert_eq!(d.domain, "zddc-naming");
    }

    #[test]
    fn most_matches_win_and_ties_go_to_the_first_listed_rule() {
        let d = detect(&domains(), &["fix the console error in my html page"]);
        assert_eq!(d.domain, "coding-debugging", "{d:?}");
        // One match each for html-architecture (listed 2nd) and coding-debugging (4th).
        let d = detect(&domains(), &["html debug"]);
        assert_eq!(d.domain, "html-architecture");
        assert!(d.reason.contains("tied"), "{}", d.reason);
    }

    #[test]
    fn nothing_matched_gives_the_default() {
        let d = detect(&domains(), &["How do I deep-clone an object?"]);
        assert_eq!(d.domain, "general-coding");
        assert!(d.scores.is_empty());
    }
}
