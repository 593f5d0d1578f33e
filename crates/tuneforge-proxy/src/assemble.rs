//! A chat completion put back together from the bytes the journal kept: a JSON answer, or
//! a stream of server-sent events reassembled by choice index (content, reasoning text and
//! tool-call arguments appended in order, the finish reason, the usage).

use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ToolCall {
    pub index: u64,
    pub id: Option<String>,
    pub name: String,
    pub arguments: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    pub index: u64,
    pub content: String,
    /// `reasoning_content` (llama.cpp, DeepSeek, vLLM) or `reasoning`.
    pub reasoning: String,
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assembled {
    pub model: Option<String>,
    /// By index.
    pub choices: Vec<Choice>,
    pub usage: Option<Value>,
    pub streamed: bool,
    /// A stream ended with `data: [DONE]`; a JSON answer parsed whole.
    pub done: bool,
    /// An error object the upstream sent instead of (or in the middle of) an answer.
    pub error: Option<Value>,
}

impl Assembled {
    /// Whether the answer is whole: the stream or JSON ended properly, no error, and every
    /// choice finished by itself (`stop` or `tool_calls`), not at the token limit.
    pub fn is_whole(&self) -> bool {
        self.done
            && self.error.is_none()
            && !self.choices.is_empty()
            && self.choices.iter().all(|c| {
                matches!(
                    c.finish_reason.as_deref(),
                    Some("stop" | "tool_calls" | "function_call" | "eos")
                )
            })
    }

    fn choice(&mut self, index: u64) -> &mut Choice {
        let at = match self.choices.iter().position(|c| c.index == index) {
            Some(at) => at,
            None => {
                self.choices.push(Choice {
                    index,
                    ..Choice::default()
                });
                self.choices.sort_by_key(|c| c.index);
                self.choices
                    .iter()
                    .position(|c| c.index == index)
                    .unwrap_or(0)
            }
        };
        &mut self.choices[at]
    }

    /// One chunk of a stream, or a whole answer (`message` instead of `delta`).
    fn absorb(&mut self, chunk: &Value) {
        if let Some(model) = chunk["model"].as_str() {
            self.model = Some(model.to_owned());
        }
        if chunk.get("error").is_some_and(|e| !e.is_null()) {
            self.error = Some(chunk["error"].clone());
        }
        if chunk.get("usage").is_some_and(|u| !u.is_null()) {
            self.usage = Some(chunk["usage"].clone());
        }
        for c in chunk["choices"].as_array().into_iter().flatten() {
            let index = c["index"].as_u64().unwrap_or(0);
            let part = if c.get("delta").is_some() {
                &c["delta"]
            } else {
                &c["message"]
            };
            let choice = self.choice(index);
            if let Some(text) = part["content"].as_str() {
                choice.content.push_str(text);
            }
            for key in ["reasoning_content", "reasoning"] {
                if let Some(text) = part[key].as_str() {
                    choice.reasoning.push_str(text);
                }
            }
            for (position, call) in part["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                // Streams number their calls; a whole message lists them in order.
                let call_index = call["index"].as_u64().unwrap_or(position as u64);
                let at = match choice.tool_calls.iter().position(|t| t.index == call_index) {
                    Some(at) => at,
                    None => {
                        choice.tool_calls.push(ToolCall {
                            index: call_index,
                            ..ToolCall::default()
                        });
                        choice.tool_calls.len() - 1
                    }
                };
                let tool = &mut choice.tool_calls[at];
                if let Some(id) = call["id"].as_str() {
                    tool.id = Some(id.to_owned());
                }
                if let Some(name) = call["function"]["name"].as_str() {
                    tool.name.push_str(name);
                }
                if let Some(arguments) = call["function"]["arguments"].as_str() {
                    tool.arguments.push_str(arguments);
                }
            }
            if let Some(reason) = c["finish_reason"].as_str() {
                choice.finish_reason = Some(reason.to_owned());
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    #[error("the answer is neither JSON nor server-sent events: {0}")]
    NotAnAnswer(String),
    #[error("event {event} of the stream is not JSON: {message}")]
    BadEvent { event: usize, message: String },
}

/// The events of a server-sent-events body: the `data:` lines of each, joined.
pub fn sse_events(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut events = Vec::new();
    let mut data: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            events.extend(data.take());
            continue;
        }
        if let Some(value) = line.strip_prefix("data:") {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            }
        }
    }
    // A last event without its blank line was cut short; it is still what was sent.
    events.extend(data);
    events
}

/// Reassembles an answer from its raw body.
pub fn assemble(body: &[u8]) -> Result<Assembled, AssembleError> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let mut out = Assembled::default();
    if body[start..].starts_with(b"{") {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| AssembleError::NotAnAnswer(e.to_string()))?;
        out.absorb(&value);
        out.done = true;
        return Ok(out);
    }
    if !(body[start..].starts_with(b"data:")
        || body[start..].starts_with(b":")
        || body[start..].starts_with(b"event:"))
    {
        let excerpt: String = String::from_utf8_lossy(&body[start..])
            .chars()
            .take(80)
            .collect();
        return Err(AssembleError::NotAnAnswer(excerpt));
    }
    out.streamed = true;
    for (n, event) in sse_events(body).iter().enumerate() {
        if event.trim() == "[DONE]" {
            out.done = true;
            continue;
        }
        let value: Value = serde_json::from_str(event).map_err(|e| AssembleError::BadEvent {
            event: n + 1,
            message: e.to_string(),
        })?;
        out.absorb(&value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_put_back_together_by_choice_and_call() {
        let body = concat!(
            "data: {\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"think\"}}]}\n\n",
            "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"B\"}},{\"index\":0,\"delta\":{\"content\":\"He\"}}]}\n\n",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"llo\",\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get\",\"arguments\":\"{\\\"a\\\":\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: {\"choices\":[{\"index\":1,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n",
            "data: [DONE]\n\n"
        );
        let a = assemble(body.as_bytes()).unwrap();
        assert!(a.streamed && a.done);
        assert_eq!(a.model.as_deref(), Some("m"));
        assert_eq!(a.choices.len(), 2);
        let first = &a.choices[0];
        assert_eq!(first.content, "Hello");
        assert_eq!(first.reasoning, "think");
        assert_eq!(first.tool_calls.len(), 1);
        assert_eq!(first.tool_calls[0].name, "get");
        assert_eq!(first.tool_calls[0].arguments, "{\"a\":1}");
        assert_eq!(first.tool_calls[0].id.as_deref(), Some("c1"));
        assert_eq!(a.choices[1].content, "B");
        assert_eq!(a.usage.as_ref().unwrap()["completion_tokens"], 4);
        assert!(!a.is_whole(), "choice 1 stopped at the token limit");
    }

    #[test]
    fn whole_and_cut_answers_are_told_apart() {
        let json = br#"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"total_tokens":5}}"#;
        let a = assemble(json).unwrap();
        assert!(!a.streamed && a.is_whole());
        assert_eq!(a.choices[0].content, "Hi");

        // No [DONE]: the stream broke off.
        let cut = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":\"stop\"}]}\n\n";
        assert!(!assemble(cut).unwrap().is_whole());
        // CRLF line ends and multi-line data are still events.
        let crlf = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\r\ndata: \"finish_reason\":\"stop\"}]}\r\n\r\ndata: [DONE]\r\n\r\n";
        let a = assemble(crlf).unwrap();
        assert!(a.is_whole(), "{a:?}");
        // An error in the stream.
        let error = b"data: {\"error\":{\"message\":\"boom\"}}\n\ndata: [DONE]\n\n";
        assert!(!assemble(error).unwrap().is_whole());
        assert!(matches!(
            assemble(b"<html>502</html>"),
            Err(AssembleError::NotAnAnswer(_))
        ));
    }
}
