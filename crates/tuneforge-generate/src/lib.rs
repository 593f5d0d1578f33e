//! `generate`: instruction samples from analyzed Drupal code and docs.
//!
//! * [`templates`]: task families written from real code: the instruction is made from a
//!   class's facts (plugin type, id, label, docblock summary, hooks, services, routes), the
//!   answer is the real file.
//! * [`refactor`]: legacy code rewritten mechanically into its Drupal 11 form (annotation →
//!   attribute, procedural hook → `#[Hook]` class, `\Drupal::` calls → injection, a removed
//!   function → its replacement), kept only when the output re-parses and passes the rules.
//! * [`docs`]: change records and security advisories as question → answer with their
//!   before/after code.
//!
//! Everything here is deterministic: the same corpus and seed give the same samples in the
//! same order. Nothing is dropped silently: every candidate that does not become a sample
//! is listed with its generator and reason.

mod config_schema;
pub mod corpus;
pub mod docs;
mod html;
mod module_yaml;
pub mod phrasing;
pub mod refactor;
pub mod synthetic;
pub mod templates;
mod twig_templates;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tuneforge_core::records::{Message, Role, Sample, SampleMetadata, TrainOn, sample_id};
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::rules::Checker;

use crate::corpus::{Corpus, SourceFile};

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Chooses phrasings (and nothing else).
    pub seed: u64,
    /// Generators to run, by family name (`plugin`, `refactor:annotation`, `docs:sa`, …);
    /// empty runs all.
    pub only: Vec<String>,
}

/// A candidate that did not become a sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub generator: String,
    pub source: String,
    pub reason: String,
}

/// Per generator: candidates seen, samples made, candidates dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GeneratorCount {
    pub candidates: u64,
    pub samples: u64,
    pub dropped: u64,
}

#[derive(Debug, Default)]
pub struct Generated {
    pub samples: Vec<Sample>,
    pub dropped: Vec<Dropped>,
    pub generators: BTreeMap<String, GeneratorCount>,
    /// Samples whose messages another generator already made (same id), not repeated.
    pub repeats: u64,
}

/// Where samples and drops are collected while generators run.
pub struct Emitter<'c> {
    corpus: &'c Corpus,
    seed: u64,
    out: Generated,
    ids: BTreeSet<String>,
}

impl<'c> Emitter<'c> {
    fn new(corpus: &'c Corpus, seed: u64) -> Self {
        Self {
            corpus,
            seed,
            out: Generated::default(),
            ids: BTreeSet::new(),
        }
    }

    /// A phrasing for this sample, chosen by the seed and `key`.
    pub fn pick<'a>(&self, key: &str, options: &[&'a str]) -> &'a str {
        phrasing::pick(self.seed, key, options)
    }

    fn count(&mut self, generator: &str) -> &mut GeneratorCount {
        self.out.generators.entry(generator.to_owned()).or_default()
    }

    /// A single-turn sample made from `file`: `user` asks, `answer` is trained.
    pub fn emit(
        &mut self,
        generator: &str,
        domain: &str,
        file: usize,
        user: String,
        answer: String,
    ) {
        let f = &self.corpus.files[file];
        let source = f.cite();
        if let Some(kept) = &f.duplicate_of {
            self.drop(
                generator,
                source,
                format!("a duplicate of {kept}, which makes the samples"),
            );
            return;
        }
        let meta = file_metadata(generator, domain, f);
        self.emit_with(generator, user, answer, meta);
    }

    /// A sample with explicit metadata (docs nodes cite their URL and time).
    pub fn emit_with(
        &mut self,
        generator: &str,
        user: String,
        answer: String,
        metadata: SampleMetadata,
    ) {
        let messages = vec![
            Message::new(Role::User, user),
            Message::new(Role::Assistant, answer),
        ];
        let id = sample_id(&messages);
        let new = self.ids.insert(id.clone());
        let count = self.count(generator);
        count.candidates += 1;
        if !new {
            self.out.repeats += 1;
            return;
        }
        count.samples += 1;
        self.out.samples.push(Sample {
            id,
            messages,
            train_on: TrainOn::AllAssistant,
            metadata,
        });
    }

    /// A candidate of `generator` from `source` that makes no sample, and why.
    pub fn drop(&mut self, generator: &str, source: String, reason: impl Into<String>) {
        let count = self.count(generator);
        count.candidates += 1;
        count.dropped += 1;
        self.out.dropped.push(Dropped {
            generator: generator.to_owned(),
            source,
            reason: reason.into(),
        });
    }
}

/// The metadata of a sample made from `f`: cited, dated and licensed as its file, in its
/// file's group.
pub(crate) fn file_metadata(generator: &str, domain: &str, f: &SourceFile) -> SampleMetadata {
    SampleMetadata {
        domain: domain.to_owned(),
        source: f.cite(),
        generator: generator.to_owned(),
        license: f.provenance.license.clone(),
        timestamp: f.provenance.timestamp.clone(),
        local_model: None,
        expert_model: None,
        adapter: None,
        interaction_id: None,
        group: Some(f.group.clone()),
    }
}

/// Run every generator over `corpus`.
pub fn generate(
    corpus: &Corpus,
    checker: &Checker,
    deprecations: &[Deprecation],
    options: &GenerateOptions,
) -> Generated {
    let mut emitter = Emitter::new(corpus, options.seed);
    let wanted = |name: &str| options.only.is_empty() || options.only.iter().any(|o| o == name);
    for family in templates::FAMILIES {
        if wanted(family.name) {
            (family.run)(corpus, &mut emitter);
        }
    }
    for kind in refactor::KINDS {
        if wanted(&format!("refactor:{}", kind.name)) {
            (kind.run)(corpus, checker, deprecations, &mut emitter);
        }
    }
    if wanted("docs") {
        docs::generate(corpus, &mut emitter);
    }
    emitter.out
}
