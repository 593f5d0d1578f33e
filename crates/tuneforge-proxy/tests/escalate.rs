//! Escalation against real loopback servers: a scripted expert that records what reached
//! it and streams a whole (or a cut) answer, the local model left alone, rescues captured
//! only when whole; and `llama-server` playing both parts.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use support::*;
use tuneforge_proxy::assemble::assemble;
use tuneforge_proxy::{
    ApiKey, Capture, Expert, ProxyEvents, ProxyOptions, Rescue, Served, Upstream,
};

#[path = "../../tuneforge-teacher/tests/support/llama.rs"]
mod llama;

/// Rescues captured, and escalation outcomes reported.
#[derive(Default)]
struct Captured {
    rescues: Mutex<Vec<Rescue>>,
    outcomes: Mutex<Vec<(String, Result<String, String>)>>,
}

impl Capture for Captured {
    fn capture(&self, rescue: Rescue) -> Result<String, String> {
        let mut rescues = self.rescues.lock().unwrap();
        rescues.push(rescue);
        Ok(format!("int_{}", rescues.len()))
    }
}

impl ProxyEvents for Captured {
    fn served(&self, _: &Served) {}
    fn escalated(&self, expert: &str, outcome: &Result<String, String>) {
        self.outcomes
            .lock()
            .unwrap()
            .push((expert.to_owned(), outcome.clone()));
    }
}

impl Captured {
    async fn wait(&self, n: usize) -> Vec<(String, Result<String, String>)> {
        eventually(&format!("{n} escalations ending"), || {
            self.outcomes.lock().unwrap().len() >= n
        })
        .await;
        self.outcomes.lock().unwrap().clone()
    }
}

/// An expert that records each request and answers it in `finish_reason`'s way, streamed
/// when asked: "Inject it." in two deltas, the usage chunk, `[DONE]`.
async fn expert(finish_reason: &'static str) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let router = Router::new().fallback(move |request: Request| {
        let log = log.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            let request: Value = serde_json::from_slice(&body).unwrap();
            let headers: BTreeMap<String, String> = parts
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
                .collect();
            log.lock()
                .unwrap()
                .push(json!({"headers": headers, "body": request.clone()}));
            let delta = |text: &str| {
                format!(
                    "data: {}\n\n",
                    json!({"model": "big", "choices": [{"index": 0, "delta": {"content": text}}]})
                )
            };
            let end = format!(
                "data: {}\n\ndata: {}\n\ndata: [DONE]\n\n",
                json!({"choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]}),
                json!({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3}})
            );
            let stream = format!("{}{}{end}", delta("Inject "), delta("it."));
            ([("content-type", "text/event-stream")], stream).into_response()
        }
    });
    (serve(router).await, seen)
}

fn escalating(local: &str, expert_url: &str, captured: &Arc<Captured>) -> ProxyOptions {
    let mut options = options(local);
    options.experts = BTreeMap::from([(
        "claude".to_owned(),
        Expert {
            upstream: Upstream {
                url: expert_url.to_owned(),
                api_key: Some(ApiKey::new("expert-key-123")),
            },
            model: Some("claude-big".into()),
        },
    )]);
    options.capture = Some(captured.clone());
    options
}

fn conversation(last: &str) -> Value {
    json!({
        "model": "qwen-local", "stream": true,
        "messages": [
            {"role": "system", "content": "You write Drupal 11 code."},
            {"role": "user", "content": "How do I get the entity type manager in a form?"},
            {"role": "assistant", "content": "Call \\Drupal::entityTypeManager()."},
            {"role": "user", "content": last}
        ]
    })
}

async fn read_all(mut response: reqwest::Response) -> Vec<u8> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes.extend_from_slice(&chunk);
    }
    bytes
}

/// A local upstream that must not be asked.
async fn untouched() -> (String, Arc<Mutex<usize>>) {
    let asked = Arc::new(Mutex::new(0));
    let count = asked.clone();
    let router = Router::new().fallback(move || {
        let count = count.clone();
        async move {
            *count.lock().unwrap() += 1;
            Response::new(axum::body::Body::from("{}"))
        }
    });
    (serve(router).await, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consult_sends_the_question_to_the_expert_and_captures_the_rescue() {
    let (local, local_asked) = untouched().await;
    let (expert_url, expert_seen) = expert("stop").await;
    let captured = Arc::new(Captured::default());
    let url = start_with(escalating(&local, &expert_url, &captured), captured.clone()).await;

    let response = client()
        .post(format!("{url}/chat/completions"))
        .bearer_auth("client-key")
        .header("x-client-secret", "not for third parties")
        .json(&conversation("Consult Claude"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let streamed = assemble(&read_all(response).await).unwrap();
    assert_eq!(streamed.choices[0].content, "Inject it.");
    assert!(streamed.usage.is_none(), "the usage chunk is the journal's");

    let outcomes = captured.wait(1).await;
    assert_eq!(outcomes, [("claude".to_owned(), Ok("int_1".to_owned()))]);
    let rescue = captured.rescues.lock().unwrap()[0].clone();
    assert_eq!(
        rescue,
        Rescue {
            query: "How do I get the entity type manager in a form?".into(),
            local_answer: "Call \\Drupal::entityTypeManager().".into(),
            escalation: "Consult Claude".into(),
            expert_answer: "Inject it.".into(),
            expert: "claude".into(),
            expert_model: Some("claude-big".into()),
            local_model: Some("qwen-local".into()),
        }
    );
    assert_eq!(
        *local_asked.lock().unwrap(),
        0,
        "the local model is not asked"
    );
    let seen = expert_seen.lock().unwrap()[0].clone();
    assert_eq!(seen["headers"]["authorization"], "Bearer expert-key-123");
    assert!(seen["headers"].get("x-client-secret").is_none());
    assert_eq!(seen["body"]["model"], "claude-big");
    let messages = seen["body"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "system and question: {messages:?}");
    assert_eq!(messages[1]["role"], "user");
    assert_eq!(seen["body"]["stream_options"]["include_usage"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_answer_is_relayed_but_not_captured() {
    let (local, _) = untouched().await;
    let (expert_url, _) = expert("length").await;
    let captured = Arc::new(Captured::default());
    let url = start_with(escalating(&local, &expert_url, &captured), captured.clone()).await;
    let response = client()
        .post(format!("{url}/chat/completions"))
        .json(&conversation("consult claude"))
        .send()
        .await
        .unwrap();
    let streamed = assemble(&read_all(response).await).unwrap();
    assert_eq!(streamed.choices[0].content, "Inject it.");
    let outcomes = captured.wait(1).await;
    let (_, outcome) = &outcomes[0];
    assert!(
        outcome
            .as_ref()
            .unwrap_err()
            .contains("finish reason length"),
        "{outcome:?}"
    );
    assert!(captured.rescues.lock().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_escalates_concurrently_and_mistakes_are_explained() {
    let (local, _) = untouched().await;
    let (expert_url, expert_seen) = expert("stop").await;
    let captured = Arc::new(Captured::default());
    let url = start_with(escalating(&local, &expert_url, &captured), captured.clone()).await;

    let asks: Vec<_> = (0..8)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let response = client()
                    .post(format!("{url}/chat/completions"))
                    .header("x-tuneforge-escalate", "claude")
                    .json(&conversation(&format!("do better, take {i}")))
                    .send()
                    .await
                    .unwrap();
                read_all(response).await
            })
        })
        .collect();
    for ask in asks {
        assert_eq!(
            assemble(&ask.await.unwrap()).unwrap().choices[0].content,
            "Inject it."
        );
    }
    let outcomes = captured.wait(8).await;
    assert!(outcomes.iter().all(|(_, o)| o.is_ok()), "{outcomes:?}");
    let mut turns: Vec<String> = captured
        .rescues
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.escalation.clone())
        .collect();
    turns.sort();
    assert_eq!(turns.len(), 8);
    assert_eq!(turns[0], "do better, take 0");
    assert_eq!(expert_seen.lock().unwrap().len(), 8);

    // An unknown expert, and an escalation with nothing to escalate.
    for (header, body) in [
        (Some("bard"), conversation("do better")),
        (
            None,
            json!({"model": "m", "messages": [{"role": "user", "content": "consult claude"}]}),
        ),
    ] {
        let mut request = client().post(format!("{url}/chat/completions")).json(&body);
        if let Some(h) = header {
            request = request.header("x-tuneforge-escalate", h);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400);
        let message = error_message(response).await;
        assert!(
            message.contains("claude") || message.contains("nothing to escalate"),
            "{message}"
        );
    }
}

/// `llama-server` as the local model and, under another name, as the expert: the local
/// answer comes through the proxy, then "consult smol" gets the expert's whole answer and a
/// rescue made of the two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_server_answers_then_rescues() {
    let Some((llama_server, gguf)) = llama::llama() else {
        return;
    };
    let server = llama::start(&llama_server, &gguf);
    let captured = Arc::new(Captured::default());
    let mut options = escalating(&server.url, &server.url, &captured);
    let smol = options.experts.remove("claude").unwrap();
    options.experts.insert(
        "smol".into(),
        Expert {
            upstream: Upstream {
                api_key: None,
                ..smol.upstream
            },
            model: Some("smollm2-expert".into()),
        },
    );
    let url = start_with(options, captured.clone()).await;
    let question = "Reply with the single word: yes";
    let mut request = json!({
        "model": "smollm2", "max_tokens": 200, "temperature": 0,
        "messages": [{"role": "user", "content": question}]
    });
    let local: Value = client()
        .post(format!("{url}/chat/completions"))
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let local_answer = local["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(local["choices"][0]["finish_reason"], "stop", "{local}");
    request["messages"].as_array_mut().unwrap().extend([
        json!({"role": "assistant", "content": local_answer}),
        json!({"role": "user", "content": "consult smol"}),
    ]);
    request["stream"] = json!(true);
    let response = client()
        .post(format!("{url}/chat/completions"))
        .json(&request)
        .send()
        .await
        .unwrap();
    let expert_answer = assemble(&read_all(response).await).unwrap();
    let outcomes = captured.wait(1).await;
    assert!(outcomes[0].1.is_ok(), "{outcomes:?}");
    let rescue = captured.rescues.lock().unwrap()[0].clone();
    assert_eq!(rescue.query, question);
    assert_eq!(rescue.local_answer, local_answer);
    // Greedy, same model, same question: the expert says what the local model said.
    assert_eq!(rescue.expert_answer, expert_answer.choices[0].content);
    assert_eq!(rescue.expert_answer, local_answer);
    assert_eq!(rescue.expert_model.as_deref(), Some("smollm2-expert"));
}
