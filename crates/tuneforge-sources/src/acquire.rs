//! `acquire` for git sources: exactly the pinned commit, shallow, into `raw/code/<name>/`.
//!
//! Each repository is fetched into a staging directory (a shallow `git clone` of a tag or
//! branch; `git init`, `git fetch --depth 1 <url> <commit>` and a checkout for a commit),
//! its commit and committer time read from what the fetch wrote ([`crate::gitdir`]; one
//! `git log` when that is not plain), cleaned, and renamed into place, so
//! `raw/code/<name>/` exists only complete. An interrupted fetch leaves a staging
//! directory, which the next run removes and fetches again from scratch (counted in the
//! report). Git runs with hooks off and never prompts; submodules are not fetched. After
//! checkout the tree is checked: symlinks that point outside the repository, binaries and
//! files over the per-file cap are removed and listed, in the one read of each file that
//! also hashes it; a repository over the per-repository cap is refused. `.git/` is
//! dropped (deleted in the background): the commit is recorded instead.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tuneforge_core::config::ContentKind;
use tuneforge_core::fsio::{Discarder, IoError, StagingDir, sync_dir};
use tuneforge_core::layout::{RAW_CODE_DIR, RAW_DOCS_DIR};

use crate::discover::{Candidate, Status};
use crate::git::{self, DEFAULT_DEADLINE};
use crate::version::Version;

#[derive(Debug, Clone)]
pub struct AcquireOptions {
    pub max_file_bytes: u64,
    pub max_repo_bytes: u64,
}

impl Default for AcquireOptions {
    fn default() -> Self {
        Self {
            max_file_bytes: 1 << 20,
            max_repo_bytes: 1 << 30,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Fetched,
    /// Already in place at the same commit: nothing fetched.
    Reused,
    /// Fetched, then dropped (its info.yml does not admit Drupal 11).
    Dropped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acquired {
    pub name: String,
    /// `code`, or `docs` for git-hosted documentation (Symfony docs).
    #[serde(default)]
    pub kind: ContentKind,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The tag or branch a release was pinned by, when discovery gave no commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// Workspace-relative, `raw/code/<dir>`.
    pub dir: String,
    pub outcome: Outcome,
    pub reason: String,
    #[serde(default)]
    pub files: u64,
    #[serde(default)]
    pub bytes: u64,
    /// Content hash of the checked-out tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tree_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedFile>,
    /// An earlier, interrupted fetch of this repository was discarded first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refetched: bool,
    /// When the fetch started (RFC 3339, UTC); a reused repository keeps its first time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// The pinned commit's committer time (RFC 3339 UTC): the source's time for the samples
    /// made from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
}

/// The directory name of a candidate under `raw/code/`: `drupal/token` → `drupal_token`.
pub fn dir_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .replace('/', "__")
}

/// Fetch (or reuse) one git candidate into `code_dir/<dir_name>`.
pub fn acquire_git(
    code_dir: &Path,
    workspace: &Path,
    candidate: &Candidate,
    earlier: Option<&Acquired>,
    options: &AcquireOptions,
) -> Acquired {
    let trash = Discarder::new(code_dir);
    let mut record = acquire_one(code_dir, workspace, candidate, earlier, options, &trash);
    trash.finish();
    if record.outcome == Outcome::Fetched
        && let Err(e) = sync_dir(code_dir)
    {
        record.outcome = Outcome::Failed;
        record.reason = e.to_string();
    }
    record
}

/// Fetch (or reuse) every git candidate of `wanted` (each with what the last run recorded
/// for it), `jobs` at a time, in that order; `done` is called as each one finishes. What a
/// fetch deletes (`.git/`) is deleted on a thread of its own, so no fetch waits for it, and
/// `code_dir` is synced once, after the last rename into it.
pub fn acquire_all(
    code_dir: &Path,
    workspace: &Path,
    wanted: &[(&Candidate, Option<&Acquired>)],
    options: &AcquireOptions,
    jobs: usize,
    done: &(dyn Fn(&Acquired) + Sync),
) -> Result<Vec<Acquired>, IoError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let trash = Discarder::new(code_dir);
    let next = AtomicUsize::new(0);
    // Threads, not the rayon pool: a fetch mostly waits on git, and exactly `jobs` of them
    // run at once, while the hashing of each tree has the pool to itself.
    let mut acquired: Vec<(usize, Acquired)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.clamp(1, wanted.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((candidate, earlier)) = wanted.get(i) else {
                            break mine;
                        };
                        let r =
                            acquire_one(code_dir, workspace, candidate, *earlier, options, &trash);
                        done(&r);
                        mine.push((i, r));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    trash.finish();
    if acquired.iter().any(|(_, r)| r.outcome == Outcome::Fetched) {
        sync_dir(code_dir)?;
    }
    acquired.sort_by_key(|(i, _)| *i);
    Ok(acquired.into_iter().map(|(_, r)| r).collect())
}

fn acquire_one(
    code_dir: &Path,
    workspace: &Path,
    candidate: &Candidate,
    earlier: Option<&Acquired>,
    options: &AcquireOptions,
    trash: &Discarder,
) -> Acquired {
    let dir = dir_name(&candidate.name);
    let dest = code_dir.join(&dir);
    let rel = format!("{RAW_CODE_DIR}/{dir}");
    let mut record = Acquired {
        name: candidate.name.clone(),
        kind: candidate.content,
        url: candidate.location.clone(),
        commit: candidate.commit.clone(),
        git_ref: candidate
            .commit
            .is_none()
            .then(|| candidate.git_ref.clone())
            .flatten(),
        dir: rel,
        outcome: Outcome::Failed,
        reason: String::new(),
        files: 0,
        bytes: 0,
        tree_hash: None,
        skipped: Vec::new(),
        refetched: false,
        fetched_at: None,
        committed_at: None,
    };
    let url = crate::discover::git_url(workspace, &candidate.location);
    // Contrib releases are pinned by tag at discovery; the fetch resolves the commit.
    let pin = match (&record.commit, &record.git_ref) {
        (Some(c), _) => Pin::Commit(c.clone()),
        (None, Some(r)) => Pin::Ref(r.clone()),
        (None, None) => {
            record.reason = "no commit or tag to fetch".to_owned();
            return record;
        }
    };
    // What is in place says what it is (the record written into it before it was renamed
    // into place), so a run killed before its manifest still reuses every finished fetch.
    let in_place = read_record(&dest).or_else(|| earlier.cloned());
    if let Some(e) = in_place
        && match &pin {
            Pin::Commit(c) => e.commit.as_deref() == Some(c.as_str()),
            Pin::Ref(r) => e.git_ref.as_deref() == Some(r.as_str()) && e.url == record.url,
        }
        && matches!(e.outcome, Outcome::Fetched | Outcome::Reused)
        && dest.is_dir()
    {
        return Acquired {
            outcome: Outcome::Reused,
            reason: format!("already at {}", short(e.commit.as_deref().unwrap_or(""))),
            refetched: false,
            ..e
        };
    }
    let staging_path = code_dir.join(format!(".staging-{dir}"));
    record.refetched = staging_path.exists();
    record.outcome = Outcome::Fetched;
    record.fetched_at = Some(tuneforge_core::time::now_rfc3339());
    if let Err(e) = fetch_into(&url, &pin, &dest, options, trash, &mut record) {
        record.outcome = Outcome::Failed;
        record.reason = e;
        return record;
    }
    record.reason = format!("fetched {}", short(record.commit.as_deref().unwrap_or("")));
    if candidate.status == Status::PendingInfoYml {
        decide_from_info_yml(&dest, trash, &mut record);
    }
    record
}

/// The record kept inside each acquired repository, next to its files.
pub const RECORD_FILE: &str = ".tuneforge-acquired.json";

fn read_record(dest: &Path) -> Option<Acquired> {
    serde_json::from_slice(&std::fs::read(dest.join(RECORD_FILE)).ok()?).ok()
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// What to fetch: an exact commit, or a tag/branch whose commit the fetch reveals.
enum Pin {
    Commit(String),
    Ref(String),
}

/// Settings for the repository of one fetch, which lives only until its checkout has been
/// read: nothing fsynced (`.git/` is deleted right after), the fetched pack kept as it came
/// (not unpacked into a file per object), no reverse index beside it, no reflog, no
/// maintenance after the fetch; symlinks checked out as symlinks, so the clean step judges
/// where they point.
const THROWAWAY_REPO: [&str; 12] = [
    "-c",
    "core.fsync=none",
    "-c",
    "fetch.unpackLimit=1",
    "-c",
    "core.logAllRefUpdates=false",
    "-c",
    "pack.writeReverseIndex=false",
    "-c",
    "maintenance.auto=false",
    "-c",
    "core.symlinks=true",
];

/// Fetch into a staging directory, clean, record and rename into place; fills `record`.
/// The parent directory is not synced: the caller does it once, after the last.
fn fetch_into(
    url: &str,
    pin: &Pin,
    dest: &Path,
    options: &AcquireOptions,
    trash: &Discarder,
    record: &mut Acquired,
) -> Result<(), String> {
    let staging = StagingDir::create(dest).map_err(|e| e.to_string())?;
    let work = staging.path();
    let work_s = work.to_string_lossy().into_owned();
    // `cwd` is `None` for `clone`, whose URL may be a path relative to the current directory.
    let git = |cwd: Option<&str>, args: &[&str]| {
        let mut full: Vec<&str> = cwd.map(|d| vec!["-C", d]).unwrap_or_default();
        full.extend_from_slice(&THROWAWAY_REPO);
        full.extend_from_slice(args);
        git::run(&full, None, DEFAULT_DEADLINE).map_err(|e| e.to_string())
    };
    let here = Some(work_s.as_str());
    // `--template=`: no hook samples or description written only to be deleted.
    match pin {
        Pin::Commit(commit) => {
            git(here, &["init", "-q", "--template="])?;
            let fetch = [
                "fetch",
                "-q",
                "--depth",
                "1",
                "--no-tags",
                "--",
                url,
                commit,
            ];
            git(here, &fetch)?;
            git(here, &["checkout", "-q", "--detach", "FETCH_HEAD"])?;
        }
        // One process: a shallow clone of the tag or branch into the empty staging dir.
        Pin::Ref(r) => {
            git(
                None,
                &[
                    "clone",
                    "-q",
                    "--template=",
                    "--depth",
                    "1",
                    "--no-tags",
                    "--single-branch",
                    "--branch",
                    r,
                    "--",
                    url,
                    &work_s,
                ],
            )?;
        }
    }
    // The commit and its committer time: read from what the fetch wrote, else from one
    // more git process.
    if let Some((commit, time)) = crate::gitdir::head_commit(&work.join(".git")) {
        record.commit = Some(commit);
        record.committed_at = Some(time);
    } else {
        let head = git(
            here,
            &[
                "log",
                "-1",
                "--no-show-signature",
                "--format=%H%n%cI",
                "HEAD",
            ],
        )?;
        let mut lines = head.lines();
        record.commit = Some(lines.next().unwrap_or_default().trim().to_owned());
        record.committed_at = lines.next().and_then(tuneforge_core::time::to_utc_rfc3339);
    }
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    trash
        .discard(&work.join(".git"), &format!("{name}.git"))
        .map_err(|e| e.to_string())?;
    let tree = clean_tree(work, options)?;
    if tree.bytes > options.max_repo_bytes {
        return Err(format!(
            "{} bytes after cleaning, over the per-repository cap of {}",
            tree.bytes, options.max_repo_bytes
        ));
    }
    record.skipped = tree.skipped;
    record.files = tree.files;
    record.bytes = tree.bytes;
    record.tree_hash = Some(tree.hash);
    let mut json = serde_json::to_vec_pretty(&*record).map_err(|e| e.to_string())?;
    json.push(b'\n');
    std::fs::write(work.join(RECORD_FILE), json).map_err(|e| e.to_string())?;
    staging.commit_unsynced().map_err(|e| e.to_string())?;
    Ok(())
}

/// A checked-out tree after [`clean_tree`]: what was removed, and the content hash of what
/// is left, as [`hash_tree`](crate::discover::hash_tree) computes it.
#[derive(Debug)]
struct CleanedTree {
    skipped: Vec<SkippedFile>,
    files: u64,
    bytes: u64,
    hash: String,
}

/// What the one read of a regular file decided.
enum FileCheck {
    Keep { blake3: String, len: u64 },
    Drop(String),
}

/// Remove what must not be kept (symlinks leaving the tree, binaries, oversized files) and
/// hash what is left, reading each file once: directories are walked first (symlinks judged
/// on the way), then the regular files are read (in parallel in a large tree), each checked
/// and hashed from the same bytes. The hash is the one
/// [`hash_tree`](crate::discover::hash_tree) gives the cleaned tree: every regular file's
/// path and blake3 in path order, `.git/` and symlinks left out.
fn clean_tree(root: &Path, options: &AcquireOptions) -> Result<CleanedTree, String> {
    let rel_of = |path: &Path| {
        path.strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut skipped = Vec::new();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).map_err(|e| e.to_string())?;
                if !stays_inside(root, &path, &target) {
                    let rel = rel_of(&path);
                    std::fs::remove_file(&path).map_err(|e| format!("{rel}: {e}"))?;
                    skipped.push(SkippedFile {
                        path: rel,
                        reason: format!("symlink to {} leaves the repository", target.display()),
                    });
                }
            } else if kind.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else if kind.is_file() {
                files.push((rel_of(&path), path));
            }
        }
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let check = |(rel, path): &(String, PathBuf)| {
        check_file(path, options).map_err(|e| format!("{rel}: {e}"))
    };
    // A small tree is read on this thread: handing it to the pool costs more than it saves.
    let checked: Vec<FileCheck> = if files.len() < 256 {
        files.iter().map(check).collect::<Result<_, _>>()?
    } else {
        files.par_iter().map(check).collect::<Result<_, _>>()?
    };
    let mut hasher = blake3::Hasher::new();
    let (mut count, mut bytes) = (0, 0);
    for ((rel, path), check) in files.into_iter().zip(checked) {
        match check {
            FileCheck::Keep { blake3, len } => {
                hasher.update(rel.as_bytes());
                hasher.update(&[0]);
                hasher.update(blake3.as_bytes());
                hasher.update(b"\n");
                count += 1;
                bytes += len;
            }
            FileCheck::Drop(reason) => {
                std::fs::remove_file(&path).map_err(|e| format!("{rel}: {e}"))?;
                skipped.push(SkippedFile { path: rel, reason });
            }
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(CleanedTree {
        skipped,
        files: count,
        bytes,
        hash: hasher.finalize().to_hex().to_string(),
    })
}

/// One read of a regular file: over the per-file cap (not read), binary (a NUL byte in the
/// first 8 KiB, as git decides), or kept with its blake3.
fn check_file(path: &Path, options: &AcquireOptions) -> std::io::Result<FileCheck> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > options.max_file_bytes {
        return Ok(FileCheck::Drop(format!(
            "{len} bytes, over the per-file cap of {}",
            options.max_file_bytes
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
    file.read_to_end(&mut bytes)?;
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Ok(FileCheck::Drop("binary".to_owned()));
    }
    Ok(FileCheck::Keep {
        blake3: blake3::hash(&bytes).to_hex().to_string(),
        len: bytes.len() as u64,
    })
}

/// Does a symlink at `link` with `target` resolve inside `root` (lexically)?
fn stays_inside(root: &Path, link: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let base = link.parent().unwrap_or(root);
    let mut depth: i64 = base
        .strip_prefix(root)
        .map(|p| p.components().count() as i64)
        .unwrap_or(0);
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

#[derive(Deserialize)]
struct InfoYml {
    #[serde(default)]
    core_version_requirement: Option<String>,
}

/// For a module whose Composer metadata said nothing about core: keep it if its
/// `*.info.yml` (at the repository root) admits Drupal 11, else drop it.
fn decide_from_info_yml(dest: &Path, trash: &Discarder, record: &mut Acquired) {
    let info = std::fs::read_dir(dest).ok().and_then(|entries| {
        entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".info.yml"))
            .min()
    });
    let requirement = info
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_saphyr::from_str::<InfoYml>(&t).ok())
        .and_then(|i| i.core_version_requirement);
    let admits = requirement
        .as_deref()
        .map(|r| crate::compat::check(r, &Version::stable(11, 0, 0)).admits_any_11);
    match (requirement, admits) {
        (Some(r), Some(true)) => {
            record.reason = format!("{}; its info.yml requires core {r}: kept", record.reason);
        }
        (r, _) => {
            record.outcome = Outcome::Dropped;
            record.reason = match r {
                Some(r) => format!("its info.yml requires core {r}, which excludes Drupal 11"),
                None => "no core_version_requirement in its info.yml".to_owned(),
            };
            let name = dest.file_name().unwrap_or_default().to_string_lossy();
            if trash.discard(dest, &name).is_err() {
                let _ = std::fs::remove_dir_all(dest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_statuses_keep_their_manifest_names() {
        use crate::http::Origin;
        for (status, name) in [
            (DocStatus::Network, "network"),
            (DocStatus::NotModified, "not-modified"),
            (DocStatus::Cache, "cache"),
            (DocStatus::Disallowed, "disallowed"),
            (DocStatus::Failed, "failed"),
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), name);
        }
        // A page's status names where its body came from, as the HTTP client says it.
        for origin in [Origin::Network, Origin::NotModified, Origin::Cache] {
            assert_eq!(
                serde_json::to_value(DocStatus::from(origin)).unwrap(),
                serde_json::to_value(origin).unwrap()
            );
        }
    }

    #[test]
    fn symlinks_are_judged_lexically() {
        let root = Path::new("/r");
        assert!(stays_inside(
            root,
            Path::new("/r/a/link"),
            Path::new("../b")
        ));
        assert!(!stays_inside(
            root,
            Path::new("/r/a/link"),
            Path::new("../../etc/passwd")
        ));
        assert!(!stays_inside(
            root,
            Path::new("/r/link"),
            Path::new("/etc/passwd")
        ));
        assert!(stays_inside(root, Path::new("/r/link"), Path::new("./x/y")));
    }

    #[test]
    fn one_read_per_file_cleans_and_hashes_as_hash_tree_does() {
        let options = AcquireOptions {
            max_file_bytes: 64,
            ..AcquireOptions::default()
        };
        for extra in [0, 300] {
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path();
            std::fs::create_dir_all(root.join("src/deep")).unwrap();
            std::fs::write(root.join("a.php"), "<?php\n").unwrap();
            std::fs::write(root.join("src/deep/b.yml"), "name: b\n").unwrap();
            std::fs::write(root.join("src/logo.png"), b"\x89PNG\0\0").unwrap();
            std::fs::write(root.join("big.sql"), "x".repeat(65)).unwrap();
            std::fs::write(root.join("empty"), "").unwrap();
            for i in 0..extra {
                std::fs::write(root.join(format!("src/f{i}.txt")), format!("{i}\n")).unwrap();
            }
            std::os::unix::fs::symlink("../a.php", root.join("src/inside")).unwrap();
            std::os::unix::fs::symlink("../../etc/passwd", root.join("src/out")).unwrap();
            let tree = clean_tree(root, &options).unwrap();
            let skipped: Vec<(&str, &str)> = tree
                .skipped
                .iter()
                .map(|s| (s.path.as_str(), s.reason.as_str()))
                .collect();
            assert_eq!(
                skipped,
                vec![
                    ("big.sql", "65 bytes, over the per-file cap of 64"),
                    ("src/logo.png", "binary"),
                    (
                        "src/out",
                        "symlink to ../../etc/passwd leaves the repository"
                    ),
                ]
            );
            for gone in ["big.sql", "src/logo.png", "src/out"] {
                assert!(
                    std::fs::symlink_metadata(root.join(gone)).is_err(),
                    "{gone}"
                );
            }
            assert!(std::fs::symlink_metadata(root.join("src/inside")).is_ok());
            let expected = crate::discover::hash_tree(root).unwrap();
            assert_eq!(tree.hash, expected.hash);
            assert_eq!((tree.files, tree.bytes), (expected.files, expected.bytes));
            assert_eq!(tree.files, 3 + extra);
        }
    }

    #[test]
    fn docs_pages_are_stored_with_an_extension() {
        let p = |u: &str| super::docs_path(u).unwrap();
        assert_eq!(
            p("https://www.drupal.org/api-d7/node/10.json"),
            "www.drupal.org/api-d7/node/10.json"
        );
        assert_eq!(
            p("https://api.drupal.org/api/drupal/core%21core.api.php/group/hooks/11.x"),
            "api.drupal.org/api/drupal/core_21core.api.php/group/hooks/11.x.html"
        );
        assert_eq!(p("https://example.org/"), "example.org/index.html");
        assert_eq!(
            p("https://example.org/guide/"),
            "example.org/guide/index.html"
        );
        assert_eq!(p("https://example.org/a/../b.md"), "example.org/b.md");
        let q = p("https://www.drupal.org/api-d7/node.json?type=sa&page=1");
        assert!(
            q.starts_with("www.drupal.org/api-d7/node__") && q.ends_with(".json"),
            "{q}"
        );
        assert_ne!(
            q,
            p("https://www.drupal.org/api-d7/node.json?type=sa&page=2")
        );
        assert!(super::docs_path("mailto:someone@example.org").is_none());
    }

    #[test]
    fn names_become_directory_names() {
        assert_eq!(dir_name("drupal/token"), "drupal_token");
        assert_eq!(dir_name("drupal-core"), "drupal-core");
    }
}

/// What became of one docs page: where its stored body came from, or why there is none.
/// Serialized as `network`, `not-modified`, `cache`, `disallowed` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocStatus {
    /// Downloaded in full.
    Network,
    /// The server answered 304 Not Modified: the cached body stands.
    NotModified,
    /// Offline: the cached body, no request made.
    Cache,
    /// robots.txt disallows it; nothing fetched.
    Disallowed,
    /// Not an http(s) URL, or the fetch or the write failed (the reason says which); the
    /// next run tries again.
    Failed,
}

impl From<crate::http::Origin> for DocStatus {
    fn from(origin: crate::http::Origin) -> Self {
        match origin {
            crate::http::Origin::Network => Self::Network,
            crate::http::Origin::NotModified => Self::NotModified,
            crate::http::Origin::Cache => Self::Cache,
        }
    }
}

/// One docs page as acquired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcquiredDoc {
    pub name: String,
    pub url: String,
    /// Workspace-relative, `raw/docs/<host>/<path>`.
    pub path: String,
    pub status: DocStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
    #[serde(default)]
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the stored body came off the network (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
}

/// File extensions a docs page keeps as its own; any other page is stored as `.html`.
const DOCS_EXTENSIONS: &[&str] = &[
    "html", "htm", "json", "md", "rst", "txt", "xml", "yml", "yaml",
];

/// Where a URL is stored under `raw/docs/`: `<host>/<path>.<ext>`, every component made
/// safe (no `..`, no empty parts), the query folded into the file name before its extension
/// (`node.json?page=1` → `node__<hash>.json`), and `.html` added to a page whose name has
/// no extension of its own (`…/group/hooks/11.x` → `…/group/hooks/11.x.html`).
pub fn docs_path(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_owned();
    let mut parts: Vec<String> = parsed
        .path_segments()?
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(|s| {
            s.replace(
                |c: char| !(c.is_ascii_alphanumeric() || "-_.~".contains(c)),
                "_",
            )
        })
        .collect();
    if parts.is_empty() || parsed.path().ends_with('/') {
        parts.push("index.html".to_owned());
    }
    let last = parts.last_mut()?;
    let (mut stem, ext) = match last.rsplit_once('.') {
        Some((stem, ext)) if DOCS_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) => {
            (stem.to_owned(), ext.to_owned())
        }
        _ => (last.clone(), "html".to_owned()),
    };
    if let Some(q) = parsed.query() {
        stem = format!("{stem}__{}", crate::http_key(q));
    }
    *last = format!("{stem}.{ext}");
    Some(format!("{host}/{}", parts.join("/")))
}

/// Fetch every docs candidate into `raw/docs/`, honoring each host's robots.txt.
pub fn acquire_docs(
    http: &crate::http::Http,
    workspace: &Path,
    candidates: &[&Candidate],
    agent: &str,
    reporter: &dyn tuneforge_core::reporter::Reporter,
) -> Vec<AcquiredDoc> {
    use std::collections::BTreeMap;
    let mut robots: BTreeMap<String, crate::robots::Robots> = BTreeMap::new();
    for c in candidates {
        if let Ok(u) = reqwest::Url::parse(&c.location) {
            let origin = u.origin().ascii_serialization();
            robots.entry(origin.clone()).or_insert_with(|| {
                match http.get_one(&format!("{origin}/robots.txt")) {
                    Ok(f) => crate::robots::Robots::parse(&String::from_utf8_lossy(&f.body), agent),
                    // No robots.txt (404) or none reachable: nothing is disallowed.
                    Err(_) => crate::robots::Robots::default(),
                }
            });
        }
    }
    let mut out: Vec<AcquiredDoc> = Vec::with_capacity(candidates.len());
    let mut to_fetch: Vec<(usize, String)> = Vec::new();
    for c in candidates {
        let mut doc = AcquiredDoc {
            name: c.name.clone(),
            url: c.location.clone(),
            path: String::new(),
            status: DocStatus::Failed,
            etag: None,
            blake3: None,
            bytes: 0,
            reason: None,
            fetched_at: None,
        };
        match (reqwest::Url::parse(&c.location), docs_path(&c.location)) {
            (Ok(u), Some(rel)) => {
                doc.path = format!("{RAW_DOCS_DIR}/{rel}");
                let origin = u.origin().ascii_serialization();
                let path_q = match u.query() {
                    Some(q) => format!("{}?{q}", u.path()),
                    None => u.path().to_owned(),
                };
                if robots.get(&origin).is_some_and(|r| !r.allows(&path_q)) {
                    doc.status = DocStatus::Disallowed;
                    doc.reason = Some("disallowed by robots.txt".to_owned());
                } else {
                    to_fetch.push((out.len(), c.location.clone()));
                }
            }
            _ => doc.reason = Some("not an http(s) URL".to_owned()),
        }
        out.push(doc);
    }
    let urls: Vec<String> = to_fetch.iter().map(|(_, u)| u.clone()).collect();
    let task = reporter.task("acquire: docs pages", Some(urls.len() as u64));
    let results = http.get_all(&urls, task.as_ref());
    task.finish();
    for ((i, _), result) in to_fetch.iter().zip(results) {
        let doc = &mut out[*i];
        match result {
            Ok(f) => {
                let target = workspace.join(&doc.path);
                match tuneforge_core::fsio::write_atomic(&target, &f.body) {
                    Ok(()) => {
                        doc.status = f.origin.into();
                        doc.etag = f.etag;
                        doc.fetched_at = f.fetched_at;
                        doc.blake3 = Some(tuneforge_core::hash::hash_bytes(&f.body));
                        doc.bytes = f.body.len() as u64;
                    }
                    Err(e) => doc.reason = Some(e.to_string()),
                }
            }
            Err(e) => doc.reason = Some(e.to_string()),
        }
    }
    out
}
