//! The proxy benchmark's two halves (`bench/proxy_bench.sh`):
//!
//! `proxy_load upstream [CHUNKS] [GAP_MS]`: an OpenAI-compatible upstream on a free loopback
//! port that streams every chat completion as CHUNKS deltas GAP_MS apart (the usage chunk
//! when asked, then `[DONE]`): a model whose speed is known, so what a proxy adds can be
//! measured. Prints its `/v1` URL, serves until killed.
//!
//! `proxy_load load URL CLIENTS REQUESTS CHUNKS`: CLIENTS concurrent streaming clients, each
//! sending REQUESTS requests one after the other; prints JSON: time to first token and to
//! completion (p50, p99, ms), requests per second, and how many answers were lost or torn
//! (not exactly the CHUNKS deltas and `[DONE]`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let number = |i: usize, default: u64| {
        args.get(i)
            .map(|a| a.parse::<u64>().expect("a number"))
            .unwrap_or(default)
    };
    match args.first().map(String::as_str) {
        Some("upstream") => runtime.block_on(upstream(number(1, 20), number(2, 5))),
        Some("load") if args.len() >= 5 => {
            let report = runtime.block_on(load(
                &args[1],
                number(2, 100) as usize,
                number(3, 5) as usize,
                number(4, 20) as usize,
            ));
            println!("{report}");
        }
        _ => {
            eprintln!(
                "usage: proxy_load upstream [CHUNKS] [GAP_MS] | proxy_load load URL CLIENTS REQUESTS CHUNKS"
            );
            std::process::exit(2);
        }
    }
}

async fn upstream(chunks: u64, gap_ms: u64) {
    let answer = move |request: Request| async move {
        let body = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let usage = request["stream_options"]["include_usage"] == true;
        let model = request["model"].as_str().unwrap_or("bench").to_owned();
        let chunk = move |delta: Value, finish: Value| {
            Bytes::from(format!(
                "data: {}\n\n",
                json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1,
                       "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
            ))
        };
        let events = futures_util::stream::unfold(0u64, move |i| {
            let chunk = chunk.clone();
            async move {
                let event = match i {
                    i if i < chunks => {
                        tokio::time::sleep(Duration::from_millis(gap_ms)).await;
                        chunk(json!({"content": "tok "}), Value::Null)
                    }
                    i if i == chunks => chunk(json!({}), json!("stop")),
                    i if i == chunks + 1 && usage => Bytes::from(format!(
                        "data: {}\n\n",
                        json!({"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1,
                               "model": "bench", "choices": [],
                               "usage": {"prompt_tokens": 8, "completion_tokens": chunks, "total_tokens": chunks + 8}})
                    )),
                    i if i <= chunks + 2 => Bytes::from_static(b"data: [DONE]\n\n"),
                    _ => return None,
                };
                let next = if i == chunks && !usage { i + 2 } else { i + 1 };
                Some((Ok::<_, std::io::Error>(event), next))
            }
        });
        Response::builder()
            .header("content-type", "text/event-stream")
            .body(Body::from_stream(events))
            .expect("a response")
    };
    let models = || async {
        axum::Json(json!({"object": "list", "data": [{"id": "bench", "object": "model"}]}))
            .into_response()
    };
    let router = Router::new()
        .route("/v1/models", axum::routing::get(models))
        .fallback(answer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    println!("http://{}/v1", listener.local_addr().expect("an address"));
    // Small writes go out at once (see the proxy's own listener).
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router).await.expect("serving");
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

async fn load(url: &str, clients: usize, requests: usize, chunks: usize) -> Value {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .tcp_nodelay(true)
        .build()
        .expect("a client");
    let expected = "tok ".repeat(chunks);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let client = client.clone();
            let url = format!("{}/chat/completions", url.trim_end_matches('/'));
            let expected = expected.clone();
            tokio::spawn(async move {
                let mut out = Vec::new();
                for r in 0..requests {
                    let body = json!({
                        "model": "bench", "stream": true,
                        "messages": [{"role": "user", "content": format!("client {c} request {r}: write a Drupal hook")}]
                    });
                    let t0 = Instant::now();
                    let mut first = None;
                    let mut text = Vec::new();
                    let sent = client
                        .post(&url)
                        // LiteLLM's master key in bench/proxy_bench.sh; the others take any.
                        .header("authorization", "Bearer sk-bench-0123456789abcdef")
                        .json(&body)
                        .send()
                        .await;
                    let ok = match sent {
                        Ok(mut response) if response.status().is_success() => loop {
                            match response.chunk().await {
                                Ok(Some(chunk)) => {
                                    if first.is_none() && memchr::memmem::find(&chunk, b"tok").is_some() {
                                        first = Some(t0.elapsed());
                                    }
                                    text.extend_from_slice(&chunk);
                                }
                                Ok(None) => break true,
                                Err(_) => break false,
                            }
                        },
                        _ => false,
                    };
                    let total = t0.elapsed();
                    let content = tuneforge_proxy::assemble::assemble(&text)
                        .ok()
                        .filter(|a| a.done)
                        .and_then(|a| a.choices.first().map(|c| c.content.clone()));
                    let whole = ok && content.as_deref() == Some(expected.as_str());
                    out.push((first, total, whole));
                }
                out
            })
        })
        .collect();
    let mut first_token = Vec::new();
    let mut completion = Vec::new();
    let mut broken = 0u64;
    for task in tasks {
        for (first, total, whole) in task.await.expect("a client task") {
            if !whole {
                broken += 1;
                continue;
            }
            if let Some(f) = first {
                first_token.push(f.as_secs_f64() * 1000.0);
            }
            completion.push(total.as_secs_f64() * 1000.0);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    first_token.sort_by(f64::total_cmp);
    completion.sort_by(f64::total_cmp);
    json!({
        "requests": clients * requests,
        "lost_or_torn": broken,
        "requests_per_second": (clients * requests) as f64 / wall,
        "first_token_ms": {"p50": percentile(&first_token, 0.5), "p99": percentile(&first_token, 0.99)},
        "completion_ms": {"p50": percentile(&completion, 0.5), "p99": percentile(&completion, 0.99)},
    })
}
