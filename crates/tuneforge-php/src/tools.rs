//! The external checkers the gate uses when they are installed: `php -l`, `phpcs` and
//! `phpstan`. Each is found on `PATH` (or at a configured path), asked its version, and run
//! on a file; their JSON reports are parsed into the gate's findings.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// The phpcs ruleset used when the Drupal standard is not installed.
pub const FALLBACK_RULESET: &str = include_str!("../data/phpcs-fallback.xml");

/// An external tool: where it is and what version, or absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    /// The first line of its version output, or `absent`.
    pub version: String,
}

impl Tool {
    pub fn present(&self) -> bool {
        self.path.is_some()
    }

    /// For fingerprints: path and version, or "absent".
    pub fn identity(&self) -> String {
        match &self.path {
            Some(p) => format!("{} {}", p.display(), self.version),
            None => "absent".to_owned(),
        }
    }
}

/// `name` on `PATH`, as a shell would find it.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Find a tool (at `configured`, else on `PATH`) and ask its version.
pub fn find(name: &'static str, configured: Option<&Path>, version_arg: &str) -> Tool {
    let path = match configured {
        Some(p) => p.is_file().then(|| p.to_path_buf()),
        None => which(name),
    };
    let version = path
        .as_ref()
        .and_then(|p| Command::new(p).arg(version_arg).output().ok())
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        });
    match (path, version) {
        (Some(p), Some(v)) if !v.is_empty() => Tool {
            name,
            path: Some(p),
            version: v,
        },
        _ => Tool {
            name,
            path: None,
            version: "absent".to_owned(),
        },
    }
}

/// The PHP version `php -v` reports, as (major, minor).
pub fn php_version(tool: &Tool) -> Option<(u32, u32)> {
    let v = tool.version.strip_prefix("PHP ")?;
    let mut parts = v.split(['.', ' ']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Is the Drupal coding standard installed for this phpcs?
pub fn phpcs_has_drupal(phpcs: &Tool) -> bool {
    phpcs.path.as_ref().is_some_and(|p| {
        Command::new(p)
            .arg("-i")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("Drupal"))
    })
}

/// One finding of an external tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolFinding {
    pub line: usize,
    pub column: usize,
    /// `phpcs:Drupal.Commenting.ClassComment.Missing`, `phpstan:…`, `php-lint`.
    pub rule: String,
    pub message: String,
    /// phpcs's ERROR/WARNING; phpstan's and php -l's are errors.
    pub error: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("{tool} could not run: {source}")]
    Run {
        tool: &'static str,
        source: std::io::Error,
    },
    #[error("{tool} wrote a report that is not what it documents: {message}")]
    Report { tool: &'static str, message: String },
}

/// `php -l`: `None` when the file parses, else the error's line and message.
pub fn php_lint(php: &Path, file: &Path) -> Result<Option<(usize, String)>, ToolError> {
    let out = Command::new(php)
        .args(["-d", "display_errors=stderr", "-d", "log_errors=0", "-l"])
        .arg(file)
        .output()
        .map_err(|source| ToolError::Run {
            tool: "php",
            source,
        })?;
    if out.status.success() {
        return Ok(None);
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let line = text
        .lines()
        .find(|l| l.contains("Parse error") || l.contains("Fatal error"))
        .unwrap_or_else(|| text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    let number = line
        .rsplit_once(" on line ")
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(1);
    let message = line
        .trim()
        .trim_start_matches("PHP ")
        .split(" in /")
        .next()
        .unwrap_or(line)
        .to_owned();
    Ok(Some((number, message)))
}

#[derive(Deserialize)]
struct PhpcsReport {
    files: std::collections::BTreeMap<String, PhpcsFile>,
}

#[derive(Deserialize)]
struct PhpcsFile {
    messages: Vec<PhpcsMessage>,
}

#[derive(Deserialize)]
struct PhpcsMessage {
    message: String,
    source: String,
    #[serde(rename = "type")]
    kind: String,
    line: usize,
    #[serde(default)]
    column: usize,
}

/// Parse `phpcs --report=json` output: `(file as reported, finding)`.
pub fn parse_phpcs(json: &str) -> Result<Vec<(String, ToolFinding)>, ToolError> {
    let report: PhpcsReport = serde_json::from_str(json).map_err(|e| ToolError::Report {
        tool: "phpcs",
        message: e.to_string(),
    })?;
    Ok(report
        .files
        .into_iter()
        .flat_map(|(file, f)| f.messages.into_iter().map(move |m| (file.clone(), m)))
        .map(|(file, m)| {
            (
                file,
                ToolFinding {
                    line: m.line,
                    column: m.column.max(1),
                    rule: format!("phpcs:{}", m.source),
                    message: m.message,
                    error: m.kind == "ERROR",
                },
            )
        })
        .collect())
}

#[derive(Deserialize)]
struct PhpstanReport {
    files: std::collections::BTreeMap<String, PhpstanFile>,
    #[serde(default)]
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct PhpstanFile {
    messages: Vec<PhpstanMessage>,
}

#[derive(Deserialize)]
struct PhpstanMessage {
    message: String,
    #[serde(default)]
    line: Option<usize>,
    #[serde(default)]
    identifier: Option<String>,
}

/// Parse `phpstan analyse --error-format=json` output: `(file as reported, finding)`.
/// File-less errors (configuration, autoloading) are a [`ToolError`]: they say the run
/// did not check the files.
pub fn parse_phpstan(json: &str) -> Result<Vec<(String, ToolFinding)>, ToolError> {
    let report: PhpstanReport = serde_json::from_str(json).map_err(|e| ToolError::Report {
        tool: "phpstan",
        message: e.to_string(),
    })?;
    if !report.errors.is_empty() {
        return Err(ToolError::Report {
            tool: "phpstan",
            message: report.errors.join("; "),
        });
    }
    Ok(report
        .files
        .into_iter()
        .flat_map(|(file, f)| f.messages.into_iter().map(move |m| (file.clone(), m)))
        .map(|(file, m)| {
            (
                file,
                ToolFinding {
                    line: m.line.unwrap_or(1),
                    column: 1,
                    rule: format!("phpstan:{}", m.identifier.as_deref().unwrap_or("error")),
                    message: m.message,
                    error: true,
                },
            )
        })
        .collect())
}

/// Run phpcs over files with the Drupal standard or the fallback ruleset file.
pub fn run_phpcs(
    phpcs: &Path,
    standard: &str,
    files: &[&Path],
) -> Result<Vec<(String, ToolFinding)>, ToolError> {
    let out = Command::new(phpcs)
        .arg(format!("--standard={standard}"))
        .args(["--report=json", "-q", "--no-colors"])
        .args(files)
        .output()
        .map_err(|source| ToolError::Run {
            tool: "phpcs",
            source,
        })?;
    // phpcs exits 1 or 2 when it found something; the report says what.
    parse_phpcs(&String::from_utf8_lossy(&out.stdout))
}

/// Run phpstan over files.
pub fn run_phpstan(
    phpstan: &Path,
    files: &[&Path],
) -> Result<Vec<(String, ToolFinding)>, ToolError> {
    let out = Command::new(phpstan)
        .args([
            "analyse",
            "--error-format=json",
            "--no-progress",
            "--level=5",
        ])
        .args(files)
        .output()
        .map_err(|source| ToolError::Run {
            tool: "phpstan",
            source,
        })?;
    parse_phpstan(&String::from_utf8_lossy(&out.stdout))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/drupal")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn the_real_drupal_phpcs_report_parses() {
        let found = parse_phpcs(&fixture("phpcs-report.drupal.json")).unwrap();
        assert_eq!(found.len(), 10);
        assert_eq!(found[0].0, "samples/sample_module.php");
        let first = &found[0].1;
        assert_eq!(first.rule, "phpcs:Drupal.Classes.ClassFileName.NoMatch");
        assert_eq!((first.line, first.column, first.error), (5, 1, true));
        let lite = parse_phpcs(&fixture("phpcs-report.drupal-lite.json")).unwrap();
        assert!(lite.len() <= found.len());
    }

    #[test]
    fn the_real_phpstan_report_parses() {
        let found = parse_phpstan(&fixture("phpstan-report.json")).unwrap();
        assert_eq!(found.len(), 2);
        assert!(found[0].0.ends_with("ExampleController.php"));
        assert_eq!(found[0].1.line, 18);
        assert_eq!(
            found[0].1.rule,
            "phpstan:globalDrupalDependencyInjection.useDependencyInjection"
        );
        assert!(found[1].1.message.contains("format_size"));
        let broken = parse_phpstan("{\"files\": {}, \"errors\": [\"Autoloading failed\"]}");
        assert!(
            broken
                .unwrap_err()
                .to_string()
                .contains("Autoloading failed")
        );
    }

    #[test]
    fn a_report_that_is_not_one_is_an_error() {
        assert!(parse_phpcs("not json").is_err());
        assert!(parse_phpstan("{\"files\": 3}").is_err());
    }

    #[test]
    fn missing_tools_are_absent() {
        let t = find("php", Some(Path::new("/no/such/php")), "-v");
        assert!(!t.present());
        assert_eq!(t.identity(), "absent");
    }
}
