//! Composer version constraints as sets of versions, with composer/semver's semantics.
//!
//! `||` and a single `|` are OR and bind loosest; a space or a comma between two
//! constraints is AND (`^10.3 ^11` admits nothing), except around operators (`>= 10`) and
//! hyphen ranges (`10.3 - 11.2`). Each part is parsed like `VersionParser::parseConstraint`:
//! `*`/`x`, `~`, `^`, X-ranges (`11.x`, `11.*`), hyphen ranges, `>= > <= < = == != <>`,
//! stability flags (`@dev`), pre-release suffixes, numeric and named dev branches. The
//! result is a union of intervals over numeric versions plus the named branches admitted;
//! every parse problem is an error value, never a panic.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use thiserror::Error;

use crate::version::{MODIFIER, Normalized, Stability, Version, normalize};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("cannot parse constraint {constraint:?}: {message}")]
pub struct ConstraintError {
    pub constraint: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub version: Version,
    pub inclusive: bool,
}

/// Versions between `low` and `high`; `None` is unbounded on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub low: Option<Bound>,
    pub high: Option<Bound>,
}

impl Interval {
    pub const ALL: Interval = Interval {
        low: None,
        high: None,
    };

    pub fn contains(&self, v: &Version) -> bool {
        let above = match &self.low {
            None => true,
            Some(b) if b.inclusive => v >= &b.version,
            Some(b) => v > &b.version,
        };
        let below = match &self.high {
            None => true,
            Some(b) if b.inclusive => v <= &b.version,
            Some(b) => v < &b.version,
        };
        above && below
    }

    fn is_empty(&self) -> bool {
        match (&self.low, &self.high) {
            (Some(l), Some(h)) => match l.version.cmp(&h.version) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => !(l.inclusive && h.inclusive),
                std::cmp::Ordering::Less => false,
            },
            _ => false,
        }
    }

    fn intersect(&self, other: &Interval) -> Option<Interval> {
        let low = max_low(&self.low, &other.low);
        let high = min_high(&self.high, &other.high);
        let i = Interval { low, high };
        (!i.is_empty()).then_some(i)
    }
}

/// The later of two lower bounds (an exclusive bound starts after an inclusive one).
fn max_low(a: &Option<Bound>, b: &Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => Some(match x.version.cmp(&y.version) {
            std::cmp::Ordering::Greater => x.clone(),
            std::cmp::Ordering::Less => y.clone(),
            std::cmp::Ordering::Equal => Bound {
                version: x.version.clone(),
                inclusive: x.inclusive && y.inclusive,
            },
        }),
    }
}

/// The earlier of two upper bounds.
fn min_high(a: &Option<Bound>, b: &Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => Some(match x.version.cmp(&y.version) {
            std::cmp::Ordering::Less => x.clone(),
            std::cmp::Ordering::Greater => y.clone(),
            std::cmp::Ordering::Equal => Bound {
                version: x.version.clone(),
                inclusive: x.inclusive && y.inclusive,
            },
        }),
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.low, &self.high) {
            (None, None) => f.write_str("*"),
            (Some(l), Some(h)) if l.version == h.version && l.inclusive && h.inclusive => {
                write!(f, "=={}", l.version)
            }
            _ => {
                let mut sep = "";
                if let Some(l) = &self.low {
                    write!(f, "{}{}", if l.inclusive { ">=" } else { ">" }, l.version)?;
                    sep = " ";
                }
                if let Some(h) = &self.high {
                    write!(
                        f,
                        "{sep}{}{}",
                        if h.inclusive { "<=" } else { "<" },
                        h.version
                    )?;
                }
                Ok(())
            }
        }
    }
}

/// Named branches (`dev-feature`) a constraint admits: they sit outside numeric ranges and
/// match only `==`, `!=` and `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Branches {
    Only(BTreeSet<String>),
    AllExcept(BTreeSet<String>),
}

impl Branches {
    fn none() -> Self {
        Branches::Only(BTreeSet::new())
    }
    fn all() -> Self {
        Branches::AllExcept(BTreeSet::new())
    }
    fn and(&self, other: &Branches) -> Branches {
        use Branches::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.intersection(b).cloned().collect()),
            (Only(a), AllExcept(b)) | (AllExcept(b), Only(a)) => {
                Only(a.difference(b).cloned().collect())
            }
            (AllExcept(a), AllExcept(b)) => AllExcept(a.union(b).cloned().collect()),
        }
    }
    fn or(&self, other: &Branches) -> Branches {
        use Branches::*;
        match (self, other) {
            (Only(a), Only(b)) => Only(a.union(b).cloned().collect()),
            (Only(a), AllExcept(b)) | (AllExcept(b), Only(a)) => {
                AllExcept(b.difference(a).cloned().collect())
            }
            (AllExcept(a), AllExcept(b)) => AllExcept(a.intersection(b).cloned().collect()),
        }
    }
}

/// A parsed constraint: the numeric versions (as sorted, disjoint intervals) and the named
/// branches it admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSet {
    pub intervals: Vec<Interval>,
    pub branches: Branches,
}

impl VersionSet {
    fn all() -> Self {
        Self {
            intervals: vec![Interval::ALL],
            branches: Branches::all(),
        }
    }

    fn numeric(intervals: Vec<Interval>) -> Self {
        Self {
            intervals,
            branches: Branches::none(),
        }
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.intervals.iter().any(|i| i.contains(v))
    }

    pub fn intersects(&self, range: &Interval) -> bool {
        self.intervals.iter().any(|i| i.intersect(range).is_some())
    }

    fn and(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = Vec::new();
        for a in &self.intervals {
            for b in &other.intervals {
                if let Some(i) = a.intersect(b) {
                    intervals.push(i);
                }
            }
        }
        VersionSet {
            intervals: merge(intervals),
            branches: self.branches.and(&other.branches),
        }
    }

    fn or(&self, other: &VersionSet) -> VersionSet {
        let mut intervals = self.intervals.clone();
        intervals.extend(other.intervals.iter().cloned());
        VersionSet {
            intervals: merge(intervals),
            branches: self.branches.or(&other.branches),
        }
    }
}

/// Sort intervals by their start and join those that overlap or touch.
fn merge(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort_by(|a, b| cmp_low(&a.low, &b.low));
    let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
    for i in intervals {
        if let Some(last) = out.last_mut()
            && touches(&last.high, &i.low)
        {
            last.high = max_high(&last.high, &i.high);
            continue;
        }
        out.push(i);
    }
    out
}

fn cmp_low(a: &Option<Bound>, b: &Option<Bound>) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (None, None) => Equal,
        (None, _) => Less,
        (_, None) => Greater,
        (Some(x), Some(y)) => x
            .version
            .cmp(&y.version)
            .then((!x.inclusive).cmp(&!y.inclusive)),
    }
}

/// Does an interval ending at `high` overlap or touch one starting at `low`?
fn touches(high: &Option<Bound>, low: &Option<Bound>) -> bool {
    match (high, low) {
        (None, _) | (_, None) => true,
        (Some(h), Some(l)) => match h.version.cmp(&l.version) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => h.inclusive || l.inclusive,
            std::cmp::Ordering::Less => false,
        },
    }
}

fn max_high(a: &Option<Bound>, b: &Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (None, _) | (_, None) => None,
        (Some(x), Some(y)) => Some(match x.version.cmp(&y.version) {
            std::cmp::Ordering::Greater => x.clone(),
            std::cmp::Ordering::Less => y.clone(),
            std::cmp::Ordering::Equal => Bound {
                version: x.version.clone(),
                inclusive: x.inclusive || y.inclusive,
            },
        }),
    }
}

/// Parse a whole constraint (`^10.3 || ^11`).
pub fn parse(constraint: &str) -> Result<VersionSet, ConstraintError> {
    let fail = |message: String| ConstraintError {
        constraint: constraint.to_owned(),
        message,
    };
    let trimmed = constraint.trim();
    if trimmed.is_empty() {
        return Err(fail("the constraint is empty".to_owned()));
    }
    let mut result: Option<VersionSet> = None;
    for or_part in split_or(trimmed) {
        let and_parts = split_and(or_part).map_err(&fail)?;
        let mut group: Option<VersionSet> = None;
        for part in and_parts {
            let set = parse_single(part).map_err(|m| fail(format!("{m} (in {part:?})")))?;
            group = Some(match group {
                None => set,
                Some(g) => g.and(&set),
            });
        }
        let group = group.ok_or_else(|| fail("an empty alternative between `|`".to_owned()))?;
        result = Some(match result {
            None => group,
            Some(r) => r.or(&group),
        });
    }
    result.ok_or_else(|| fail("the constraint is empty".to_owned()))
}

/// Split on `|` or `||` with surrounding whitespace (composer: `\s*\|\|?\s*`).
fn split_or(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'|' {
            let end = i;
            i += 1;
            if i < bytes.len() && bytes[i] == b'|' {
                i += 1;
            }
            parts.push(s[start..end].trim());
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(s[start..].trim());
    parts
}

/// Split one alternative into AND parts on runs of spaces and commas, except next to an
/// operator (`>= 10`), around a hyphen range (`10 - 11`) or an alias (`as`). A run with
/// two commas leaves an empty part: an error, as composer's parser also fails on it.
fn split_and(s: &str) -> Result<Vec<&str>, String> {
    if s.is_empty() {
        return Err("an empty alternative between `|`".to_owned());
    }
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b' ' | b',') {
            i += 1;
            continue;
        }
        let run_start = i;
        while i < bytes.len() && matches!(bytes[i], b' ' | b',') {
            i += 1;
        }
        let run = &s[run_start..i];
        let left = &s[..run_start];
        let right = &s[i..];
        let glued = left.is_empty()
            || right.is_empty()
            || left.ends_with(['=', '<', '>', '-'])
            || left.ends_with(" as")
            || right.starts_with('-')
            || right.starts_with("as ");
        if glued {
            if run.contains(',') {
                return Err(format!("a comma cannot stand here: {s:?}"));
            }
            // composer splits a run of two or more spaces next to a hyphen range's `-`,
            // which leaves a dangling `-`; it is an error there, so here too.
            let at_hyphen = left.ends_with('-') || right.starts_with('-');
            if at_hyphen && run.len() > 1 && !left.is_empty() && !right.is_empty() {
                return Err(
                    "use single spaces around the `-` of a range (`10.3 - 11.2`)".to_owned(),
                );
            }
            continue;
        }
        if run.matches(',').count() > 1 {
            return Err("an empty part between commas".to_owned());
        }
        parts.push(&s[start..run_start]);
        start = i;
    }
    parts.push(&s[start..]);
    Ok(parts)
}

fn version_regex() -> String {
    format!(
        r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:{MODIFIER}|\.([xX*][.-]?dev))(?:\+\S+)?"
    )
}

static STABILITY_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^([^,\s]*?)@(stable|RC|beta|alpha|dev)$").expect("static pattern")
});
static ALIAS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^,\s]+) +as +([^,\s]+)$").expect("static pattern"));
static REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+$").expect("static pattern")
});
static WILDCARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(v)?[x*](\.[x*])*$").expect("static pattern"));
static TILDE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i)^~>?{}$", version_regex())).expect("static pattern"));
static CARET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^\^{}$", version_regex())).expect("static pattern"));
static X_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$").expect("static pattern")
});
static HYPHEN: LazyLock<Regex> = LazyLock::new(|| {
    let v = version_regex();
    Regex::new(&format!("(?i)^(?P<from>{v}) +- +(?P<to>{v})$")).expect("static pattern")
});
static COMPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(<>|!=|>=?|<=?|==?)?\s*(.*)$").expect("static pattern"));
static TRAILING_MODIFIER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i)-{MODIFIER}$")).expect("static pattern"));

fn present(c: &Captures<'_>, i: usize) -> bool {
    c.get(i).is_some_and(|m| !m.as_str().is_empty())
}

/// Composer's `manipulateVersionString`: zero the parts after `position` and add
/// `increment` at it. Missing parts count as 0.
fn bump(parts: [Option<&str>; 4], position: usize, increment: u64) -> Result<Version, String> {
    let mut out = [0u64; 4];
    for (i, slot) in out.iter_mut().enumerate() {
        let n = i + 1;
        if n > position {
            *slot = 0;
        } else {
            let v = match parts[i] {
                Some(p) if !p.is_empty() => p
                    .parse::<u64>()
                    .map_err(|_| format!("version part {p:?} is too large"))?,
                _ => 0,
            };
            *slot = if n == position {
                v.checked_add(increment)
                    .ok_or_else(|| format!("version part {v} is too large"))?
            } else {
                v
            };
        }
    }
    Ok(Version::new(out, Stability::Dev))
}

fn numeric(s: &str) -> Result<Version, String> {
    match normalize(s)? {
        Normalized::Numeric(v) => Ok(v),
        Normalized::Branch(b) => Err(format!("{b} is a named branch; a range needs versions")),
    }
}

fn range(low: Version, high: Version) -> VersionSet {
    VersionSet::numeric(vec![Interval {
        low: Some(Bound {
            version: low,
            inclusive: true,
        }),
        high: Some(Bound {
            version: high,
            inclusive: false,
        }),
    }])
}

fn low_from(rest: &str, c: &Captures<'_>) -> Result<Version, String> {
    // No stability given: the range starts at the first dev version of the line.
    let suffix = if present(c, 5) || present(c, 7) || present(c, 8) {
        ""
    } else {
        "-dev"
    };
    numeric(&format!("{rest}{suffix}"))
}

/// One constraint without `|`, space or comma (composer's `parseConstraint`).
fn parse_single(input: &str) -> Result<VersionSet, String> {
    // Not trimmed: composer's parser rejects a part with a tab or other stray whitespace.
    let mut c = input;
    if c.is_empty() {
        return Err("empty constraint".to_owned());
    }
    if let Some(m) = ALIAS.captures(c) {
        c = m.get(1).map_or(c, |x| x.as_str());
    }
    let mut stability_flag = None;
    let flag_owned;
    if let Some(m) = STABILITY_FLAG.captures(c) {
        let body = m.get(1).map_or("", |x| x.as_str());
        let flag = m.get(2).map_or("", |x| x.as_str());
        flag_owned = if body.is_empty() {
            "*".to_owned()
        } else {
            body.to_owned()
        };
        c = &flag_owned;
        if !flag.eq_ignore_ascii_case("stable") {
            stability_flag = Stability::parse(flag);
        }
    }
    if let Some(m) = REF.captures(c) {
        c = m.get(1).map_or(c, |x| x.as_str());
    }
    if WILDCARD.is_match(c) {
        return Ok(if c.len() == 1 {
            VersionSet::all()
        } else {
            VersionSet::numeric(vec![Interval {
                low: Some(Bound {
                    version: Version::dev(0, 0, 0),
                    inclusive: true,
                }),
                high: None,
            }])
        });
    }
    if c.starts_with("~>") {
        return Err("invalid operator \"~>\"; you probably meant \"~\"".to_owned());
    }
    if let Some(m) = TILDE.captures(c) {
        let mut position = (1..=4).rev().find(|&i| present(&m, i)).unwrap_or(1);
        if present(&m, 8) {
            position += 1;
        }
        let low = low_from(&c[1..], &m)?;
        let parts = [1, 2, 3, 4].map(|i| m.get(i).map(|x| x.as_str()));
        let high = bump(parts, position.saturating_sub(1).max(1), 1)?;
        return Ok(range(low, high));
    }
    if let Some(m) = CARET.captures(c) {
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        let position = if g(1) != "0" || g(2).is_empty() {
            1
        } else if g(2) != "0" || g(3).is_empty() {
            2
        } else {
            3
        };
        let low = low_from(&c[1..], &m)?;
        let parts = [1, 2, 3, 4].map(|i| m.get(i).map(|x| x.as_str()));
        let high = bump(parts, position, 1)?;
        return Ok(range(low, high));
    }
    if let Some(m) = X_RANGE.captures(c) {
        let position = if present(&m, 3) {
            3
        } else if present(&m, 2) {
            2
        } else {
            1
        };
        let parts = [1, 2, 3, 4].map(|i| m.get(i).map(|x| x.as_str()));
        let low = bump(parts, position, 0)?;
        let high = bump(parts, position, 1)?;
        if low == Version::dev(0, 0, 0) {
            return Ok(VersionSet::numeric(vec![Interval {
                low: None,
                high: Some(Bound {
                    version: high,
                    inclusive: false,
                }),
            }]));
        }
        return Ok(range(low, high));
    }
    if let Some(m) = HYPHEN.captures(c) {
        let from = m.name("from").map_or("", |x| x.as_str());
        let to = m.name("to").map_or("", |x| x.as_str());
        // Groups: from = 1, its parts 2–5 and modifiers 6–9; to = 10, parts 11–14, 15–18.
        let low_suffix = if present(&m, 6) || present(&m, 8) || present(&m, 9) {
            ""
        } else {
            "-dev"
        };
        let low = numeric(&format!("{}{low_suffix}", numeric(from)?))?;
        let full_upper = (present(&m, 12) && present(&m, 13))
            || present(&m, 15)
            || present(&m, 17)
            || present(&m, 18);
        let high = if full_upper {
            Bound {
                version: numeric(to)?,
                inclusive: true,
            }
        } else {
            numeric(to)?;
            let parts = [11, 12, 13, 14].map(|i| m.get(i).map(|x| x.as_str()));
            let position = if present(&m, 12) { 2 } else { 1 };
            Bound {
                version: bump(parts, position, 1)?,
                inclusive: false,
            }
        };
        return Ok(VersionSet::numeric(vec![Interval {
            low: Some(Bound {
                version: low,
                inclusive: true,
            }),
            high: Some(high),
        }]));
    }
    comparator(c, stability_flag)
}

fn comparator(c: &str, stability_flag: Option<Stability>) -> Result<VersionSet, String> {
    let m = COMPARATOR
        .captures(c)
        .ok_or_else(|| format!("cannot parse {c:?}"))?;
    let op = m.get(1).map_or("", |x| x.as_str());
    let raw = m.get(2).map_or("", |x| x.as_str());
    let normalized = match normalize(raw) {
        Ok(n) => n,
        // `foo-dev` means the branch `dev-foo`.
        Err(e) => match raw.strip_suffix("-dev") {
            Some(name)
                if raw
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-./".contains(&b)) =>
            {
                normalize(&format!("dev-{name}"))?
            }
            _ => return Err(e),
        },
    };
    let mut version = match normalized {
        Normalized::Branch(name) => {
            let one: BTreeSet<String> = [name].into_iter().collect();
            return Ok(match op {
                "" | "=" | "==" => VersionSet {
                    intervals: Vec::new(),
                    branches: Branches::Only(one),
                },
                "!=" | "<>" => VersionSet {
                    intervals: vec![Interval::ALL],
                    branches: Branches::AllExcept(one),
                },
                // A named branch has no order: nothing is above or below it.
                _ => VersionSet {
                    intervals: Vec::new(),
                    branches: Branches::none(),
                },
            });
        }
        Normalized::Numeric(v) => v,
    };
    let exact = matches!(op, "" | "=" | "==");
    if !exact
        && let Some(flag) = stability_flag
        && version.stability == Stability::Stable
    {
        version.stability = flag;
    } else if matches!(op, "<" | ">=")
        && !TRAILING_MODIFIER.is_match(&raw.to_ascii_lowercase())
        && version.stability == Stability::Stable
    {
        // `< 11` and `>= 11` include or exclude 11's pre-releases: they start at 11.0.0-dev.
        version.stability = Stability::Dev;
    }
    let bound = |inclusive| {
        Some(Bound {
            version: version.clone(),
            inclusive,
        })
    };
    let interval = |low, high| Interval { low, high };
    Ok(VersionSet::numeric(match op {
        "" | "=" | "==" => vec![interval(bound(true), bound(true))],
        ">=" => vec![interval(bound(true), None)],
        ">" => vec![interval(bound(false), None)],
        "<=" => vec![interval(None, bound(true))],
        "<" => vec![interval(None, bound(false))],
        _ => vec![interval(None, bound(false)), interval(bound(false), None)],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_composer() {
        assert_eq!(split_and(">= 10.3, < 12").unwrap(), vec![">= 10.3", "< 12"]);
        assert_eq!(split_and("10.3 - 11.2").unwrap(), vec!["10.3 - 11.2"]);
        assert_eq!(split_and("^10.3 ^11").unwrap(), vec!["^10.3", "^11"]);
        assert!(split_and("^10,,^11").is_err());
        assert_eq!(split_or("^8|^9 || ^10"), vec!["^8", "^9", "^10"]);
    }

    #[test]
    fn intervals_merge_and_print() {
        let set = parse("^10.3 || ^11").unwrap();
        assert_eq!(set.intervals.len(), 1);
        assert_eq!(set.intervals[0].to_string(), ">=10.3.0.0-dev <12.0.0.0-dev");
        let set = parse("!=11.0.0").unwrap();
        assert_eq!(set.intervals.len(), 2);
        assert_eq!(
            parse("11.0.0").unwrap().intervals[0].to_string(),
            "==11.0.0.0"
        );
    }

    proptest::proptest! {
        // Whatever a composer.json holds, parsing returns a value or an error.
        #[test]
        fn never_panics(s in "[ ^~<>=!|,.*xXv@a-zA-Z0-9éü€\t-]{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn huge_numbers_are_errors_not_overflows(n in "[0-9]{15,25}") {
            for c in [format!("^0.{n}"), format!("~1.{n}"), format!("1.{n}.*"), format!("1.0 - 1.{n}")] {
                let _ = parse(&c);
            }
        }
    }
}
