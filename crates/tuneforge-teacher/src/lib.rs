//! A client for OpenAI-compatible endpoints (`POST <base_url>/chat/completions`, and
//! `<base_url>/completions` for raw prompts to base models), as vLLM, llama.cpp's server,
//! Ollama, OpenAI, and Gemini's and Anthropic's compatibility endpoints serve them.
//!
//! * Bounded concurrency: at most `concurrency` requests in flight.
//! * Retries with exponential backoff on 429, 5xx, timeouts, broken connections and bodies
//!   cut short; `Retry-After` (seconds or an HTTP date) is honoured, capped at `max_wait`.
//! * A response cache keyed by endpoint, model, adapter, prompt and sampling parameters
//!   (not by the key): a rerun sends nothing and gets the same answers.
//! * A token budget: once the tokens spent by sent requests reach it, no further request
//!   is sent, and each one left is answered [`TeacherError::Budget`].
//! * The API key is read from an environment variable and only ever put in the
//!   `Authorization` header: it is in no error, log line or cache file.
//!
//! The API is blocking; one tokio runtime drives each batch.

use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{StreamExt, stream};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tuneforge_core::fsio::write_atomic;
use tuneforge_core::records::Message;
use tuneforge_core::reporter::Task;

pub use tuneforge_core::secret::ApiKey;

#[derive(Debug, Clone)]
pub struct TeacherOptions {
    /// Up to and including `/v1`: requests go to `<base_url>/chat/completions`.
    pub base_url: String,
    pub model: String,
    /// The LoRA adapter the endpoint applies (vLLM serves one under its own model name,
    /// llama.cpp's server with `--lora`): only part of the cache key, so answers of the base
    /// and of each adapter are never mixed.
    pub adapter: Option<String>,
    pub api_key: Option<ApiKey>,
    pub concurrency: usize,
    /// Whole request, headers and body.
    pub timeout: Duration,
    /// Attempts after the first one.
    pub retries: u32,
    /// First retry delay; doubled on every further attempt.
    pub backoff: Duration,
    /// Cap on any one wait, `Retry-After` included.
    pub max_wait: Duration,
    pub temperature: f64,
    pub max_tokens: u64,
    /// Sent as `seed` (servers that support it sample reproducibly).
    pub seed: u64,
    /// Total tokens (prompt + completion) that requests sent in this batch may spend.
    pub token_budget: Option<u64>,
    pub cache_dir: PathBuf,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TeacherError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error("{url}: HTTP {status}: {excerpt}")]
    Status {
        url: String,
        status: u16,
        excerpt: String,
    },
    #[error("{url}: failed after {attempts} attempts: {message}")]
    Failed {
        url: String,
        attempts: u32,
        message: String,
    },
    #[error("{url}: the answer is not an OpenAI chat completion: {message}")]
    Malformed { url: String, message: String },
    #[error("the token budget of {budget} was spent; this request was not sent")]
    Budget { budget: u64 },
    #[error("cannot write the response cache at {path}: {message}")]
    Cache { path: String, message: String },
}

/// What a request asks: a conversation, or a raw prompt for a base model to continue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    /// `POST …/chat/completions` with these messages.
    Chat(Vec<Message>),
    /// `POST …/completions` with this prompt.
    Text(String),
}

/// One request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub prompt: Prompt,
    /// Sent as `stop`: the answer ends before the first of these.
    pub stop: Vec<String>,
    /// Replaces the options' seed (one seed per sample when sampling several answers).
    pub seed: Option<u64>,
}

impl Request {
    /// A conversation with the options' seed and no stop strings.
    pub fn chat(messages: Vec<Message>) -> Self {
        Self {
            prompt: Prompt::Chat(messages),
            stop: Vec::new(),
            seed: None,
        }
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub content: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// `stop`, `length`, ….
    pub finish_reason: Option<String>,
    /// Answered from the cache (nothing was sent).
    #[serde(skip)]
    pub cached: bool,
}

/// What a batch did.
#[derive(Debug, Default, Serialize)]
pub struct TeacherStats {
    pub requests: AtomicU64,
    pub cache_hits: AtomicU64,
    pub retries: AtomicU64,
    pub retry_after_waits: AtomicU64,
    pub tokens_spent: AtomicU64,
    pub budget_refused: AtomicU64,
}

pub struct Teacher {
    client: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    options: TeacherOptions,
    pub stats: TeacherStats,
    /// Tokens held for requests in flight (their `max_tokens` plus a prompt estimate),
    /// so concurrent requests cannot overrun the budget together.
    reserved: std::sync::Mutex<u64>,
}

static CRYPTO: Once = Once::new();

#[derive(Serialize)]
struct Body<'a> {
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<&'a [Message]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<&'a str>,
    temperature: f64,
    max_tokens: u64,
    seed: u64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop: &'a [String],
    stream: bool,
}

#[derive(Deserialize)]
struct ChatResponse {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    /// Chat completions.
    #[serde(default)]
    message: Option<ChoiceMessage>,
    /// Text completions.
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

enum Attempt {
    Done(Completion),
    Retry {
        message: String,
        after: Option<Duration>,
    },
    Fatal(TeacherError),
}

/// Whether a base URL names this machine.
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `Retry-After` as a wait: delta-seconds or an HTTP date.
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let v = value.trim();
    if let Ok(seconds) = v.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(v).ok()?.timestamp();
    let wait = when.as_second() - now.as_second();
    Some(Duration::from_secs(wait.max(0) as u64))
}

impl Teacher {
    pub fn new(options: TeacherOptions) -> Result<Self, TeacherError> {
        CRYPTO.call_once(|| {
            // Fails only if another provider was installed first, which is just as good.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let mut builder = reqwest::Client::builder();
        // A proxy from the environment must not capture a server on this machine.
        if is_loopback(&options.base_url) {
            builder = builder.no_proxy();
        }
        let client = builder
            .user_agent(format!("tuneforge/{}", tuneforge_core::TOOL_VERSION))
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(10).min(options.timeout))
            .build()
            .map_err(|e| TeacherError::Client(e.to_string()))?;
        // One thread is plenty: the work is waiting on the server.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| TeacherError::Client(e.to_string()))?;
        Ok(Self {
            client,
            runtime,
            options,
            stats: TeacherStats::default(),
            reserved: std::sync::Mutex::new(0),
        })
    }

    fn url(&self, prompt: &Prompt) -> String {
        let path = match prompt {
            Prompt::Chat(_) => "chat/completions",
            Prompt::Text(_) => "completions",
        };
        format!("{}/{path}", self.options.base_url.trim_end_matches('/'))
    }

    /// The cache key of a conversation with the options' seed and no stop strings.
    pub fn cache_key(&self, messages: &[Message]) -> String {
        self.request_key(&Request::chat(messages.to_vec()))
    }

    /// The cache key of a request: endpoint, model, adapter, prompt and sampling parameters.
    pub fn request_key(&self, request: &Request) -> String {
        let o = &self.options;
        // The endpoint is part of the key: llama.cpp and vLLM serve whatever model is
        // loaded, whatever name a request gives.
        let mut canonical = serde_json::json!({
            "cache": 1,
            "base_url": o.base_url.trim_end_matches('/'),
            "model": o.model,
            "temperature": o.temperature,
            "max_tokens": o.max_tokens,
            "seed": request.seed.unwrap_or(o.seed),
        });
        // Keys of plain conversations are the ones earlier releases wrote, so their caches
        // stay valid; what they did not have is added only when present.
        match &request.prompt {
            Prompt::Chat(messages) => canonical["messages"] = serde_json::json!(messages),
            Prompt::Text(text) => canonical["prompt"] = serde_json::json!(text),
        }
        if !request.stop.is_empty() {
            canonical["stop"] = serde_json::json!(request.stop);
        }
        if let Some(adapter) = &o.adapter {
            canonical["adapter"] = serde_json::json!(adapter);
        }
        blake3::hash(canonical.to_string().as_bytes())
            .to_hex()
            .to_string()
    }

    fn cache_path(&self, key: &str) -> PathBuf {
        self.options
            .cache_dir
            .join(&key[..2])
            .join(format!("{key}.json"))
    }

    /// Answer every conversation (results in input order), at most `concurrency` at a time.
    pub fn complete_all(
        &self,
        conversations: &[Vec<Message>],
        task: &dyn Task,
    ) -> Vec<Result<Completion, TeacherError>> {
        let requests: Vec<Request> = conversations
            .iter()
            .map(|m| Request::chat(m.clone()))
            .collect();
        self.answer_all(&requests, task)
    }

    /// Answer every request (results in input order), at most `concurrency` at a time.
    pub fn answer_all(
        &self,
        requests: &[Request],
        task: &dyn Task,
    ) -> Vec<Result<Completion, TeacherError>> {
        let limit = self.options.concurrency.max(1);
        // Unordered, so one slow request (a long Retry-After) does not hold the other slots.
        let mut out: Vec<(usize, Result<Completion, TeacherError>)> = self.runtime.block_on(
            stream::iter(requests.iter().enumerate().map(|(i, r)| async move {
                let out = self.complete(r).await;
                task.advance(1);
                (i, out)
            }))
            .buffer_unordered(limit)
            .collect(),
        );
        out.sort_by_key(|(i, _)| *i);
        out.into_iter().map(|(_, r)| r).collect()
    }

    async fn complete(&self, request: &Request) -> Result<Completion, TeacherError> {
        let key = self.request_key(request);
        let path = self.cache_path(&key);
        if let Ok(bytes) = std::fs::read(&path)
            && let Ok(mut c) = serde_json::from_slice::<Completion>(&bytes)
        {
            c.cached = true;
            self.stats.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(c);
        }
        // What an attempt may cost at most: the answer's cap and the prompt at about four
        // characters a token.
        let estimate = self.options.max_tokens
            + match &request.prompt {
                Prompt::Chat(messages) => messages
                    .iter()
                    .map(|m| m.content.len() as u64 / 4 + 4)
                    .sum::<u64>(),
                Prompt::Text(text) => text.len() as u64 / 4,
            };
        let url = self.url(&request.prompt);
        let (messages, prompt) = match &request.prompt {
            Prompt::Chat(messages) => (Some(messages.as_slice()), None),
            Prompt::Text(text) => (None, Some(text.as_str())),
        };
        let body = Body {
            model: &self.options.model,
            messages,
            prompt,
            temperature: self.options.temperature,
            max_tokens: self.options.max_tokens,
            seed: request.seed.unwrap_or(self.options.seed),
            stop: &request.stop,
            stream: false,
        };
        let body = serde_json::to_vec(&body).expect("requests serialize");
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if let Some(budget) = self.options.token_budget
                && !self.reserve(estimate, budget)
            {
                self.stats.budget_refused.fetch_add(1, Ordering::Relaxed);
                return Err(TeacherError::Budget { budget });
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let outcome = self.attempt(&url, &body).await;
            // Settle: the real usage of an answer; the estimate for an attempt that may
            // have been billed without saying so.
            let spent = match &outcome {
                Attempt::Done(c) => c.prompt_tokens + c.completion_tokens,
                _ => estimate,
            };
            self.settle(estimate, spent);
            let (message, after) = match outcome {
                Attempt::Done(c) => {
                    let mut bytes = serde_json::to_vec_pretty(&c).expect("completions serialize");
                    bytes.push(b'\n');
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| TeacherError::Cache {
                            path: dir.display().to_string(),
                            message: e.to_string(),
                        })?;
                    }
                    write_atomic(&path, &bytes).map_err(|e| TeacherError::Cache {
                        path: path.display().to_string(),
                        message: e.to_string(),
                    })?;
                    return Ok(c);
                }
                Attempt::Fatal(e) => return Err(e),
                Attempt::Retry { message, after } => (message, after),
            };
            if attempt > self.options.retries {
                return Err(TeacherError::Failed {
                    url,
                    attempts: attempt,
                    message,
                });
            }
            let backoff = self
                .options
                .backoff
                .saturating_mul(1 << (attempt - 1).min(16));
            let wait = match after {
                Some(a) => {
                    self.stats.retry_after_waits.fetch_add(1, Ordering::Relaxed);
                    a
                }
                None => backoff,
            }
            .min(self.options.max_wait);
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }

    /// Hold `estimate` tokens for an attempt if the budget allows it.
    fn reserve(&self, estimate: u64, budget: u64) -> bool {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        let spent = self.stats.tokens_spent.load(Ordering::SeqCst);
        if spent + *reserved + estimate > budget {
            return false;
        }
        *reserved += estimate;
        true
    }

    /// Release an attempt's reservation and count what it spent.
    fn settle(&self, estimate: u64, spent: u64) {
        let mut reserved = self.reserved.lock().unwrap_or_else(|e| e.into_inner());
        if self.options.token_budget.is_some() {
            *reserved = reserved.saturating_sub(estimate);
        }
        self.stats.tokens_spent.fetch_add(spent, Ordering::SeqCst);
    }

    /// `text` with the API key (were a server to echo it) replaced.
    fn scrub(&self, text: &str) -> String {
        match &self.options.api_key {
            Some(key) if !key.expose().is_empty() => text.replace(key.expose(), "[redacted]"),
            _ => text.to_owned(),
        }
    }

    async fn attempt(&self, url: &str, body: &[u8]) -> Attempt {
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        if let Some(key) = &self.options.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => {
                // reqwest's message names the URL, never the headers.
                let kind = if e.is_timeout() {
                    "timed out"
                } else {
                    "connection failed"
                };
                return Attempt::Retry {
                    message: self.scrub(&format!("{kind}: {e}")),
                    after: None,
                };
            }
        };
        let status = response.status().as_u16();
        let after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, jiff::Timestamp::now()));
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return Attempt::Retry {
                    message: format!("the answer was cut short: {e}"),
                    after: None,
                };
            }
        };
        // What the server said, for the error a user sees when retries run out (llama-server,
        // for one, explains its 500s in the body).
        let excerpt = || -> String {
            let text = String::from_utf8_lossy(&bytes);
            self.scrub(text.trim()).chars().take(300).collect()
        };
        if status == 429 || status >= 500 {
            let excerpt = excerpt();
            return Attempt::Retry {
                message: if excerpt.is_empty() {
                    format!("HTTP {status}")
                } else {
                    format!("HTTP {status}: {excerpt}")
                },
                after,
            };
        }
        if !(200..300).contains(&status) {
            let excerpt = excerpt();
            return Attempt::Fatal(TeacherError::Status {
                url: url.to_owned(),
                status,
                excerpt,
            });
        }
        let parsed: ChatResponse = match serde_json::from_slice(&bytes) {
            Ok(p) => p,
            Err(e) => {
                return Attempt::Fatal(TeacherError::Malformed {
                    url: url.to_owned(),
                    message: e.to_string(),
                });
            }
        };
        let Some(choice) = parsed.choices.into_iter().next() else {
            return Attempt::Fatal(TeacherError::Malformed {
                url: url.to_owned(),
                message: "no choices".to_owned(),
            });
        };
        let Some(content) = choice.message.and_then(|m| m.content).or(choice.text) else {
            return Attempt::Fatal(TeacherError::Malformed {
                url: url.to_owned(),
                message: "the choice has no content".to_owned(),
            });
        };
        let usage = parsed.usage.unwrap_or(Usage {
            prompt_tokens: 0,
            completion_tokens: 0,
        });
        Attempt::Done(Completion {
            content,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            finish_reason: choice.finish_reason,
            cached: false,
        })
    }
}

mod kind;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-11-22T08:00:00Z".parse().unwrap();
        assert_eq!(retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Sun, 22 Nov 2026 08:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after("Sun, 22 Nov 2026 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
