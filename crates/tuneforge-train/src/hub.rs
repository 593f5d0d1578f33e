//! Model resolution: a registry name, a Hugging Face repo id or a local directory becomes a
//! directory of model files (config, tokenizer, chat template, safetensors weights).
//!
//! Hub models are downloaded from `HF_ENDPOINT` (default `https://huggingface.co`) into the
//! standard Hugging Face cache layout, so the worker, started with `HF_HUB_OFFLINE=1`, and
//! every other Hugging Face tool load them without a request:
//!
//! ```text
//! <HF_HUB_CACHE>/models--<org>--<name>/
//!   blobs/<etag>                      one file per content
//!   snapshots/<commit>/<file>         relative symlinks into blobs/
//!   refs/<revision>                   the commit a branch or tag resolved to
//! ```
//!
//! The commit comes from `GET /api/models/<repo>/revision/<revision>`; files from
//! `GET /<repo>/resolve/<commit>/<file>` (redirects followed, as to the hub's CDN).
//! Interrupted downloads resume with a `Range` request. Only what training needs is
//! fetched: JSON, Jinja, tokenizer files and `*.safetensors` (never Mistral's duplicate
//! `consolidated.safetensors`, `.bin`, `.gguf` or `original/`). `HF_TOKEN` goes into the
//! `Authorization` header only.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio::{self, IoError};
use tuneforge_core::reporter::Reporter;

use crate::registry;

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(
        "`{name}` is not a model tuneforge knows, a Hugging Face repo id (org/name) or a directory\n  hint: one of {known}, or a path to a model directory"
    )]
    UnknownModel { name: String, known: String },
    #[error("{dir}: not a model directory (no config.json)\n  hint: {hint}")]
    NotAModelDir { dir: PathBuf, hint: &'static str },
    #[error(
        "`{revision}` is not a branch, tag or commit\n  hint: e.g. main, v1.0 or a 40-hex commit id"
    )]
    BadRevision { revision: String },
    #[error("{url}: HTTP {status}\n  hint: {hint}")]
    Status {
        url: String,
        status: u16,
        hint: String,
    },
    #[error(
        "{url}: {message} (gave up after {attempts} attempts)\n  hint: check HF_ENDPOINT and the network, then rerun: finished files are kept, a cut download resumes"
    )]
    Network {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("{url}: unexpected answer: {message}")]
    Protocol { url: String, message: String },
    #[error(
        "{repo}@{revision} is not in the cache {cache} and offline mode (HF_HUB_OFFLINE or --offline) forbids downloading it\n  hint: run once online"
    )]
    Offline {
        repo: String,
        revision: String,
        cache: PathBuf,
    },
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Where and how to fetch.
#[derive(Clone)]
pub struct HubOptions {
    /// Without a trailing slash.
    pub endpoint: String,
    /// The hub cache (`HF_HUB_CACHE`).
    pub cache_dir: PathBuf,
    token: Option<String>,
    pub offline: bool,
    pub retries: u32,
    pub backoff: Duration,
}

impl std::fmt::Debug for HubOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubOptions")
            .field("endpoint", &self.endpoint)
            .field("cache_dir", &self.cache_dir)
            .field("token", &self.token.as_ref().map(|_| "[REDACTED]"))
            .field("offline", &self.offline)
            .finish()
    }
}

impl HubOptions {
    /// The Hugging Face variables: `HF_ENDPOINT`, `HF_HUB_CACHE` (else `HF_HOME/hub`, else
    /// `~/.cache/huggingface/hub`), `HF_TOKEN`, `HF_HUB_OFFLINE`.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let cache_dir = var("HF_HUB_CACHE")
            .map(PathBuf::from)
            .or_else(|| var("HF_HOME").map(|h| PathBuf::from(h).join("hub")))
            .or_else(|| var("XDG_CACHE_HOME").map(|c| PathBuf::from(c).join("huggingface/hub")))
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache/huggingface/hub")))
            .unwrap_or_else(|| PathBuf::from(".cache/huggingface/hub"));
        let offline = var("HF_HUB_OFFLINE").is_some_and(|v| {
            matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
        });
        Self {
            endpoint: var("HF_ENDPOINT")
                .unwrap_or_else(|| "https://huggingface.co".into())
                .trim_end_matches('/')
                .to_string(),
            cache_dir,
            token: var("HF_TOKEN"),
            offline,
            retries: 4,
            backoff: Duration::from_secs(1),
        }
    }

    pub fn with_endpoint(mut self, endpoint: &str) -> Self {
        self.endpoint = endpoint.trim_end_matches('/').to_string();
        self
    }

    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = dir.into();
        self
    }

    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    pub fn with_offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// The first retry's delay (doubled on each further one).
    pub fn with_backoff(mut self, backoff: Duration) -> Self {
        self.backoff = backoff;
        self
    }
}

/// What the user named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ModelSource {
    Local { dir: PathBuf },
    Hub { repo_id: String, revision: String },
}

impl ModelSource {
    /// A registry name (its repo and default revision), a directory holding `config.json`,
    /// or `org/name` on the hub. `revision` overrides the default.
    pub fn parse(name: &str, revision: Option<&str>) -> Result<Self, HubError> {
        // A revision names a file under refs/ in the cache: a branch, tag or commit, never a
        // path that climbs out.
        if let Some(revision) = revision
            && !is_safe_relative(revision)
        {
            return Err(HubError::BadRevision {
                revision: revision.to_string(),
            });
        }
        if let Some(entry) = registry::find(name) {
            return Ok(Self::Hub {
                repo_id: entry.repo_id.to_string(),
                revision: revision.unwrap_or(entry.revision).to_string(),
            });
        }
        let path = Path::new(name);
        if path.is_dir() {
            if !path.join("config.json").is_file() {
                return Err(HubError::NotAModelDir {
                    dir: path.to_path_buf(),
                    hint: "point at a directory saved with save_pretrained (config.json, tokenizer files, *.safetensors)",
                });
            }
            return Ok(Self::Local {
                dir: path.to_path_buf(),
            });
        }
        let mut parts = name.split('/');
        let valid = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if let (Some(org), Some(repo), None) = (parts.next(), parts.next(), parts.next())
            && valid(org)
            && valid(repo)
        {
            return Ok(Self::Hub {
                repo_id: name.to_string(),
                revision: revision.unwrap_or("main").to_string(),
            });
        }
        Err(HubError::UnknownModel {
            name: name.to_string(),
            known: registry::names().join(", "),
        })
    }
}

/// A model's files on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedModel {
    pub source: ModelSource,
    /// The commit a hub revision resolved to.
    pub commit: Option<String>,
    /// The directory holding the files (a snapshot directory for hub models).
    pub dir: PathBuf,
    /// Files in `dir`, sorted.
    pub files: Vec<String>,
    /// Bytes downloaded by this call (0 when everything was cached).
    pub downloaded_bytes: u64,
}

/// Whether training needs `file` (a path in the repo).
pub fn wanted(file: &str) -> bool {
    if file.starts_with("original/") || file.contains("/.") || file.starts_with('.') {
        return false;
    }
    let name = file.rsplit('/').next().unwrap_or(file);
    if name.starts_with("consolidated") {
        return false;
    }
    [
        ".json",
        ".jinja",
        ".safetensors",
        ".model",
        ".txt",
        ".tiktoken",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

#[derive(Debug, Deserialize)]
struct RevisionInfo {
    sha: String,
    #[serde(default)]
    siblings: Vec<Sibling>,
}

#[derive(Debug, Deserialize)]
struct Sibling {
    rfilename: String,
    #[serde(default)]
    size: Option<u64>,
}

/// Finds or downloads the model's files.
pub fn resolve(
    source: &ModelSource,
    options: &HubOptions,
    reporter: &dyn Reporter,
) -> Result<ResolvedModel, HubError> {
    match source {
        ModelSource::Local { dir } => Ok(ResolvedModel {
            source: source.clone(),
            commit: None,
            files: list_files(dir)?,
            dir: dir.clone(),
            downloaded_bytes: 0,
        }),
        ModelSource::Hub { repo_id, revision } => {
            resolve_hub(source, repo_id, revision, options, reporter)
        }
    }
}

fn repo_dir(options: &HubOptions, repo_id: &str) -> PathBuf {
    options
        .cache_dir
        .join(format!("models--{}", repo_id.replace('/', "--")))
}

fn is_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

fn resolve_hub(
    source: &ModelSource,
    repo_id: &str,
    revision: &str,
    options: &HubOptions,
    reporter: &dyn Reporter,
) -> Result<ResolvedModel, HubError> {
    let root = repo_dir(options, repo_id);
    if options.offline {
        let commit = if is_commit(revision) {
            Some(revision.to_string())
        } else {
            std::fs::read_to_string(root.join("refs").join(revision))
                .ok()
                .map(|s| s.trim().to_string())
        };
        let dir = commit.as_ref().map(|c| root.join("snapshots").join(c));
        return match (commit, dir) {
            (Some(commit), Some(dir)) if dir.join("config.json").exists() => Ok(ResolvedModel {
                source: source.clone(),
                commit: Some(commit),
                files: list_files(&dir)?,
                dir,
                downloaded_bytes: 0,
            }),
            _ => Err(HubError::Offline {
                repo: repo_id.to_string(),
                revision: revision.to_string(),
                cache: options.cache_dir.clone(),
            }),
        };
    }

    let client = Client::new(options)?;
    let api = format!(
        "{}/api/models/{repo_id}/revision/{}?blobs=true",
        options.endpoint,
        encode(revision)
    );
    let info: RevisionInfo =
        serde_json::from_slice(&client.get_bytes(&api)?).map_err(|e| HubError::Protocol {
            url: api.clone(),
            message: format!("not the hub's revision JSON: {e}"),
        })?;
    if !is_commit(&info.sha) {
        return Err(HubError::Protocol {
            url: api,
            message: format!("`sha` is not a commit id: {:?}", info.sha),
        });
    }
    let snapshot = root.join("snapshots").join(&info.sha);
    let mut files: Vec<&Sibling> = info
        .siblings
        .iter()
        .filter(|s| wanted(&s.rfilename) && is_safe_relative(&s.rfilename))
        .collect();
    files.sort_by(|a, b| a.rfilename.cmp(&b.rfilename));
    let missing: Vec<&&Sibling> = files
        .iter()
        .filter(|s| !snapshot.join(&s.rfilename).exists())
        .collect();
    let total: u64 = missing.iter().filter_map(|s| s.size).sum();
    let task = reporter.task(
        &format!("downloading {repo_id}@{revision}"),
        (total > 0).then_some(total),
    );
    let mut downloaded = 0;
    for sibling in missing {
        let url = format!(
            "{}/{repo_id}/resolve/{}/{}",
            options.endpoint,
            info.sha,
            sibling
                .rfilename
                .split('/')
                .map(encode)
                .collect::<Vec<_>>()
                .join("/")
        );
        let (blob, bytes) = client.download(&url, &root.join("blobs"), sibling.size, &*task)?;
        downloaded += bytes;
        link_into_snapshot(&snapshot, &sibling.rfilename, &blob)?;
    }
    task.finish();
    if !snapshot.join("config.json").exists() {
        return Err(HubError::Protocol {
            url: api,
            message: format!("{repo_id}@{revision} has no config.json"),
        });
    }
    if revision != info.sha {
        fsio::write_atomic(&root.join("refs").join(revision), info.sha.as_bytes())?;
    }
    Ok(ResolvedModel {
        source: source.clone(),
        commit: Some(info.sha),
        files: list_files(&snapshot)?,
        dir: snapshot,
        downloaded_bytes: downloaded,
    })
}

/// Whether `path` stays inside its directory (no `..`, not absolute).
fn is_safe_relative(path: &str) -> bool {
    let p = Path::new(path);
    !p.is_absolute()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Percent-encodes what cannot stand in a URL path segment.
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn link_into_snapshot(snapshot: &Path, file: &str, blob: &Path) -> Result<(), HubError> {
    let link = snapshot.join(file);
    let parent = link.parent().expect("a file in the snapshot");
    std::fs::create_dir_all(parent).map_err(fsio::at("cannot create directory", parent))?;
    // snapshots/<commit>/<a/b/file> → ../../(../..)blobs/<etag>
    let depth = file.matches('/').count() + 2;
    let target = PathBuf::from("../".repeat(depth))
        .join("blobs")
        .join(blob.file_name().expect("a blob file"));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).map_err(fsio::at("cannot link", &link))?;
    Ok(())
}

/// Files under `dir` (symlinks followed: a snapshot is made of them), sorted.
fn list_files(dir: &Path) -> Result<Vec<String>, HubError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.is_file() {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files).map_err(fsio::at("cannot list", dir))?;
    files.sort();
    Ok(files)
}

static CRYPTO: Once = Once::new();

struct Client<'a> {
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    options: &'a HubOptions,
}

enum Attempt<T> {
    Done(T),
    Retry(String),
}

impl<'a> Client<'a> {
    fn new(options: &'a HubOptions) -> Result<Self, HubError> {
        CRYPTO.call_once(|| {
            // Fails only if another provider was installed first, which is just as good.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let setup = |e: &dyn std::fmt::Display| HubError::Protocol {
            url: options.endpoint.clone(),
            message: format!("cannot set up the HTTP client: {e}"),
        };
        let http = reqwest::Client::builder()
            .user_agent(format!("tuneforge/{}", tuneforge_core::TOOL_VERSION))
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| setup(&e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| setup(&e))?;
        Ok(Self {
            http,
            runtime,
            options,
        })
    }

    fn request(&self, url: &str) -> reqwest::RequestBuilder {
        let request = self.http.get(url);
        match &self.options.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Runs `attempt` until it is done, retrying with exponential backoff.
    fn with_retries<T>(
        &self,
        url: &str,
        mut attempt: impl AsyncFnMut() -> Result<Attempt<T>, HubError>,
    ) -> Result<T, HubError> {
        self.runtime.block_on(async {
            let mut wait = self.options.backoff;
            let mut last = String::new();
            for n in 0..=self.options.retries {
                if n > 0 {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                match attempt().await? {
                    Attempt::Done(value) => return Ok(value),
                    Attempt::Retry(message) => last = message,
                }
            }
            Err(HubError::Network {
                url: url.to_string(),
                message: last,
                attempts: self.options.retries + 1,
            })
        })
    }

    fn get_bytes(&self, url: &str) -> Result<Vec<u8>, HubError> {
        self.with_retries(url, async || {
            let response = match self.request(url).send().await {
                Ok(r) => r,
                Err(e) => return Ok(Attempt::Retry(e.to_string())),
            };
            if let Some(retry) = check_status(url, response.status().as_u16())? {
                return Ok(Attempt::Retry(retry));
            }
            match response.bytes().await {
                Ok(body) => Ok(Attempt::Done(body.to_vec())),
                Err(e) => Ok(Attempt::Retry(e.to_string())),
            }
        })
    }

    /// Streams `url` into `blobs/`, resuming a cut download; returns the blob's path and
    /// the bytes transferred.
    fn download(
        &self,
        url: &str,
        blobs: &Path,
        expected_size: Option<u64>,
        task: &dyn tuneforge_core::reporter::Task,
    ) -> Result<(PathBuf, u64), HubError> {
        std::fs::create_dir_all(blobs).map_err(fsio::at("cannot create directory", blobs))?;
        let partial = blobs.join(format!(
            "{}.incomplete",
            &blake3::hash(url.as_bytes()).to_hex()[..32]
        ));
        // Two runs fetching the same file take turns instead of appending to one partial
        // file together.
        let lock_path = partial.with_extension("lock");
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(fsio::at("cannot open", &lock_path))?;
        lock.lock().map_err(fsio::at("cannot lock", &lock_path))?;
        let mut transferred = 0u64;
        let etag = self.with_retries(url, async || {
            let have = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
            let mut request = self.request(url);
            if have > 0 {
                request = request.header("Range", format!("bytes={have}-"));
            }
            let mut response = match request.send().await {
                Ok(r) => r,
                Err(e) => return Ok(Attempt::Retry(e.to_string())),
            };
            let status = response.status().as_u16();
            if status == 416 {
                // The partial file is already whole (or stale): start over.
                let _ = std::fs::remove_file(&partial);
                return Ok(Attempt::Retry("range not satisfiable; restarting".into()));
            }
            if let Some(retry) = check_status(url, status)? {
                return Ok(Attempt::Retry(retry));
            }
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| v.trim_start_matches("W/").trim_matches('"').to_string())
            };
            // LFS files carry their sha256 in X-Linked-Etag; the hub names blobs by it.
            let etag = header("x-linked-etag").or_else(|| header("etag"));
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&partial)
                .map_err(fsio::at("cannot open", &partial))?;
            if status != 206 {
                // A full answer: whatever was there goes.
                file.set_len(0)
                    .map_err(fsio::at("cannot truncate", &partial))?;
                file.seek(SeekFrom::Start(0))
                    .map_err(fsio::at("cannot seek", &partial))?;
            }
            loop {
                match response.chunk().await {
                    Ok(Some(chunk)) => {
                        file.write_all(&chunk)
                            .map_err(fsio::at("cannot write", &partial))?;
                        transferred += chunk.len() as u64;
                        task.advance(chunk.len() as u64);
                    }
                    Ok(None) => break,
                    Err(e) => return Ok(Attempt::Retry(e.to_string())),
                }
            }
            file.sync_all().map_err(fsio::at("cannot sync", &partial))?;
            Ok(Attempt::Done(etag))
        })?;
        let got = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
        if let Some(size) = expected_size
            && got != size
        {
            // A body cut short (or grown) must not become a blob: start over next time.
            let _ = std::fs::remove_file(&partial);
            return Err(HubError::Protocol {
                url: url.to_string(),
                message: format!("got {got} bytes, the hub lists {size}; rerun to fetch it again"),
            });
        }
        let name = match etag.filter(|e| is_safe_blob_name(e)) {
            Some(etag) => etag,
            None => {
                let bytes = std::fs::read(&partial).map_err(fsio::at("cannot read", &partial))?;
                blake3::hash(&bytes).to_hex().to_string()
            }
        };
        let blob = blobs.join(name);
        std::fs::rename(&partial, &blob).map_err(fsio::at("cannot rename onto", &blob))?;
        Ok((blob, transferred))
    }
}

fn is_safe_blob_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `Ok(None)` for success, `Ok(Some(reason))` for a status worth retrying, else the error.
fn check_status(url: &str, status: u16) -> Result<Option<String>, HubError> {
    match status {
        200..=299 => Ok(None),
        408 | 429 | 500..=599 => Ok(Some(format!("HTTP {status}"))),
        401 | 403 => Err(HubError::Status {
            url: url.to_string(),
            status,
            hint: "the repo is gated or private: accept its licence on the hub and set HF_TOKEN"
                .into(),
        }),
        404 => Err(HubError::Status {
            url: url.to_string(),
            status,
            hint: "no such repo, revision or file; check the name and --model-revision".into(),
        }),
        _ => Err(HubError::Status {
            url: url.to_string(),
            status,
            hint: "unexpected answer from HF_ENDPOINT".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_directories_and_repo_ids_resolve_to_sources() {
        assert_eq!(
            ModelSource::parse("qwen2.5-coder-7b-instruct", None).unwrap(),
            ModelSource::Hub {
                repo_id: "Qwen/Qwen2.5-Coder-7B-Instruct".into(),
                revision: "main".into()
            }
        );
        assert_eq!(
            ModelSource::parse("org/tiny-model", Some("v1")).unwrap(),
            ModelSource::Hub {
                repo_id: "org/tiny-model".into(),
                revision: "v1".into()
            }
        );
        let dir = tempfile::tempdir().unwrap();
        let err = ModelSource::parse(dir.path().to_str().unwrap(), None).unwrap_err();
        assert!(err.to_string().contains("no config.json"), "{err}");
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        assert!(matches!(
            ModelSource::parse(dir.path().to_str().unwrap(), None).unwrap(),
            ModelSource::Local { .. }
        ));
        let err = ModelSource::parse("qwen-7b", None).unwrap_err().to_string();
        assert!(err.contains("qwen2.5-coder-7b-instruct"), "{err}");
        assert!(ModelSource::parse("../escape/x", None).is_err());
        assert!(ModelSource::parse("org/x", Some("../../etc")).is_err());
        assert!(ModelSource::parse("org/x", Some("/abs")).is_err());
        assert!(ModelSource::parse("org/x", Some("refs/pr/1")).is_ok());
    }

    #[test]
    fn only_what_training_needs_is_fetched() {
        for yes in [
            "config.json",
            "tokenizer.json",
            "chat_template.jinja",
            "model-00001-of-00004.safetensors",
            "tekken.json",
            "merges.txt",
        ] {
            assert!(wanted(yes), "{yes}");
        }
        for no in [
            "consolidated.safetensors",
            "pytorch_model.bin",
            "original/params.json",
            ".gitattributes",
            "model.gguf",
        ] {
            assert!(!wanted(no), "{no}");
        }
        assert!(is_safe_relative("a/b.json"));
        assert!(!is_safe_relative("../x.json"));
        assert!(!is_safe_relative("/etc/passwd"));
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let options = HubOptions::from_env().with_token(Some("hf_secret_value".into()));
        let shown = format!("{options:?}");
        assert!(!shown.contains("hf_secret_value"), "{shown}");
        assert!(shown.contains("[REDACTED]"));
    }
}
