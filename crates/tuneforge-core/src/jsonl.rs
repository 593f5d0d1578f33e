//! JSON Lines reading that never gives up on a file because of one bad line, and writing.
//!
//! [`split_lines`] cuts a buffer into numbered lines without decoding it; [`parse_line`]
//! turns one line into a record or a [`LineError`] that says what is wrong in words a user
//! can act on. Callers decide whether a bad line is an error (processed data) or a finding
//! (the append-only `raw/` log).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// Records as JSON Lines: one compact JSON document per line, each line ending in `\n`.
pub fn to_lines<T: serde::Serialize>(records: &[T]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&serde_json::to_string(r).expect("records serialize"));
        out.push('\n');
    }
    out
}

/// One line of a JSON Lines buffer, before decoding.
#[derive(Debug, Clone, Copy)]
pub struct RawLine<'a> {
    /// 1-based line number.
    pub number: u64,
    /// The line's bytes without the newline (and without a trailing `\r`).
    pub bytes: &'a [u8],
    /// False only for a last line with no final newline: a write that may have been cut.
    pub terminated: bool,
}

/// Split a buffer into lines. A final newline does not start an extra empty line.
pub fn split_lines(buf: &[u8]) -> Vec<RawLine<'_>> {
    let mut lines = Vec::with_capacity(buf.len() / 512 + 1);
    let mut start = 0usize;
    let mut number = 0u64;
    while start < buf.len() {
        number += 1;
        let (end, next, terminated) = match memchr::memchr(b'\n', &buf[start..]) {
            Some(i) => (start + i, start + i + 1, true),
            None => (buf.len(), buf.len(), false),
        };
        let mut bytes = &buf[start..end];
        if let [rest @ .., b'\r'] = bytes {
            bytes = rest;
        }
        lines.push(RawLine {
            number,
            bytes,
            terminated,
        });
        start = next;
    }
    lines
}

/// Why a line could not be read as a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Every record of a JSON Lines buffer, blank lines skipped; the first bad line is an error
/// with its number (for files tuneforge wrote itself, where one bad line means the file is
/// damaged; inputs of users keep going past bad lines with [`split_lines`]).
pub fn parse_all<T: DeserializeOwned>(buf: &[u8]) -> Result<Vec<T>, LineError> {
    split_lines(buf)
        .iter()
        .filter(|l| !l.bytes.iter().all(u8::is_ascii_whitespace))
        .map(parse_line)
        .collect()
}

/// Decode one line into `T`.
pub fn parse_line<T: DeserializeOwned>(raw: &RawLine<'_>) -> Result<T, LineError> {
    let fail = |message: String| LineError {
        line: raw.number,
        message,
    };
    let text = std::str::from_utf8(raw.bytes).map_err(|e| {
        fail(format!(
            "invalid UTF-8 at byte {} of the line; re-save the file as UTF-8",
            e.valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(fail("empty line".to_owned()));
    }
    serde_json::from_str(text).map_err(|e| {
        let (eof, syntax) = (e.is_eof(), e.is_syntax());
        let e = scrub_values(&e.to_string());
        let mut message = if eof && !raw.terminated {
            format!(
                "the last line is cut off ({e}): a writer was probably killed mid-write; \
                 remove or repair this line, the lines before it are intact"
            )
        } else if eof {
            format!("incomplete JSON ({e}): the line was probably cut mid-write")
        } else {
            e
        };
        if !eof && syntax {
            message.push_str(" (each line must be one JSON object)");
        }
        fail(message)
    })
}

/// Error messages quote the offending value (`invalid type: string "…"`,
/// ``unknown variant `…` ``), which may be a pasted secret; they reach logs and manifests,
/// so values are replaced by their length. Names from the schema stay: a field name
/// (``missing field `domain` ``) and everything after `expected`.
fn scrub_values(message: &str) -> String {
    let (found, expected) = match message.find(", expected") {
        Some(i) => message.split_at(i),
        None => (message, ""),
    };
    let mut out = scrub(found);
    out.push_str(expected);
    out
}

fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let close = match c {
            '"' => '"',
            '`' => '`',
            _ => {
                out.push(c);
                continue;
            }
        };
        // Find the closing quote, skipping backslash escapes.
        let mut end = None;
        let mut escaped = false;
        for (j, d) in chars.by_ref() {
            if escaped {
                escaped = false;
            } else if d == '\\' {
                escaped = true;
            } else if d == close {
                end = Some(j);
                break;
            }
        }
        let inner = &message[i + 1..end.unwrap_or(message.len())];
        if close == '`' && message[..i].ends_with("field ") && inner.chars().count() <= 40 {
            out.push('`');
            out.push_str(inner);
            out.push('`');
        } else {
            out.push_str(&format!("<{} chars>", inner.chars().count()));
        }
    }
    out
}

/// A problem in a file, located to its line: what `validate` and the stages print as
/// `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedError {
    pub path: PathBuf,
    pub line: u64,
    pub message: String,
}

impl LocatedError {
    pub fn new(path: &Path, err: LineError) -> Self {
        Self {
            path: path.to_path_buf(),
            line: err.line,
            message: err.message,
        }
    }
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_all_skips_blank_lines_and_names_the_first_bad_one() {
        let ok: Vec<serde_json::Value> = parse_all(b"{\"a\":1}\n\n  \n{\"a\":2}\r\n").unwrap();
        assert_eq!(ok.len(), 2);
        let err = parse_all::<serde_json::Value>(b"{\"a\":1}\n{oops\n{\"a\":3}\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn records_become_terminated_lines() {
        assert_eq!(to_lines(&[1, 2]), "1\n2\n");
        assert_eq!(to_lines::<u8>(&[]), "");
    }
    use proptest::prelude::*;

    #[test]
    fn splits_with_and_without_final_newline() {
        let lines = split_lines(b"a\r\nb\nc");
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.number, l.bytes, l.terminated))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, &b"a"[..], true),
                (2, &b"b"[..], true),
                (3, &b"c"[..], false)
            ]
        );
        assert!(split_lines(b"").is_empty());
        assert_eq!(split_lines(b"x\n").len(), 1);
    }

    #[test]
    fn torn_last_line_is_explained() {
        let buf = b"{\"a\":1}\n{\"a\":";
        let lines = split_lines(buf);
        let err = parse_line::<serde_json::Value>(&lines[1]).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("cut off"), "{}", err.message);
    }

    #[test]
    fn error_messages_never_echo_values() {
        let lines = split_lines(b"{\"messages\": \"my key AKIAIOSFODNN7EXAMPLE\"}\n");
        #[derive(serde::Deserialize, Debug)]
        struct R {
            #[allow(dead_code)]
            messages: Vec<String>,
        }
        let err = parse_line::<R>(&lines[0]).unwrap_err();
        assert!(!err.message.contains("AKIA"), "{}", err.message);
        assert!(
            err.message.contains("invalid type: string <27 chars>"),
            "{}",
            err.message
        );
        let lines = split_lines(b"{\"x\":1}\n");
        let err = parse_line::<R>(&lines[0]).unwrap_err();
        assert!(
            err.message.contains("missing field `messages`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn variants_found_are_scrubbed_and_expected_names_kept() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct R {
            role: crate::records::Role,
        }
        let lines = split_lines(b"{\"role\":\"hunter2pass\"}\n");
        let err = parse_line::<R>(&lines[0]).unwrap_err();
        assert!(!err.message.contains("hunter2pass"), "{}", err.message);
        assert!(
            err.message.contains("expected one of `system`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn invalid_utf8_names_the_byte() {
        let lines = split_lines(b"{\"a\":\"\xff\"}\n");
        let err = parse_line::<serde_json::Value>(&lines[0]).unwrap_err();
        assert!(
            err.message.contains("invalid UTF-8 at byte 6"),
            "{}",
            err.message
        );
    }

    proptest! {
        // Whatever bytes arrive, the reader neither panics nor loses a line: every line is
        // either a record or an error with its own number, and the count matches.
        #[test]
        fn any_bytes_give_one_result_per_line(buf in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let lines = split_lines(&buf);
            let expected = buf.iter().filter(|&&b| b == b'\n').count()
                + usize::from(!buf.is_empty() && *buf.last().unwrap() != b'\n');
            prop_assert_eq!(lines.len(), expected);
            for (i, l) in lines.iter().enumerate() {
                prop_assert_eq!(l.number, i as u64 + 1);
                if let Err(e) = parse_line::<serde_json::Value>(l) {
                    prop_assert_eq!(e.line, l.number);
                }
            }
        }

        #[test]
        fn valid_records_round_trip(values in proptest::collection::vec(".*", 0..20)) {
            let mut buf = Vec::new();
            for v in &values {
                buf.extend(serde_json::to_vec(&serde_json::json!({"v": v})).unwrap());
                buf.push(b'\n');
            }
            let lines = split_lines(&buf);
            prop_assert_eq!(lines.len(), values.len());
            for (l, v) in lines.iter().zip(&values) {
                let parsed: serde_json::Value = parse_line(l).unwrap();
                prop_assert_eq!(parsed["v"].as_str().unwrap(), v.as_str());
            }
        }
    }
}
