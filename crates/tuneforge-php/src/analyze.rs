//! `analyze` over cleaned files: one [`FileFacts`] per PHP or Drupal YAML file, in parallel,
//! in the order given.

use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::reporter::Reporter;

use crate::facts::{PhpFacts, php_facts};
use crate::rules::{DEPRECATED_SYMBOL, REMOVED_SYMBOL};
use crate::yaml::{YamlFacts, yaml_facts};

/// Files whose content is PHP.
pub const PHP_EXTENSIONS: &[&str] = &[
    ".php", ".module", ".inc", ".install", ".theme", ".profile", ".engine",
];

pub fn is_php(path: &str) -> bool {
    PHP_EXTENSIONS.iter().any(|e| path.ends_with(e))
}

/// One file to analyze.
pub struct Input {
    /// As named in `clean/files.jsonl`.
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileFacts {
    pub path: String,
    /// `php` or `yaml`.
    pub language: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub php: Option<PhpFacts>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub yaml: Option<YamlFacts>,
    /// A YAML file that does not parse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yaml_error: Option<String>,
    /// Uses of symbols on the mined deprecation list (when there is one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deprecated_uses: Vec<DeprecatedUse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeprecatedUse {
    /// `removed-symbol` (gone in Drupal 11) or `deprecated-symbol` (going in 12).
    pub rule: &'static str,
    pub line: usize,
    pub message: String,
}

/// The machine name procedural hooks of a file start with: `demo` for `demo.module`.
fn module_of(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next()?;
    [".module", ".install", ".theme", ".inc", ".profile"]
        .iter()
        .any(|e| name.ends_with(e))
        .then(|| name.split('.').next())
        .flatten()
}

/// Facts of every PHP and Drupal YAML file among `inputs`; other files are skipped.
pub fn analyze(
    inputs: &[Input],
    deprecations: Option<&crate::rules::Checker>,
    reporter: &dyn Reporter,
) -> Vec<FileFacts> {
    let task = reporter.task("analyze: files", Some(inputs.len() as u64));
    let out = inputs
        .par_iter()
        .filter_map(|input| {
            task.advance(1);
            if is_php(&input.path) {
                let module = module_of(&input.path);
                // With a deprecation list the checker parses once for facts and findings.
                let (php, deprecated_uses) = match deprecations {
                    Some(checker) => {
                        let (findings, facts) =
                            checker.check_php_with_facts(&input.path, &input.text, module);
                        let uses = findings
                            .into_iter()
                            .filter(|f| {
                                f.rule == REMOVED_SYMBOL.id || f.rule == DEPRECATED_SYMBOL.id
                            })
                            .map(|f| DeprecatedUse {
                                rule: f.rule,
                                line: f.line,
                                message: f.message,
                            })
                            .collect();
                        (facts, uses)
                    }
                    None => (php_facts(&input.text, module), Vec::new()),
                };
                return Some(FileFacts {
                    path: input.path.clone(),
                    language: "php",
                    php: Some(php),
                    yaml: None,
                    yaml_error: None,
                    deprecated_uses,
                });
            }
            match yaml_facts(&input.path, &input.text) {
                Ok(None) => None,
                Ok(Some(facts)) => Some(FileFacts {
                    path: input.path.clone(),
                    language: "yaml",
                    php: None,
                    yaml: Some(facts),
                    yaml_error: None,
                    deprecated_uses: Vec::new(),
                }),
                Err(e) => Some(FileFacts {
                    path: input.path.clone(),
                    language: "yaml",
                    php: None,
                    yaml: None,
                    yaml_error: Some(e.message),
                    deprecated_uses: Vec::new(),
                }),
            }
        })
        .collect();
    task.finish();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_named_by_their_file() {
        assert_eq!(module_of("code/demo/demo.module"), Some("demo"));
        assert_eq!(module_of("code/demo/demo.views.inc"), Some("demo"));
        assert_eq!(module_of("code/demo/src/X.php"), None);
    }

    #[test]
    fn only_php_and_drupal_yaml_have_facts() {
        let inputs = vec![
            Input {
                path: "a/demo.module".into(),
                text: "<?php\nfunction demo_install() {}\n".into(),
            },
            Input {
                path: "a/README.md".into(),
                text: "# x\n".into(),
            },
            Input {
                path: "a/demo.info.yml".into(),
                text: "name: x\n".into(),
            },
            Input {
                path: "a/demo.routing.yml".into(),
                text: "r: [\n".into(),
            },
        ];
        let facts = analyze(&inputs, None, &tuneforge_core::reporter::Silent);
        assert_eq!(facts.len(), 2);
        assert_eq!(facts[0].php.as_ref().unwrap().hooks[0].hook, "install");
        assert!(facts[1].yaml_error.is_some());
    }
}
