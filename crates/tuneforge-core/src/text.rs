//! Text normalization shared by stages that store or compare text.

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
}
