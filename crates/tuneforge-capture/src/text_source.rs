//! Where a collected text comes from: the command line, a file, or stdin.

use std::io::Read;
use std::path::PathBuf;

use crate::collect::CollectError;

#[derive(Debug, Clone)]
pub enum TextSource {
    Inline(String),
    File(PathBuf),
    Stdin,
}

impl TextSource {
    /// How the user supplied it, for messages (`--expert-answer-file answer.md`).
    pub fn describe(&self, flag: &str) -> String {
        match self {
            TextSource::Inline(_) => format!("--{flag}"),
            TextSource::File(p) => format!("--{flag}-file {}", p.display()),
            TextSource::Stdin => format!("--{flag}-file - (stdin)"),
        }
    }

    /// Read the text; invalid UTF-8 is an error naming the line and column.
    pub fn read(&self, flag: &str, stdin: &mut dyn Read) -> Result<String, CollectError> {
        let bytes = match self {
            TextSource::Inline(s) => return Ok(s.clone()),
            TextSource::File(p) => std::fs::read(p).map_err(|source| CollectError::Read {
                what: self.describe(flag),
                source,
            })?,
            TextSource::Stdin => {
                let mut buf = Vec::new();
                stdin
                    .read_to_end(&mut buf)
                    .map_err(|source| CollectError::Read {
                        what: self.describe(flag),
                        source,
                    })?;
                buf
            }
        };
        String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            CollectError::InvalidUtf8 {
                what: self.describe(flag),
                line,
                column,
            }
        })
    }
}
