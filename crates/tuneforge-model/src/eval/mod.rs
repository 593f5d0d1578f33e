//! `tuneforge eval`'s engine: suites, the judges and the pass@k estimate.
//!
//! * [`suite`]: the two suite formats, read with `file:line` errors, and the built-in ones.
//! * [`exec`]: an executable problem's program (completion or chat mode) run by `php` in a
//!   fresh directory, with a timeout, an output cap and no inherited environment.
//! * [`judge`]: a Drupal 11 task's answer through the gate's checks and the task's own.
//! * [`passk`]: the unbiased pass@k estimator.
//! * [`backend`]: where answers come from: an OpenAI-compatible endpoint (the teacher
//!   client, cached) or the worker (transformers + PEFT, prompts rendered by tuneforge).
//! * [`run`]: one run in `eval/<run>/`: answers kept as given, judged, appended to
//!   `results.jsonl` as they come; a rerun judges only what is missing.
//! * [`metrics`]: pass@k by suite and category, and base against adapter (wins, losses,
//!   regressions, exact McNemar); [`report`]: `report.md` and `report.html` with charts.

pub mod backend;
pub mod exec;
pub mod judge;
pub mod metrics;
pub mod passk;
pub mod report;
pub mod run;
pub mod suite;

/// What can go wrong reading suites or running the judges.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{file}:{line}: {message}")]
    Suite {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}
