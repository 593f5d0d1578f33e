//! The pass-through: a request under `/v1/` forwarded to the local endpoint and its answer
//! relayed chunk by chunk.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::escalate::{ESCALATE_HEADER, Escalator, Rescue};
use crate::journal::{Entry, JournalEnding, Queued, RawBody, RequestEntry, ResponseEntry};
use crate::usage::UsageFilter;
use crate::{ProxyEvents, ProxyOptions};

pub(crate) struct Shared {
    pub(crate) client: reqwest::Client,
    pub(crate) options: ProxyOptions,
    pub(crate) events: Arc<dyn ProxyEvents>,
    pub(crate) journal: Option<std::sync::mpsc::Sender<Queued>>,
    pub(crate) escalator: Escalator,
}

/// The most of one answer the journal keeps; the rest is relayed but not recorded.
const JOURNAL_MAX_BODY: usize = 64 << 20;

pub(crate) fn router(state: Arc<Shared>) -> Router {
    Router::new().fallback(forward).with_state(state)
}

/// How an exchange ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The upstream's whole answer reached the client.
    Complete,
    /// The client went away before the answer ended; the upstream request was dropped.
    ClientGone,
    /// The upstream failed (down, reset, silent too long); the message says how.
    UpstreamFailed(String),
    /// The proxy answered itself (a missing token, a body too large, a path it does not
    /// serve) without asking the upstream.
    Refused,
}

/// One request as the proxy served it.
#[derive(Debug, Clone)]
pub struct Served {
    pub method: String,
    /// The path and query the client asked for.
    pub path: String,
    /// The status the client got.
    pub status: u16,
    /// Body bytes the upstream sent (the client gets them all, but for a usage chunk the
    /// proxy asked for on the journal's behalf).
    pub bytes: u64,
    pub elapsed: Duration,
    pub ending: Ending,
}

/// Headers that belong to one connection, not to the request or the answer: never
/// relayed either way.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// `headers` without the hop-by-hop ones (those the `Connection` header names too) and
/// without `also`.
fn end_to_end(headers: &HeaderMap, also: &[HeaderName]) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        if HOP_BY_HOP.contains(name)
            || also.contains(name)
            || named.iter().any(|n| n == name.as_str())
        {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// An error in OpenAI's shape, which every OpenAI client knows how to show.
pub(crate) fn error_response(status: StatusCode, kind: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error": {"message": message, "type": kind, "param": null, "code": null}
    });
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// Compares without an early exit, so response times say nothing about the token.
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// What the report of one exchange needs, sent when it is dropped: when the relayed body
/// ends, or when hyper drops it because the client went away. Journaled exchanges also
/// carry the upstream's raw answer, written to the journal then.
struct Report {
    shared: Arc<Shared>,
    method: String,
    path: String,
    status: u16,
    bytes: u64,
    started: Instant,
    ending: Option<Ending>,
    kept: Option<Kept>,
    /// An escalation's rescue, waiting for the expert's whole answer.
    rescue: Option<Rescue>,
}

/// A kept answer, filled in as it streams: for the journal (when it has an exchange id)
/// and for an escalation's rescue.
struct Kept {
    exchange: Option<String>,
    headers: std::collections::BTreeMap<String, String>,
    body: Vec<u8>,
    truncated: bool,
    usage_added: bool,
}

impl Kept {
    fn keep(&mut self, chunk: &[u8]) {
        let room = JOURNAL_MAX_BODY.saturating_sub(self.body.len());
        if chunk.len() > room {
            self.truncated = true;
        }
        self.body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
}

impl Report {
    fn send(mut self, status: u16, ending: Ending) {
        self.status = status;
        self.ending = Some(ending);
    }

    /// An escalation's answer has ended: a whole one is captured on a blocking thread, a
    /// cut one is only reported.
    fn settle_rescue(&self, mut rescue: Rescue, body: &[u8], ending: &Ending) {
        let events = self.shared.events.clone();
        let expert = rescue.expert.clone();
        let whole = match ending {
            Ending::Complete => match crate::assemble::assemble(body) {
                Ok(a) if a.is_whole() => match a.choices.first() {
                    Some(c) if !c.content.trim().is_empty() => Ok(c.content.clone()),
                    _ => Err("the expert answered without text (tool calls only)".to_owned()),
                },
                Ok(a) => Err(format!(
                    "the expert's answer is not whole (finish reason {})",
                    a.choices
                        .first()
                        .and_then(|c| c.finish_reason.clone())
                        .unwrap_or_else(|| "missing".into())
                )),
                Err(e) => Err(format!("the expert's answer cannot be read: {e}")),
            },
            Ending::ClientGone => Err("the client left before the expert's answer ended".into()),
            Ending::UpstreamFailed(m) => Err(m.clone()),
            Ending::Refused => Err("refused".into()),
        };
        let answer = match whole {
            Ok(answer) => answer,
            Err(why) => {
                events.escalated(&expert, &Err(format!("not captured: {why}")));
                return;
            }
        };
        let Some(capture) = self.shared.options.capture.clone() else {
            return;
        };
        rescue.expert_answer = answer;
        // The append syncs a file: off the runtime's threads.
        let work = move || {
            let outcome = capture.capture(rescue);
            events.escalated(&expert, &outcome);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn_blocking(work);
            }
            Err(_) => work(),
        }
    }
}

impl Drop for Report {
    fn drop(&mut self) {
        let ending = self.ending.take().unwrap_or(Ending::ClientGone);
        let kept = self.kept.take();
        if let (Some(rescue), Some(kept)) = (self.rescue.take(), &kept) {
            self.settle_rescue(rescue, &kept.body, &ending);
        }
        if let (Some(j), Some(sender)) = (kept, &self.shared.journal)
            && let Some(exchange) = j.exchange
        {
            let (kind, error) = match &ending {
                Ending::Complete => (JournalEnding::Complete, None),
                Ending::ClientGone => (JournalEnding::ClientGone, None),
                Ending::UpstreamFailed(m) => (JournalEnding::UpstreamFailed, Some(m.clone())),
                Ending::Refused => (JournalEnding::Refused, None),
            };
            let entry = Entry::Response(ResponseEntry {
                exchange,
                time: crate::journal::now(),
                status: self.status,
                headers: j.headers,
                body: RawBody::new(j.body),
                ending: kind,
                error,
                elapsed_ms: self.started.elapsed().as_secs_f64() * 1000.0,
                usage_added: j.usage_added,
                truncated: j.truncated,
            });
            let _ = sender.send(Queued {
                entry,
                written: None,
            });
        }
        let served = Served {
            method: std::mem::take(&mut self.method),
            path: std::mem::take(&mut self.path),
            status: self.status,
            bytes: self.bytes,
            elapsed: self.started.elapsed(),
            ending,
        };
        self.shared.events.served(&served);
    }
}

/// Whether an exchange is journaled: chat and text completions (both paths end in
/// `/completions`), where answers are. The
/// rest (`/v1/models`, which some clients poll every few seconds) only passes through.
fn journaled(method: &axum::http::Method, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    method == axum::http::Method::POST && path.ends_with("/completions")
}

/// Sets `stream_options.include_usage` on a streaming chat request that did not ask for
/// usage, so the journal gets the token counts; whether it was set.
fn request_usage(request: &mut serde_json::Value) -> bool {
    let Some(object) = request.as_object_mut() else {
        return false;
    };
    if object.get("stream") != Some(&serde_json::Value::Bool(true)) {
        return false;
    }
    let options = object
        .entry("stream_options")
        .or_insert_with(|| serde_json::json!({}));
    let Some(options) = options.as_object_mut() else {
        return false;
    };
    if options.get("include_usage") == Some(&serde_json::Value::Bool(true)) {
        return false;
    }
    options.insert("include_usage".into(), serde_json::Value::Bool(true));
    true
}

static EXCHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A journal id unique across runs: the time it was made, to the microsecond, and a
/// counter.
fn exchange_id() -> String {
    let n = EXCHANGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let now = jiff::Timestamp::now();
    format!(
        "{}-{:06}-{n}",
        now.strftime("%Y%m%dT%H%M%S"),
        now.subsec_microsecond()
    )
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let report = Report {
        shared: shared.clone(),
        method: parts.method.to_string(),
        path: path.clone(),
        status: 0,
        bytes: 0,
        started: Instant::now(),
        ending: None,
        kept: None,
        rescue: None,
    };
    let refuse = |report: Report, status: StatusCode, kind: &str, message: &str| {
        report.send(status.as_u16(), Ending::Refused);
        error_response(status, kind, message)
    };
    let options = &shared.options;

    if let Some(token) = &options.token {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same_secret(given.trim().as_bytes(), token.expose().as_bytes()) {
            return refuse(
                report,
                StatusCode::UNAUTHORIZED,
                "invalid_request_error",
                "this proxy needs its token as the API key (Authorization: Bearer <token>)",
            );
        }
    }
    let rest = match path.strip_prefix("/v1") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('?') => rest,
        _ => {
            return refuse(
                report,
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                &format!(
                    "{path}: the tuneforge proxy serves the OpenAI API under /v1 (set your client's base URL to http://<proxy>/v1)"
                ),
            );
        }
    };

    let limit = options.max_body_bytes;
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        format!(
            "the request body is over the proxy's limit of {limit} bytes (proxy.max_body_bytes in pipeline.yaml)"
        )
    };
    if declared.is_some_and(|n| n > limit as u64) {
        return refuse(
            report,
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request_error",
            &too_large(),
        );
    }
    let body: Bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return refuse(
                report,
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                &too_large(),
            );
        }
        Err(e) => {
            return refuse(
                report,
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                &format!("the request body could not be read: {e}"),
            );
        }
    };

    // Escalation: a chat request whose last turn consults an expert goes to the expert.
    let chat = parts.method == axum::http::Method::POST
        && path
            .split('?')
            .next()
            .is_some_and(|p| p.ends_with("/chat/completions"));
    let plan = if chat {
        let header = parts
            .headers
            .get(ESCALATE_HEADER)
            .and_then(|v| v.to_str().ok());
        match shared.escalator.plan(header, &body) {
            Ok(plan) => plan,
            Err(message) => {
                return refuse(
                    report,
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    &message,
                );
            }
        }
    } else {
        None
    };

    // Journal first: the request as the client sent it, before it is forwarded.
    let mut report = report;
    let journal_exchange = match &shared.journal {
        Some(journal) if journaled(&parts.method, &path) => {
            let exchange = exchange_id();
            let entry = Entry::Request(RequestEntry {
                exchange: exchange.clone(),
                time: crate::journal::now(),
                method: parts.method.to_string(),
                path: path.clone(),
                headers: crate::journal::journal_headers(&parts.headers),
                body: RawBody::new(body.to_vec()),
                escalated_to: plan.as_ref().map(|p| p.rescue.expert.clone()),
            });
            let (written, in_file) = tokio::sync::oneshot::channel();
            let _ = journal.send(Queued {
                entry,
                written: Some(written),
            });
            // In the file (not yet synced) before the request leaves: a proxy killed while
            // the answer streams has still journaled the request.
            let _ = in_file.await;
            Some(exchange)
        }
        _ => None,
    };
    // What goes upstream: the expert's request, or the client's bytes as they came unless
    // the journal asks for usage (then re-serialized in the same key order).
    let (upstream_body, usage_added) = match (&plan, chat && journal_exchange.is_some()) {
        (Some(plan), _) => {
            let mut request = plan.request.clone();
            let added = request_usage(&mut request);
            let bytes = serde_json::to_vec(&request).unwrap_or_default();
            (Bytes::from(bytes), added)
        }
        (None, true) => {
            // Not JSON (Null): sent as it came, for the local model to refuse.
            let mut request = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
            if request_usage(&mut request) {
                let bytes = serde_json::to_vec(&request).unwrap_or_default();
                (Bytes::from(bytes), true)
            } else {
                (body.clone(), false)
            }
        }
        (None, false) => (body.clone(), false),
    };
    if journal_exchange.is_some() || plan.is_some() {
        report.kept = Some(Kept {
            exchange: journal_exchange,
            headers: Default::default(),
            body: Vec::new(),
            truncated: false,
            usage_added,
        });
    }

    let (base, who, api_key, headers) = match &plan {
        Some(plan) => {
            // Only what the request needs: the client's other headers are meant for its
            // local model, and must not reach a third party.
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            if let Some(accept) = parts.headers.get(header::ACCEPT) {
                headers.insert(header::ACCEPT, accept.clone());
            }
            (
                plan.expert.upstream.url.as_str(),
                format!("the expert {}", plan.rescue.expert),
                plan.expert.upstream.api_key.as_ref(),
                headers,
            )
        }
        None => {
            // Host and length are the new request's own.
            let mut headers = end_to_end(&parts.headers, &[header::HOST, header::CONTENT_LENGTH]);
            // The proxy token is this proxy's, not the upstream's; the upstream's own key,
            // where one is configured, replaces whatever the client sent.
            if options.token.is_some() || options.local.api_key.is_some() {
                headers.remove(header::AUTHORIZATION);
            }
            (
                options.local.url.as_str(),
                "the local model".to_owned(),
                options.local.api_key.as_ref(),
                headers,
            )
        }
    };
    let url = format!("{}{rest}", base.trim_end_matches('/'));
    let mut upstream = shared
        .client
        .request(parts.method, &url)
        .headers(headers)
        .body(upstream_body);
    if let Some(key) = api_key {
        upstream = upstream.bearer_auth(key.expose());
    }
    report.rescue = plan.map(|p| p.rescue);
    let idle = options.idle_timeout;
    let response = match tokio::time::timeout(idle, upstream.send()).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            let message = format!("{who} at {url} did not answer: {}", error_chain(&e));
            report.send(502, Ending::UpstreamFailed(message.clone()));
            return error_response(StatusCode::BAD_GATEWAY, "upstream_error", &message);
        }
        Err(_) => {
            let message = format!(
                "{who} at {url} sent nothing for {} s (proxy.idle_timeout_secs)",
                idle.as_secs()
            );
            report.send(504, Ending::UpstreamFailed(message.clone()));
            return error_response(StatusCode::GATEWAY_TIMEOUT, "upstream_error", &message);
        }
    };

    let status = response.status();
    let mut builder = Response::builder().status(status.as_u16());
    if let Some(out) = builder.headers_mut() {
        *out = end_to_end(response.headers(), &[]);
    }
    report.status = status.as_u16();
    let mut filter = None;
    if let Some(j) = report.kept.as_mut() {
        j.headers = crate::journal::journal_headers(response.headers());
        // The usage chunk the proxy asked for is the journal's, not the client's.
        if j.usage_added && status.is_success() {
            filter = Some(UsageFilter::default());
        }
    }
    if filter.is_some()
        && let Some(headers) = builder.headers_mut()
    {
        // The client gets fewer bytes than the upstream sent.
        headers.remove(header::CONTENT_LENGTH);
    }
    // Read now: reqwest's figure is what remains to be read.
    let length = response.content_length();
    if length == Some(0) {
        // Nothing to relay: hyper will not poll the body at all.
        report.ending = Some(Ending::Complete);
    }
    let relay = futures_util::stream::unfold(Some((response, report, filter)), move |state| {
        let who = who.clone();
        async move {
            let (mut response, mut report, mut filter) = state?;
            loop {
                match tokio::time::timeout(idle, response.chunk()).await {
                    Ok(Ok(Some(chunk))) => {
                        if let Some(j) = report.kept.as_mut() {
                            j.keep(&chunk);
                        }
                        // Counted as the upstream sent it: with a Content-Length, hyper stops
                        // polling once that many bytes are out, so the end is known here,
                        // not from a final `None`.
                        report.bytes += chunk.len() as u64;
                        if length == Some(report.bytes) {
                            report.ending = Some(Ending::Complete);
                        }
                        let chunk = match filter.as_mut() {
                            Some(f) => f.pass(&chunk),
                            None => chunk,
                        };
                        if chunk.is_empty() {
                            continue;
                        }
                        return Some((Ok(chunk), Some((response, report, filter))));
                    }
                    Ok(Ok(None)) => {
                        report.ending = Some(Ending::Complete);
                        let rest = filter.as_mut().map(UsageFilter::finish).unwrap_or_default();
                        if rest.is_empty() {
                            return None;
                        }
                        return Some((Ok(rest), None));
                    }
                    Ok(Err(e)) => {
                        let message = format!("{who}'s answer broke off: {}", error_chain(&e));
                        report.ending = Some(Ending::UpstreamFailed(message.clone()));
                        // An error ends the client's connection without a proper end of
                        // body, so no client takes a cut answer for a whole one.
                        return Some((Err(std::io::Error::other(message)), None));
                    }
                    Err(_) => {
                        let message = format!(
                            "{who} sent nothing for {} s mid-answer (proxy.idle_timeout_secs)",
                            idle.as_secs()
                        );
                        report.ending = Some(Ending::UpstreamFailed(message.clone()));
                        return Some((Err(std::io::Error::other(message)), None));
                    }
                }
            }
        }
    });
    builder.body(Body::from_stream(relay)).unwrap_or_else(|e| {
        error_response(
            StatusCode::BAD_GATEWAY,
            "upstream_error",
            &format!("the local model's answer has headers this proxy cannot relay: {e}"),
        )
    })
}

/// An error and its causes on one line (reqwest's own message stops at "error sending
/// request", the cause says "connection refused").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_stay_on_their_connection() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-private"),
        );
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert("x-kept", HeaderValue::from_static("2"));
        headers.insert(header::HOST, HeaderValue::from_static("proxy"));
        headers.append("x-twice", HeaderValue::from_static("a"));
        headers.append("x-twice", HeaderValue::from_static("b"));
        let out = end_to_end(&headers, &[header::HOST]);
        assert!(out.get("x-private").is_none() && out.get(header::HOST).is_none());
        assert_eq!(out.get("x-kept").unwrap(), "2");
        assert_eq!(out.get_all("x-twice").iter().count(), 2);
        assert!(out.get(header::CONNECTION).is_none());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
