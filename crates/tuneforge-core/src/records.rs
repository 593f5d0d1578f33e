//! The records that flow through the pipeline.
//!
//! * [`Interaction`]: one captured weak-spot interaction in `raw/interactions.jsonl`, in the
//!   four-message shape (query, local answer, escalation, expert answer).
//! * [`Sample`]: the canonical training sample from `generate`/`process` onwards.
//!
//! Field order in these structs is the order on disk: serialization is deterministic by
//! construction, which byte-identical datasets depend on.

use serde::{Deserialize, Serialize};

use crate::hash::hash_bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
        }
    }
}

/// `metadata.source` of interactions typed in through `tuneforge collect`.
pub const SOURCE_MANUAL: &str = "manual-expert-consultation";
/// `metadata.source` of interactions captured by the proxy.
pub const SOURCE_PROXY: &str = "proxy-capture";

/// A captured interaction as stored in `raw/interactions.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    pub messages: Vec<Message>,
    pub metadata: InteractionMetadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionMetadata {
    pub domain: String,
    pub local_model: Option<String>,
    pub expert_model: Option<String>,
    /// The local model's LoRA adapter when it answered, or null for the base model.
    pub adapter: Option<String>,
    /// Capture time, RFC 3339 UTC with milliseconds.
    pub timestamp: String,
    /// `int_<unix ms>_<8 hex>`.
    pub interaction_id: String,
    pub source: String,
}

/// What a review decided about a captured interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accept,
    Reject,
    /// Not decided (an earlier decision taken back).
    Pending,
}

/// One line of `raw/reviews.jsonl`: the whole state of one interaction's review, so the
/// last line for an interaction is all there is to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    pub interaction_id: String,
    pub verdict: Verdict,
    /// Another domain than the one detected at capture; `None` keeps it.
    #[serde(default)]
    pub domain: Option<String>,
    /// The expert answer as the reviewer edited it; `None` keeps the captured one.
    #[serde(default)]
    pub expert_answer: Option<String>,
    /// RFC 3339 UTC.
    pub time: String,
}

/// The last decision for each interaction in the bytes of `raw/reviews.jsonl`, with its
/// line; lines that are not decisions are returned by line, for the caller to report.
pub fn last_reviews(
    bytes: &[u8],
) -> (
    std::collections::HashMap<String, (u64, ReviewDecision)>,
    Vec<crate::jsonl::LineError>,
) {
    let mut reviews = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for line in crate::jsonl::split_lines(bytes) {
        match crate::jsonl::parse_line::<ReviewDecision>(&line) {
            Ok(d) => {
                reviews.insert(d.interaction_id.clone(), (line.number, d));
            }
            Err(e) => problems.push(e),
        }
    }
    (reviews, problems)
}

/// The escalation turn between the local and the expert answer.
pub fn escalation_text(expert_model: Option<&str>) -> String {
    format!("consult {}", expert_model.unwrap_or("expert"))
}

/// The roles of the four-message interaction shape, in order.
pub const INTERACTION_ROLES: [Role; 4] = [Role::User, Role::Assistant, Role::User, Role::Assistant];

impl Interaction {
    pub fn new(
        query: String,
        local_answer: String,
        expert_answer: String,
        metadata: InteractionMetadata,
    ) -> Self {
        let escalation = escalation_text(metadata.expert_model.as_deref());
        Self {
            messages: vec![
                Message::new(Role::User, query),
                Message::new(Role::Assistant, local_answer),
                Message::new(Role::User, escalation),
                Message::new(Role::Assistant, expert_answer),
            ],
            metadata,
        }
    }

    /// Check the four-message shape; the error says what is wrong.
    pub fn check_shape(&self) -> Result<(), String> {
        if self.messages.len() != 4 {
            return Err(format!(
                "expected 4 messages (query, local answer, escalation, expert answer), found {}",
                self.messages.len()
            ));
        }
        for (i, (m, want)) in self.messages.iter().zip(INTERACTION_ROLES).enumerate() {
            if m.role != want {
                return Err(format!(
                    "message {} has role {}, expected {}",
                    i + 1,
                    m.role.as_str(),
                    want.as_str()
                ));
            }
        }
        Ok(())
    }

    /// Query, local answer and expert answer. Only meaningful after [`Self::check_shape`].
    pub fn query(&self) -> &str {
        &self.messages[0].content
    }
    pub fn local_answer(&self) -> &str {
        &self.messages[1].content
    }
    pub fn expert_answer(&self) -> &str {
        &self.messages[3].content
    }
}

/// Which assistant turns of a sample are training targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainOn {
    AllAssistant,
    LastAssistant,
}

/// The canonical training sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// blake3 of the canonical JSON of `messages` ([`sample_id`]).
    pub id: String,
    pub messages: Vec<Message>,
    pub train_on: TrainOn,
    pub metadata: SampleMetadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleMetadata {
    pub domain: String,
    pub source: String,
    pub generator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expert_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction_id: Option<String>,
    /// Samples of one group (a source file joined with its duplicate cluster) never
    /// straddle splits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The `generator` of samples made from captured interactions.
pub const GENERATOR_INTERACTION: &str = "interaction";

/// blake3 of the canonical JSON (`[{"role":…,"content":…},…]`, no spaces) of `messages`.
pub fn sample_id(messages: &[Message]) -> String {
    let canonical = serde_json::to_vec(messages).expect("messages always serialize");
    hash_bytes(&canonical)
}

impl Sample {
    /// The sample an interaction becomes: all four messages, only the expert's answer
    /// trained.
    pub fn from_interaction(interaction: Interaction) -> Self {
        let Interaction { messages, metadata } = interaction;
        Self {
            id: sample_id(&messages),
            messages,
            train_on: TrainOn::LastAssistant,
            metadata: SampleMetadata {
                domain: metadata.domain,
                source: metadata.source,
                generator: GENERATOR_INTERACTION.to_owned(),
                license: None,
                timestamp: metadata.timestamp,
                local_model: metadata.local_model,
                expert_model: metadata.expert_model,
                adapter: metadata.adapter,
                interaction_id: Some(metadata.interaction_id),
                group: None,
            },
        }
    }

    /// The first user turn.
    pub fn prompt(&self) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.role == Role::User)
            .map(|m| m.content.as_str())
    }

    /// The last assistant turn: the training target of a `last_assistant` sample.
    pub fn final_answer(&self) -> Option<&str> {
        self.messages
            .iter()
            .rev()
            .find(|m| m.role == Role::Assistant)
            .map(|m| m.content.as_str())
    }

    /// The answer a preference pair rejects: the first assistant turn of an interaction
    /// (the local model's), when the sample has a distinct final one.
    pub fn rejected_answer(&self) -> Option<&str> {
        if self.metadata.generator != GENERATOR_INTERACTION {
            return None;
        }
        let assistants: Vec<_> = self
            .messages
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .collect();
        (assistants.len() >= 2).then(|| assistants[0].content.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> InteractionMetadata {
        InteractionMetadata {
            domain: "general-coding".into(),
            local_model: Some("qwen".into()),
            expert_model: Some("claude".into()),
            adapter: None,
            timestamp: "2026-03-01T00:00:00.000Z".into(),
            interaction_id: "int_1_00000000".into(),
            source: SOURCE_MANUAL.into(),
        }
    }

    #[test]
    fn interaction_serializes_in_design_shape() {
        let i = Interaction::new("q".into(), "l".into(), "e".into(), meta());
        let json = serde_json::to_string(&i).unwrap();
        assert_eq!(
            json,
            r#"{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"l"},{"role":"user","content":"consult claude"},{"role":"assistant","content":"e"}],"metadata":{"domain":"general-coding","local_model":"qwen","expert_model":"claude","adapter":null,"timestamp":"2026-03-01T00:00:00.000Z","interaction_id":"int_1_00000000","source":"manual-expert-consultation"}}"#
        );
        assert!(i.check_shape().is_ok());
    }

    #[test]
    fn sample_trains_only_the_expert_answer() {
        let s =
            Sample::from_interaction(Interaction::new("q".into(), "l".into(), "e".into(), meta()));
        assert_eq!(s.train_on, TrainOn::LastAssistant);
        assert_eq!(s.final_answer(), Some("e"));
        assert_eq!(s.rejected_answer(), Some("l"));
        assert_eq!(s.prompt(), Some("q"));
        assert_eq!(s.id, sample_id(&s.messages));
    }
}
