//! `discover`: every configured source becomes a candidate in `sources/manifest.json`,
//! kept (pinned: a commit, or a local tree's content hash) or dropped, always with the
//! reason.
//!
//! Git refs are resolved with `git ls-remote`; a ref resolved by an earlier run is reused
//! unless the run re-queries (`--refresh` or `--force`), so a rerun makes no network
//! requests. Local directories are hashed: every regular file's relative path and blake3,
//! in path order, `.git/` excluded, symlinks recorded but not followed.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tuneforge_core::config::{ContentKind, SourceConfig};
use tuneforge_core::hash::hash_file;
use tuneforge_core::reporter::Reporter;

use crate::contrib::{ContribEndpoints, discover_contrib};
use crate::docs::{DocsEndpoints, DocsPolicy, discover_docs};
use crate::drupalorg::ContribPolicy;
use crate::git;
use crate::http::{Http, HttpOptions};
use crate::version::Version;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Kept,
    Dropped,
    /// A kind of source this build cannot discover yet; nothing is fetched for it.
    Skipped,
    /// Kept for now: its Composer metadata says nothing usable about core, so acquire
    /// decides from its `*.info.yml`.
    #[serde(rename = "pending: info.yml")]
    PendingInfoYml,
}

/// What kind of source a candidate came from; it decides how `acquire` fetches it (git or
/// HTTP), how `clean` ranks its files among duplicates, and the licence of its samples.
/// Serialized as the names `sources/manifest.json` has always held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateKind {
    /// A local directory, pinned by its content hash.
    Path,
    /// Any git repository, pinned to a commit.
    Git,
    DrupalCore,
    /// One contrib project from drupal.org, fetched with git.
    DrupalContrib,
    /// One drupal.org page (a change record, an advisory, an API topic).
    DrupalDocs,
    /// One page listed in `pipeline.yaml`.
    Urls,
}

impl CandidateKind {
    /// The name written in manifests: `path`, `git`, `drupal-core`, `drupal-contrib`,
    /// `drupal-docs` or `urls`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Git => "git",
            Self::DrupalCore => "drupal-core",
            Self::DrupalContrib => "drupal-contrib",
            Self::DrupalDocs => "drupal-docs",
            Self::Urls => "urls",
        }
    }

    /// Fetched as a git repository (`acquire_git`), not page by page over HTTP.
    pub fn is_git(self) -> bool {
        matches!(self, Self::Git | Self::DrupalCore | Self::DrupalContrib)
    }

    /// Fetched page by page over HTTP (`acquire_docs`).
    pub fn is_web(self) -> bool {
        matches!(self, Self::DrupalDocs | Self::Urls)
    }
}

impl std::fmt::Display for CandidateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One configured source, as discovered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub name: String,
    pub kind: CandidateKind,
    pub content: ContentKind,
    pub status: Status,
    pub reason: String,
    /// Repository URL or local directory as configured.
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// The pinned commit of a git source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The content hash of a local directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_hash: Option<String>,
    /// A local directory's newest modification time (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Installs summed over branches (contrib).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<u64>,
    /// The chosen release (contrib).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The release's `drupal/core` constraint (contrib).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_constraint: Option<String>,
    /// Resolution failed this time (network, missing ref); the next run tries again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unresolved: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
}

/// A local directory's content: the hash that pins it, with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHash {
    pub hash: String,
    pub files: u64,
    pub bytes: u64,
    /// Symbolic links found and not followed.
    pub symlinks: u64,
    /// The newest file modification time (RFC 3339 UTC): the source's time for the
    /// samples made from it, as a commit's time is for a repository.
    pub updated_at: Option<String>,
}

/// Hash a directory tree (see the module docs for what counts).
pub fn hash_tree(root: &Path) -> std::io::Result<TreeHash> {
    let tuneforge_core::fsio::FileListing { files, symlinks } =
        tuneforge_core::fsio::list_files(root)?;
    let hashed: Vec<(String, String, u64)> = files
        .par_iter()
        .map(|(rel, path)| hash_file(path).map(|(h, len)| (rel.clone(), h, len)))
        .collect::<std::io::Result<_>>()?;
    let updated_at = files
        .iter()
        .filter_map(|(_, path)| std::fs::metadata(path).ok()?.modified().ok())
        .max()
        .and_then(|newest| {
            let meta_time = newest.duration_since(std::time::UNIX_EPOCH).ok()?;
            tuneforge_core::time::unix_rfc3339(meta_time.as_secs() as i64)
        });
    let mut hasher = blake3::Hasher::new();
    let mut bytes = 0;
    for (rel, h, len) in &hashed {
        hasher.update(rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(h.as_bytes());
        hasher.update(b"\n");
        bytes += len;
    }
    Ok(TreeHash {
        hash: hasher.finalize().to_hex().to_string(),
        files: hashed.len() as u64,
        bytes,
        symlinks,
        updated_at,
    })
}

/// The URL git is given for a source: a local repository path is relative to the
/// workspace, like `path` sources; anything else is used as configured.
pub fn git_url(workspace: &Path, location: &str) -> String {
    if git::is_local(location) && !location.starts_with("file://") {
        resolve_path(workspace, Path::new(location))
            .to_string_lossy()
            .into_owned()
    } else {
        location.to_owned()
    }
}

/// Where a `path` source points: relative paths are relative to the workspace.
pub fn resolve_path(workspace: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        workspace.join(path)
    }
}

/// How discovery may use the network.
pub struct DiscoverOptions {
    /// Re-resolve everything an earlier discovery already resolved.
    pub requery: bool,
    /// For drupal.org sources; the client is made only when one is configured.
    pub http: HttpOptions,
}

/// Discover every source. `previous` is the last discovery, whose pins are reused unless
/// `options.requery`.
pub fn discover(
    workspace: &Path,
    sources: &[SourceConfig],
    previous: Option<&Discovery>,
    options: &DiscoverOptions,
    reporter: &dyn Reporter,
) -> Discovery {
    let task = reporter.task("discover: sources", Some(sources.len() as u64));
    let mut candidates: Vec<Candidate> = Vec::with_capacity(sources.len());
    let mut http: Option<Result<Http, String>> = None;
    for source in sources {
        let found = match source {
            SourceConfig::DrupalContrib { .. } | SourceConfig::DrupalDocs { .. } => {
                drupalorg_candidates(source, previous, options, &mut http, reporter)
            }
            SourceConfig::Urls { name, urls } => url_candidates(name, urls),
            _ => vec![candidate(workspace, source, previous, options.requery)],
        };
        for mut c in found {
            if candidates.iter().any(|k| k.name == c.name) {
                c.status = Status::Dropped;
                c.reason = format!(
                    "another source is also named {:?}; give each source its own name",
                    c.name
                );
            }
            if c.status == Status::Dropped && c.kind != CandidateKind::DrupalContrib {
                reporter.warn(&format!("source {}: dropped: {}", c.name, c.reason));
            }
            candidates.push(c);
        }
        task.advance(1);
    }
    task.finish();
    Discovery { candidates }
}

/// Candidates of a drupal.org source (contrib or docs): reused from the previous
/// discovery unless re-queried, else fetched.
fn drupalorg_candidates(
    source: &SourceConfig,
    previous: Option<&Discovery>,
    options: &DiscoverOptions,
    http: &mut Option<Result<Http, String>>,
    reporter: &dyn Reporter,
) -> Vec<Candidate> {
    let (kind, api_url) = match source {
        SourceConfig::DrupalContrib { api_url, .. } => (CandidateKind::DrupalContrib, api_url),
        SourceConfig::DrupalDocs { api_url, .. } => (CandidateKind::DrupalDocs, api_url),
        _ => return Vec::new(),
    };
    let earlier: Vec<Candidate> = previous
        .map(|p| {
            p.candidates
                .iter()
                .filter(|c| c.kind == kind)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if !options.requery && !earlier.is_empty() && earlier.iter().all(|c| !c.unresolved) {
        return earlier;
    }
    let client =
        http.get_or_insert_with(|| Http::new(options.http.clone()).map_err(|e| e.to_string()));
    let failed = |reason: String| {
        let mut c = base(kind.as_str(), kind, ContentKind::Code, api_url);
        c.status = Status::Dropped;
        c.reason = reason;
        c.unresolved = true;
        vec![c]
    };
    let client = match client {
        Ok(c) => c,
        Err(e) => return failed(e.clone()),
    };
    let found = match source {
        SourceConfig::DrupalContrib {
            packages_url,
            min_usage,
            require_security_coverage,
            exclude_maintenance_terms,
            exclude_development_terms,
            page_size,
            ..
        } => {
            let policy = ContribPolicy {
                min_usage: *min_usage,
                require_security_coverage: *require_security_coverage,
                excluded_maintenance: exclude_maintenance_terms.clone(),
                excluded_development: exclude_development_terms.clone(),
            };
            let endpoints = ContribEndpoints {
                api_url,
                packages_url,
                page_size: *page_size,
            };
            discover_contrib(client, &endpoints, &policy, reporter)
        }
        SourceConfig::DrupalDocs {
            change_records,
            security_advisories,
            core_project,
            change_records_since,
            api_reference,
            api_site,
            api_branch,
            api_topics,
            ..
        } => {
            let since = match Version::parse(change_records_since) {
                Ok(v) => v,
                Err(e) => return failed(format!("change_records_since: {e}")),
            };
            let policy = DocsPolicy {
                change_records: *change_records,
                security_advisories: *security_advisories,
                change_records_since: since,
                api_reference: *api_reference,
                api_topics: api_topics.clone(),
            };
            let endpoints = DocsEndpoints {
                api_url,
                core_project,
                api_site,
                api_branch,
            };
            discover_docs(client, &endpoints, &policy, reporter)
        }
        _ => return Vec::new(),
    };
    match found {
        Ok(found) => found,
        Err(e) => failed(format!("{kind} discovery failed: {e}")),
    }
}

impl Candidate {
    /// A kept candidate with nothing resolved yet.
    pub fn new(name: &str, kind: CandidateKind, content: ContentKind, location: &str) -> Self {
        base(name, kind, content, location)
    }
}

/// One docs candidate per configured page, `<name>/<n>`; acquire fetches them.
fn url_candidates(name: &str, urls: &[String]) -> Vec<Candidate> {
    urls.iter()
        .enumerate()
        .map(|(i, url)| {
            let mut c = base(
                &format!("{name}/{}", i + 1),
                CandidateKind::Urls,
                ContentKind::Docs,
                url,
            );
            let web =
                reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
            if web {
                c.reason = "page from pipeline.yaml".to_owned();
            } else {
                c.status = Status::Dropped;
                c.reason = "not an http(s) URL; fix it in pipeline.yaml".to_owned();
            }
            c
        })
        .collect()
}

fn base(name: &str, kind: CandidateKind, content: ContentKind, location: &str) -> Candidate {
    Candidate {
        name: name.to_owned(),
        kind,
        content,
        status: Status::Kept,
        reason: String::new(),
        location: location.to_owned(),
        git_ref: None,
        commit: None,
        tree_hash: None,
        updated_at: None,
        files: None,
        bytes: None,
        usage: None,
        release: None,
        core_constraint: None,
        unresolved: false,
    }
}

fn candidate(
    workspace: &Path,
    source: &SourceConfig,
    previous: Option<&Discovery>,
    requery: bool,
) -> Candidate {
    match source {
        SourceConfig::Path { name, path, kind } => {
            let mut c = base(name, CandidateKind::Path, *kind, &path.to_string_lossy());
            let dir = resolve_path(workspace, path);
            match hash_tree(&dir) {
                Ok(t) => {
                    c.reason = format!(
                        "local directory, {} files pinned by content hash{}",
                        t.files,
                        if t.symlinks > 0 {
                            format!(" ({} symlinks not followed)", t.symlinks)
                        } else {
                            String::new()
                        }
                    );
                    c.tree_hash = Some(t.hash);
                    c.updated_at = t.updated_at;
                    c.files = Some(t.files);
                    c.bytes = Some(t.bytes);
                }
                Err(e) => {
                    c.status = Status::Dropped;
                    c.reason = format!(
                        "cannot read {}: {e}; fix `path` in pipeline.yaml",
                        dir.display()
                    );
                }
            }
            c
        }
        SourceConfig::Git {
            name,
            url,
            git_ref,
            kind,
        } => git_candidate(
            workspace,
            base(name, CandidateKind::Git, *kind, url),
            git_ref,
            previous,
            requery,
        ),
        SourceConfig::DrupalCore { url, branch } => git_candidate(
            workspace,
            base(
                "drupal-core",
                CandidateKind::DrupalCore,
                ContentKind::Code,
                url,
            ),
            branch,
            previous,
            requery,
        ),
        // Expanded by `drupalorg_candidates` and `url_candidates`, never here.
        SourceConfig::DrupalContrib { api_url, .. } => {
            skipped("drupal.org", CandidateKind::DrupalContrib, api_url)
        }
        SourceConfig::DrupalDocs { api_url, .. } => {
            skipped("drupal.org", CandidateKind::DrupalDocs, api_url)
        }
        SourceConfig::Urls { name, .. } => {
            skipped(name, CandidateKind::Urls, "expanded by url_candidates")
        }
    }
}

fn skipped(name: &str, kind: CandidateKind, location: &str) -> Candidate {
    let mut c = base(name, kind, ContentKind::Docs, location);
    if kind == CandidateKind::DrupalContrib {
        c.content = ContentKind::Code;
    }
    c.status = Status::Skipped;
    c.reason = format!(
        "discovery of {name} sources is not in tuneforge {} yet; nothing is fetched for it",
        tuneforge_core::TOOL_VERSION
    );
    c
}

fn git_candidate(
    workspace: &Path,
    mut c: Candidate,
    git_ref: &str,
    previous: Option<&Discovery>,
    requery: bool,
) -> Candidate {
    c.git_ref = Some(git_ref.to_owned());
    let earlier = previous.and_then(|p| {
        p.candidates.iter().find(|k| {
            k.name == c.name
                && k.location == c.location
                && k.git_ref.as_deref() == Some(git_ref)
                && k.status == Status::Kept
        })
    });
    if let (Some(earlier), false) = (earlier, requery) {
        c.commit = earlier.commit.clone();
        c.reason = format!("{git_ref} pinned by an earlier run; `--refresh` re-resolves it");
        return c;
    }
    let url = git_url(workspace, &c.location);
    match git::resolve_ref(&url, git_ref) {
        Ok(commit) => {
            c.reason = if git::is_commit_id(git_ref) {
                "pinned to the configured commit".to_owned()
            } else {
                format!("{git_ref} resolved with git ls-remote")
            };
            c.commit = Some(commit);
        }
        // A failed re-query keeps the pin an earlier run made.
        Err(e) if earlier.is_some() => {
            c.commit = earlier.and_then(|k| k.commit.clone());
            c.reason = format!("could not re-resolve {git_ref} ({e}); keeping the earlier pin");
            c.unresolved = true;
        }
        Err(e) => {
            c.status = Status::Dropped;
            c.reason = e.to_string();
            c.unresolved = true;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_kinds_keep_their_manifest_names() {
        use CandidateKind::*;
        for (kind, name) in [
            (Path, "path"),
            (Git, "git"),
            (DrupalCore, "drupal-core"),
            (DrupalContrib, "drupal-contrib"),
            (DrupalDocs, "drupal-docs"),
            (Urls, "urls"),
        ] {
            assert_eq!(kind.as_str(), name);
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
            assert_eq!(
                serde_json::from_value::<CandidateKind>(name.into()).unwrap(),
                kind
            );
        }
        assert!(serde_json::from_value::<CandidateKind>("drupal.org".into()).is_err());
    }

    #[test]
    fn tree_hash_follows_content_and_names_not_time() {
        let a = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(a.path().join("src/sub")).unwrap();
        std::fs::write(a.path().join("src/x.php"), "<?php\n").unwrap();
        std::fs::write(a.path().join("src/sub/y.yml"), "a: 1\n").unwrap();
        std::fs::create_dir_all(a.path().join(".git")).unwrap();
        std::fs::write(a.path().join(".git/HEAD"), "ref").unwrap();
        let first = hash_tree(a.path()).unwrap();
        assert_eq!(first.files, 2);
        std::fs::write(a.path().join(".git/HEAD"), "other").unwrap();
        assert_eq!(hash_tree(a.path()).unwrap(), first, ".git is not content");
        std::fs::write(a.path().join("src/x.php"), "<?php echo 1;\n").unwrap();
        assert_ne!(hash_tree(a.path()).unwrap().hash, first.hash);
    }
}
