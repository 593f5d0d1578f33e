//! The corpus generators read: cleaned code files with their facts, grouped into Drupal
//! extensions (a directory holding `<name>.info.yml`), and docs nodes from drupal.org.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tuneforge_php::analyze::{FileFacts, Input, analyze};
use tuneforge_php::facts::ClassFacts;
use tuneforge_php::rules::Checker;
use tuneforge_php::yaml::YamlFacts;

/// Where a file came from, as samples cite it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// `git:<source>@<commit>` or `path:<source>@<content hash>`: the file's path follows
    /// after a `:` in each sample's `metadata.source`.
    pub source_ref: String,
    /// The source's time (commit time, or a local tree's newest change), RFC 3339 UTC.
    pub timestamp: String,
    pub license: Option<String>,
}

/// One cleaned file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// As named in `clean/files.jsonl`: `code/<source>/<path>`.
    pub path: String,
    /// Relative to its source's root.
    pub rel: String,
    pub text: String,
    pub provenance: Provenance,
    /// Samples from files of one group never straddle splits: the file itself, or the
    /// kept file of its duplicate cluster.
    pub group: String,
    /// The kept file of its duplicate cluster, when this one is a duplicate: it is read
    /// (an extension's `.info.yml` names the extension) but makes no sample of its own.
    pub duplicate_of: Option<String>,
}

impl SourceFile {
    /// `metadata.source` of a sample made from this file.
    pub fn cite(&self) -> String {
        format!("{}:{}", self.provenance.source_ref, self.rel)
    }

    /// The file name after the last `/`.
    pub fn file_name(&self) -> &str {
        self.rel.rsplit('/').next().unwrap_or(&self.rel)
    }
}

/// A Drupal extension: the directory of a `<name>.info.yml`.
#[derive(Debug, Clone)]
pub struct Extension {
    pub name: String,
    /// Its directory, as a prefix of [`SourceFile::path`] (ends with `/`).
    pub dir: String,
    /// `module`, `theme` or `profile`, as its `.info.yml` says (`module` when unstated).
    pub kind: &'static str,
}

/// The `type:` of an `.info.yml`, by a line scan (the file is small and flat at the top).
fn extension_kind(info_yml: &str) -> &'static str {
    let declared = info_yml.lines().find_map(|l| {
        l.strip_prefix("type:")
            .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"'))
    });
    match declared {
        Some("theme") => "theme",
        Some("profile") => "profile",
        _ => "module",
    }
}

/// A drupal.org node (change record or security advisory) as the api-d7 serves it.
#[derive(Debug, Clone)]
pub struct DocNode {
    pub file: usize,
    pub value: serde_json::Value,
}

pub struct Corpus {
    pub files: Vec<SourceFile>,
    /// Facts of each file, by index into `files` (PHP and Drupal YAML only).
    pub facts: Vec<Option<FileFacts>>,
    pub extensions: Vec<Extension>,
    /// Each file's extension, by index into `files`.
    pub extension_of: Vec<Option<usize>>,
    pub docs: Vec<DocNode>,
    by_path: BTreeMap<String, usize>,
    /// The file declaring each class, interface, trait and enum, by fully qualified name
    /// (the first declaration when several files declare one name).
    by_class: std::collections::HashMap<String, usize>,
    /// The classes that extend each class, by fully qualified names.
    subclasses: std::collections::HashMap<String, Vec<String>>,
}

impl Corpus {
    /// Analyze `files` (in parallel) with `checker` marking deprecated symbol uses.
    pub fn new(files: Vec<SourceFile>, checker: &Checker) -> Self {
        let inputs: Vec<Input> = files
            .iter()
            .map(|f| Input {
                path: f.path.clone(),
                text: f.text.clone(),
            })
            .collect();
        let analyzed = analyze(&inputs, Some(checker), &tuneforge_core::reporter::Silent);
        let by_path: BTreeMap<String, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let mut facts: Vec<Option<FileFacts>> = vec![None; files.len()];
        for f in analyzed {
            if let Some(&i) = by_path.get(&f.path) {
                facts[i] = Some(f);
            }
        }
        let mut extensions: Vec<Extension> = files
            .iter()
            .filter_map(|f| {
                let name = f.file_name().strip_suffix(".info.yml")?;
                let dir = &f.path[..f.path.len() - f.file_name().len()];
                Some(Extension {
                    name: name.to_owned(),
                    dir: dir.to_owned(),
                    kind: extension_kind(&f.text),
                })
            })
            .collect();
        // Longest directory first, so a nested extension wins over its parent.
        extensions.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then(a.dir.cmp(&b.dir)));
        let extension_of = files
            .par_iter()
            .map(|f| extensions.iter().position(|e| f.path.starts_with(&e.dir)))
            .collect();
        let docs = files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.path.starts_with("docs/") && f.path.ends_with(".json"))
            .filter_map(|(i, f)| {
                let value: serde_json::Value = serde_json::from_str(&f.text).ok()?;
                let kind = value.get("type")?.as_str()?;
                matches!(kind, "changenotice" | "sa").then_some(DocNode { file: i, value })
            })
            .collect();
        let mut corpus = Self {
            files,
            facts,
            extensions,
            extension_of,
            docs,
            by_path,
            by_class: std::collections::HashMap::new(),
            subclasses: std::collections::HashMap::new(),
        };
        let mut by_class = std::collections::HashMap::new();
        let mut subclasses: std::collections::HashMap<String, Vec<String>> =
            std::collections::HashMap::new();
        for (file, c) in corpus.classes() {
            by_class.entry(c.fqcn.clone()).or_insert(file);
            if let Some(parent) = &c.extends {
                subclasses
                    .entry(parent.trim_start_matches('\\').to_owned())
                    .or_default()
                    .push(c.fqcn.clone());
            }
        }
        corpus.by_class = by_class;
        corpus.subclasses = subclasses;
        corpus
    }

    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// The extension a file belongs to.
    pub fn extension(&self, file: usize) -> Option<&Extension> {
        self.extension_of[file].map(|e| &self.extensions[e])
    }

    /// A file of an extension by its path inside it (`event_calendar.services.yml`).
    pub fn extension_file(&self, ext: &Extension, rel: &str) -> Option<usize> {
        self.index_of(&format!("{}{rel}", ext.dir))
    }

    /// Every class with its file, in file order.
    pub fn classes(&self) -> impl Iterator<Item = (usize, &ClassFacts)> {
        self.facts.iter().enumerate().flat_map(|(i, f)| {
            f.iter()
                .flat_map(|f| f.php.iter())
                .filter(|p| p.syntax_errors.is_empty())
                .flat_map(move |p| p.classes.iter().map(move |c| (i, c)))
        })
    }

    /// The file declaring a class, by its fully qualified name.
    pub fn class_file(&self, fqcn: &str) -> Option<(usize, &ClassFacts)> {
        let fqcn = fqcn.trim_start_matches('\\');
        let file = *self.by_class.get(fqcn)?;
        self.facts[file]
            .iter()
            .flat_map(|f| f.php.iter())
            .flat_map(|p| p.classes.iter())
            .find(|c| c.fqcn == fqcn)
            .map(|c| (file, c))
    }

    /// The classes of the sources that extend `fqcn` directly.
    pub fn subclasses(&self, fqcn: &str) -> impl Iterator<Item = (usize, &ClassFacts)> {
        self.subclasses
            .get(fqcn.trim_start_matches('\\'))
            .into_iter()
            .flatten()
            .filter_map(|child| self.class_file(child))
    }

    /// The attribute class the sources declare for a plugin type: a class named
    /// `plugin_type` in an `…\Attribute\` namespace.
    pub fn attribute_class(&self, plugin_type: &str) -> Option<&str> {
        self.classes()
            .find(|(_, c)| c.name == plugin_type && c.fqcn.contains("\\Attribute\\"))
            .map(|(_, c)| c.fqcn.as_str())
    }

    /// The named parameters of an attribute class's constructor (without `$`), when the
    /// sources declare the class: the arguments a `#[…]` of it may name.
    pub fn attribute_parameters(&self, attribute: &str) -> Option<Vec<&str>> {
        let (_, class) = self.class_file(attribute)?;
        let constructor = class
            .method_outlines
            .iter()
            .find(|m| m.name == "__construct")?;
        Some(
            constructor
                .params
                .iter()
                .map(|p| p.trim_start_matches('$'))
                .collect(),
        )
    }

    /// The YAML facts of a file, when it has them.
    pub fn yaml(&self, file: usize) -> Option<&YamlFacts> {
        self.facts[file].as_ref()?.yaml.as_ref()
    }
}
