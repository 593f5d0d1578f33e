//! What the proxy tests share: the proxy on a free port with its reports logged, scripted
//! axum upstreams (an echo, a stream released event by event), and a client.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tuneforge_proxy::{Ending, Proxy, ProxyEvents, ProxyOptions, Served, Upstream};

/// Every request the proxy served, as it reported it.
#[derive(Default)]
pub struct Log(pub Mutex<Vec<Served>>);

impl ProxyEvents for Log {
    fn served(&self, served: &Served) {
        self.0.lock().unwrap().push(served.clone());
    }
}

impl Log {
    pub fn endings(&self) -> Vec<Ending> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.ending.clone())
            .collect()
    }
}

pub fn options(upstream: &str) -> ProxyOptions {
    ProxyOptions {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        local: Upstream {
            url: upstream.to_owned(),
            api_key: None,
        },
        token: None,
        max_body_bytes: 1 << 20,
        connect_timeout: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(30),
        journal_dir: None,
        local_model: None,
        experts: Default::default(),
        escalation_patterns: vec!["consult {expert}".into()],
        capture: None,
    }
}

/// Starts the proxy; returns its `/v1` URL and what it reports.
pub async fn start_proxy(options: ProxyOptions) -> (String, Arc<Log>) {
    let log = Arc::new(Log::default());
    (start_with(options, log.clone()).await, log)
}

/// Starts the proxy reporting to `events`; returns its `/v1` URL.
pub async fn start_with(options: ProxyOptions, events: Arc<dyn ProxyEvents>) -> String {
    let proxy = Proxy::bind(options, events).await.unwrap();
    let url = format!("http://{}/v1", proxy.local_addr());
    tokio::spawn(proxy.serve(std::future::pending()));
    url
}

/// Waits (up to 5 s) until `ready` holds: what a proxy reports or writes trails the
/// client's last read by a moment.
pub async fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..500 {
        if ready() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what} did not happen");
}

pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/v1")
}

/// An upstream that answers with what reached it: method, path and query, headers, body.
pub async fn echo(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let headers: serde_json::Map<String, Value> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap())))
        .collect();
    let echoed = json!({
        "method": parts.method.to_string(),
        "uri": parts.uri.to_string(),
        "headers": headers,
        "body": String::from_utf8(body.to_vec()).unwrap(),
    });
    let mut response = ([("content-type", "application/json")], echoed.to_string()).into_response();
    response
        .headers_mut()
        .insert("x-upstream", "echo".parse().unwrap());
    response
}

/// A plain POST of `body` to the chat completions of `proxy` (up to `/v1`).
pub async fn post_chat(proxy: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    client()
        .post(format!("{proxy}/chat/completions"))
        .body(body)
        .send()
        .await
        .unwrap()
}

/// The message of an error in OpenAI's shape.
pub async fn error_message(response: reqwest::Response) -> String {
    let error: Value = response.json().await.unwrap();
    error["error"]["message"].as_str().unwrap().to_owned()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_gzip().build().unwrap()
}

/// A server-sent-events upstream that sends one event each time the test says so, and
/// says when its stream is dropped (the proxy hung up on it).
pub struct Cued {
    pub release: mpsc::UnboundedSender<Option<&'static str>>,
    pub dropped: mpsc::UnboundedReceiver<()>,
    pub upstream: String,
}

struct DropSignal(mpsc::UnboundedSender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

pub async fn cued_upstream() -> Cued {
    let (release, cues) = mpsc::unbounded_channel::<Option<&'static str>>();
    let (dropped_tx, dropped) = mpsc::unbounded_channel();
    let cues = Arc::new(tokio::sync::Mutex::new(Some(cues)));
    let router = Router::new().route(
        "/v1/chat/completions",
        post(move || {
            let cues = cues.clone();
            let dropped_tx = dropped_tx.clone();
            async move {
                let cues = cues.lock().await.take().expect("one streaming request");
                let guard = DropSignal(dropped_tx);
                // `None` as a cue: the upstream fails mid-stream (hyper resets the connection).
                let events =
                    futures_util::stream::unfold((cues, guard), |(mut cues, guard)| async move {
                        match cues.recv().await? {
                            Some(event) => {
                                Some((Ok::<_, std::io::Error>(Bytes::from(event)), (cues, guard)))
                            }
                            None => Some((Err(std::io::Error::other("reset")), (cues, guard))),
                        }
                    });
                let mut headers = HeaderMap::new();
                headers.insert("content-type", "text/event-stream".parse().unwrap());
                (StatusCode::OK, headers, Body::from_stream(events))
            }
        }),
    );
    Cued {
        release,
        dropped,
        upstream: serve(router).await,
    }
}

pub async fn stream_request(proxy: &str) -> reqwest::Response {
    let response = client()
        .post(format!("{proxy}/chat/completions"))
        .header("content-type", "application/json")
        .body(r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response
}

pub const EVENT_1: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
pub const EVENT_2: &str = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n";
pub const DONE: &str = "data: [DONE]\n\n";
/// The requests still in flight report when their body is dropped, a moment after the
/// client's read returns.
pub async fn wait_for(log: &Log, n: usize) {
    eventually(&format!("{n} requests reported"), || {
        log.0.lock().unwrap().len() >= n
    })
    .await;
}
