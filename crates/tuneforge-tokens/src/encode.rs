//! Tokenize rendered chats and build labels: token ids for every token, the loss only on
//! the assistant turns a sample trains.
//!
//! * Text is encoded with `add_special_tokens = false`, as `apply_chat_template` does: the
//!   template already wrote every control token.
//! * `labels[i] = input_ids[i]` for tokens that overlap a trained span (the answer and its
//!   end-of-turn token, see [`ChatTemplate::render_chat`]); `-100` elsewhere. Labels are
//!   not shifted: the model shifts them.
//! * Control-token injection: user text such as `<|im_end|>` would tokenize to the real
//!   control token (in Rust and Python alike) and let data forge turn boundaries. The
//!   [`SpecialTokenPolicy`] rejects such samples or breaks the string.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use thiserror::Error;
use tuneforge_core::records::{Sample, TrainOn};

use crate::PrepReporter;
use crate::byte_level::{self, ByteLevelPlan};
use crate::template::{ChatTemplate, TemplateError, TrainTurns};

/// The label of tokens without loss (PyTorch's `ignore_index`).
pub const IGNORE_INDEX: i64 = -100;

/// Inserted after the first character of a control-token string found in content under
/// [`SpecialTokenPolicy::Escape`]. ZERO WIDTH SPACE is invisible when the text is read,
/// is not whitespace to Python or Rust (so `strip()` in templates leaves it alone) and
/// never occurs inside a control token, so the escaped string can no longer match one.
pub const ESCAPE_CHAR: char = '\u{200B}';

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpecialTokenPolicy {
    /// Reject samples whose text contains a control-token string (the default: such data
    /// is usually an artefact of scraping chat logs, and silently altering it hides that).
    #[default]
    Reject,
    /// Break each occurrence with [`ESCAPE_CHAR`] after its first character, so it is
    /// tokenized as ordinary text.
    Escape,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverLength {
    /// Drop samples longer than `max_seq_len` (the default: a cut answer teaches the model
    /// to stop mid-sentence without its end-of-turn token).
    #[default]
    Drop,
    /// Keep the first `max_seq_len` tokens, if at least one trained token remains.
    Truncate,
}

/// How samples become training tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepConfig {
    /// Longest document and longest packed row, in tokens.
    pub max_seq_len: usize,
    pub special_tokens: SpecialTokenPolicy,
    pub over_length: OverLength,
}

impl PrepConfig {
    pub fn new(max_seq_len: usize) -> Self {
        Self {
            max_seq_len,
            special_tokens: SpecialTokenPolicy::default(),
            over_length: OverLength::default(),
        }
    }
}

#[derive(Debug, Error)]
pub enum TokenizerError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a tokenizer.json the tokenizers library can load: {message}")]
    Load { path: PathBuf, message: String },
}

/// A `tokenizer.json` loaded for data prep, with what manifests and the injection policy
/// need: its blake3 and its added-token strings.
pub struct PrepTokenizer {
    inner: tokenizers::Tokenizer,
    /// Set when `encode` can take the byte-level route (same result, less plumbing).
    byte_level: Option<ByteLevelPlan>,
    json_blake3: String,
    /// Contents of all added tokens (special or not), longest first.
    added_tokens: Vec<String>,
}

impl std::fmt::Debug for PrepTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrepTokenizer")
            .field("json_blake3", &self.json_blake3)
            .field("added_tokens", &self.added_tokens.len())
            .finish_non_exhaustive()
    }
}

impl PrepTokenizer {
    /// Load `<dir>/tokenizer.json`.
    pub fn from_model_dir(dir: &Path) -> Result<Self, TokenizerError> {
        Self::from_file(&dir.join("tokenizer.json"))
    }

    pub fn from_file(path: &Path) -> Result<Self, TokenizerError> {
        let bytes = std::fs::read(path).map_err(|source| TokenizerError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes).map_err(|message| TokenizerError::Load {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Load from the bytes of a `tokenizer.json`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut inner = tokenizers::Tokenizer::from_bytes(bytes).map_err(|e| e.to_string())?;
        // A tokenizer.json may carry truncation/padding settings; transformers' chat path
        // does neither, and truncation here would cut documents silently.
        inner.with_truncation(None).map_err(|e| e.to_string())?;
        inner.with_padding(None);
        let mut added_tokens: Vec<String> = inner
            .get_added_tokens_decoder()
            .into_values()
            .map(|t| t.content)
            .filter(|c| !c.is_empty())
            .collect();
        added_tokens.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        added_tokens.dedup();
        Ok(Self {
            byte_level: ByteLevelPlan::for_tokenizer(&inner),
            inner,
            json_blake3: blake3::hash(bytes).to_hex().to_string(),
            added_tokens,
        })
    }

    pub fn tokenizer(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }

    /// blake3 of the `tokenizer.json` bytes.
    pub fn json_blake3(&self) -> &str {
        &self.json_blake3
    }

    /// The strings of the tokenizer's added tokens (control tokens), longest first.
    pub fn added_tokens(&self) -> &[String] {
        &self.added_tokens
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// Token ids and byte offsets of `text`, without adding special tokens: exactly
    /// `Tokenizer::encode(text, false)`, through the byte-level route where the
    /// tokenizer allows it (see `byte_level.rs`).
    pub fn encode(&self, text: &str) -> Result<TextEncoding, String> {
        match self.byte_level {
            Some(plan) => byte_level::encode(&self.inner, plan, text),
            None => self.encode_with_library(text),
        }
    }

    /// `encode` through `Tokenizer::encode` alone, whatever the tokenizer.
    pub fn encode_with_library(&self, text: &str) -> Result<TextEncoding, String> {
        let enc = self.inner.encode(text, false).map_err(|e| e.to_string())?;
        Ok(TextEncoding {
            ids: enc.get_ids().to_vec(),
            offsets: enc.get_offsets().to_vec(),
        })
    }
}

/// Token ids of a text and, per token, the byte range of the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEncoding {
    pub ids: Vec<u32>,
    pub offsets: Vec<(usize, usize)>,
}

/// A conversation tokenized with its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenizedChat {
    pub text: String,
    pub input_ids: Vec<u32>,
    pub labels: Vec<i64>,
}

impl TokenizedChat {
    pub fn trained_tokens(&self) -> usize {
        self.labels.iter().filter(|l| **l != IGNORE_INDEX).count()
    }
}

#[derive(Debug, Error)]
pub enum EncodeError {
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the tokenizer failed: {0}")]
    Tokenizer(String),
}

/// Render, tokenize and label a conversation. No injection policy is applied here (see
/// [`encode_sample`]), so the result is exactly transformers' for the same input.
pub fn tokenize_chat(
    template: &ChatTemplate,
    tokenizer: &PrepTokenizer,
    messages: &[Json],
    tools: Option<&[Json]>,
    add_generation_prompt: bool,
    turns: TrainTurns,
) -> Result<TokenizedChat, EncodeError> {
    let rendered = template.render_chat(messages, tools, add_generation_prompt, turns)?;
    let TextEncoding {
        ids: input_ids,
        offsets,
    } = tokenizer
        .encode(&rendered.text)
        .map_err(EncodeError::Tokenizer)?;
    let labels = input_ids
        .iter()
        .zip(&offsets)
        .map(|(&id, &(start, end))| {
            let trained = rendered
                .assistant_spans
                .iter()
                .any(|s| start < s.end && end > s.start);
            if trained { i64::from(id) } else { IGNORE_INDEX }
        })
        .collect();
    Ok(TokenizedChat {
        text: rendered.text,
        input_ids,
        labels,
    })
}

/// Why a sample was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Its text contains a control-token string (policy `reject`, or a one-character
    /// token that cannot be escaped).
    SpecialToken,
    /// The chat template refused or could not render it.
    Template,
    /// The tokenizer failed on it.
    Tokenizer,
    /// It has no assistant turn to train, so no token carries a loss.
    NoTrainedTokens,
    /// Longer than `max_seq_len` (policy `drop`), or nothing trained survived truncation.
    OverLength,
}

/// A rejected sample, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub id: String,
    pub reason: RejectReason,
    pub detail: String,
}

/// One sample's training tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedSample {
    pub id: String,
    pub input_ids: Vec<u32>,
    pub labels: Vec<i64>,
}

impl EncodedSample {
    pub fn len(&self) -> usize {
        self.input_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.input_ids.is_empty()
    }

    pub fn trained_tokens(&self) -> usize {
        self.labels.iter().filter(|l| **l != IGNORE_INDEX).count()
    }
}

/// Counts of one encoding run. Maps are ordered, so serialized stats are deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrepStats {
    pub samples_in: u64,
    pub encoded: u64,
    /// Rejections by reason, over-length drops included.
    pub rejected: BTreeMap<RejectReason, u64>,
    pub truncated: u64,
    pub dropped_over_length: u64,
    pub tokens: u64,
    pub trained_tokens: u64,
}

/// The samples that made it, in input order, and the ones that did not.
#[derive(Debug, Clone, Default)]
pub struct EncodeOutcome {
    pub samples: Vec<EncodedSample>,
    pub rejections: Vec<Rejection>,
    pub stats: PrepStats,
}

/// What happened to one sample.
#[derive(Debug, Clone)]
pub enum SampleResult {
    Encoded {
        sample: EncodedSample,
        truncated: bool,
    },
    Rejected(Rejection),
}

fn find_control_token<'a>(text: &str, tokens: &'a [String]) -> Option<&'a str> {
    tokens
        .iter()
        .find(|t| text.contains(t.as_str()))
        .map(String::as_str)
}

/// Apply the injection policy to one string. `Err(token)` when it cannot be used.
fn police(
    text: &str,
    tokens: &[String],
    policy: SpecialTokenPolicy,
) -> Result<Option<String>, String> {
    let Some(found) = find_control_token(text, tokens) else {
        return Ok(None);
    };
    if policy == SpecialTokenPolicy::Reject {
        return Err(found.to_owned());
    }
    let mut out = text.to_owned();
    // Each pass breaks every occurrence of one token; a token that still matches after
    // being broken (one character long) cannot be escaped.
    for _ in 0..=tokens.len() {
        let Some(token) = find_control_token(&out, tokens) else {
            return Ok(Some(out));
        };
        let mut chars = token.chars();
        let first = chars.next().unwrap_or_default();
        let rest = chars.as_str();
        if rest.is_empty() {
            return Err(token.to_owned());
        }
        out = out.replace(token, &format!("{first}{ESCAPE_CHAR}{rest}"));
    }
    Err(find_control_token(&out, tokens)
        .unwrap_or_default()
        .to_owned())
}

/// A [`Sample`]'s messages as the JSON objects templates receive.
pub fn sample_messages(sample: &Sample) -> Vec<Json> {
    sample
        .messages
        .iter()
        .map(|m| json!({"role": m.role.as_str(), "content": m.content}))
        .collect()
}

/// Encode one sample under `config`: injection policy, render + tokenize + label, the
/// zero-trained-token check and the over-length policy.
pub fn encode_sample(
    template: &ChatTemplate,
    tokenizer: &PrepTokenizer,
    sample: &Sample,
    config: &PrepConfig,
) -> SampleResult {
    let reject = |reason, detail: String| {
        SampleResult::Rejected(Rejection {
            id: sample.id.clone(),
            reason,
            detail,
        })
    };
    let mut messages = sample_messages(sample);
    for (index, (m, original)) in messages.iter_mut().zip(&sample.messages).enumerate() {
        match police(
            &original.content,
            tokenizer.added_tokens(),
            config.special_tokens,
        ) {
            Ok(None) => {}
            Ok(Some(escaped)) => m["content"] = Json::String(escaped),
            Err(token) => {
                return reject(
                    RejectReason::SpecialToken,
                    format!(
                        "message {index} ({}) contains the control token {token:?}; remove it, or prepare with the escape policy",
                        original.role.as_str()
                    ),
                );
            }
        }
    }
    let turns = match sample.train_on {
        TrainOn::AllAssistant => TrainTurns::All,
        TrainOn::LastAssistant => TrainTurns::Last,
    };
    let chat = match tokenize_chat(template, tokenizer, &messages, None, false, turns) {
        Ok(c) => c,
        Err(EncodeError::Template(e)) => return reject(RejectReason::Template, e.to_string()),
        Err(EncodeError::Tokenizer(e)) => return reject(RejectReason::Tokenizer, e),
    };
    if chat.trained_tokens() == 0 {
        return reject(
            RejectReason::NoTrainedTokens,
            "no assistant turn to train: add an assistant answer".into(),
        );
    }
    let TokenizedChat {
        mut input_ids,
        mut labels,
        ..
    } = chat;
    let len = input_ids.len();
    let mut truncated = false;
    if len > config.max_seq_len {
        match config.over_length {
            OverLength::Drop => {
                return reject(
                    RejectReason::OverLength,
                    format!(
                        "{len} tokens, more than max_seq_len {}; raise max_seq_len or prepare with the truncate policy",
                        config.max_seq_len
                    ),
                );
            }
            OverLength::Truncate => {
                input_ids.truncate(config.max_seq_len);
                labels.truncate(config.max_seq_len);
                if labels.iter().all(|l| *l == IGNORE_INDEX) {
                    return reject(
                        RejectReason::OverLength,
                        format!(
                            "{len} tokens, and the first max_seq_len {} hold no trained token; raise max_seq_len or shorten the prompt",
                            config.max_seq_len
                        ),
                    );
                }
                truncated = true;
            }
        }
    }
    SampleResult::Encoded {
        sample: EncodedSample {
            id: sample.id.clone(),
            input_ids,
            labels,
        },
        truncated,
    }
}

/// Encode many samples on all cores. Output order is input order.
pub fn encode_samples(
    template: &ChatTemplate,
    tokenizer: &PrepTokenizer,
    samples: &[Sample],
    config: &PrepConfig,
    reporter: &dyn PrepReporter,
) -> EncodeOutcome {
    let results: Vec<SampleResult> = samples
        .par_iter()
        .map(|s| {
            let r = encode_sample(template, tokenizer, s, config);
            reporter.samples_done(1);
            r
        })
        .collect();
    let mut out = EncodeOutcome::default();
    out.stats.samples_in = samples.len() as u64;
    for r in results {
        match r {
            SampleResult::Encoded { sample, truncated } => {
                out.stats.encoded += 1;
                out.stats.truncated += u64::from(truncated);
                out.stats.tokens += sample.len() as u64;
                out.stats.trained_tokens += sample.trained_tokens() as u64;
                out.samples.push(sample);
            }
            SampleResult::Rejected(rej) => {
                if rej.reason == RejectReason::OverLength {
                    out.stats.dropped_over_length += 1;
                }
                *out.stats.rejected.entry(rej.reason).or_default() += 1;
                out.rejections.push(rej);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_breaks_every_occurrence() {
        let tokens = vec!["<|im_end|>".to_owned(), "</s>".to_owned()];
        let out = police(
            "a<|im_end|>b</s><|im_end|>",
            &tokens,
            SpecialTokenPolicy::Escape,
        )
        .unwrap()
        .unwrap();
        assert_eq!(out, "a<\u{200b}|im_end|>b<\u{200b}/s><\u{200b}|im_end|>");
        assert!(find_control_token(&out, &tokens).is_none());
        assert_eq!(
            police("x</s>", &tokens, SpecialTokenPolicy::Reject),
            Err("</s>".to_owned())
        );
        assert_eq!(
            police("clean", &tokens, SpecialTokenPolicy::Reject),
            Ok(None)
        );
        let single = vec!["§".to_owned()];
        assert_eq!(
            police("a§", &single, SpecialTokenPolicy::Escape),
            Err("§".to_owned())
        );
    }
}
