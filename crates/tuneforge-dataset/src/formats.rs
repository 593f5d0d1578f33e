//! Export formats of a split, beside the canonical samples.
//!
//! * messages: `{"messages": [...]}` for TRL / Axolotl `chat_template`. Those trainers
//!   train every assistant turn, so a `last_assistant` sample is exported as its prompt and
//!   final answer only: for an interaction, [query, expert answer].
//! * alpaca: `{"instruction", "input", "output"}`; the output is the trained answer.
//! * preference: `{"prompt", "chosen", "rejected"}` from samples that carry a rejected
//!   answer (interactions: the local model's).

use serde::Serialize;
use tuneforge_core::config::ExportFormat;
use tuneforge_core::records::{Message, Role, Sample, TrainOn};

#[derive(Serialize)]
struct MessagesRecord<'a> {
    messages: Vec<&'a Message>,
}

#[derive(Serialize)]
struct AlpacaRecord<'a> {
    instruction: &'a str,
    input: &'a str,
    output: &'a str,
}

#[derive(Serialize)]
struct PreferenceRecord<'a> {
    prompt: &'a str,
    chosen: &'a str,
    rejected: &'a str,
}

/// The messages a trainer that trains every assistant turn should see.
pub fn trainable_messages(sample: &Sample) -> Vec<&Message> {
    match sample.train_on {
        TrainOn::AllAssistant => sample.messages.iter().collect(),
        TrainOn::LastAssistant => {
            let system = sample.messages.iter().find(|m| m.role == Role::System);
            let prompt = sample.messages.iter().find(|m| m.role == Role::User);
            let answer = sample
                .messages
                .iter()
                .rev()
                .find(|m| m.role == Role::Assistant);
            system.into_iter().chain(prompt).chain(answer).collect()
        }
    }
}

/// Append `sample` in `format` as one line to `out`; false when the format has no record
/// for it (a preference pair needs a rejected answer).
pub fn write_record(format: ExportFormat, sample: &Sample, out: &mut Vec<u8>) -> bool {
    let ok = match format {
        ExportFormat::Messages => serde_json::to_writer(
            &mut *out,
            &MessagesRecord {
                messages: trainable_messages(sample),
            },
        )
        .is_ok(),
        ExportFormat::Alpaca => match (sample.prompt(), sample.final_answer()) {
            (Some(instruction), Some(output)) => serde_json::to_writer(
                &mut *out,
                &AlpacaRecord {
                    instruction,
                    input: "",
                    output,
                },
            )
            .is_ok(),
            _ => false,
        },
        ExportFormat::Preference => {
            match (
                sample.prompt(),
                sample.final_answer(),
                sample.rejected_answer(),
            ) {
                (Some(prompt), Some(chosen), Some(rejected)) => serde_json::to_writer(
                    &mut *out,
                    &PreferenceRecord {
                        prompt,
                        chosen,
                        rejected,
                    },
                )
                .is_ok(),
                _ => false,
            }
        }
    };
    if ok {
        out.push(b'\n');
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::records::{Interaction, InteractionMetadata};

    fn sample() -> Sample {
        Sample::from_interaction(Interaction::new(
            "query".into(),
            "local".into(),
            "expert".into(),
            InteractionMetadata {
                domain: "d".into(),
                local_model: None,
                expert_model: Some("big".into()),
                adapter: None,
                timestamp: "t".into(),
                interaction_id: "int_1_0".into(),
                source: "s".into(),
            },
        ))
    }

    fn line(format: ExportFormat) -> String {
        let mut out = Vec::new();
        assert!(write_record(format, &sample(), &mut out));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn only_the_expert_answer_is_a_target() {
        assert_eq!(
            line(ExportFormat::Messages),
            "{\"messages\":[{\"role\":\"user\",\"content\":\"query\"},{\"role\":\"assistant\",\"content\":\"expert\"}]}\n"
        );
        assert_eq!(
            line(ExportFormat::Alpaca),
            "{\"instruction\":\"query\",\"input\":\"\",\"output\":\"expert\"}\n"
        );
        assert_eq!(
            line(ExportFormat::Preference),
            "{\"prompt\":\"query\",\"chosen\":\"expert\",\"rejected\":\"local\"}\n"
        );
    }
}
