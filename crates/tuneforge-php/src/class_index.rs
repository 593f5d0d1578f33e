//! The classes the sources declare, to check code against: an import of a `Drupal\…` class
//! the sources do not have is an invented class, and a class marked `@deprecated` makes no
//! example of Drupal 11 code.

use std::collections::{BTreeSet, HashMap};

use crate::analyze::FileFacts;

/// A class every Drupal core checkout declares: its presence means the sources hold core.
pub const CORE_SENTINEL: &str = "Drupal\\Core\\DrupalKernel";

/// Every class, interface, trait and enum the analyzed sources declare.
#[derive(Debug, Default, Clone)]
pub struct ClassIndex {
    /// Fully qualified name → whether it is `@deprecated`.
    classes: HashMap<String, bool>,
    /// `Drupal\Core`, `Drupal\Component` and `Drupal\<extension>`: the namespaces whose
    /// classes the index knows all of.
    roots: BTreeSet<String>,
}

impl ClassIndex {
    pub fn from_facts<'a>(files: impl IntoIterator<Item = &'a FileFacts>) -> Self {
        let mut index = ClassIndex::default();
        for file in files {
            let Some(php) = &file.php else { continue };
            for c in &php.classes {
                index.insert(&c.fqcn, c.deprecated.is_some());
            }
            for alias in &php.class_aliases {
                index.insert(alias, false);
            }
        }
        index
    }

    /// The index of an `analysis/facts.jsonl` (the `analyze` stage's output, one file's
    /// facts per line). A line that does not parse is skipped: the stage that wrote the
    /// file validates it, and a missing class only makes the check more lenient.
    pub fn from_facts_jsonl(text: &str) -> Self {
        let mut index = ClassIndex::default();
        for line in text.lines() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let classes = value
                .get("classes")
                .or_else(|| value.get("php").and_then(|p| p.get("classes")));
            for c in classes.and_then(|c| c.as_array()).into_iter().flatten() {
                if let Some(fqcn) = c.get("fqcn").and_then(|f| f.as_str()) {
                    index.insert(fqcn, c.get("deprecated").is_some());
                }
            }
            let aliases = value
                .get("class_aliases")
                .or_else(|| value.get("php").and_then(|p| p.get("class_aliases")));
            for alias in aliases.and_then(|a| a.as_array()).into_iter().flatten() {
                if let Some(name) = alias.as_str() {
                    index.insert(name, false);
                }
            }
        }
        index
    }

    pub fn insert(&mut self, fqcn: &str, deprecated: bool) {
        let fqcn = fqcn.trim_start_matches('\\');
        if let Some(root) = drupal_root(fqcn) {
            self.roots.insert(root.to_owned());
        }
        self.classes.insert(fqcn.to_owned(), deprecated);
    }

    pub fn len(&self) -> usize {
        self.classes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    pub fn contains(&self, fqcn: &str) -> bool {
        self.classes.contains_key(fqcn.trim_start_matches('\\'))
    }

    pub fn is_deprecated(&self, fqcn: &str) -> bool {
        self.classes
            .get(fqcn.trim_start_matches('\\'))
            .copied()
            .unwrap_or(false)
    }

    /// Whether the index has the namespace `fqcn` lives in, so that its absence means the
    /// class does not exist (rather than that its module is not among the sources). A
    /// module's namespace is covered when any of its classes is indexed (sources hold
    /// modules whole); `Drupal\Core` and `Drupal\Component` only when the sources hold a
    /// core checkout ([`CORE_SENTINEL`]), since a few core files copied elsewhere are not
    /// core.
    pub fn covers(&self, fqcn: &str) -> bool {
        let Some(root) = drupal_root(fqcn.trim_start_matches('\\')) else {
            return false;
        };
        if matches!(root, "Drupal\\Core" | "Drupal\\Component") {
            return self.classes.contains_key(CORE_SENTINEL);
        }
        self.roots.contains(root)
    }

    /// The `Drupal\…` classes `code` imports that the index covers and does not have, with
    /// their 1-based lines.
    pub fn unknown_imports(&self, code: &str) -> Vec<(String, usize)> {
        imports(code)
            .into_iter()
            .filter(|(name, _)| self.covers(name) && !self.contains(name))
            .collect()
    }
}

/// `Drupal\Core`, `Drupal\Component` or `Drupal\<extension>` of a `Drupal\…` name.
fn drupal_root(fqcn: &str) -> Option<&str> {
    let rest = fqcn.strip_prefix("Drupal\\")?;
    let first = rest.split('\\').next()?;
    // A bare `Drupal\X` (no deeper segment) names no namespace.
    if rest.len() == first.len() {
        return None;
    }
    Some(&fqcn[.."Drupal\\".len() + first.len()])
}

/// The classes a PHP file imports with top-level `use` statements (group uses expanded;
/// `use function` and `use const` left out), with their 1-based lines. A `use` inside a
/// class body imports a trait and is indented, so only unindented statements count.
pub fn imports(code: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut statement = String::new();
    let mut start = 0;
    for (i, line) in code.lines().enumerate() {
        if statement.is_empty() {
            let Some(rest) = line.strip_prefix("use ") else {
                continue;
            };
            start = i + 1;
            statement.push_str(rest);
        } else {
            statement.push(' ');
            statement.push_str(line.trim());
        }
        if let Some(end) = statement.find(';') {
            let body = statement[..end].trim().to_owned();
            statement.clear();
            if body.starts_with("function ") || body.starts_with("const ") {
                continue;
            }
            for name in expand_use(&body) {
                out.push((name, start));
            }
        } else if statement.len() > 4096 {
            // Not a statement after all (a `use` in a heredoc, say).
            statement.clear();
        }
    }
    out
}

/// `A\B\{C, D as E}` → `A\B\C`, `A\B\D`; `A\B as C` → `A\B`; several clauses split on `,`.
fn expand_use(body: &str) -> Vec<String> {
    let strip_alias = |s: &str| -> String {
        let s = s.trim();
        let s = s.split(" as ").next().unwrap_or(s).trim();
        s.trim_start_matches('\\').to_owned()
    };
    if let Some((prefix, group)) = body.split_once('{') {
        let prefix = prefix.trim().trim_start_matches('\\');
        let group = group.trim_end_matches('}');
        return group
            .split(',')
            .map(strip_alias)
            .filter(|n| !n.is_empty())
            .map(|n| format!("{prefix}{n}"))
            .collect();
    }
    body.split(',')
        .map(strip_alias)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The fully qualified names of the classes a PHP file declares, by a line scan of its
/// `namespace` and class-like declarations (for answers, which need not parse).
pub fn declared_classes(code: &str) -> Vec<String> {
    let mut namespace = String::new();
    let mut out = Vec::new();
    for line in code.lines() {
        let t = line.trim_start();
        if let Some(ns) = t.strip_prefix("namespace ") {
            namespace = ns.trim().trim_end_matches(';').trim().to_owned();
            continue;
        }
        let mut words = t.split_whitespace().peekable();
        while let Some(w) = words.peek() {
            if matches!(*w, "final" | "abstract" | "readonly") {
                words.next();
            } else {
                break;
            }
        }
        if let (Some("class" | "interface" | "trait" | "enum"), Some(name)) =
            (words.next(), words.next())
        {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && line.len() - t.len() == 0 {
                out.push(if namespace.is_empty() {
                    name
                } else {
                    format!("{namespace}\\{name}")
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE: &str = "<?php\n\nnamespace Drupal\\node\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\Invented\\Thing;\nuse Drupal\\node\\NodeInterface as Node;\nuse Drupal\\Core\\{Url, Link};\nuse Drupal\\other_module\\Unknown;\nuse function Drupal\\Core\\foo;\nuse Symfony\\Component\\HttpFoundation\\Request;\n\nfinal class SyndicateBlock extends BlockBase {\n  use StringTranslationTrait;\n}\n";

    #[test]
    fn imports_expand_groups_and_skip_functions_and_trait_uses() {
        let names: Vec<String> = imports(CODE).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "Drupal\\Core\\Block\\BlockBase",
                "Drupal\\Core\\Invented\\Thing",
                "Drupal\\node\\NodeInterface",
                "Drupal\\Core\\Url",
                "Drupal\\Core\\Link",
                "Drupal\\other_module\\Unknown",
                "Symfony\\Component\\HttpFoundation\\Request",
            ]
        );
        assert_eq!(imports(CODE)[1].1, 6);
    }

    #[test]
    fn an_import_is_unknown_only_where_the_index_covers_its_namespace() {
        let mut index = ClassIndex::default();
        assert!(!index.covers("Drupal\\Core\\Block\\BlockBase"));
        for c in [
            CORE_SENTINEL,
            "Drupal\\Core\\Block\\BlockBase",
            "Drupal\\Core\\Url",
            "Drupal\\Core\\Link",
            "Drupal\\node\\NodeInterface",
        ] {
            index.insert(c, false);
        }
        index.insert("Drupal\\node\\OldThing", true);
        assert_eq!(
            index.unknown_imports(CODE),
            [("Drupal\\Core\\Invented\\Thing".to_owned(), 6)]
        );
        assert!(index.is_deprecated("\\Drupal\\node\\OldThing"));
        assert!(!index.is_deprecated("Drupal\\node\\NodeInterface"));
        assert_eq!(
            declared_classes(CODE),
            ["Drupal\\node\\Plugin\\Block\\SyndicateBlock"]
        );
    }

    #[test]
    fn the_index_reads_the_analyze_stages_facts() {
        let jsonl = "{\"path\":\"a.php\",\"language\":\"php\",\"classes\":[{\"name\":\"A\",\"fqcn\":\"Drupal\\\\x\\\\A\",\"deprecated\":\"in drupal:11.3.0\"},{\"name\":\"B\",\"fqcn\":\"Drupal\\\\x\\\\B\"}]}\n{\"path\":\"c.php\",\"language\":\"php\",\"class_aliases\":[\"Drupal\\\\x\\\\Old\"]}\n{\"path\":\"b.yml\",\"language\":\"yaml\"}\n";
        let index = ClassIndex::from_facts_jsonl(jsonl);
        assert_eq!(index.len(), 3);
        assert!(index.contains("Drupal\\x\\Old"));
        assert!(index.is_deprecated("Drupal\\x\\A"));
        assert!(index.contains("Drupal\\x\\B") && !index.is_deprecated("Drupal\\x\\B"));
        assert!(index.covers("Drupal\\x\\C") && !index.covers("Drupal\\y\\C"));
    }
}
