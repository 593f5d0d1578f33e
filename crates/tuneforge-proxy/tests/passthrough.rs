//! The pass-through against real loopback servers: a scripted OpenAI-compatible upstream
//! (axum, in the test's runtime) that echoes what reached it, streams on cue, resets or
//! hangs; and llama.cpp's `llama-server` with SmolLM2-135M for a real local model.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use support::*;
use tuneforge_proxy::{ApiKey, Ending, Proxy, ProxyError};

#[path = "../../tuneforge-teacher/tests/support/llama.rs"]
mod llama;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_and_answers_pass_through_unchanged() {
    let upstream = serve(Router::new().fallback(echo)).await;
    let (proxy, log) = start_proxy(options(&upstream)).await;
    // Unknown fields, tool definitions and odd spacing: the bytes arrive as they were sent.
    let body = r#"{"model":"local", "messages":[{"role":"user","content":"hi"}],
        "tools":[{"type":"function","function":{"name":"f","parameters":{}}}], "x_vendor": 1}"#;
    let answer: Value = client()
        .post(format!("{proxy}/chat/completions?trace=1"))
        .header("authorization", "Bearer client-key")
        .header("x-client", "continue")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["method"], "POST");
    assert_eq!(answer["uri"], "/v1/chat/completions?trace=1");
    assert_eq!(answer["body"], body);
    let headers = &answer["headers"];
    assert_eq!(headers["x-client"], "continue");
    // No proxy token: the client's key is the upstream's business.
    assert_eq!(headers["authorization"], "Bearer client-key");
    assert_ne!(
        headers["host"].as_str().unwrap(),
        proxy.trim_start_matches("http://").trim_end_matches("/v1"),
        "the upstream sees its own host"
    );

    let models = client()
        .get(format!("{proxy}/models"))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 200);
    assert_eq!(
        models.headers()["x-upstream"],
        "echo",
        "response headers pass"
    );
    let models: Value = models.json().await.unwrap();
    assert_eq!(models["method"], "GET");
    assert_eq!(models["uri"], "/v1/models");

    // Outside /v1 the proxy answers itself, in OpenAI's error shape.
    let other = client()
        .get(format!("{proxy}/../api/tags"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    assert!(error_message(other).await.contains("/v1"));

    wait_for(&log, 3).await;
    let endings = log.endings();
    assert_eq!(
        endings,
        [Ending::Complete, Ending::Complete, Ending::Refused],
        "{endings:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_arrives_event_by_event() {
    let mut cued = cued_upstream().await;
    let (proxy, log) = start_proxy(options(&cued.upstream)).await;
    cued.release.send(Some(EVENT_1)).unwrap();
    let mut response = stream_request(&proxy).await;
    // The first event reaches the client while the upstream has not sent the second: the
    // proxy buffers nothing.
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_1);
    cued.release.send(Some(EVENT_2)).unwrap();
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_2);
    cued.release.send(Some(DONE)).unwrap();
    assert_eq!(response.chunk().await.unwrap().unwrap(), DONE);
    drop(cued.release);
    assert!(response.chunk().await.unwrap().is_none(), "the stream ends");
    cued.dropped.recv().await.unwrap();
    wait_for(&log, 1).await;
    assert_eq!(log.endings(), [Ending::Complete]);
    let served = &log.0.lock().unwrap()[0];
    assert_eq!(
        served.bytes as usize,
        EVENT_1.len() + EVENT_2.len() + DONE.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_takes_the_upstream_request_with_it() {
    let mut cued = cued_upstream().await;
    let (proxy, log) = start_proxy(options(&cued.upstream)).await;
    cued.release.send(Some(EVENT_1)).unwrap();
    let mut response = stream_request(&proxy).await;
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_1);
    drop(response);
    // The upstream's stream is dropped although it never ended: the proxy hung up.
    tokio::time::timeout(Duration::from_secs(30), cued.dropped.recv())
        .await
        .expect("the upstream request is dropped")
        .unwrap();
    wait_for(&log, 1).await;
    assert_eq!(log.endings(), [Ending::ClientGone]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upstream_reset_mid_stream_is_not_a_clean_end() {
    let cued = cued_upstream().await;
    let (proxy, log) = start_proxy(options(&cued.upstream)).await;
    cued.release.send(Some(EVENT_1)).unwrap();
    let mut response = stream_request(&proxy).await;
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_1);
    cued.release.send(None).unwrap();
    // The client sees an error, not the end of a complete answer.
    let rest = response.chunk().await;
    assert!(rest.is_err(), "{rest:?}");
    wait_for(&log, 1).await;
    let endings = log.endings();
    assert!(
        matches!(&endings[0], Ending::UpstreamFailed(m) if m.contains("broke off")),
        "{endings:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_faults_are_openai_errors() {
    // Down: a port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (proxy, log) = start_proxy(options(&format!("http://{closed}/v1"))).await;
    let response = post_chat(&proxy, "{}").await;
    assert_eq!(response.status(), 502);
    let message = error_message(response).await;
    assert!(
        message.contains(&closed.to_string()) && message.contains("did not answer"),
        "{message}"
    );
    assert!(matches!(&log.endings()[0], Ending::UpstreamFailed(_)));

    // Silent: headers never come.
    let silent = serve(Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        "late"
    }))
    .await;
    let mut quick = options(&silent);
    quick.idle_timeout = Duration::from_millis(300);
    let (proxy, _) = start_proxy(quick).await;
    let response = post_chat(&proxy, "{}").await;
    assert_eq!(response.status(), 504);
    assert!(error_message(response).await.contains("idle_timeout_secs"));

    // Not JSON, or an error status: passed on as the upstream said it.
    let odd = serve(Router::new().fallback(|| async {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "<html>loading model</html>",
        )
    }))
    .await;
    let (proxy, _) = start_proxy(options(&odd)).await;
    let response = post_chat(&proxy, "{}").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.text().await.unwrap(), "<html>loading model</html>");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_refused_with_413() {
    let upstream = serve(Router::new().fallback(echo)).await;
    let mut small = options(&upstream);
    small.max_body_bytes = 1024;
    let (proxy, log) = start_proxy(small).await;
    let big = "x".repeat(2048);
    let declared = post_chat(&proxy, big.clone()).await;
    assert_eq!(declared.status(), 413);
    // Chunked, so no Content-Length announces it: counted as it arrives.
    let chunks = futures_util::stream::iter(
        big.into_bytes()
            .chunks(256)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let chunked = post_chat(&proxy, reqwest::Body::wrap_stream(chunks)).await;
    assert_eq!(chunked.status(), 413);
    assert!(error_message(chunked).await.contains("max_body_bytes"));
    let fits = post_chat(&proxy, "x".repeat(1000)).await;
    assert_eq!(fits.status(), 200);
    wait_for(&log, 3).await;
    assert_eq!(
        log.endings(),
        [Ending::Refused, Ending::Refused, Ending::Complete]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn off_loopback_a_token_is_required_and_stays_with_the_proxy() {
    let upstream = serve(Router::new().fallback(echo)).await;
    let mut open = options(&upstream);
    open.listen = SocketAddr::from(([0, 0, 0, 0], 0));
    let refused = Proxy::bind(open.clone(), Arc::new(Log::default())).await;
    assert!(matches!(refused, Err(ProxyError::NeedsToken { .. })));

    open.token = Some(ApiKey::new("s3cret-token"));
    open.local.api_key = Some(ApiKey::new("upstream-key"));
    let (proxy, _) = start_proxy(open).await;
    let port = proxy.rsplit(':').next().unwrap().trim_end_matches("/v1");
    let proxy = format!("http://127.0.0.1:{port}/v1");
    for key in [None, Some("wrong"), Some("s3cret-toke")] {
        let mut request = client().get(format!("{proxy}/models"));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        assert_eq!(request.send().await.unwrap().status(), 401, "{key:?}");
    }
    let answer: Value = client()
        .get(format!("{proxy}/models"))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The upstream sees its own key, never the proxy's token.
    assert_eq!(answer["headers"]["authorization"], "Bearer upstream-key");
    assert!(!answer.to_string().contains("s3cret"));
}

/// A real local model: what comes through the proxy is what the server says directly,
/// streamed and not (greedy decoding, so both ask the same question and get one answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llama_server_answers_through_the_proxy_as_it_does_directly() {
    let Some((llama_server, gguf)) = llama::llama() else {
        return;
    };
    let server = llama::start(&llama_server, &gguf);
    let (proxy, log) = start_proxy(options(&server.url)).await;
    let request = json!({
        "model": "smollm2",
        "messages": [{"role": "user", "content": "What is a Drupal service?"}],
        "max_tokens": 24, "temperature": 0, "seed": 7
    });
    let ask = |base: String, stream: bool| {
        let mut body = request.clone();
        body["stream"] = json!(stream);
        async move {
            client()
                .post(format!("{base}/chat/completions"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let content = |v: &Value| {
        v["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let direct: Value = ask(server.url.clone(), false).await.json().await.unwrap();
    let through: Value = ask(proxy.clone(), false).await.json().await.unwrap();
    assert_eq!(content(&through), content(&direct));
    assert!(!content(&direct).is_empty());

    // Streamed: the deltas put together are the same answer, and the stream ends with
    // [DONE].
    let response = ask(proxy.clone(), true).await;
    assert_eq!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .split(';')
            .next(),
        Some("text/event-stream")
    );
    let mut response = response;
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(bytes).unwrap();
    let mut streamed = String::new();
    let mut done = false;
    for line in text.lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        if data == "[DONE]" {
            done = true;
            continue;
        }
        let event: Value = serde_json::from_str(data).unwrap();
        if let Some(delta) = event["choices"][0]["delta"]["content"].as_str() {
            streamed.push_str(delta);
        }
    }
    assert!(done, "{text}");
    assert_eq!(streamed, content(&direct));
    let models: Value = client()
        .get(format!("{proxy}/models"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        models["data"][0]["id"]
            .as_str()
            .unwrap()
            .contains("SmolLM2")
    );
    wait_for(&log, 3).await;
    assert!(log.endings().iter().all(|e| *e == Ending::Complete));
}
