//! Per-file cleaning: which files are kept at all, and the normal form of those kept.
//!
//! A file is dropped, with its reason, when it is not one of the configured kinds, sits in
//! a vendored or built directory, is a lock file or minified asset, is too large, binary,
//! not UTF-8, marked as generated, or fails the code-quality filters (StarCoder2's spirit:
//! very long lines, a long mean line, little alphanumeric text), which catch data files and
//! minified code that slipped past the names.
//!
//! A kept file is normalized: line endings become LF, trailing spaces and tabs go, the file
//! ends with exactly one newline, and indentation is never touched (it is meaning in YAML
//! and style the model should learn in PHP). A license banner (the first comment, when it
//! matches a license pattern) is removed, since thousands of copies of the GPL header teach
//! nothing; its SPDX id is kept as metadata. PHP attribute spacing is made canonical
//! (`#[ Block (` → `#[Block(`), so formatting noise does not split near duplicates.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};
use serde::Serialize;
use tuneforge_core::config::CleanConfig;

/// Why a file was not kept: a short rule name (counted in manifests) and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped(pub &'static str, pub String);

/// A kept file in normal form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Normalized {
    pub text: String,
    /// From the removed banner's `SPDX-License-Identifier`, if it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spdx: Option<String>,
    pub license_removed: bool,
}

/// Is this a prose file, exempt from the line-length filters (a paragraph is one line)?
fn is_prose(rel: &str) -> bool {
    [".md", ".txt", ".rst"].iter().any(|e| rel.ends_with(e))
}

fn is_php(rel: &str) -> bool {
    [
        ".php", ".module", ".inc", ".install", ".theme", ".profile", ".engine",
    ]
    .iter()
    .any(|e| rel.ends_with(e))
}

static SPDX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"SPDX-License-Identifier:\s*([A-Za-z0-9.+\-]+(?:\s+(?:OR|AND|WITH)\s+[A-Za-z0-9.+\-]+)*)",
    )
    .expect("valid pattern")
});

/// `#[ Name (`, `#[Name (` and `#[ Name ]` at the start of a line.
static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)#\[[ \t]*([\\A-Za-z_][\\A-Za-z0-9_]*)[ \t]*(\(|\]|,)")
        .expect("valid pattern")
});
static ATTRIBUTE_CLOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*#\[[^\n]*?\))[ \t]+\][ \t]*$").expect("valid pattern")
});

pub struct Normalizer {
    extensions: Vec<String>,
    exclude_dirs: Vec<String>,
    exclude_files: RegexSet,
    generated_markers: Vec<String>,
    license: RegexSet,
    max_file_bytes: u64,
    max_line_length: u64,
    max_mean_line_length: f64,
    min_alphanumeric_fraction: f64,
}

impl Normalizer {
    pub fn new(config: &CleanConfig) -> Self {
        Self {
            extensions: config.extensions.clone(),
            exclude_dirs: config.exclude_dirs.clone(),
            exclude_files: RegexSet::new(config.exclude_files.iter().map(|g| g.to_regex()))
                .expect("globs are checked when the config is read"),
            generated_markers: config.generated_markers.clone(),
            license: RegexSet::new(config.license_patterns.iter().map(|p| p.as_str()))
                .expect("patterns are checked when the config is read"),
            max_file_bytes: config.max_file_bytes,
            max_line_length: config.max_line_length,
            max_mean_line_length: config.max_mean_line_length,
            min_alphanumeric_fraction: config.min_alphanumeric_fraction.get(),
        }
    }

    /// Whether a path (relative to its tree) is kept by name alone.
    pub fn check_path(&self, rel: &str) -> Result<(), Dropped> {
        let parts: Vec<&str> = rel.split('/').collect();
        if let Some(dir) = parts[..parts.len() - 1]
            .iter()
            .find(|p| self.exclude_dirs.iter().any(|d| d == *p))
        {
            return Err(Dropped(
                "excluded_dir",
                format!("in {dir}/: vendored or built, not the project's own"),
            ));
        }
        if self.exclude_files.is_match(rel) {
            return Err(Dropped(
                "excluded_file",
                "a lock file or minified asset (exclude_files)".to_owned(),
            ));
        }
        if !self.extensions.iter().any(|e| rel.ends_with(e.as_str())) {
            return Err(Dropped(
                "extension",
                "not a kind of file cleaned (extensions)".to_owned(),
            ));
        }
        Ok(())
    }

    /// Check and normalize one file's bytes. `code` applies the code-quality filters.
    pub fn normalize(&self, rel: &str, bytes: &[u8], code: bool) -> Result<Normalized, Dropped> {
        if bytes.len() as u64 > self.max_file_bytes {
            return Err(Dropped(
                "too_large",
                format!(
                    "{} bytes, over max_file_bytes {}",
                    bytes.len(),
                    self.max_file_bytes
                ),
            ));
        }
        if bytes.contains(&0) {
            return Err(Dropped("binary", "binary (has NUL bytes)".to_owned()));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            Dropped(
                "not_utf8",
                format!("not UTF-8 (invalid byte at offset {})", e.valid_up_to()),
            )
        })?;
        let head: String = text.lines().take(10).collect::<Vec<_>>().join("\n");
        if let Some(marker) = self
            .generated_markers
            .iter()
            .find(|m| head.contains(m.as_str()))
        {
            return Err(Dropped(
                "generated",
                format!("generated (\"{marker}\" in its first lines)"),
            ));
        }
        let mut text = normalize_whitespace(text);
        let mut spdx = None;
        let mut license_removed = false;
        let banner = if has_banners(rel) {
            leading_comment(&text, is_php(rel))
        } else {
            None
        };
        if let Some((start, end)) = banner {
            let comment = &text[start..end];
            let kept = self.without_license(comment);
            if self.license.is_match(comment)
                && let Some(rest) = kept.as_ref()
                && !comment.contains("?>")
            {
                // A docblock that also documents the file (`@file`, a description): only its
                // license paragraphs go.
                spdx = SPDX.captures(comment).map(|c| c[1].to_owned());
                text.replace_range(start..end, rest);
                license_removed = true;
            } else if self.license.is_match(comment) && is_banner(comment, &text[end..]) {
                spdx = SPDX.captures(comment).map(|c| c[1].to_owned());
                // The line break that ended the banner and one blank line go with it.
                let mut cut_end = end;
                let breaks = if comment.ends_with('\n') { 1 } else { 2 };
                for _ in 0..breaks {
                    if text[cut_end..].starts_with('\n') {
                        cut_end += 1;
                    }
                }
                text.replace_range(start..cut_end, "");
                license_removed = true;
            }
        }
        if is_php(rel) {
            text = canonical_attributes(&text);
        }
        if code && !is_prose(rel) {
            self.quality(&text)?;
        }
        Ok(Normalized {
            text,
            spdx,
            license_removed,
        })
    }

    /// A block comment with its license paragraphs cut out, when it has both license
    /// paragraphs and others (a `@file` description, tags); `None` when it is all license,
    /// all documentation, or not a multi-line block comment.
    fn without_license(&self, comment: &str) -> Option<String> {
        let lines: Vec<&str> = comment.lines().collect();
        let (first, last) = (lines.first()?.trim(), lines.last()?.trim());
        if lines.len() < 3 || !matches!(first, "/**" | "/*") || last != "*/" {
            return None;
        }
        let content = |l: &str| l.trim().trim_start_matches('*').trim().to_owned();
        let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
        let mut separator = " *";
        for line in &lines[1..lines.len() - 1] {
            if content(line).is_empty() {
                separator = line;
                if paragraphs.last().is_some_and(|p| !p.is_empty()) {
                    paragraphs.push(Vec::new());
                }
            } else {
                paragraphs
                    .last_mut()
                    .expect("one paragraph at least")
                    .push(line);
            }
        }
        paragraphs.retain(|p| !p.is_empty());
        let (license, kept): (Vec<_>, Vec<_>) = paragraphs
            .into_iter()
            .partition(|p| self.license.is_match(&p.join("\n")));
        if license.is_empty() || kept.is_empty() {
            return None;
        }
        let mut out = vec![lines[0].to_owned()];
        for (i, p) in kept.iter().enumerate() {
            if i > 0 {
                out.push(separator.to_owned());
            }
            out.extend(p.iter().map(|l| (*l).to_owned()));
        }
        out.push(lines[lines.len() - 1].to_owned());
        Some(out.join("\n"))
    }

    fn quality(&self, text: &str) -> Result<(), Dropped> {
        let mut lines = 0u64;
        let mut chars = 0u64;
        let mut alnum = 0u64;
        for line in text.lines() {
            let n = line.chars().count() as u64;
            if n > self.max_line_length {
                return Err(Dropped(
                    "long_line",
                    format!(
                        "line {} has {n} characters, over max_line_length {}: minified or data",
                        lines + 1,
                        self.max_line_length
                    ),
                ));
            }
            lines += 1;
            chars += n;
            alnum += line
                .chars()
                .filter(|&c| c != '_' && crate::shingle::is_word_char(c))
                .count() as u64;
        }
        if lines == 0 {
            return Err(Dropped("empty", "empty".to_owned()));
        }
        let mean = chars as f64 / lines as f64;
        if mean > self.max_mean_line_length {
            return Err(Dropped(
                "mean_line_length",
                format!(
                    "mean line length {mean:.0}, over max_mean_line_length {}",
                    self.max_mean_line_length
                ),
            ));
        }
        let fraction = alnum as f64 / (chars + lines) as f64;
        if fraction < self.min_alphanumeric_fraction {
            return Err(Dropped(
                "alphanumeric",
                format!(
                    "alphanumeric fraction {fraction:.2}, under min_alphanumeric_fraction {}",
                    self.min_alphanumeric_fraction
                ),
            ));
        }
        Ok(())
    }
}

/// LF line endings, no trailing spaces or tabs, exactly one final newline (none for an
/// empty file). Leading whitespace is left as it is.
pub fn normalize_whitespace(text: &str) -> String {
    let stored = tuneforge_core::text::normalize_stored(text);
    let body = stored.trim_end_matches('\n');
    if body.is_empty() {
        String::new()
    } else {
        format!("{body}\n")
    }
}

/// Kinds of files whose first comment can be a license banner. Prose has no comments
/// (`# Title` is a Markdown heading) and JSON none at all.
fn has_banners(rel: &str) -> bool {
    !is_prose(rel) && ![".json", ".html", ".htm"].iter().any(|e| rel.ends_with(e))
}

/// Whether a leading comment matching a license pattern is a banner to remove, judged by
/// what it is and what follows: a docblock with `@file` documents the file, and one right
/// above a declaration documents that declaration, however it mentions a copyright; a
/// `//` comment that ends at `?>` is part of a PHP tag line, and cutting it would break the
/// file.
fn is_banner(comment: &str, after: &str) -> bool {
    if comment.contains("?>") {
        return false;
    }
    if comment.starts_with("/**") {
        if comment.contains("@file") {
            return false;
        }
        let next = after.trim_start();
        let declaration = [
            "class ",
            "interface ",
            "trait ",
            "enum ",
            "function ",
            "abstract ",
            "final ",
            "readonly ",
            "#[",
            "const ",
        ];
        if declaration.iter().any(|d| next.starts_with(d)) {
            return false;
        }
    }
    true
}

/// The byte range of the first comment of a file: after `<?php` for PHP, else at the top
/// (blank lines skipped). `/* … */`, a run of `//` or `#` lines (not `#[` attributes), or a
/// Twig `{# … #}`.
fn leading_comment(text: &str, php: bool) -> Option<(usize, usize)> {
    let mut pos = 0;
    if php {
        let open = text.find("<?php")?;
        if !text[..open].trim().is_empty() {
            return None;
        }
        pos = open + "<?php".len();
    }
    let skip_blank = |mut p: usize| {
        while p < text.len() && text[p..].starts_with(['\n', ' ', '\t']) {
            p += 1;
        }
        p
    };
    let start = skip_blank(pos);
    let rest = &text[start..];
    if rest.starts_with("/*") {
        let end = rest.find("*/")? + 2;
        return Some((start, start + end));
    }
    if rest.starts_with("{#") {
        let end = rest.find("#}")? + 2;
        return Some((start, start + end));
    }
    let is_line_comment =
        |l: &str| l.starts_with("//") || (l.starts_with('#') && !l.starts_with("#["));
    if !is_line_comment(rest) {
        return None;
    }
    let mut end = start;
    for line in rest.split_inclusive('\n') {
        if !is_line_comment(line.trim_start()) {
            break;
        }
        end += line.len();
    }
    Some((start, end.min(text.len())))
}

/// `#[ Block (` → `#[Block(`, `#[ Override ]` → `#[Override]`, `…) ]` → `…)]`.
fn canonical_attributes(text: &str) -> String {
    if !text.contains("#[") {
        return text.to_owned();
    }
    let once = ATTRIBUTE.replace_all(text, "$1#[$2$3");
    ATTRIBUTE_CLOSE.replace_all(&once, "$1]").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalizer() -> Normalizer {
        Normalizer::new(&CleanConfig::default())
    }

    #[test]
    fn whitespace_is_normalized_and_indentation_kept() {
        assert_eq!(
            normalize_whitespace("a:\r\n    b: 1  \r\n\tc\t\n\n\n"),
            "a:\n    b: 1\n\tc\n"
        );
        assert_eq!(normalize_whitespace("x"), "x\n");
        assert_eq!(normalize_whitespace("\n\n"), "");
    }

    #[test]
    fn a_gpl_banner_goes_and_the_file_docblock_stays() {
        let php = "<?php\n\n/*\n * SPDX-License-Identifier: GPL-2.0-or-later\n * Copyright (c) 2024 Someone\n */\n\n/**\n * @file\n * Hooks.\n */\n\nfunction x() {}\n";
        let n = normalizer()
            .normalize("x.module", php.as_bytes(), true)
            .unwrap();
        assert!(n.license_removed);
        assert_eq!(n.spdx.as_deref(), Some("GPL-2.0-or-later"));
        assert_eq!(
            n.text,
            "<?php\n\n/**\n * @file\n * Hooks.\n */\n\nfunction x() {}\n"
        );
        let plain = "<?php\n\n/**\n * @file\n * Hooks.\n */\n";
        let n = normalizer()
            .normalize("x.module", plain.as_bytes(), true)
            .unwrap();
        assert!(!n.license_removed);
        assert_eq!(n.text, plain);
    }

    #[test]
    fn docblocks_that_document_something_are_not_banners() {
        let n = normalizer();
        let file_doc = "<?php\n\n/**\n * @file\n * Copyright handling for the demo module.\n */\n\nfunction demo_x() {}\n";
        assert!(
            !n.normalize("demo.module", file_doc.as_bytes(), true)
                .unwrap()
                .license_removed
        );
        let class_doc =
            "<?php\n\n/**\n * Shows the copyright notice.\n */\nfinal class Notice {}\n";
        assert!(
            !n.normalize("Notice.php", class_doc.as_bytes(), true)
                .unwrap()
                .license_removed
        );
        let tag_line = "<?php // Copyright 2010 ACME ?>\n<div>x</div>\n";
        let kept = n
            .normalize("page.tpl.php", tag_line.as_bytes(), true)
            .unwrap();
        assert_eq!(kept.text, tag_line);
        let heading = "# Copyright notice module\n\nShows a notice.\n";
        assert_eq!(
            n.normalize("README.md", heading.as_bytes(), true)
                .unwrap()
                .text,
            heading
        );
        // A real banner above the namespace still goes.
        let banner = "<?php\n\n/**\n * Copyright (c) ACME. Licensed under the GPL.\n */\n\nnamespace Drupal\\x;\n";
        let n2 = n.normalize("X.php", banner.as_bytes(), true).unwrap();
        assert!(n2.license_removed);
        assert_eq!(n2.text, "<?php\n\nnamespace Drupal\\x;\n");
    }

    #[test]
    fn license_paragraphs_leave_a_file_docblock() {
        let php = "<?php\n/**\n * Option handling.\n *\n * This program is free software; you can redistribute it under the terms of\n * the GNU General Public License as published by the Free Software Foundation.\n *\n * @file\n * @ingroup Options\n */\n\nclass FormOptions {}\n";
        let n = normalizer()
            .normalize("FormOptions.php", php.as_bytes(), true)
            .unwrap();
        assert!(n.license_removed);
        assert_eq!(
            n.text,
            "<?php\n/**\n * Option handling.\n *\n * @file\n * @ingroup Options\n */\n\nclass FormOptions {}\n"
        );
    }

    #[test]
    fn hash_comment_banners_go_but_attributes_are_not_comments() {
        let yml = "# Copyright 2020 ACME. Licensed under the MIT license.\n# More.\nname: X\n";
        let n = normalizer()
            .normalize("x.yml", yml.as_bytes(), true)
            .unwrap();
        assert_eq!(n.text, "name: X\n");
        let php = "<?php\n#[Block(id: 'x')]\nclass X {}\n";
        let n = normalizer()
            .normalize("X.php", php.as_bytes(), true)
            .unwrap();
        assert_eq!(n.text, php);
    }

    #[test]
    fn attribute_spacing_is_canonical() {
        let php = "<?php\n#[ Block (\n  id: 'x',\n) ]\n  #[ \\Override ]\nfunction f() {}\n";
        let n = normalizer()
            .normalize("X.php", php.as_bytes(), true)
            .unwrap();
        assert_eq!(
            n.text,
            "<?php\n#[Block(\n  id: 'x',\n) ]\n  #[\\Override]\nfunction f() {}\n"
        );
        let one_line = "<?php\n#[Hook ('form_alter') ]\n";
        let n = normalizer()
            .normalize("X.php", one_line.as_bytes(), true)
            .unwrap();
        assert_eq!(n.text, "<?php\n#[Hook('form_alter')]\n");
    }

    #[test]
    fn paths_are_judged_by_directory_name_and_kind() {
        let n = normalizer();
        assert!(n.check_path("src/Plugin/Block/X.php").is_ok());
        assert!(
            n.check_path("vendor/acme/lib/X.php")
                .unwrap_err()
                .1
                .contains("vendor/")
        );
        assert!(
            n.check_path("js/app.min.js")
                .unwrap_err()
                .1
                .contains("minified")
        );
        assert!(n.check_path("composer.lock").is_err());
        assert!(
            n.check_path("logo.png")
                .unwrap_err()
                .1
                .contains("extensions")
        );
        assert!(
            n.check_path("my_vendor/X.php").is_ok(),
            "a directory named like, not equal"
        );
    }

    #[test]
    fn bad_files_are_dropped_with_the_reason() {
        let n = normalizer();
        let why = |rel: &str, b: &[u8]| n.normalize(rel, b, true).unwrap_err().1;
        assert!(why("a.php", b"<?php\x00").contains("binary"));
        assert!(why("a.php", b"<?php \xff\xfe").contains("not UTF-8"));
        assert!(why("a.php", b"<?php\n// @generated by a tool\n").contains("generated"));
        let long = format!("var x = \"{}\";\n", "a".repeat(2000));
        assert!(why("a.js", long.as_bytes()).contains("line 1 has 2011 characters"));
        let wide = format!("{}\n", "abc ".repeat(40)).repeat(5);
        assert!(why("a.css", wide.as_bytes()).contains("mean line length"));
        assert!(why("a.css", "{}[]();\n".repeat(10).as_bytes()).contains("alphanumeric"));
        // Prose is exempt from line filters: a paragraph is one line.
        assert!(n.normalize("README.md", long.as_bytes(), true).is_ok());
        // Docs are kept as served.
        assert!(n.normalize("page.json", long.as_bytes(), false).is_ok());
    }
}
