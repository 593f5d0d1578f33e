//! The shapes drupal.org serves, and the choices discovery makes from them.
//!
//! * `api-d7/node.json?type=project_module&…&page=N`: pages of project nodes. Its
//!   `next`/`last` links come back without `.json`, so page URLs are built from the page
//!   number ([`listing_url`]) and the page count is read from `last` ([`last_page`]).
//! * `files/packages/8/p2/drupal/<name>.json` (and `<name>~dev.json`): Composer metadata,
//!   plain or minified (`"minified": "composer/2.0"`: each version lists only what changed
//!   from the one before, `"__unset"` removes a key), see [`parse_p2`].
//!
//! Drupal.org encodes an empty PHP array as `[]` where a filled one is an object
//! (`project_usage`, taxonomy references), so those fields are read leniently.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::compat::drupal11;
use crate::constraint::parse;
use crate::version::{Normalized, Stability, Version, normalize};

/// The URL of listing page `page` (0-based).
pub fn listing_url(api_url: &str, page_size: u64, page: u64) -> String {
    format!(
        "{}/node.json?type=project_module&field_project_type=full&status=1&limit={page_size}&page={page}",
        api_url.trim_end_matches('/')
    )
}

/// One page of an api-d7 listing of nodes of type `T`.
#[derive(Debug, Clone, Deserialize)]
pub struct ListingPage<T = ProjectNode> {
    #[serde(default = "Vec::new")]
    pub list: Vec<T>,
    #[serde(default)]
    pub last: Option<String>,
}

/// The highest page number, from the `last` link's `page=` parameter.
pub fn last_page<T>(page: &ListingPage<T>) -> Option<u64> {
    let last = page.last.as_deref()?;
    let query = last.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProjectNode {
    pub nid: String,
    #[serde(default)]
    pub title: String,
    pub field_project_machine_name: String,
    /// Installs per branch (`{"2.1.x": 9702}`), or `[]` when none.
    #[serde(default)]
    pub project_usage: Value,
    /// Maintenance status term reference.
    #[serde(default)]
    pub taxonomy_vocabulary_44: Value,
    /// Development status term reference.
    #[serde(default)]
    pub taxonomy_vocabulary_46: Value,
    #[serde(default)]
    pub field_security_advisory_coverage: Option<String>,
}

impl ProjectNode {
    /// Installs summed over every branch.
    pub fn usage(&self) -> u64 {
        match &self.project_usage {
            Value::Object(m) => m.values().filter_map(count).sum(),
            _ => 0,
        }
    }

    pub fn maintenance_term(&self) -> Option<&str> {
        term_id(&self.taxonomy_vocabulary_44)
    }

    pub fn development_term(&self) -> Option<&str> {
        term_id(&self.taxonomy_vocabulary_46)
    }
}

fn count(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn term_id(v: &Value) -> Option<&str> {
    v.get("id").and_then(Value::as_str)
}

/// What makes a contrib project worth fetching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContribPolicy {
    pub min_usage: u64,
    pub require_security_coverage: bool,
    /// Maintenance status term ids (vocabulary 44) that drop a project.
    pub excluded_maintenance: Vec<String>,
    /// Development status term ids (vocabulary 46) that drop a project.
    pub excluded_development: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectChoice {
    pub name: String,
    pub title: String,
    pub nid: String,
    pub usage: u64,
    pub kept: bool,
    pub reason: String,
}

/// Every project with the reason it is kept or dropped, most used first (ties by name).
pub fn select_projects(projects: &[ProjectNode], policy: &ContribPolicy) -> Vec<ProjectChoice> {
    let mut out: Vec<ProjectChoice> = projects
        .iter()
        .map(|p| {
            let usage = p.usage();
            let drop = if usage < policy.min_usage {
                Some(format!(
                    "{usage} installs, below min_usage {}",
                    policy.min_usage
                ))
            } else if policy.require_security_coverage
                && p.field_security_advisory_coverage.as_deref() != Some("covered")
            {
                Some(format!(
                    "not covered by the security advisory policy ({})",
                    p.field_security_advisory_coverage
                        .as_deref()
                        .unwrap_or("no value")
                ))
            } else if let Some(t) = p
                .maintenance_term()
                .filter(|t| policy.excluded_maintenance.iter().any(|x| x == t))
            {
                Some(format!("maintenance status term {t} is excluded"))
            } else {
                p.development_term()
                    .filter(|t| policy.excluded_development.iter().any(|x| x == t))
                    .map(|t| format!("development status term {t} is excluded"))
            };
            ProjectChoice {
                name: p.field_project_machine_name.clone(),
                title: p.title.clone(),
                nid: p.nid.clone(),
                usage,
                kept: drop.is_none(),
                reason: drop.unwrap_or_else(|| format!("{usage} installs")),
            }
        })
        .collect();
    out.sort_by(|a, b| (Reverse(a.usage), &a.name).cmp(&(Reverse(b.usage), &b.name)));
    out
}

/// One version of a package from p2 metadata, after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageVersion {
    pub version: String,
    /// `require["drupal/core"]`, if any.
    pub core_constraint: Option<String>,
    pub source_url: Option<String>,
    pub source_reference: Option<String>,
}

/// Read the versions of `package` (e.g. `drupal/example_module`) from a p2 file, plain or
/// minified.
pub fn parse_p2(bytes: &[u8], package: &str) -> Result<Vec<PackageVersion>, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let minified = doc.get("minified").and_then(Value::as_str) == Some("composer/2.0");
    let versions = doc
        .get("packages")
        .and_then(|p| p.get(package))
        .and_then(Value::as_array)
        .ok_or_else(|| format!("no packages.{package} list"))?;
    let mut expanded: Vec<Map<String, Value>> = Vec::with_capacity(versions.len());
    let mut current: Option<Map<String, Value>> = None;
    for v in versions {
        let Value::Object(entry) = v else {
            return Err(format!("a version of {package} is not an object"));
        };
        let next = match (&current, minified) {
            (Some(prev), true) => {
                let mut merged = prev.clone();
                for (k, val) in entry {
                    if val.as_str() == Some("__unset") {
                        merged.remove(k);
                    } else {
                        merged.insert(k.clone(), val.clone());
                    }
                }
                merged
            }
            _ => entry.clone(),
        };
        current = Some(next.clone());
        expanded.push(next);
    }
    Ok(expanded
        .iter()
        .filter_map(|m| {
            let version = m.get("version")?.as_str()?.to_owned();
            let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
            Some(PackageVersion {
                version,
                core_constraint: text(m.get("require").and_then(|r| r.get("drupal/core"))),
                source_url: text(m.get("source").and_then(|s| s.get("url"))),
                source_reference: text(m.get("source").and_then(|s| s.get("reference"))),
            })
        })
        .collect())
}

/// The release discovery settles on for a contrib module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ReleaseChoice {
    /// The newest stable release whose `drupal/core` constraint admits Drupal 11.
    Compatible {
        version: String,
        constraint: String,
        git_url: Option<String>,
        tag: Option<String>,
    },
    /// The newest stable release says nothing usable about core: acquire reads
    /// `core_version_requirement` from its `*.info.yml`.
    #[serde(rename = "pending: info.yml")]
    PendingInfoYml {
        version: String,
        git_url: Option<String>,
        tag: Option<String>,
        why: String,
    },
    /// No stable release admits Drupal 11.
    Incompatible { newest_stable: Option<String> },
}

/// Newest stable release first: the first that admits 11 is chosen; one without a usable
/// `drupal/core` constraint (missing or unparseable) stops the search as pending.
pub fn pick_release(versions: &[PackageVersion]) -> ReleaseChoice {
    let mut stable: Vec<(Version, &PackageVersion)> = versions
        .iter()
        .filter_map(|v| match normalize(&v.version) {
            Ok(Normalized::Numeric(n)) if n.stability == Stability::Stable => Some((n, v)),
            _ => None,
        })
        .collect();
    stable.sort_by(|a, b| b.0.cmp(&a.0));
    let range = drupal11();
    for (_, v) in &stable {
        let parsed = v.core_constraint.as_deref().map(|c| (c, parse(c)));
        match parsed {
            Some((c, Ok(set))) => {
                if set.intersects(&range) {
                    return ReleaseChoice::Compatible {
                        version: v.version.clone(),
                        constraint: c.to_owned(),
                        git_url: v.source_url.clone(),
                        tag: v.source_reference.clone(),
                    };
                }
            }
            Some((c, Err(e))) => {
                return ReleaseChoice::PendingInfoYml {
                    version: v.version.clone(),
                    git_url: v.source_url.clone(),
                    tag: v.source_reference.clone(),
                    why: format!("drupal/core constraint {c:?} does not parse: {}", e.message),
                };
            }
            None => {
                return ReleaseChoice::PendingInfoYml {
                    version: v.version.clone(),
                    git_url: v.source_url.clone(),
                    tag: v.source_reference.clone(),
                    why: "no drupal/core requirement in its Composer metadata".to_owned(),
                };
            }
        }
    }
    ReleaseChoice::Incompatible {
        newest_stable: stable.first().map(|(_, v)| v.version.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The repository's `fixtures/drupal`.
    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/drupal")
    }

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn listing_page_from_the_fixture() {
        let page: ListingPage = serde_json::from_slice(&read(
            "api-d7/node.json__type=project_module&field_project_type=full&status=1&limit=1&page=0.json",
        ))
        .unwrap();
        assert_eq!(last_page(&page), Some(51234));
        assert_eq!(
            listing_url("https://www.drupal.org/api-d7/", 100, 3),
            "https://www.drupal.org/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page=3"
        );
        let p = &page.list[0];
        assert_eq!(p.field_project_machine_name, "example_module");
        assert_eq!(p.usage(), 812 + 4310 + 9702);
        assert_eq!(p.maintenance_term(), Some("13028"));
        assert_eq!(p.development_term(), Some("9988"));
        let policy = ContribPolicy {
            min_usage: 1000,
            require_security_coverage: true,
            excluded_maintenance: vec!["13032".into()],
            excluded_development: vec!["9994".into()],
        };
        let chosen = select_projects(&page.list, &policy);
        assert!(chosen[0].kept, "{chosen:?}");
        let strict = ContribPolicy {
            min_usage: 20_000,
            ..policy
        };
        let dropped = select_projects(&page.list, &strict);
        assert!(!dropped[0].kept);
        assert!(dropped[0].reason.contains("below min_usage 20000"));
    }

    #[test]
    fn empty_php_arrays_read_as_nothing() {
        let node: ProjectNode = serde_json::from_str(
            r#"{"nid":"1","field_project_machine_name":"x","project_usage":[],"taxonomy_vocabulary_44":[]}"#,
        )
        .unwrap();
        assert_eq!(node.usage(), 0);
        assert_eq!(node.maintenance_term(), None);
    }

    #[test]
    fn p2_plain_and_minified_and_dev() {
        let dir = "packages.drupal.org/files/packages/8/p2/drupal";
        let plain = parse_p2(
            &read(&format!("{dir}/example_module.json")),
            "drupal/example_module",
        )
        .unwrap();
        assert_eq!(plain.len(), 3);
        match pick_release(&plain) {
            ReleaseChoice::Compatible {
                version,
                tag,
                git_url,
                constraint,
            } => {
                assert_eq!(version, "2.1.0");
                assert_eq!(tag.as_deref(), Some("2.1.0"));
                assert_eq!(constraint, "^10.3 || ^11");
                assert_eq!(
                    git_url.as_deref(),
                    Some("https://git.drupalcode.org/project/example_module.git")
                );
            }
            other => panic!("{other:?}"),
        }
        let minified = parse_p2(
            &read(&format!("{dir}/example_module.minified.json")),
            "drupal/example_module",
        )
        .unwrap();
        let versions: Vec<_> = minified
            .iter()
            .map(|v| (v.version.as_str(), v.core_constraint.as_deref()))
            .collect();
        assert_eq!(
            versions,
            vec![
                ("2.1.0", Some("^10.3 || ^11")),
                ("2.0.0", Some("^10.3 || ^11")),
                ("1.5.0", Some("^9.5 || ^10")),
            ]
        );
        let dev = parse_p2(
            &read(&format!("{dir}/example_module~dev.json")),
            "drupal/example_module",
        )
        .unwrap();
        assert_eq!(dev.len(), 2);
        assert_eq!(
            pick_release(&dev),
            ReleaseChoice::Incompatible {
                newest_stable: None
            },
            "dev versions are never picked"
        );
    }

    #[test]
    fn pending_and_incompatible() {
        let v = |version: &str, c: Option<&str>| PackageVersion {
            version: version.into(),
            core_constraint: c.map(Into::into),
            source_url: None,
            source_reference: Some(version.into()),
        };
        assert!(matches!(
            pick_release(&[v("3.0.0", None), v("2.0.0", Some("^11"))]),
            ReleaseChoice::PendingInfoYml { version, .. } if version == "3.0.0"
        ));
        assert!(matches!(
            pick_release(&[v("3.0.0", Some("^10")), v("2.0.0", Some("^11")), v("4.0.0-beta1", Some("^11"))]),
            ReleaseChoice::Compatible { version, .. } if version == "2.0.0"
        ));
        assert_eq!(
            pick_release(&[v("1.0.0", Some("^9 || ^10"))]),
            ReleaseChoice::Incompatible {
                newest_stable: Some("1.0.0".into())
            }
        );
    }
}
