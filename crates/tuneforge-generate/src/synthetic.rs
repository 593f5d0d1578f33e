//! OSS-Instruct seeds for the teacher model, and its answers made into samples.
//!
//! A seed is a real Drupal 11 class from the corpus (refactor material is left out), chosen
//! by a seeded hash of its path, so adding files leaves earlier seeds chosen. The teacher
//! answers with a `## Problem` and a `## Solution` section; the problem becomes the user
//! turn and the solution the trained answer, dated and cited like the seed file.

use tuneforge_core::config::TeacherConfig;
use tuneforge_core::records::{Message, Role, Sample, TrainOn, sample_id};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::Dropped;
use crate::corpus::Corpus;
use crate::phrasing::fill;

/// Lines of a seed file sent at most (a long file's head carries its purpose).
const MAX_SNIPPET_LINES: usize = 120;

pub struct Seed {
    pub file: usize,
    pub domain: &'static str,
    pub messages: Vec<Message>,
}

/// Up to `config.max_seeds` seeds.
pub fn seeds(corpus: &Corpus, config: &TeacherConfig, seed: u64) -> Vec<Seed> {
    let mut chosen: Vec<(u64, usize, &'static str)> = crate::templates::example_classes(corpus)
        .map(|(file, domain)| {
            (
                xxh3_64_with_seed(corpus.files[file].path.as_bytes(), seed),
                file,
                domain,
            )
        })
        .collect();
    chosen.sort();
    chosen.dedup_by_key(|(_, file, _)| *file);
    chosen
        .into_iter()
        .take(config.max_seeds as usize)
        .map(|(_, file, domain)| {
            let f = &corpus.files[file];
            let snippet: String = f
                .text
                .lines()
                .take(MAX_SNIPPET_LINES)
                .collect::<Vec<_>>()
                .join("\n");
            let module = corpus
                .extension(file)
                .map(|e| e.name.as_str())
                .unwrap_or("custom");
            let user = fill(
                &config.prompts.oss_instruct,
                &[("module", module), ("path", &f.rel), ("snippet", &snippet)],
            );
            let mut messages = Vec::new();
            if !config.prompts.system.trim().is_empty() {
                messages.push(Message::new(Role::System, config.prompts.system.clone()));
            }
            messages.push(Message::new(Role::User, user));
            Seed {
                file,
                domain,
                messages,
            }
        })
        .collect()
}

/// The `## Problem` and `## Solution` sections of an answer.
pub fn sections(answer: &str) -> Option<(String, String)> {
    let mut problem: Option<Vec<&str>> = None;
    let mut solution: Option<Vec<&str>> = None;
    let mut current: Option<&mut Vec<&str>> = None;
    for line in answer.lines() {
        let heading = line.trim_start().starts_with('#').then(|| {
            line.trim()
                .trim_start_matches('#')
                .trim()
                .trim_end_matches(':')
                .to_ascii_lowercase()
        });
        match heading.as_deref() {
            Some("problem") | Some("task") => {
                problem = Some(Vec::new());
                current = problem.as_mut();
            }
            Some("solution") => {
                solution = Some(Vec::new());
                current = solution.as_mut();
            }
            _ => {
                if let Some(c) = current.as_mut() {
                    c.push(line);
                }
            }
        }
    }
    let p = problem?.join("\n").trim().to_owned();
    let s = solution?.join("\n").trim().to_owned();
    (!p.is_empty() && !s.is_empty()).then_some((p, s))
}

/// Samples from the teacher's answers (`Err` carries why a request failed).
pub fn samples(
    corpus: &Corpus,
    seeds: &[Seed],
    answers: &[Result<String, String>],
    model: &str,
) -> (Vec<Sample>, Vec<Dropped>) {
    let generator = format!("teacher:{model}");
    let mut out = Vec::new();
    let mut dropped = Vec::new();
    for (seed, answer) in seeds.iter().zip(answers) {
        let f = &corpus.files[seed.file];
        let drop = |reason: String| Dropped {
            generator: generator.clone(),
            source: f.cite(),
            reason,
        };
        let text = match answer {
            Ok(t) => t,
            Err(e) => {
                dropped.push(drop(e.clone()));
                continue;
            }
        };
        let Some((problem, solution)) = sections(text) else {
            dropped.push(drop(
                "the answer has no `## Problem` and `## Solution` sections".to_owned(),
            ));
            continue;
        };
        let messages = vec![
            Message::new(Role::User, problem),
            Message::new(Role::Assistant, solution),
        ];
        out.push(Sample {
            id: sample_id(&messages),
            messages,
            train_on: TrainOn::AllAssistant,
            metadata: crate::file_metadata(&generator, seed.domain, f),
        });
    }
    (out, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_and_solution_sections_are_read() {
        let answer =
            "Sure!\n\n## Problem\nAdd a block.\n\n### Solution:\nUse this:\n```php\n<?php\n```\n";
        assert_eq!(
            sections(answer),
            Some((
                "Add a block.".to_owned(),
                "Use this:\n```php\n<?php\n```".to_owned()
            ))
        );
        assert_eq!(sections("## Problem\nonly a problem"), None);
        assert_eq!(sections("no sections at all"), None);
    }
}
