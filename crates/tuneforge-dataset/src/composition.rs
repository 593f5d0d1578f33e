//! The composition policy `package` applies before splitting: no test code unless asked
//! for, answers no longer than the limit, a bounded number of samples per source file and a
//! bounded share per generator family. Every removal is counted with its reason; captured
//! interactions are never removed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tuneforge_core::config::CompositionConfig;
use tuneforge_core::records::Sample;
use tuneforge_core::source_path::{cited_path, is_test_path};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::stats::{answer_tokens, generator_family};

/// What the policy removed, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositionReport {
    pub removed: BTreeMap<String, u64>,
    /// Samples removed by the generator share limit, per generator family.
    pub capped_generators: BTreeMap<String, u64>,
}

impl CompositionReport {
    pub fn total(&self) -> u64 {
        self.removed.values().sum()
    }
}

const TEST_CODE: &str = "test code (include_tests: false)";
const TOO_LONG: &str = "answer over max_answer_tokens";
const FILE_CAP: &str = "source file over max_per_source_file";
const SHARE_CAP: &str = "generator over max_generator_share";

/// `samples` with the policy applied, and what it removed. Which samples a limit keeps is
/// decided by a seeded hash of their ids, so the choice is stable and not biased to the
/// order generators ran in.
pub fn apply(
    samples: Vec<Sample>,
    policy: &CompositionConfig,
    seed: u64,
) -> (Vec<Sample>, CompositionReport) {
    let mut report = CompositionReport::default();
    let remove = |report: &mut CompositionReport, reason: &str| {
        *report.removed.entry(reason.to_owned()).or_default() += 1;
    };
    let protected = |s: &Sample| s.metadata.interaction_id.is_some();
    let rank = |s: &Sample| xxh3_64_with_seed(s.id.as_bytes(), seed);

    let mut kept = Vec::with_capacity(samples.len());
    for s in samples {
        if protected(&s) {
            kept.push(s);
            continue;
        }
        let test = cited_path(&s.metadata.source).is_some_and(is_test_path);
        if test && !policy.include_tests {
            remove(&mut report, TEST_CODE);
        } else if answer_tokens(&s) > policy.max_answer_tokens {
            remove(&mut report, TOO_LONG);
        } else {
            kept.push(s);
        }
    }

    // Per source file: its samples in turn across generators (the first of each, then the
    // second of each, …), each generator's own in hash order.
    let mut by_file: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in kept.iter().enumerate() {
        if !protected(s) && cited_path(&s.metadata.source).is_some() {
            by_file
                .entry(s.metadata.source.clone())
                .or_default()
                .push(i);
        }
    }
    let mut dropped = vec![false; kept.len()];
    for indices in by_file.values() {
        if indices.len() as u64 <= policy.max_per_source_file {
            continue;
        }
        let mut per_generator: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in indices {
            per_generator
                .entry(generator_family(&kept[i].metadata.generator))
                .or_default()
                .push(i);
        }
        for list in per_generator.values_mut() {
            list.sort_by_key(|&i| (rank(&kept[i]), i));
        }
        let mut order = Vec::new();
        for turn in 0.. {
            let before = order.len();
            order.extend(per_generator.values().filter_map(|l| l.get(turn).copied()));
            if order.len() == before {
                break;
            }
        }
        for &i in order.iter().skip(policy.max_per_source_file as usize) {
            dropped[i] = true;
            remove(&mut report, FILE_CAP);
        }
    }
    let kept: Vec<Sample> = kept
        .into_iter()
        .zip(dropped)
        .filter_map(|(s, d)| (!d).then_some(s))
        .collect();

    let kept = cap_shares(
        kept,
        |s| s,
        policy.max_generator_share.get(),
        seed,
        &mut report,
    );
    (kept, report)
}

/// `items` with each generator family held to `share` of the total: the caps are lowered
/// until every family fits under the share of what remains (each round shrinks the total,
/// so the caps only fall), and the samples over a cap go in seeded hash order. `package`
/// calls it again after decontamination, so the share holds for the dataset written.
pub fn cap_shares<T>(
    items: Vec<T>,
    sample_of: impl Fn(&T) -> &Sample,
    share: f64,
    seed: u64,
    report: &mut CompositionReport,
) -> Vec<T> {
    let protected = |s: &Sample| s.metadata.interaction_id.is_some();
    let rank = |s: &Sample| xxh3_64_with_seed(s.id.as_bytes(), seed);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for s in items.iter().map(&sample_of).filter(|s| !protected(s)) {
        *counts
            .entry(generator_family(&s.metadata.generator).to_owned())
            .or_default() += 1;
    }
    let protected_count = items.iter().filter(|i| protected(sample_of(i))).count() as u64;
    // One family alone cannot be held under a share below 1; it keeps everything.
    if counts.len() <= 1 || share >= 1.0 {
        return items;
    }
    loop {
        let total = protected_count + counts.values().sum::<u64>();
        let cap = (share * total as f64).floor() as u64;
        let mut changed = false;
        for n in counts.values_mut() {
            if *n > cap {
                *n = cap;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut by_generator: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in items.iter().map(&sample_of).enumerate() {
        if !protected(s) {
            by_generator
                .entry(generator_family(&s.metadata.generator).to_owned())
                .or_default()
                .push(i);
        }
    }
    let mut dropped = vec![false; items.len()];
    for (family, mut list) in by_generator {
        let allowed = counts[&family] as usize;
        if list.len() <= allowed {
            continue;
        }
        list.sort_by_key(|&i| (rank(sample_of(&items[i])), i));
        for &i in &list[allowed..] {
            dropped[i] = true;
            *report.removed.entry(SHARE_CAP.to_owned()).or_default() += 1;
        }
        *report.capped_generators.entry(family).or_default() += (list.len() - allowed) as u64;
    }
    items
        .into_iter()
        .zip(dropped)
        .filter_map(|(item, d)| (!d).then_some(item))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize, generator: &str, path: &str, answer_chars: usize) -> Sample {
        crate::stats::tests::sample(
            &format!("{n:064x}"),
            &format!("{generator}@1"),
            &format!("git:core@abc:{path}"),
            &format!("q{n}"),
            &"x".repeat(answer_chars),
        )
    }

    fn policy(max_per_file: u64, share: f64) -> CompositionConfig {
        CompositionConfig {
            include_tests: false,
            max_per_source_file: max_per_file,
            max_generator_share: share.try_into().unwrap(),
            max_answer_tokens: 100,
        }
    }

    #[test]
    fn test_code_and_long_answers_go_with_their_reason() {
        let samples = vec![
            sample(1, "template:a", "core/modules/x/src/A.php", 10),
            sample(2, "template:a", "core/modules/x/tests/src/T.php", 10),
            sample(3, "template:b", "core/modules/x/src/B.php", 401),
        ];
        let (kept, report) = apply(samples.clone(), &policy(10, 1.0), 1);
        assert_eq!(kept.len(), 1);
        assert_eq!(report.removed[TEST_CODE], 1);
        assert_eq!(report.removed[TOO_LONG], 1);
        let mut with_tests = policy(10, 1.0);
        with_tests.include_tests = true;
        assert_eq!(apply(samples, &with_tests, 1).0.len(), 2);
    }

    #[test]
    fn a_file_feeds_at_most_its_limit_taking_generators_in_turn() {
        let mut samples: Vec<Sample> = (0..6)
            .map(|n| sample(n, "template:explain", "src/Big.php", 10))
            .collect();
        samples.push(sample(10, "template:route", "src/Big.php", 10));
        samples.push(sample(11, "template:route", "src/Other.php", 10));
        let (kept, report) = apply(samples, &policy(3, 1.0), 7);
        assert_eq!(report.removed[FILE_CAP], 4);
        let from_big: Vec<&str> = kept
            .iter()
            .filter(|s| s.metadata.source.ends_with("Big.php"))
            .map(|s| s.metadata.generator.as_str())
            .collect();
        assert_eq!(from_big.len(), 3);
        assert!(from_big.contains(&"template:route@1"), "{from_big:?}");
    }

    #[test]
    fn no_generator_holds_more_than_its_share_of_what_remains() {
        let mut samples: Vec<Sample> = (0..80)
            .map(|n| sample(n, "template:explain", &format!("src/E{n}.php"), 10))
            .collect();
        samples
            .extend((100..110).map(|n| sample(n, "template:plugin", &format!("src/P{n}.php"), 10)));
        samples.extend(
            (200..210).map(|n| sample(n, "template:service", &format!("src/S{n}.php"), 10)),
        );
        let (kept, report) = apply(samples.clone(), &policy(10, 0.4), 3);
        let explain = kept
            .iter()
            .filter(|s| s.metadata.generator.starts_with("template:explain"))
            .count();
        assert!(
            explain as f64 <= 0.4 * kept.len() as f64,
            "{explain} of {}",
            kept.len()
        );
        assert_eq!(explain, 13, "20 others: 13 of 33 is under 40%");
        assert_eq!(report.capped_generators["template:explain"], 67);
        // The same input and seed keep the same samples.
        assert_eq!(apply(samples, &policy(10, 0.4), 3).0, kept);
    }

    #[test]
    fn shares_are_held_again_when_later_removals_shrink_the_total() {
        let family = |generator: &str, from: usize, n: usize| -> Vec<Sample> {
            (from..from + n)
                .map(|i| sample(i, generator, &format!("src/F{i}.php"), 10))
                .collect()
        };
        let mut samples = family("template:explain", 0, 40);
        samples.extend(family("template:plugin", 100, 30));
        samples.extend(family("template:service", 200, 30));
        let (kept, mut report) = apply(samples, &policy(10, 0.4), 3);
        assert_eq!(kept.len(), 100, "40 of 100 is within 40%: {report:?}");
        // Decontamination then drops twenty plugin samples: 40 of 80 is over 40%.
        let mut plugins = 0;
        let after: Vec<(Sample, u8)> = kept
            .into_iter()
            .filter(|s| {
                let plugin = s.metadata.generator.starts_with("template:plugin");
                plugins += usize::from(plugin);
                !(plugin && plugins <= 20)
            })
            .map(|s| (s, 0))
            .collect();
        let held = cap_shares(after, |(s, _)| s, 0.4, 3, &mut report);
        for name in ["template:explain", "template:plugin", "template:service"] {
            let n = held
                .iter()
                .filter(|(s, _)| s.metadata.generator.starts_with(name))
                .count();
            assert!(
                n as f64 <= 0.4 * held.len() as f64,
                "{name}: {n} of {}",
                held.len()
            );
        }
        assert_eq!(report.removed[SHARE_CAP] as usize, 80 - held.len());
    }
}
