//! The journal against real loopback servers: raw bytes in, answers reassembled out, the
//! usage chunk asked for on the journal's behalf and kept from the client, and answers cut
//! short (client gone, upstream broke off) recorded as such.

mod support;

use std::path::Path;

use axum::Router;
use serde_json::{Value, json};
use support::*;
use tuneforge_proxy::assemble::assemble;
use tuneforge_proxy::journal::{Exchange, JournalEnding, read_journal};

#[path = "../../tuneforge-teacher/tests/support/llama.rs"]
mod llama;

/// The journal once `n` exchanges have their response written (the writer thread trails
/// the answers by a moment).
async fn journal(dir: &Path, n: usize) -> Vec<Exchange> {
    let responses = || {
        let read = read_journal(dir).unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        read.exchanges
    };
    eventually(&format!("{n} journaled responses"), || {
        responses().iter().filter(|e| e.response.is_some()).count() >= n
    })
    .await;
    responses()
}

const USAGE: &str =
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}\n\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_is_journaled_raw_and_the_usage_chunk_stays_out_of_the_client() {
    let dir = tempfile::tempdir().unwrap();
    let mut cued = cued_upstream().await;
    let mut with_journal = options(&cued.upstream);
    with_journal.journal_dir = Some(dir.path().to_path_buf());
    let (proxy, _log) = start_proxy(with_journal).await;
    for event in [EVENT_1, EVENT_2, USAGE, DONE] {
        cued.release.send(Some(event)).unwrap();
    }
    drop(cued.release);
    let body = r#"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}"#;
    let mut response = client()
        .post(format!("{proxy}/chat/completions"))
        .bearer_auth("client-secret")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let mut got = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        got.extend_from_slice(&chunk);
    }
    assert_eq!(
        String::from_utf8(got).unwrap(),
        format!("{EVENT_1}{EVENT_2}{DONE}"),
        "the client did not ask for usage, so it gets none"
    );
    cued.dropped.recv().await.unwrap();

    let exchanges = journal(dir.path(), 1).await;
    assert_eq!(exchanges.len(), 1);
    let exchange = &exchanges[0];
    // The request as the client sent it, byte for byte, without its credentials.
    assert_eq!(exchange.request.body.as_bytes(), body.as_bytes());
    assert_eq!(exchange.request.path, "/v1/chat/completions");
    assert!(!exchange.request.headers.contains_key("authorization"));
    let journal_text = std::fs::read_to_string(
        std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    assert!(!journal_text.contains("client-secret"));
    // The answer as the upstream sent it, usage chunk included.
    let response = exchange.response.as_ref().unwrap();
    assert_eq!(response.ending, JournalEnding::Complete);
    assert!(response.usage_added);
    assert_eq!(
        response.body.as_bytes(),
        format!("{EVENT_1}{EVENT_2}{USAGE}{DONE}").as_bytes()
    );
    let answer = assemble(response.body.as_bytes()).unwrap();
    assert_eq!(answer.choices[0].content, "Hello");
    assert_eq!(answer.usage.unwrap()["completion_tokens"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cut_answers_are_journaled_as_cut() {
    let dir = tempfile::tempdir().unwrap();

    // The client leaves after the first event.
    let cued = cued_upstream().await;
    let mut with_journal = options(&cued.upstream);
    with_journal.journal_dir = Some(dir.path().to_path_buf());
    let (proxy, _) = start_proxy(with_journal.clone()).await;
    cued.release.send(Some(EVENT_1)).unwrap();
    let mut response = stream_request(&proxy).await;
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_1);
    drop(response);
    let exchanges = journal(dir.path(), 1).await;
    let gone = exchanges[0].response.as_ref().unwrap();
    assert_eq!(gone.ending, JournalEnding::ClientGone);
    assert_eq!(gone.body.as_bytes(), EVENT_1.as_bytes());
    assert!(!assemble(gone.body.as_bytes()).unwrap().is_whole());

    // The upstream breaks off after the first event.
    let cued = cued_upstream().await;
    with_journal.local.url = cued.upstream.clone();
    let (proxy, _) = start_proxy(with_journal).await;
    cued.release.send(Some(EVENT_1)).unwrap();
    let mut response = stream_request(&proxy).await;
    assert_eq!(response.chunk().await.unwrap().unwrap(), EVENT_1);
    cued.release.send(None).unwrap();
    assert!(response.chunk().await.is_err());
    let exchanges = journal(dir.path(), 2).await;
    let broke = exchanges[1].response.as_ref().unwrap();
    assert_eq!(broke.ending, JournalEnding::UpstreamFailed);
    assert!(broke.error.as_deref().unwrap().contains("broke off"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_completions_are_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let upstream = serve(Router::new().fallback(echo)).await;
    let mut with_journal = options(&upstream);
    with_journal.journal_dir = Some(dir.path().to_path_buf());
    let (proxy, log) = start_proxy(with_journal).await;
    for _ in 0..3 {
        client()
            .get(format!("{proxy}/models"))
            .send()
            .await
            .unwrap();
    }
    // A non-streaming request is sent as it is: nothing to add.
    let body = r#"{"model":"m","messages":[]}"#;
    let echoed: Value = post_chat(&proxy, body).await.json().await.unwrap();
    assert_eq!(echoed["body"], body);
    wait_for(&log, 4).await;
    let exchanges = journal(dir.path(), 1).await;
    assert_eq!(exchanges.len(), 1, "only the chat completion");
    assert!(!exchanges[0].response.as_ref().unwrap().usage_added);
}

/// A real local model streaming through the proxy: the journal's raw answer reassembles
/// to exactly what the client put together from its deltas, with llama-server's usage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_llama_server_stream_reassembles_to_what_the_client_saw() {
    let Some((llama_server, gguf)) = llama::llama() else {
        return;
    };
    let server = llama::start(&llama_server, &gguf);
    let dir = tempfile::tempdir().unwrap();
    let mut with_journal = options(&server.url);
    with_journal.journal_dir = Some(dir.path().to_path_buf());
    let (proxy, _) = start_proxy(with_journal).await;
    let mut response = client()
        .post(format!("{proxy}/chat/completions"))
        .json(&json!({
            "model": "smollm2", "stream": true, "max_tokens": 24, "temperature": 0,
            "messages": [{"role": "user", "content": "Name a Drupal hook."}]
        }))
        .send()
        .await
        .unwrap();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes.extend_from_slice(&chunk);
    }
    let seen = assemble(&bytes).unwrap();
    assert!(
        seen.done && seen.usage.is_none(),
        "no usage chunk for the client"
    );
    let exchanges = journal(dir.path(), 1).await;
    let raw = exchanges[0].response.as_ref().unwrap();
    let journaled = assemble(raw.body.as_bytes()).unwrap();
    assert_eq!(journaled.choices[0].content, seen.choices[0].content);
    assert!(!journaled.choices[0].content.is_empty());
    assert_eq!(
        journaled.choices[0].finish_reason.as_deref(),
        Some("length"),
        "24 tokens cut it"
    );
    assert!(
        !journaled.is_whole(),
        "an answer cut at max_tokens is not whole"
    );
    assert_eq!(journaled.usage.unwrap()["completion_tokens"], 24);
}
