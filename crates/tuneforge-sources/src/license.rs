//! The licence of code, read from its source: the nearest `composer.json` with a `license`
//! field, else a licence file whose text is unambiguous (MIT, Apache-2.0), else a Drupal
//! extension's `*.info.yml` (drupal.org hosts only GPL-2.0-or-later code). A file's licence
//! is the one found in its own directory or the nearest one above it, within its source.

use std::collections::BTreeMap;
use std::path::Path;

/// Licences found in a source tree, by the directory (relative, `""` for the root) they
/// apply from.
#[derive(Debug, Default, Clone)]
pub struct Licenses {
    by_dir: BTreeMap<String, String>,
}

impl Licenses {
    /// Scans the tree at `root` (`.git/` and symlinks left out). An unreadable tree has no
    /// licences: its files are then listed as of unknown licence, never guessed.
    pub fn scan(root: &Path) -> Self {
        let mut found: BTreeMap<String, (u8, String)> = BTreeMap::new();
        let Ok(listing) = tuneforge_core::fsio::list_files(root) else {
            return Self::default();
        };
        for (rel, full) in listing.files {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
            let Some((rank, license)) = license_of_file(name, &full) else {
                continue;
            };
            // Lower rank wins within a directory: composer.json, then a licence file, then
            // an info.yml.
            let slot = found
                .entry(dir.to_string())
                .or_insert((u8::MAX, String::new()));
            if rank < slot.0 {
                *slot = (rank, license);
            }
        }
        Self {
            by_dir: found.into_iter().map(|(d, (_, l))| (d, l)).collect(),
        }
    }

    /// The licence of the file at `rel` (relative to the source root).
    pub fn of(&self, rel: &str) -> Option<&str> {
        let mut dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(license) = self.by_dir.get(dir) {
                return Some(license);
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }
}

/// `(rank, SPDX expression)` when the file `name` states a licence.
fn license_of_file(name: &str, path: &Path) -> Option<(u8, String)> {
    let lower = name.to_ascii_lowercase();
    if lower == "composer.json" {
        let text = std::fs::read_to_string(path).ok()?;
        return from_composer(&text).map(|l| (0, l));
    }
    if ["license", "licence", "copying"]
        .iter()
        .any(|p| lower == *p || lower.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
    {
        let text = std::fs::read_to_string(path).ok()?;
        return from_license_text(&text).map(|l| (1, l));
    }
    if lower.ends_with(".info.yml") {
        return Some((2, "GPL-2.0-or-later".to_string()));
    }
    None
}

/// The `license` field of a `composer.json`: a string, or a list meaning any of them.
pub fn from_composer(text: &str) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_str(text).ok()?;
    match doc.get("license")? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Array(items) => {
            let ids: Vec<&str> = items
                .iter()
                .filter_map(|v| v.as_str().map(str::trim))
                .filter(|s| !s.is_empty())
                .collect();
            match ids.as_slice() {
                [] => None,
                [one] => Some((*one).to_string()),
                several => Some(format!("({})", several.join(" OR "))),
            }
        }
        _ => None,
    }
}

/// Licences whose text says which they are without doubt. The GPL's text is the same for
/// "only" and "or later" (that is said in each file's notice), so it is not read here.
pub fn from_license_text(text: &str) -> Option<String> {
    let head: String = text.chars().take(4000).collect();
    if head.contains("Permission is hereby granted, free of charge") {
        return Some("MIT".to_string());
    }
    if head.contains("Apache License") && head.contains("Version 2.0") {
        return Some("Apache-2.0".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_statement_of_a_licence_applies() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "composer.json",
            r#"{"name": "x/y", "license": "GPL-2.0-or-later"}"#,
        );
        write("modules/a/a.info.yml", "name: A\n");
        write(
            "vendor/lib/LICENSE",
            "MIT License\n\nPermission is hereby granted, free of charge, to any person",
        );
        write(
            "vendor/dual/composer.json",
            r#"{"license": ["MIT", "Apache-2.0"]}"#,
        );
        write(
            "tools/LICENSE.txt",
            "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n",
        );
        let licenses = Licenses::scan(root);
        assert_eq!(licenses.of("src/Thing.php"), Some("GPL-2.0-or-later"));
        assert_eq!(licenses.of("modules/a/src/A.php"), Some("GPL-2.0-or-later"));
        assert_eq!(licenses.of("vendor/lib/src/Lib.php"), Some("MIT"));
        assert_eq!(
            licenses.of("vendor/dual/x.php"),
            Some("(MIT OR Apache-2.0)")
        );
        // The GPL's text alone does not say "only" or "or later": the root's composer.json decides.
        assert_eq!(licenses.of("tools/t.php"), Some("GPL-2.0-or-later"));

        let bare = tempfile::tempdir().unwrap();
        std::fs::write(bare.path().join("a.php"), "<?php\n").unwrap();
        assert_eq!(Licenses::scan(bare.path()).of("a.php"), None);
    }
}
