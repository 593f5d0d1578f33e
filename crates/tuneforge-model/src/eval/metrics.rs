//! `metrics.json`: pass@k per model, suite and category from `results.jsonl`, and the
//! comparison of a base with its adapter on the same tasks (wins, losses, ties, the
//! regressions by name, and an exact McNemar test on the tasks where they differ).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::passk::mean_pass_at_k;
use super::run::{ResultLine, RunSettings};

/// Below this p-value a difference in pass rate is called significant.
pub const SIGNIFICANCE: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub run: String,
    pub tool_version: String,
    pub settings: RunSettings,
    /// The worker's library versions when a model ran through it.
    pub library_versions: serde_json::Value,
    /// By model label, then suite.
    pub models: BTreeMap<String, BTreeMap<String, SuiteMetrics>>,
    pub comparison: Option<Comparison>,
    /// Loss and perplexity over the trained tokens of the adapter's test split, by model
    /// label (local models only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_split: Option<TestSplit>,
}

/// The packaged test split, scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestSplit {
    /// The dataset's `test.jsonl`.
    pub file: std::path::PathBuf,
    pub scores: BTreeMap<String, tuneforge_train::generate::Score>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteMetrics {
    /// Tasks with at least one judged answer.
    pub tasks: u64,
    pub answers: u64,
    pub passed: u64,
    /// `pass@1`, `pass@10`, … for every k up to the samples per task.
    pub pass_at: BTreeMap<String, f64>,
    /// Answers by status (`ok`, `failed`, `syntax_error`, `timeout`, `no_code`, …).
    pub statuses: BTreeMap<String, u64>,
    /// Failed checks by name, counted once per answer.
    pub failed_checks: BTreeMap<String, u64>,
    pub categories: BTreeMap<String, CategoryMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryMetrics {
    pub tasks: u64,
    pub pass_at_1: f64,
}

/// Base against adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub base: String,
    pub adapter: String,
    pub suites: BTreeMap<String, SuiteComparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteComparison {
    /// Tasks both models answered.
    pub tasks: u64,
    pub base_pass_at_1: f64,
    pub adapter_pass_at_1: f64,
    /// Tasks the adapter passes more often than the base.
    pub wins: u64,
    pub losses: u64,
    pub ties: u64,
    /// Tasks the adapter does worse on, by id.
    pub regressions: Vec<String>,
    pub improvements: Vec<String>,
    /// Two-sided exact McNemar (sign) test on wins against losses.
    pub p_value: f64,
    pub significant: bool,
    /// `adapter better`, `adapter worse` or `no significant difference`.
    pub verdict: String,
}

/// Per task of one model and suite: (answers, passed), with the task's category.
fn per_task<'a>(
    results: &'a [ResultLine],
    model: &str,
    suite: &str,
) -> BTreeMap<&'a str, (&'a str, u64, u64)> {
    let mut out: BTreeMap<&str, (&str, u64, u64)> = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.model == model && r.suite == suite)
    {
        let e = out.entry(&r.task_id).or_insert((&r.category, 0, 0));
        e.1 += 1;
        e.2 += u64::from(r.passed);
    }
    out
}

fn suite_metrics(results: &[ResultLine], model: &str, suite: &str, samples: u32) -> SuiteMetrics {
    let tasks = per_task(results, model, suite);
    let counts: Vec<(u64, u64)> = tasks.values().map(|(_, n, c)| (*n, *c)).collect();
    let mut pass_at = BTreeMap::new();
    for k in [1u64, 10, 100] {
        if k <= u64::from(samples)
            && let Some(p) = mean_pass_at_k(&counts, k)
        {
            pass_at.insert(format!("pass@{k}"), p);
        }
    }
    let mut statuses = BTreeMap::new();
    let mut failed_checks = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| r.model == model && r.suite == suite)
    {
        let status = serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        *statuses.entry(status).or_insert(0) += 1;
        for f in &r.failed {
            *failed_checks.entry(f.clone()).or_insert(0) += 1;
        }
    }
    let mut by_category: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for (category, n, c) in tasks.values() {
        by_category
            .entry((*category).to_owned())
            .or_default()
            .push((*n, *c));
    }
    let categories = by_category
        .into_iter()
        .map(|(name, counts)| {
            let metrics = CategoryMetrics {
                tasks: counts.len() as u64,
                pass_at_1: mean_pass_at_k(&counts, 1).unwrap_or(0.0),
            };
            (name, metrics)
        })
        .collect();
    SuiteMetrics {
        tasks: tasks.len() as u64,
        answers: counts.iter().map(|(n, _)| n).sum(),
        passed: counts.iter().map(|(_, c)| c).sum(),
        pass_at,
        statuses,
        failed_checks,
        categories,
    }
}

/// ln C(n, k).
fn ln_choose(n: u64, k: u64) -> f64 {
    let ln_fact = |m: u64| (1..=m).map(|i| (i as f64).ln()).sum::<f64>();
    ln_fact(n) - ln_fact(k) - ln_fact(n - k)
}

/// Two-sided exact McNemar test: the probability, were both models equally good, of a
/// split of `wins + losses` discordant tasks at least this uneven.
pub fn mcnemar_exact(wins: u64, losses: u64) -> f64 {
    let n = wins + losses;
    if n == 0 {
        return 1.0;
    }
    let k = wins.min(losses);
    let half = (0.5f64).ln() * n as f64;
    let tail: f64 = (0..=k).map(|i| (ln_choose(n, i) + half).exp()).sum();
    (2.0 * tail).min(1.0)
}

fn compare_suite(
    results: &[ResultLine],
    base: &str,
    adapter: &str,
    suite: &str,
) -> SuiteComparison {
    let b = per_task(results, base, suite);
    let a = per_task(results, adapter, suite);
    let (mut wins, mut losses, mut ties) = (0, 0, 0);
    let (mut regressions, mut improvements) = (Vec::new(), Vec::new());
    let (mut base_counts, mut adapter_counts) = (Vec::new(), Vec::new());
    for (task, (_, bn, bc)) in &b {
        let Some((_, an, ac)) = a.get(task) else {
            continue;
        };
        base_counts.push((*bn, *bc));
        adapter_counts.push((*an, *ac));
        // Pass rates compared without division: ac/an against bc/bn.
        match (ac * bn).cmp(&(bc * an)) {
            std::cmp::Ordering::Greater => {
                wins += 1;
                improvements.push((*task).to_owned());
            }
            std::cmp::Ordering::Less => {
                losses += 1;
                regressions.push((*task).to_owned());
            }
            std::cmp::Ordering::Equal => ties += 1,
        }
    }
    let p_value = mcnemar_exact(wins, losses);
    let significant = p_value < SIGNIFICANCE;
    let verdict = match (significant, wins > losses) {
        (false, _) => "no significant difference",
        (true, true) => "adapter better",
        (true, false) => "adapter worse",
    };
    SuiteComparison {
        tasks: base_counts.len() as u64,
        base_pass_at_1: mean_pass_at_k(&base_counts, 1).unwrap_or(0.0),
        adapter_pass_at_1: mean_pass_at_k(&adapter_counts, 1).unwrap_or(0.0),
        wins,
        losses,
        ties,
        regressions,
        improvements,
        p_value,
        significant,
        verdict: verdict.to_owned(),
    }
}

/// The metrics of a run from its results; with `compare = Some((base, adapter))`, the
/// comparison of those two labels.
pub fn compute(
    run: &str,
    settings: &RunSettings,
    results: &[ResultLine],
    compare: Option<(&str, &str)>,
    library_versions: serde_json::Value,
) -> Metrics {
    let mut models = BTreeMap::new();
    for model in &settings.models {
        let suites = settings
            .suites
            .iter()
            .map(|s| {
                let m = suite_metrics(results, &model.label, &s.name, settings.decoding.samples);
                (s.name.clone(), m)
            })
            .collect();
        models.insert(model.label.clone(), suites);
    }
    let comparison = compare.map(|(base, adapter)| Comparison {
        base: base.to_owned(),
        adapter: adapter.to_owned(),
        suites: settings
            .suites
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    compare_suite(results, base, adapter, &s.name),
                )
            })
            .collect(),
    });
    Metrics {
        run: run.to_owned(),
        tool_version: tuneforge_core::TOOL_VERSION.to_owned(),
        settings: settings.clone(),
        library_versions,
        models,
        comparison,
        test_split: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_matches_hand_computed_values() {
        // 0 discordant tasks: nothing to tell apart.
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // 6 wins, 0 losses: 2 * 0.5^6 = 0.03125.
        assert!((mcnemar_exact(6, 0) - 0.03125).abs() < 1e-12);
        assert!((mcnemar_exact(0, 6) - 0.03125).abs() < 1e-12);
        // 8 against 2: 2 * (1 + 10 + 45) / 1024 = 0.109375.
        assert!((mcnemar_exact(8, 2) - 0.109375).abs() < 1e-12);
        // An even split is p = 1.
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        // Large counts stay finite: 300 against 200.
        let p = mcnemar_exact(300, 200);
        assert!(p > 0.0 && p < 1e-5, "{p}");
    }
}
