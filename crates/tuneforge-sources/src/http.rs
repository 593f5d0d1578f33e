//! HTTP for sources: bounded concurrency per host, a minimum interval between requests to
//! one host, retries with exponential backoff that honor `Retry-After`, timeouts, a size
//! cap, and an on-disk cache answered by conditional requests (ETag / Last-Modified).
//! Offline, only the cache answers.
//!
//! The API is blocking (stages are synchronous); inside, one tokio runtime drives every
//! request of a batch.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tuneforge_core::fsio::{IoError, write_atomic, write_json_atomic};
use tuneforge_core::hash::hash_bytes;
use tuneforge_core::reporter::Task;

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub user_agent: String,
    /// Whole request, headers and body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Attempts after the first one, for 429, 5xx, timeouts and broken connections.
    pub retries: u32,
    /// First retry delay; doubled on every further attempt.
    pub backoff: Duration,
    /// Cap on any single wait, `Retry-After` included.
    pub max_wait: Duration,
    pub per_host_concurrency: usize,
    /// Minimum time between the starts of two requests to the same host.
    pub per_host_interval: Duration,
    /// Bodies larger than this are refused.
    pub max_body_bytes: u64,
    pub cache_dir: PathBuf,
    /// Answer from the cache only; never touch the network.
    pub offline: bool,
}

impl HttpOptions {
    /// The polite defaults with the workspace's `http:` settings applied.
    pub fn from_config(config: &tuneforge_core::config::HttpConfig, cache_dir: PathBuf) -> Self {
        Self {
            per_host_concurrency: config.per_host_concurrency.max(1) as usize,
            per_host_interval: Duration::from_millis(config.per_host_interval_ms),
            retries: config.retries,
            timeout: Duration::from_secs(config.timeout_secs.max(1)),
            ..Self::polite(cache_dir)
        }
    }

    /// Defaults for drupal.org: 2 requests at a time per host, at least 250 ms apart,
    /// 30 s timeout, 4 retries from 1 s backoff, waits capped at 60 s, 64 MiB bodies.
    pub fn polite(cache_dir: PathBuf) -> Self {
        Self {
            user_agent: format!(
                "tuneforge/{} (+https://example.invalid/tuneforge)",
                tuneforge_core::TOOL_VERSION
            ),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retries: 4,
            backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(60),
            per_host_concurrency: 2,
            per_host_interval: Duration::from_millis(250),
            max_body_bytes: 64 << 20,
            cache_dir,
            offline: false,
        }
    }
}

#[derive(Debug, Error)]
pub enum HttpError {
    #[error("{url}: not in the cache and --offline forbids fetching it; run once online")]
    Offline { url: String },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: {message} (gave up after {attempts} attempts)")]
    Failed {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("{url}: the body is larger than {limit} bytes")]
    TooLarge { url: String, limit: u64 },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Io(#[from] IoError),
}

/// Where a response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A full download.
    Network,
    /// The server answered 304 Not Modified: the cached body stands.
    NotModified,
    /// Offline: the cached body, no request made.
    Cache,
}

#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub body: Vec<u8>,
    pub origin: Origin,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// When this body came off the network (RFC 3339, UTC); a 304 or a cache answer keeps
    /// the time of the download it revalidated.
    pub fetched_at: Option<String>,
}

/// Counts over the client's life, for manifests and tests.
#[derive(Debug, Default)]
pub struct HttpStats {
    pub requests: AtomicU64,
    pub full_downloads: AtomicU64,
    pub not_modified: AtomicU64,
    pub cache_answers: AtomicU64,
    pub retries: AtomicU64,
    /// Waits whose length came from a `Retry-After` header.
    pub retry_after_waits: AtomicU64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    #[serde(default)]
    fetched_at: Option<String>,
}

struct HostGate {
    slots: Semaphore,
    next_start: tokio::sync::Mutex<Instant>,
}

pub struct Http {
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    options: HttpOptions,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
    pub stats: HttpStats,
}

static CRYPTO: Once = Once::new();

impl Http {
    pub fn new(options: HttpOptions) -> Result<Self, HttpError> {
        CRYPTO.call_once(|| {
            // Fails only if another provider was installed first, which is just as good.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let client = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        Ok(Self {
            client,
            runtime,
            options,
            hosts: Mutex::new(HashMap::new()),
            stats: HttpStats::default(),
        })
    }

    /// Fetch every URL (in any order, results in input order), advancing `task` per URL.
    pub fn get_all(&self, urls: &[String], task: &dyn Task) -> Vec<Result<Fetched, HttpError>> {
        // Hosts limit themselves (per_host_concurrency); this bounds the futures in flight.
        let in_flight = self.options.per_host_concurrency.max(1) * 8;
        self.runtime.block_on(
            stream::iter(urls.iter().map(|u| async move {
                let r = self.get(u).await;
                task.advance(1);
                r
            }))
            .buffered(in_flight)
            .collect(),
        )
    }

    /// Fetch one URL.
    pub fn get_one(&self, url: &str) -> Result<Fetched, HttpError> {
        self.runtime.block_on(self.get(url))
    }

    fn cache_paths(&self, url: &str) -> (PathBuf, PathBuf) {
        let key = hash_bytes(url.as_bytes());
        let dir = self.options.cache_dir.join(&key[..2]);
        (
            dir.join(format!("{key}.body")),
            dir.join(format!("{key}.json")),
        )
    }

    fn cached(&self, url: &str) -> Option<(CacheMeta, Vec<u8>)> {
        let (body, meta) = self.cache_paths(url);
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(meta).ok()?).ok()?;
        (meta.url == url).then_some(())?;
        Some((meta, std::fs::read(body).ok()?))
    }

    fn gate(&self, url: &str) -> Arc<HostGate> {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host)
            .or_insert_with(|| {
                Arc::new(HostGate {
                    slots: Semaphore::new(self.options.per_host_concurrency.max(1)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    async fn get(&self, url: &str) -> Result<Fetched, HttpError> {
        let cached = self.cached(url);
        if self.options.offline {
            return match cached {
                Some((meta, body)) => {
                    self.stats.cache_answers.fetch_add(1, Ordering::Relaxed);
                    Ok(Fetched {
                        url: url.to_owned(),
                        body,
                        origin: Origin::Cache,
                        etag: meta.etag,
                        last_modified: meta.last_modified,
                        fetched_at: meta.fetched_at,
                    })
                }
                None => Err(HttpError::Offline {
                    url: url.to_owned(),
                }),
            };
        }
        let gate = self.gate(url);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let outcome = {
                let _slot = gate.slots.acquire().await.expect("semaphore never closed");
                {
                    let mut next = gate.next_start.lock().await;
                    let now = Instant::now();
                    if *next > now {
                        tokio::time::sleep_until(*next).await;
                    }
                    *next = Instant::now() + self.options.per_host_interval;
                }
                self.stats.requests.fetch_add(1, Ordering::Relaxed);
                self.attempt(url, cached.as_ref().map(|(m, _)| m)).await
            };
            let retry = match outcome {
                Attempt::Done(Some(fresh)) => {
                    self.stats.full_downloads.fetch_add(1, Ordering::Relaxed);
                    self.store(url, &fresh)?;
                    return Ok(fresh);
                }
                Attempt::Done(None) => {
                    let (meta, body) = cached.expect("304 only follows a conditional request");
                    self.stats.not_modified.fetch_add(1, Ordering::Relaxed);
                    return Ok(Fetched {
                        url: url.to_owned(),
                        body,
                        origin: Origin::NotModified,
                        etag: meta.etag,
                        last_modified: meta.last_modified,
                        fetched_at: meta.fetched_at,
                    });
                }
                Attempt::Fatal(e) => return Err(e),
                Attempt::Retry { message, after } => (message, after),
            };
            if attempt > self.options.retries {
                return Err(HttpError::Failed {
                    url: url.to_owned(),
                    message: retry.0,
                    attempts: attempt,
                });
            }
            let backoff = self
                .options
                .backoff
                .saturating_mul(1 << (attempt - 1).min(16));
            let wait = match retry.1 {
                Some(after) => {
                    self.stats.retry_after_waits.fetch_add(1, Ordering::Relaxed);
                    after
                }
                None => backoff,
            }
            .min(self.options.max_wait);
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, url: &str, cached: Option<&CacheMeta>) -> Attempt {
        let mut request = self.client.get(url);
        if let Some(meta) = cached {
            if let Some(etag) = &meta.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &meta.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                return Attempt::Retry {
                    message: describe(&e),
                    after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        if status == 304 && cached.is_some() {
            return Attempt::Done(None);
        }
        if status == 429 || status >= 500 {
            let after = header(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            return Attempt::Retry {
                message: format!("HTTP {status}"),
                after,
            };
        }
        if !(200..300).contains(&status) {
            return Attempt::Fatal(HttpError::Status {
                url: url.to_owned(),
                status,
            });
        }
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let limit = self.options.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Attempt::Fatal(HttpError::TooLarge {
                url: url.to_owned(),
                limit,
            });
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > limit {
                        return Attempt::Fatal(HttpError::TooLarge {
                            url: url.to_owned(),
                            limit,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Attempt::Retry {
                        message: format!("the body broke off: {}", describe(&e)),
                        after: None,
                    };
                }
            }
        }
        Attempt::Done(Some(Fetched {
            url: url.to_owned(),
            body,
            origin: Origin::Network,
            etag,
            last_modified,
            fetched_at: Some(tuneforge_core::time::now_rfc3339()),
        }))
    }

    fn store(&self, url: &str, fetched: &Fetched) -> Result<(), HttpError> {
        let (body, meta) = self.cache_paths(url);
        // Body first: a meta file never points at a body that is not there.
        write_atomic(&body, &fetched.body)?;
        write_json_atomic(
            &meta,
            &CacheMeta {
                url: url.to_owned(),
                etag: fetched.etag.clone(),
                last_modified: fetched.last_modified.clone(),
                fetched_at: fetched.fetched_at.clone(),
            },
        )?;
        Ok(())
    }
}

enum Attempt {
    /// A fresh body, or `None` for 304 Not Modified.
    Done(Option<Fetched>),
    Retry {
        message: String,
        after: Option<Duration>,
    },
    Fatal(HttpError),
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        let mut s = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            s.push_str(": ");
            s.push_str(&inner.to_string());
            source = inner.source();
        }
        s
    }
}
