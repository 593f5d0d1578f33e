//! `tuneforge check` over a file or a whole tree: which files are checked (PHP and YAML,
//! not under `vendor/` or `node_modules/`), which are skipped and why (too large, binary,
//! not UTF-8: the reasons `clean` gives), and the rules run on the rest in parallel.
//!
//! The size guard comes before any read: a large binary renamed `.php` is never parsed,
//! so the time of a run grows with the size of the code checked, not with what sits beside it.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::fsio::{IoError, list_files};
use tuneforge_core::reporter::Reporter;

use crate::analyze::is_php;
use crate::rules::{Checker, Finding};

/// Files over this size are not checked (as `clean.max_file_bytes` defaults to).
pub const MAX_CHECKED_BYTES: u64 = 1 << 20;

/// Directories whose code is not the project's own.
const VENDORED_DIRS: [&str; 2] = ["vendor", "node_modules"];

/// A file left out of the check, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedFile {
    pub file: String,
    /// `too_large`, `binary`, `not_utf8` or `unreadable`.
    pub rule: &'static str,
    pub reason: String,
}

/// What a check of a tree found.
#[derive(Debug, Clone, Serialize)]
pub struct TreeCheck {
    /// PHP and YAML files whose rules ran.
    pub files: usize,
    /// Sorted by file, line and column.
    pub findings: Vec<Finding>,
    pub skipped_files: Vec<SkippedFile>,
    /// Test files (suites, test modules, fixtures) left out because tests were not asked
    /// for.
    pub tests_left_out: usize,
}

/// Whether the rules apply to a file of this name.
pub fn is_checked_kind(name: &str) -> bool {
    is_php(name) || name.ends_with(".yml") || name.ends_with(".yaml")
}

/// Runs `checker` over `path` (a file, or every PHP and YAML file of a tree). Files are
/// named as `path` joined with their place in the tree.
pub fn check_tree(
    path: &Path,
    checker: &Checker,
    include_tests: bool,
    reporter: &dyn Reporter,
) -> Result<TreeCheck, IoError> {
    let mut tests_left_out = 0;
    let files: Vec<(String, PathBuf)> = if path.is_file() {
        vec![(path.display().to_string(), path.to_path_buf())]
    } else {
        list_files(path)
            .map_err(|e| IoError::new("cannot read the tree", path, e))?
            .files
            .into_iter()
            .filter(|(rel, _)| !rel.split('/').any(|p| VENDORED_DIRS.contains(&p)))
            .filter(|(rel, _)| is_checked_kind(rel))
            // Test code breaks rules on purpose (open routes, raw markup to assert on):
            // it is checked only when asked for.
            .filter(|(rel, _)| {
                let test = tuneforge_core::source_path::is_test_path(rel);
                tests_left_out += usize::from(test && !include_tests);
                include_tests || !test
            })
            .map(|(rel, full)| (path.join(&rel).display().to_string(), full))
            .collect()
    };
    let task = reporter.task("check: files", Some(files.len() as u64));
    let results: Vec<Result<Vec<Finding>, SkippedFile>> = files
        .par_iter()
        .map(|(name, full)| {
            let result = read_checked(name, full).map(|text| checker.check(name, &text));
            task.advance(1);
            result
        })
        .collect();
    task.finish();
    let mut findings = Vec::new();
    let mut skipped_files = Vec::new();
    for result in results {
        match result {
            Ok(found) => findings.extend(found),
            Err(skipped) => skipped_files.push(skipped),
        }
    }
    findings.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Ok(TreeCheck {
        files: files.len() - skipped_files.len(),
        findings,
        skipped_files,
        tests_left_out,
    })
}

/// The text of a file worth checking, or why it is not.
fn read_checked(name: &str, path: &Path) -> Result<String, SkippedFile> {
    let skip = |rule, reason: String| SkippedFile {
        file: name.to_string(),
        rule,
        reason,
    };
    let unreadable = |e: std::io::Error| skip("unreadable", format!("not read: {e}"));
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_CHECKED_BYTES {
        return Err(skip(
            "too_large",
            format!("{size} bytes, over {MAX_CHECKED_BYTES}: not hand-written code"),
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    if bytes.contains(&0) {
        return Err(skip("binary", "binary (has NUL bytes)".into()));
    }
    String::from_utf8(bytes).map_err(|e| {
        skip(
            "not_utf8",
            format!(
                "not UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{CheckOptions, Severity};

    #[test]
    fn binaries_oversized_files_and_vendored_code_are_skipped_with_a_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("vendor/x")).unwrap();
        std::fs::write(
            root.join("src/ok.php"),
            "<?php\n\nfunction ok(): int {\n  return 1;\n}\n",
        )
        .unwrap();
        std::fs::write(root.join("src/broken.php"), "<?php\nfunction (\n").unwrap();
        std::fs::write(root.join("vendor/x/broken.php"), "<?php\nfunction (\n").unwrap();
        std::fs::write(root.join("src/image.yml"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        std::fs::write(root.join("src/latin1.php"), b"<?php\n// caf\xe9\n").unwrap();
        let mut big = b"<?php\n".to_vec();
        big.resize(MAX_CHECKED_BYTES as usize + 1, b'x');
        std::fs::write(root.join("src/huge.php"), &big).unwrap();
        std::fs::write(root.join("README.md"), "not checked").unwrap();

        let checker = Checker::new(None, CheckOptions::default());
        let report = check_tree(root, &checker, true, &tuneforge_core::reporter::Silent).unwrap();
        assert_eq!(report.files, 2, "{report:?}");
        let rules: Vec<(&str, &str)> = report
            .skipped_files
            .iter()
            .map(|s| (s.file.rsplit('/').next().unwrap(), s.rule))
            .collect();
        assert_eq!(
            rules,
            [
                ("huge.php", "too_large"),
                ("image.yml", "binary"),
                ("latin1.php", "not_utf8")
            ]
        );
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.file.ends_with("src/broken.php") && f.severity == Severity::Error)
        );
        assert!(!report.findings.iter().any(|f| f.file.contains("vendor")));
    }

    #[test]
    fn test_code_is_checked_only_when_asked_for() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("tests/modules/x_test")).unwrap();
        std::fs::write(
            root.join("src/ok.php"),
            "<?php\n\nfunction ok(): int {\n  return 1;\n}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("tests/modules/x_test/x_test.info.yml"),
            "name: X test\ntype: module\n",
        )
        .unwrap();
        let checker = Checker::new(None, CheckOptions::default());
        let silent = &tuneforge_core::reporter::Silent;
        let default = check_tree(root, &checker, false, silent).unwrap();
        assert_eq!((default.files, default.tests_left_out), (1, 1));
        assert!(default.findings.is_empty(), "{:?}", default.findings);
        let all = check_tree(root, &checker, true, silent).unwrap();
        assert_eq!((all.files, all.tests_left_out), (2, 0));
        assert_eq!(all.findings[0].rule, "info-core-version-requirement");
    }
}
