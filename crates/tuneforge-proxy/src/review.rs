//! `tuneforge review`: a page on loopback listing captured interactions, local and expert
//! answers side by side, where each is accepted, rejected, moved to another domain or has
//! its expert answer edited. Decisions are appended to `raw/reviews.jsonl` (the captures
//! themselves are never rewritten); `process` and `generate` apply them.
//!
//! The page is one HTML file compiled into the binary (no build step). Every request needs
//! the run's token — in the page's URL, then in a header — so another local user or a web
//! page in the browser cannot read captures or decide for the developer.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tuneforge_core::fsio::{append_line_locked, read_appended};
use tuneforge_core::jsonl::{parse_line, split_lines};
use tuneforge_core::records::{Interaction, ReviewDecision, Verdict, last_reviews};

use crate::ProxyError;

const PAGE: &str = include_str!("review.html");
/// The header the page sends its token in.
pub const TOKEN_HEADER: &str = "x-review-token";
/// Largest decision accepted (an edited answer included).
const MAX_DECISION_BYTES: usize = 1 << 20;

/// What the review server reads and writes.
#[derive(Clone, Debug)]
pub struct ReviewOptions {
    pub listen: SocketAddr,
    /// `raw/interactions.jsonl`.
    pub interactions: PathBuf,
    /// `raw/reviews.jsonl`.
    pub reviews: PathBuf,
    /// The configured domains, offered when re-domaining.
    pub domains: Vec<String>,
    /// The run's secret; the page's URL carries it.
    pub token: String,
}

/// One capture as the page shows it.
#[derive(Debug, Serialize)]
struct CaptureView {
    line: u64,
    interaction_id: String,
    timestamp: String,
    source: String,
    /// The domain in effect (the review's, else the captured one).
    domain: String,
    captured_domain: String,
    local_model: Option<String>,
    expert_model: Option<String>,
    query: String,
    local_answer: String,
    /// The expert answer in effect (the reviewer's edit, else the captured one).
    expert_answer: String,
    captured_expert_answer: String,
    verdict: Verdict,
    /// `<REDACTED:kind>` placeholders in the texts, by kind.
    redactions: BTreeMap<String, u64>,
}

struct Shared {
    options: ReviewOptions,
}

/// Token check without an early exit.
fn token_ok(given: &str, expected: &str) -> bool {
    crate::forward::same_secret(given.as_bytes(), expected.as_bytes())
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": message}).to_string(),
    )
        .into_response()
}

fn header_token(headers: &HeaderMap) -> &str {
    headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn count_placeholders(texts: &[&str]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for text in texts {
        for (at, _) in text.match_indices("<REDACTED:") {
            let rest = &text[at + "<REDACTED:".len()..];
            if let Some(end) = rest.find('>') {
                *counts.entry(rest[..end].to_owned()).or_default() += 1;
            }
        }
    }
    counts
}

/// Captures with the decisions laid over them, newest first; a line that is not an
/// interaction is listed in `problems` by line.
fn captures(options: &ReviewOptions) -> Result<(Vec<CaptureView>, Vec<String>), String> {
    let read = |path: &PathBuf| {
        read_appended(path)
            .map_err(|e| e.to_string())
            .map(Option::unwrap_or_default)
    };
    let (decisions, bad) = last_reviews(&read(&options.reviews)?);
    let mut problems: Vec<String> = bad
        .iter()
        .map(|e| format!("{}:{}: {}", options.reviews.display(), e.line, e.message))
        .collect();
    let mut views = Vec::new();
    for line in split_lines(&read(&options.interactions)?) {
        let interaction: Interaction = match parse_line(&line) {
            Ok(i) => i,
            Err(e) => {
                problems.push(format!(
                    "{}:{}: {}",
                    options.interactions.display(),
                    e.line,
                    e.message
                ));
                continue;
            }
        };
        if interaction.check_shape().is_err() {
            problems.push(format!(
                "{}:{}: not the four-message shape",
                options.interactions.display(),
                line.number
            ));
            continue;
        }
        let m = &interaction.metadata;
        let decision = decisions.get(&m.interaction_id).map(|(_, d)| d);
        let text = |i: usize| interaction.messages[i].content.clone();
        let captured_expert_answer = text(3);
        let expert_answer = decision
            .and_then(|d| d.expert_answer.clone())
            .unwrap_or_else(|| captured_expert_answer.clone());
        let (query, local_answer) = (text(0), text(1));
        views.push(CaptureView {
            line: line.number,
            interaction_id: m.interaction_id.clone(),
            timestamp: m.timestamp.clone(),
            source: m.source.clone(),
            domain: decision
                .and_then(|d| d.domain.clone())
                .unwrap_or_else(|| m.domain.clone()),
            captured_domain: m.domain.clone(),
            local_model: m.local_model.clone(),
            expert_model: m.expert_model.clone(),
            redactions: count_placeholders(&[&query, &local_answer, &expert_answer]),
            query,
            local_answer,
            expert_answer,
            captured_expert_answer,
            verdict: decision.map_or(Verdict::Pending, |d| d.verdict),
        });
    }
    views.reverse();
    Ok((views, problems))
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    token: String,
}

async fn page(State(shared): State<Arc<Shared>>, Query(q): Query<PageQuery>) -> Response {
    if !token_ok(&q.token, &shared.options.token) {
        return error(
            StatusCode::FORBIDDEN,
            "open the URL `tuneforge review` printed: it carries this run's token",
        );
    }
    let mut response = PAGE.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Nothing from elsewhere runs in the page; no other site may frame it.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !token_ok(header_token(&headers), &shared.options.token) {
        return error(StatusCode::FORBIDDEN, "missing or wrong review token");
    }
    let options = shared.options.clone();
    match tokio::task::spawn_blocking(move || captures(&options)).await {
        Ok(Ok((captures, problems))) => axum::Json(json!({
            "captures": captures,
            "domains": shared.options.domains,
            "problems": problems,
        }))
        .into_response(),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// A decision as the page sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionRequest {
    interaction_id: String,
    verdict: Verdict,
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    expert_answer: Option<String>,
}

async fn decide(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !token_ok(header_token(&headers), &shared.options.token) {
        return error(StatusCode::FORBIDDEN, "missing or wrong review token");
    }
    if body.len() > MAX_DECISION_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("a decision is at most {MAX_DECISION_BYTES} bytes"),
        );
    }
    let request: DecisionRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("not a decision: {e}")),
    };
    let options = shared.options.clone();
    let outcome =
        tokio::task::spawn_blocking(move || -> Result<ReviewDecision, (StatusCode, String)> {
            let (views, _) =
                captures(&options).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
            let Some(view) = views
                .iter()
                .find(|v| v.interaction_id == request.interaction_id)
            else {
                return Err((
                    StatusCode::NOT_FOUND,
                    format!("no interaction {:?}", request.interaction_id),
                ));
            };
            if let Some(domain) = &request.domain
                && !options.domains.contains(domain)
            {
                return Err((
                    StatusCode::BAD_REQUEST,
                    format!(
                        "domain {domain:?} is not configured (configured: {})",
                        options.domains.join(", ")
                    ),
                ));
            }
            if request
                .expert_answer
                .as_ref()
                .is_some_and(|a| a.trim().is_empty())
            {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "an edited answer cannot be empty".into(),
                ));
            }
            let decision = ReviewDecision {
                interaction_id: request.interaction_id,
                verdict: request.verdict,
                // Only what differs from the capture is recorded as a change.
                domain: request.domain.filter(|d| *d != view.captured_domain),
                expert_answer: request
                    .expert_answer
                    .filter(|a| *a != view.captured_expert_answer),
                time: tuneforge_core::time::now_rfc3339(),
            };
            let line = serde_json::to_string(&decision).expect("decisions serialize");
            append_line_locked(&options.reviews, &line)
                .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            Ok(decision)
        })
        .await;
    match outcome {
        Ok(Ok(decision)) => axum::Json(decision).into_response(),
        Ok(Err((status, message))) => error(status, &message),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// A bound review server.
pub struct ReviewServer {
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl ReviewServer {
    /// Binds loopback only: captures hold code and questions meant for no one else.
    pub async fn bind(options: ReviewOptions) -> Result<Self, ProxyError> {
        if !options.listen.ip().is_loopback() {
            return Err(ProxyError::ReviewOffLoopback {
                addr: options.listen,
            });
        }
        Ok(Self {
            listener: crate::bind(options.listen).await?,
            shared: Arc::new(Shared { options }),
        })
    }

    /// The page's address, token included.
    pub fn url(&self) -> String {
        let addr = self
            .listener
            .local_addr()
            .unwrap_or(self.shared.options.listen);
        format!("http://{addr}/?token={}", self.shared.options.token)
    }

    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ProxyError> {
        let app = Router::new()
            .route("/", get(page))
            .route("/api/captures", get(list))
            .route("/api/decisions", post(decide))
            .with_state(self.shared);
        crate::serve_app(self.listener, app, shutdown).await
    }
}

/// A fresh token: 128 random bits as hex. Without the OS's random source there is no
/// token worth the name, so that is an error.
pub fn new_token() -> Result<String, ProxyError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| ProxyError::Client(format!("no random source for the review token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_counted_by_kind() {
        let counts = count_placeholders(&[
            "key <REDACTED:aws_key> and <REDACTED:email>",
            "<REDACTED:aws_key>",
        ]);
        assert_eq!(counts["aws_key"], 2);
        assert_eq!(counts["email"], 1);
    }
}
