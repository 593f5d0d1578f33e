//! `tuneforge proxy`: an OpenAI-compatible server the developer's editor or agent talks to,
//! in front of their local model. Every request under `/v1/` is forwarded to the local
//! endpoint as it came (method, path, query, headers but the hop-by-hop ones, body bytes),
//! and the answer is streamed back as it arrives: server-sent events chunk by chunk, with
//! the client's pace as the only buffer (hyper polls the upstream body only when the client
//! has taken the previous chunk).
//!
//! Faults become answers a client understands: an upstream that is down is a 502, one that
//! says nothing for `idle_timeout` a 504 (or, mid-answer, a connection closed before the
//! end, so no client takes a cut answer for a whole one), a body over the size limit a 413,
//! all in OpenAI's error shape. A client that goes away drops the upstream request with it.
//!
//! With a journal directory, every chat exchange's raw request and raw answer are journaled
//! ([`journal`]) before anything is parsed; [`assemble`] puts answers back together.
//!
//! The proxy listens on loopback unless it is given a token: on any other address, clients
//! must send the token as their API key. The library never prints: what it served goes to
//! a [`ProxyEvents`] the binary draws.

pub mod assemble;
mod escalate;
mod forward;
pub mod journal;
pub mod review;
mod usage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use thiserror::Error;
pub use tuneforge_core::secret::ApiKey;

pub use escalate::{
    Capture, ESCALATE_HEADER, Expert, LastExchange, Rescue, consult, last_local_exchange,
};
pub use forward::{Ending, Served};

#[derive(Debug, Error)]
pub enum ProxyError {
    #[error(
        "refusing to listen on {addr} without a proxy token: anyone who can reach it could use your models\n  hint: listen on 127.0.0.1, or set a token (proxy.token_env in pipeline.yaml, or --token-env VAR) that clients send as their API key"
    )]
    NeedsToken { addr: SocketAddr },
    #[error(
        "cannot listen on {addr}: {source}\n  hint: is another proxy running there? pick another port with --listen"
    )]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the {what} URL {url:?} is not an http(s) URL up to /v1 (like http://127.0.0.1:8080/v1)"
    )]
    BadUrl { what: String, url: String },
    #[error("proxy.escalation_patterns: {message}")]
    Escalation { message: String },
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    #[error(
        "the review page listens on loopback only ({addr} is not): it shows your captured code and questions\n  hint: use --listen 127.0.0.1:<port>"
    )]
    ReviewOffLoopback { addr: SocketAddr },
    #[error("the proxy stopped: {0}")]
    Serve(#[source] std::io::Error),
}

/// An OpenAI-compatible endpoint the proxy talks to.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// Up to `/v1`: `http://127.0.0.1:8080/v1`.
    pub url: String,
    /// Sent as the bearer token instead of whatever the client sent; read from the
    /// environment variable the configuration names, never from a file.
    pub api_key: Option<ApiKey>,
}

impl Upstream {
    fn check(&self, what: &str) -> Result<(), ProxyError> {
        let ok = (self.url.starts_with("http://") || self.url.starts_with("https://"))
            && reqwest::Url::parse(&self.url).is_ok();
        if ok {
            Ok(())
        } else {
            Err(ProxyError::BadUrl {
                what: what.to_owned(),
                url: self.url.clone(),
            })
        }
    }
}

/// Everything the proxy needs; the binary fills it from `pipeline.yaml` and flags.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    pub listen: SocketAddr,
    pub local: Upstream,
    /// What clients must send as their API key; required off loopback.
    pub token: Option<ApiKey>,
    /// Largest request body accepted; larger ones get a 413.
    pub max_body_bytes: usize,
    pub connect_timeout: Duration,
    /// Longest silence from upstream: before its headers, and between two chunks.
    pub idle_timeout: Duration,
    /// Where chat exchanges are journaled (`raw/proxy/` of the workspace); `None` journals
    /// nothing.
    pub journal_dir: Option<PathBuf>,
    /// The local model's name in captures; `None`: the model the client asks for.
    pub local_model: Option<String>,
    /// Who "consult <name>" reaches.
    pub experts: std::collections::BTreeMap<String, Expert>,
    /// What a user turn says to escalate, `{expert}` standing for the name.
    pub escalation_patterns: Vec<String>,
    /// Where whole rescues go; `None` escalates without capturing.
    pub capture: Option<Arc<dyn Capture>>,
}

/// What the proxy reports as it serves; the binary prints it, tests count it.
pub trait ProxyEvents: Send + Sync {
    /// One request answered (or abandoned), once its body has ended.
    fn served(&self, served: &Served);
    /// A batch of journal entries could not be written (a full disk); the proxy goes on
    /// serving, so the developer's editor keeps working, and says so here.
    fn journal_failed(&self, _message: &str) {}
    /// An escalation's answer ended: the captured interaction's id, or why nothing was
    /// captured (an answer cut short never becomes training data).
    fn escalated(&self, _expert: &str, _outcome: &Result<String, String>) {}
}

/// Reports nothing.
pub struct NoEvents;

impl ProxyEvents for NoEvents {
    fn served(&self, _: &Served) {}
}

/// A proxy bound to its address, not yet serving.
pub struct Proxy {
    listener: tokio::net::TcpListener,
    state: Arc<forward::Shared>,
    journal: Option<journal::JournalWriter>,
}

static CRYPTO: Once = Once::new();

/// rustls's provider for HTTPS upstreams, installed once per process.
pub(crate) fn install_crypto() {
    CRYPTO.call_once(|| {
        // Fails only if another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Proxy {
    /// Checks the options and binds the address (inside a tokio runtime).
    pub async fn bind(
        options: ProxyOptions,
        events: Arc<dyn ProxyEvents>,
    ) -> Result<Self, ProxyError> {
        if !options.listen.ip().is_loopback() && options.token.is_none() {
            return Err(ProxyError::NeedsToken {
                addr: options.listen,
            });
        }
        options.local.check("local model")?;
        let escalator = escalate::Escalator::new(
            options.experts.clone(),
            &options.escalation_patterns,
            options.local_model.clone(),
        )?;
        install_crypto();
        let client = reqwest::Client::builder()
            // Bytes pass through as the upstream sent them: no transparent decompression.
            .no_gzip()
            .connect_timeout(options.connect_timeout)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| ProxyError::Client(e.to_string()))?;
        let listener = bind(options.listen).await?;
        let journal = options.journal_dir.clone().map(|dir| {
            let events = events.clone();
            journal::JournalWriter::start(dir, move |message| events.journal_failed(&message))
        });
        Ok(Self {
            listener,
            state: Arc::new(forward::Shared {
                client,
                options,
                events,
                journal: journal.as_ref().map(journal::JournalWriter::sender),
                escalator,
            }),
            journal,
        })
    }

    /// The address it listens on (the port the OS picked for `:0`).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.options.listen)
    }

    /// Serves until `shutdown` completes, then lets the requests in flight finish and the
    /// journal write what it holds.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ProxyError> {
        let Self {
            listener,
            state,
            mut journal,
        } = self;
        let served = serve_app(listener, forward::router(state), shutdown).await;
        if let Some(mut journal) = journal.take() {
            // Joining blocks: not on the runtime's own threads.
            let _ = tokio::task::spawn_blocking(move || journal.finish()).await;
        }
        served
    }
}

/// A listener on `addr`, or the error that says who holds it.
pub(crate) async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, ProxyError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ProxyError::Bind { addr, source })
}

/// Serves `app` until `shutdown`, then lets the requests in flight finish.
pub(crate) async fn serve_app(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ProxyError> {
    // Each event of a stream is one small write: without TCP_NODELAY, Nagle's algorithm
    // holds it until the client's delayed ACK, some 40 ms later.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ProxyError::Serve)
}
