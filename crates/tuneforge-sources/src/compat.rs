//! What a `drupal/core` constraint says about Drupal 11.

use serde::Serialize;

use crate::constraint::{Bound, Interval, parse};
use crate::version::Version;

/// The newest Drupal 11 core release this build knows of; `--core` overrides it, and
/// discovery replaces it with the newest release it sees.
pub const DEFAULT_LATEST_CORE: &str = "11.3.5";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compat {
    pub constraint: String,
    /// The version `admits_latest_11` was checked against.
    pub core: String,
    /// False when the constraint could not be parsed; then every flag is false.
    pub parsed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Any version in [11.0.0-dev, 12.0.0-dev).
    pub admits_any_11: bool,
    /// 11.0.0 itself.
    pub admits_11_0: bool,
    /// The `core` version.
    pub admits_latest_11: bool,
    /// No upper limit at all (`>=8.8`): it claims versions nobody has tested.
    pub unbounded_upper: bool,
    /// The admitted numeric versions, as composer-normalized intervals.
    pub intervals: Vec<String>,
    /// Named branches admitted (`dev-11.x`), or `all except …`.
    pub branches: Vec<String>,
}

/// The Drupal 11 range: [11.0.0.0-dev, 12.0.0.0-dev).
pub fn drupal11() -> Interval {
    Interval {
        low: Some(Bound {
            version: Version::dev(11, 0, 0),
            inclusive: true,
        }),
        high: Some(Bound {
            version: Version::dev(12, 0, 0),
            inclusive: false,
        }),
    }
}

/// Whether a constraint admits any Drupal 11 release (an unparseable one admits none).
pub fn admits_any_11(constraint: &str) -> bool {
    parse(constraint).is_ok_and(|set| set.intersects(&drupal11()))
}

/// Evaluate `constraint` against Drupal 11 and `core` (the latest 11 release).
pub fn check(constraint: &str, core: &Version) -> Compat {
    let mut out = Compat {
        constraint: constraint.to_owned(),
        core: core.to_string(),
        parsed: false,
        error: None,
        admits_any_11: false,
        admits_11_0: false,
        admits_latest_11: false,
        unbounded_upper: false,
        intervals: Vec::new(),
        branches: Vec::new(),
    };
    match parse(constraint) {
        Err(e) => out.error = Some(e.message),
        Ok(set) => {
            out.parsed = true;
            out.admits_any_11 = set.intersects(&drupal11());
            out.admits_11_0 = set.contains(&Version::stable(11, 0, 0));
            out.admits_latest_11 = set.contains(core);
            out.unbounded_upper = set.intervals.iter().any(|i| i.high.is_none());
            out.intervals = set.intervals.iter().map(ToString::to_string).collect();
            out.branches = match &set.branches {
                crate::constraint::Branches::Only(names) => names.iter().cloned().collect(),
                crate::constraint::Branches::AllExcept(names) if names.is_empty() => {
                    vec!["all".to_owned()]
                }
                crate::constraint::Branches::AllExcept(names) => vec![format!(
                    "all except {}",
                    names.iter().cloned().collect::<Vec<_>>().join(", ")
                )],
            };
        }
    }
    out
}
