//! Composer versions, normalized as composer/semver does: four numeric parts, a stability
//! (`dev` < `alpha` < `beta` < `RC` < stable < `patch`) with its number, or a named branch
//! (`dev-feature`).

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stability {
    Dev,
    Alpha,
    Beta,
    Rc,
    Stable,
    Patch,
}

impl Stability {
    /// Composer's spelling in normalized versions.
    pub fn as_str(self) -> &'static str {
        match self {
            Stability::Dev => "dev",
            Stability::Alpha => "alpha",
            Stability::Beta => "beta",
            Stability::Rc => "RC",
            Stability::Stable => "stable",
            Stability::Patch => "patch",
        }
    }

    /// `a`/`alpha`, `b`/`beta`, `RC`, `p`/`pl`/`patch`, `stable`, `dev`, any case.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "dev" => Stability::Dev,
            "a" | "alpha" => Stability::Alpha,
            "b" | "beta" => Stability::Beta,
            "rc" => Stability::Rc,
            "stable" => Stability::Stable,
            "p" | "pl" | "patch" => Stability::Patch,
            _ => return None,
        })
    }
}

/// A numeric version; named branches live in [`crate::constraint::Branches`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    pub parts: [u64; 4],
    pub stability: Stability,
    /// The number after a pre-release or patch stability (`beta2` → `[2]`).
    pub stability_number: Vec<u64>,
    /// A `-dev` suffix after a pre-release (`1.0.0-beta1-dev`), below that pre-release.
    pub dev_suffix: bool,
}

/// A version string that is not a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a version: {message}")]
pub struct InvalidVersion {
    pub input: String,
    pub message: String,
}

/// What a version string normalizes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Normalized {
    Numeric(Version),
    /// `dev-<name>`: a named branch, outside every numeric range.
    Branch(String),
}

/// Numeric dev branches (`11.x-dev`) stand for the highest version of their line.
pub const BRANCH_PART: u64 = 9_999_999;

impl Version {
    pub fn new(parts: [u64; 4], stability: Stability) -> Self {
        Self {
            parts,
            stability,
            stability_number: Vec::new(),
            dev_suffix: false,
        }
    }

    pub fn stable(major: u64, minor: u64, patch: u64) -> Self {
        Self::new([major, minor, patch, 0], Stability::Stable)
    }

    pub fn dev(major: u64, minor: u64, patch: u64) -> Self {
        Self::new([major, minor, patch, 0], Stability::Dev)
    }

    /// Parse a version such as `11.3.5`, `v11.0.0-beta1`, `11.x-dev`.
    pub fn parse(s: &str) -> Result<Self, InvalidVersion> {
        let fail = |message: String| InvalidVersion {
            input: s.to_owned(),
            message,
        };
        match normalize(s).map_err(fail)? {
            Normalized::Numeric(v) => Ok(v),
            Normalized::Branch(b) => Err(fail(format!("{b} is a named branch, not a version"))),
        }
    }

    fn key(&self) -> (&[u64; 4], Stability, &[u64], bool) {
        (
            &self.parts,
            self.stability,
            &self.stability_number,
            !self.dev_suffix,
        )
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.parts;
        write!(f, "{a}.{b}.{c}.{d}")?;
        if self.stability != Stability::Stable {
            write!(f, "-{}", self.stability.as_str())?;
            let nums: Vec<String> = self.stability_number.iter().map(u64::to_string).collect();
            f.write_str(&nums.join("."))?;
        }
        if self.dev_suffix {
            f.write_str("-dev")?;
        }
        Ok(())
    }
}

/// The stability modifier composer accepts after a version (case-insensitive).
pub(crate) const MODIFIER: &str =
    r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?";

static CLASSICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^v?(\d{{1,5}})(\.\d+)?(\.\d+)?(\.\d+)?{MODIFIER}$"
    ))
    .expect("static pattern")
});
static DEV_SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(.*?)[.-]?dev$").expect("static pattern"));
static NUMERIC_BRANCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^v?(\d+)(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?$")
        .expect("static pattern")
});
static STABILITY_FLAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)@(?:stable|RC|beta|alpha|dev)$").expect("static pattern"));
static ALIAS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^,\s]+) +as +([^,\s]+)$").expect("static pattern"));
static BUILD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([^,\s+]+)\+\S+$").expect("static pattern"));

fn number(s: &str) -> Result<u64, String> {
    s.parse::<u64>()
        .map_err(|_| format!("version part {s:?} is too large"))
}

/// Normalize a version string the way composer/semver's `VersionParser::normalize` does.
pub fn normalize(input: &str) -> Result<Normalized, String> {
    let mut v = input.trim();
    if let Some(c) = ALIAS.captures(v) {
        v = c.get(1).map_or(v, |m| m.as_str());
    }
    if let Some(m) = STABILITY_FLAG.find(v) {
        v = &v[..m.start()];
    }
    if matches!(v, "master" | "trunk" | "default") {
        return Ok(Normalized::Branch(format!("dev-{v}")));
    }
    if v.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("dev-")) {
        return Ok(Normalized::Branch(format!("dev-{}", &v[4..])));
    }
    if let Some(c) = BUILD.captures(v) {
        v = c.get(1).map_or(v, |m| m.as_str());
    }
    if let Some(c) = CLASSICAL.captures(v) {
        let part = |i: usize| -> Result<u64, String> {
            c.get(i)
                .map(|m| number(m.as_str().trim_start_matches('.')))
                .unwrap_or(Ok(0))
        };
        let parts = [part(1)?, part(2)?, part(3)?, part(4)?];
        let mut version = Version::new(parts, Stability::Stable);
        if let Some(s) = c.get(5) {
            let stability = Stability::parse(s.as_str()).unwrap_or(Stability::Stable);
            if stability == Stability::Stable {
                return Ok(Normalized::Numeric(version));
            }
            version.stability = stability;
            if let Some(n) = c.get(6).filter(|m| !m.as_str().is_empty()) {
                version.stability_number = n
                    .as_str()
                    .split(['.', '-'])
                    .filter(|p| !p.is_empty())
                    .map(number)
                    .collect::<Result<_, _>>()?;
            }
        }
        if c.get(7).is_some_and(|m| !m.as_str().is_empty()) {
            if version.stability == Stability::Stable {
                version.stability = Stability::Dev;
            } else {
                version.dev_suffix = true;
            }
        }
        return Ok(Normalized::Numeric(version));
    }
    if let Some(c) = DEV_SUFFIX.captures(v)
        && let Some(branch) = numeric_branch(c.get(1).map_or("", |m| m.as_str()))?
    {
        return Ok(Normalized::Numeric(branch));
    }
    Err(format!("invalid version string {:?}", input.trim()))
}

/// `11.x` → 11.9999999.9999999.9999999-dev; `None` when the name is not numeric.
fn numeric_branch(name: &str) -> Result<Option<Version>, String> {
    let Some(c) = NUMERIC_BRANCH.captures(name.trim()) else {
        return Ok(None);
    };
    let mut parts = [BRANCH_PART; 4];
    for (i, slot) in parts.iter_mut().enumerate() {
        if let Some(m) = c.get(i + 1) {
            let p = m.as_str().trim_start_matches('.');
            if !matches!(p, "x" | "X" | "*") {
                *slot = number(p)?;
            }
        }
    }
    Ok(Some(Version::new(parts, Stability::Dev)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        match normalize(s).unwrap() {
            Normalized::Numeric(v) => v.to_string(),
            Normalized::Branch(b) => b,
        }
    }

    #[test]
    fn normalizes_like_composer() {
        assert_eq!(n("11"), "11.0.0.0");
        assert_eq!(n("v11.3.5"), "11.3.5.0");
        assert_eq!(n("1.2.3.4"), "1.2.3.4");
        assert_eq!(n("11.0.0-beta1"), "11.0.0.0-beta1");
        assert_eq!(n("11.0.0-RC2"), "11.0.0.0-RC2");
        assert_eq!(n("11.0-dev"), "11.0.0.0-dev");
        assert_eq!(n("11.x-dev"), "11.9999999.9999999.9999999-dev");
        assert_eq!(n("11.1.x-dev"), "11.1.9999999.9999999-dev");
        assert_eq!(n("dev-11.x"), "dev-11.x");
        assert_eq!(n("1.0.0+build.5"), "1.0.0.0");
        assert_eq!(n("1.0@beta"), "1.0.0.0");
        assert_eq!(n("1.0.0-p1"), "1.0.0.0-patch1");
        assert!(normalize("foo").is_err());
        assert!(normalize("123456.0").is_err());
    }

    #[test]
    fn orders_stabilities() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(v("11.0.0-dev") < v("11.0.0-alpha1"));
        assert!(v("11.0.0-alpha1") < v("11.0.0-beta1"));
        assert!(v("11.0.0-beta1") < v("11.0.0-beta2"));
        assert!(v("11.0.0-beta2") < v("11.0.0-RC1"));
        assert!(v("11.0.0-RC1") < v("11.0.0"));
        assert!(v("11.0.0") < v("11.0.0-p1"));
        assert!(v("10.9.9") < v("11.0.0-dev"));
    }
}
