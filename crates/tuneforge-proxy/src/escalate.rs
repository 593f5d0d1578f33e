//! Escalation: a user turn like "consult claude" (or the header `X-Tuneforge-Escalate`)
//! sends the conversation to an expert instead of the local model, and the rescue — query,
//! local answer, escalation turn, expert answer — is captured once the expert's answer is
//! whole.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::Value;

use crate::{ProxyError, Upstream};

/// The header that escalates a request whatever its last turn says.
pub const ESCALATE_HEADER: &str = "x-tuneforge-escalate";

/// A stronger model the developer can consult by name.
#[derive(Clone, Debug)]
pub struct Expert {
    pub upstream: Upstream,
    /// The model to ask for; `None` keeps the one the client asked for.
    pub model: Option<String>,
}

/// A rescue, whole, for the capture to redact and append.
#[derive(Clone, Debug, PartialEq)]
pub struct Rescue {
    pub query: String,
    pub local_answer: String,
    /// The user turn that asked for the expert ("consult claude").
    pub escalation: String,
    pub expert_answer: String,
    /// The expert's name, as the developer typed it.
    pub expert: String,
    pub expert_model: Option<String>,
    pub local_model: Option<String>,
}

/// Where rescues go: the binary redacts and appends them to `raw/interactions.jsonl`.
pub trait Capture: Send + Sync {
    /// Records one rescue; the interaction id, or why it could not be recorded. Runs on a
    /// blocking thread.
    fn capture(&self, rescue: Rescue) -> Result<String, String>;
}

/// Options print which capture there is, not its insides.
impl std::fmt::Debug for dyn Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Capture")
    }
}

/// A request on its way to an expert: what to send, and the rescue waiting for its answer.
pub(crate) struct Plan {
    /// Where the request goes (the rescue names the expert).
    pub(crate) expert: Expert,
    /// The request for the expert.
    pub(crate) request: Value,
    pub(crate) rescue: Rescue,
}

/// The configured experts and the escalation patterns compiled.
pub(crate) struct Escalator {
    experts: BTreeMap<String, Expert>,
    /// Each pattern as a regex over the whole (trimmed) turn, capturing `expert`.
    patterns: Vec<Regex>,
    /// Any pattern anywhere in the raw body: requests without it are not parsed at all.
    prefilter: Option<regex::bytes::Regex>,
    local_model: Option<String>,
}

/// `consult {expert}` → `(?i)^consult\s+(?P<expert>claude|gpt)[\s.!?]*$`: the literal
/// parts escaped, their spaces any run of white space.
fn compile(pattern: &str, names: &str, anchored: bool) -> Result<String, String> {
    let Some((before, after)) = pattern.split_once("{expert}") else {
        return Err(format!(
            "the escalation pattern {pattern:?} has no {{expert}} (the name of the expert to consult)"
        ));
    };
    let literal = |text: &str| {
        text.split_whitespace()
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join(r"\s+")
    };
    let space = |text: &str, at_end: bool| match (text.is_empty(), text.trim().is_empty()) {
        (true, _) => String::new(),
        (false, true) => r"\s+".to_owned(),
        (false, false) if at_end => format!(r"{}\s+", literal(text)),
        (false, false) => format!(r"\s+{}", literal(text)),
    };
    // The prefilter (`anchored` false) joins every pattern: it captures nothing.
    let (start, group, end) = if anchored {
        (r"^\s*", "(?P<expert>", r"[\s.!?]*$")
    } else {
        ("", "(?:", "")
    };
    Ok(format!(
        r"(?i){start}{}{group}{names}){}{end}",
        space(before, true),
        space(after, false)
    ))
}

/// The text of a message: a string, or the text parts of a list of parts.
pub(crate) fn text_of(message: &Value) -> Option<String> {
    match &message["content"] {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => Some(
            parts
                .iter()
                .filter(|p| p["type"] == "text")
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        _ => None,
    }
}

impl Escalator {
    pub(crate) fn new(
        experts: BTreeMap<String, Expert>,
        patterns: &[String],
        local_model: Option<String>,
    ) -> Result<Self, ProxyError> {
        for (name, expert) in &experts {
            expert.upstream.check(&format!("expert {name}"))?;
        }
        let names = experts
            .keys()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        let bad = |message: String| ProxyError::Escalation { message };
        let mut compiled = Vec::new();
        let mut anywhere = Vec::new();
        if !experts.is_empty() {
            for pattern in patterns {
                let whole = compile(pattern, &names, true).map_err(bad)?;
                compiled.push(Regex::new(&whole).map_err(|e| bad(e.to_string()))?);
                anywhere.push(compile(pattern, &names, false).map_err(bad)?);
            }
        }
        let prefilter = if anywhere.is_empty() {
            None
        } else {
            Some(regex::bytes::Regex::new(&anywhere.join("|")).map_err(|e| bad(e.to_string()))?)
        };
        Ok(Self {
            experts,
            patterns: compiled,
            prefilter,
            local_model,
        })
    }

    /// Whether this chat request escalates, and to whom: `Ok(None)` sends it to the local
    /// model; `Err` is a request that asked for an expert but cannot be escalated (the
    /// message says why, for the client to show).
    pub(crate) fn plan(&self, header: Option<&str>, body: &[u8]) -> Result<Option<Plan>, String> {
        let by_header = header.map(str::trim).filter(|h| !h.is_empty());
        if by_header.is_none() && !self.prefilter.as_ref().is_some_and(|p| p.is_match(body)) {
            return Ok(None);
        }
        let Ok(mut request) = serde_json::from_slice::<Value>(body) else {
            // Not JSON: the local model answers with its own error.
            return Ok(None);
        };
        let Some(messages) = request["messages"].as_array().cloned() else {
            return Ok(None);
        };
        let Some((last, earlier)) = messages.split_last() else {
            return Ok(None);
        };
        if last["role"] != "user" {
            return Ok(None);
        }
        let turn = text_of(last).unwrap_or_default();
        let expert = match by_header {
            Some(name) => name.to_owned(),
            None => match self
                .patterns
                .iter()
                .find_map(|p| p.captures(turn.trim()))
                .and_then(|c| c.name("expert"))
            {
                // Names match case-insensitively; the configured spelling is the key.
                Some(m) => self
                    .experts
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(m.as_str()))
                    .cloned()
                    .unwrap_or_else(|| m.as_str().to_owned()),
                None => return Ok(None),
            },
        };
        let Some(config) = self.experts.get(&expert) else {
            return Err(format!(
                "no expert named {expert:?} (configured: {}); add it under proxy.experts in pipeline.yaml",
                self.experts.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        // The conversation must end with the question, the local answer, then this turn.
        let Some((answer, before)) = earlier.split_last() else {
            return Err(format!(
                "nothing to escalate: {turn:?} must follow your local model's answer"
            ));
        };
        let Some(query_at) = before.iter().rposition(|m| m["role"] == "user") else {
            return Err(format!(
                "nothing to escalate: {turn:?} must follow a question and your local model's answer"
            ));
        };
        if answer["role"] != "assistant" || query_at + 1 != before.len() {
            return Err(format!(
                "nothing to escalate: {turn:?} must come right after your local model's answer to a question"
            ));
        }
        let query = text_of(&before[query_at]).unwrap_or_default();
        let local_answer = text_of(answer).unwrap_or_default();
        let client_model = request["model"].as_str().map(str::to_owned);
        // The expert answers the question afresh: the conversation up to the question,
        // without the local answer it is to replace or the escalation turn.
        request["messages"] = Value::Array(before.to_vec());
        if let Some(model) = &config.model {
            request["model"] = Value::String(model.clone());
        }
        Ok(Some(Plan {
            rescue: Rescue {
                query,
                local_answer,
                escalation: turn,
                expert_answer: String::new(),
                expert_model: Some(config.model.clone().unwrap_or_else(|| expert.clone())),
                expert,
                local_model: self.local_model.clone().or(client_model),
            },
            expert: config.clone(),
            request,
        }))
    }
}

/// The last chat exchange the local model answered, as `collect --last` escalates it.
#[derive(Debug, Clone)]
pub struct LastExchange {
    /// The request as the client sent it.
    pub request: Value,
    pub query: String,
    pub local_answer: String,
    pub local_model: Option<String>,
    /// `file:line` of its journal entry.
    pub location: String,
}

/// The newest exchange of the journal that went to the local model and got an answer
/// with text; `None` when there is none.
pub fn last_local_exchange(read: &crate::journal::JournalRead) -> Option<LastExchange> {
    read.exchanges.iter().rev().find_map(|e| {
        if e.request.escalated_to.is_some() || !e.request.path.contains("/chat/completions") {
            return None;
        }
        let answer = crate::assemble::assemble(e.response.as_ref()?.body.as_bytes()).ok()?;
        let local_answer = answer.choices.first()?.content.clone();
        let request: Value = serde_json::from_slice(e.request.body.as_bytes()).ok()?;
        let messages = request["messages"].as_array()?;
        let query = messages
            .iter()
            .rev()
            .find(|m| m["role"] == "user")
            .and_then(text_of)?;
        (!local_answer.trim().is_empty()).then(|| LastExchange {
            local_model: request["model"].as_str().map(str::to_owned),
            request: request.clone(),
            query,
            local_answer,
            location: e.location.clone(),
        })
    })
}

/// Asks `expert` the question of `request` (a chat request as the client sent it, the
/// model and streaming replaced) and returns its whole answer's text.
pub async fn consult(
    expert: &Expert,
    request: &Value,
    timeout: std::time::Duration,
) -> Result<String, String> {
    crate::install_crypto();
    let mut body = request.clone();
    if let Some(object) = body.as_object_mut() {
        object.insert("stream".into(), Value::Bool(false));
        object.remove("stream_options");
        if let Some(model) = &expert.model {
            object.insert("model".into(), Value::String(model.clone()));
        }
    }
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!(
        "{}/chat/completions",
        expert.upstream.url.trim_end_matches('/')
    );
    let mut call = client
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).map_err(|e| e.to_string())?);
    if let Some(key) = &expert.upstream.api_key {
        call = call.bearer_auth(key.expose());
    }
    let response = call
        .send()
        .await
        .map_err(|e| format!("{url} did not answer: {e}"))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("{url}: the answer broke off: {e}"))?;
    if !status.is_success() {
        let excerpt: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
        return Err(format!("{url} answered {status}: {excerpt}"));
    }
    let answer = crate::assemble::assemble(&bytes).map_err(|e| format!("{url}: {e}"))?;
    if !answer.is_whole() {
        return Err(format!(
            "{url}: the answer is not whole (finish reason {}); nothing was captured",
            answer
                .choices
                .first()
                .and_then(|c| c.finish_reason.clone())
                .unwrap_or_else(|| "missing".into())
        ));
    }
    answer
        .choices
        .into_iter()
        .next()
        .map(|c| c.content)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| format!("{url}: the answer has no text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escalator(patterns: &[&str]) -> Escalator {
        let expert = Expert {
            upstream: Upstream {
                url: "http://127.0.0.1:1/v1".into(),
                api_key: None,
            },
            model: Some("big-model".into()),
        };
        Escalator::new(
            BTreeMap::from([
                ("Claude".to_owned(), expert.clone()),
                ("gpt".to_owned(), expert),
            ]),
            &patterns.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>(),
            None,
        )
        .unwrap()
    }

    fn body(turns: &[(&str, &str)]) -> Vec<u8> {
        let messages: Vec<Value> = turns
            .iter()
            .map(|(role, text)| serde_json::json!({"role": role, "content": text}))
            .collect();
        serde_json::to_vec(
            &serde_json::json!({"model": "local", "stream": true, "messages": messages}),
        )
        .unwrap()
    }

    #[test]
    fn the_whole_turn_names_the_expert_in_any_case() {
        let e = escalator(&["consult {expert}", "ask {expert} instead"]);
        let conversation = |turn: &str| {
            body(&[
                ("system", "be brief"),
                ("user", "How do I inject a service?"),
                ("assistant", "Use \\Drupal::service()."),
                ("user", turn),
            ])
        };
        for turn in ["consult claude", "  CONSULT   Claude. ", "Ask gpt instead!"] {
            let plan = e.plan(None, &conversation(turn)).unwrap().expect(turn);
            assert_eq!(plan.rescue.query, "How do I inject a service?");
            assert_eq!(plan.rescue.local_answer, "Use \\Drupal::service().");
            assert_eq!(plan.rescue.escalation, turn);
            assert_eq!(plan.rescue.local_model.as_deref(), Some("local"));
            let sent = &plan.request;
            assert_eq!(sent["model"], "big-model");
            assert_eq!(sent["stream"], true);
            assert_eq!(
                sent["messages"].as_array().unwrap().len(),
                2,
                "system + question"
            );
        }
        assert_eq!(
            e.plan(None, &conversation("consult claude"))
                .unwrap()
                .unwrap()
                .rescue
                .expert,
            "Claude",
            "the configured spelling"
        );
        // Not the whole turn, or not an expert: the local model answers.
        for turn in [
            "please consult claude about this",
            "consult bard",
            "consult",
        ] {
            assert!(
                e.plan(None, &conversation(turn)).unwrap().is_none(),
                "{turn}"
            );
        }
    }

    #[test]
    fn the_header_escalates_and_bad_shapes_are_explained() {
        let e = escalator(&["consult {expert}"]);
        let good = body(&[
            ("user", "q"),
            ("assistant", "a"),
            ("user", "better, please"),
        ]);
        assert_eq!(
            e.plan(Some("gpt"), &good).unwrap().unwrap().rescue.expert,
            "gpt"
        );
        let err = e.plan(Some("bard"), &good).err().unwrap();
        assert!(err.contains("Claude, gpt"), "{err}");
        let first = body(&[("user", "consult claude")]);
        assert!(
            e.plan(None, &first)
                .err()
                .unwrap()
                .contains("nothing to escalate")
        );
        let no_answer = body(&[("user", "q"), ("user", "consult claude")]);
        assert!(e.plan(None, &no_answer).is_err());
        assert!(
            compile("ask the expert", "a", true)
                .err()
                .unwrap()
                .contains("{expert}")
        );
    }
}
