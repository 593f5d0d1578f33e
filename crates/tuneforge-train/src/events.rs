//! The worker protocol: what the Python worker tells tuneforge, one JSON object per line on
//! its stdout.
//!
//! These types are the protocol's definition. `python/events.schema.json` is generated from
//! them (a test fails when it is stale and rewrites it under `TUNEFORGE_BLESS=1`), and the
//! worker's tests validate every event they see against it. A change that breaks old
//! readers bumps [`PROTOCOL_VERSION`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `v` of every event and `protocol` of every run spec.
pub const PROTOCOL_VERSION: u32 = 1;

/// One line of the worker's stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(title = "tuneforge worker event")]
pub struct Envelope {
    /// Protocol version ([`PROTOCOL_VERSION`]).
    pub v: u32,
    /// Unix time in seconds.
    pub time: f64,
    #[serde(flatten)]
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The model is loaded and training begins.
    Started {
        /// `trl` or `unsloth`.
        backend: String,
        /// `cpu` or `cuda`.
        device: String,
        total_steps: u64,
        trainable_params: u64,
        total_params: u64,
        resumed_from_step: Option<u64>,
        world_size: u32,
    },
    /// One optimizer step.
    Step {
        step: u64,
        epoch: f64,
        loss: f64,
        learning_rate: f64,
        grad_norm: Option<f64>,
        /// Input tokens seen so far on this process.
        tokens: u64,
        tokens_per_second: f64,
    },
    /// Loss on the valid split.
    Eval { step: u64, eval_loss: f64 },
    /// A checkpoint `--resume` can continue from.
    Checkpoint { step: u64, path: String },
    /// The adapter is saved.
    Finished {
        step: u64,
        train_loss: f64,
        adapter_dir: String,
        runtime_seconds: f64,
    },
    /// `generate`: the model (and adapter) is loaded; `total` requests are left to answer.
    GenerationStarted {
        /// `cpu` or `cuda`.
        device: String,
        total: u64,
    },
    /// `generate`: a batch of answers was appended to the output file.
    Generated {
        /// Requests answered so far in this process.
        done: u64,
        total: u64,
        /// New tokens generated so far in this process.
        new_tokens: u64,
        tokens_per_second: f64,
    },
    /// `generate`: every request is answered.
    GenerationFinished {
        generated: u64,
        runtime_seconds: f64,
    },
    /// `score`: the mean loss over the trained tokens of a token file, and its exponent.
    Scored {
        documents: u64,
        /// Tokens with a label (the trained spans).
        tokens: u64,
        loss: f64,
        perplexity: f64,
    },
    /// The run stopped; `kind` says why.
    Error {
        kind: ErrorKind,
        message: String,
        step: Option<u64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Out of memory: tuneforge retries with a smaller micro-batch.
    Oom,
    /// Ctrl-C: a checkpoint was saved first.
    Interrupted,
    /// The run spec is wrong.
    Config,
    /// The token data is unreadable or inconsistent.
    Data,
    /// Anything else (a bug, a library failure).
    Internal,
}

/// The schema as checked in at `python/events.schema.json`.
pub fn schema_json() -> String {
    let mut schema = serde_json::to_value(schemars::schema_for!(Envelope)).expect("a schema");
    // The envelope's keys and the chosen variant's are all there is: a key the types do not
    // know is an error (serde's flatten cannot say so, the 2020-12 keyword can).
    schema["unevaluatedProperties"] = serde_json::Value::Bool(false);
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

/// Parses one line of worker output.
pub fn parse_line(line: &str) -> Result<Envelope, String> {
    let envelope: Envelope = serde_json::from_str(line).map_err(|e| e.to_string())?;
    if envelope.v != PROTOCOL_VERSION {
        return Err(format!(
            "protocol version {} (this tuneforge speaks {PROTOCOL_VERSION}): the worker and the binary are from different releases; rerun `tuneforge setup`",
            envelope.v
        ));
    }
    Ok(envelope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../python/events.schema.json");
        let current = schema_json();
        if std::env::var_os("TUNEFORGE_BLESS").is_some() {
            std::fs::write(&path, &current).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == current,
            "python/events.schema.json is stale: run `TUNEFORGE_BLESS=1 cargo test -p tuneforge-train events` and commit it"
        );
    }

    #[test]
    fn events_round_trip_and_other_versions_are_refused() {
        let line = r#"{"v":1,"time":1.5,"event":"step","step":3,"epoch":0.5,"loss":2.25,"learning_rate":0.0001,"grad_norm":null,"tokens":4096,"tokens_per_second":512.0}"#;
        let envelope = parse_line(line).unwrap();
        assert!(matches!(envelope.event, Event::Step { step: 3, .. }));
        assert_eq!(serde_json::to_string(&envelope).unwrap(), line);
        let error = r#"{"v":1,"time":2.0,"event":"error","kind":"oom","message":"CUDA out of memory","step":7}"#;
        assert!(matches!(
            parse_line(error).unwrap().event,
            Event::Error {
                kind: ErrorKind::Oom,
                step: Some(7),
                ..
            }
        ));
        let err = parse_line(&line.replace("\"v\":1", "\"v\":2")).unwrap_err();
        assert!(err.contains("protocol version 2"), "{err}");
        assert!(parse_line("Loading checkpoint shards…").is_err());
    }
}
