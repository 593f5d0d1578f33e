//! Rust data prep for LoRA training: chat samples in, exactly the token data the Python
//! trainer sees out.
//!
//! * [`template`]: chat templates rendered byte for byte as transformers'
//!   `apply_chat_template` does, and where each trained assistant turn sits.
//! * [`encode`]: tokenization with `tokenizers`, labels only on trained assistant turns,
//!   the control-token and over-length policies.
//! * [`pack`](mod@pack): padding-free packing of whole documents into rows.
//! * [`write`](mod@write): `<split>.safetensors` and the `tokens.json` manifest.
//!
//! [`prepare`] runs all four for a dataset's splits. Nothing here prints: progress goes
//! through a [`PrepReporter`], problems come back as values (rejections with their reason
//! and sample id, errors that say what to do).

mod byte_level;
pub mod encode;
mod kind;
pub mod pack;
pub mod template;
pub mod write;

use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use thiserror::Error;
use tuneforge_core::records::Sample;
use tuneforge_core::reporter::{Reporter, Task};

pub use encode::{
    EncodeOutcome, EncodedSample, IGNORE_INDEX, OverLength, PrepConfig, PrepStats, PrepTokenizer,
    RejectReason, Rejection, SpecialTokenPolicy, TextEncoding, TokenizedChat, TokenizerError,
    encode_sample, encode_samples, sample_messages, tokenize_chat,
};
pub use pack::{PackError, Packed, PackedRow, pack};
pub use template::{ChatTemplate, RenderedChat, SpanMethod, TemplateError, TrainTurns};
pub use write::{
    SplitManifest, TokensManifest, WriteError, read_manifest, read_split, write_manifest,
    write_split,
};

/// Progress of [`prepare`]. All methods default to doing nothing; `samples_done` is called
/// from worker threads.
pub trait PrepReporter: Sync {
    /// A split starts encoding `samples` samples.
    fn split_started(&self, _split: &str, _samples: usize) {}
    /// `n` more samples were encoded (or rejected).
    fn samples_done(&self, _n: usize) {}
    /// A split's file is written.
    fn split_finished(&self, _split: &SplitManifest) {}
}

/// Reports nothing.
pub struct NoProgress;

impl PrepReporter for NoProgress {}

/// Forwards progress to the project's [`Reporter`]: one task per split, advanced per
/// sample, and an info line when the split is written.
pub struct ReporterProgress<'a> {
    reporter: &'a dyn Reporter,
    task: Mutex<Option<Box<dyn Task + 'a>>>,
}

impl<'a> ReporterProgress<'a> {
    pub fn new(reporter: &'a dyn Reporter) -> Self {
        Self {
            reporter,
            task: Mutex::new(None),
        }
    }

    fn finish_task(&self) {
        if let Some(task) = self.task.lock().ok().and_then(|mut t| t.take()) {
            task.finish();
        }
    }
}

impl PrepReporter for ReporterProgress<'_> {
    fn split_started(&self, split: &str, samples: usize) {
        self.finish_task();
        let task = self
            .reporter
            .task(&format!("tokenize {split}"), Some(samples as u64));
        if let Ok(mut slot) = self.task.lock() {
            *slot = Some(task);
        }
    }

    fn samples_done(&self, n: usize) {
        if let Ok(slot) = self.task.lock()
            && let Some(task) = slot.as_ref()
        {
            task.advance(n as u64);
        }
    }

    fn split_finished(&self, split: &SplitManifest) {
        self.finish_task();
        self.reporter.info(&format!(
            "{}: {} of {} samples, {} rows, {} tokens ({} trained), packing efficiency {:.1}%",
            split.name,
            split.encoded,
            split.samples,
            split.rows,
            split.tokens,
            split.trained_tokens,
            split.packing_efficiency * 100.0
        ));
    }
}

impl Drop for ReporterProgress<'_> {
    fn drop(&mut self) {
        self.finish_task();
    }
}

/// The samples of one named split.
#[derive(Debug, Clone, Copy)]
pub struct SplitSamples<'a> {
    /// `train`, `valid`, `test`, …: letters, digits, `-` and `_` (it names a file).
    pub name: &'a str,
    pub samples: &'a [Sample],
}

/// A rejected sample and its split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRejection {
    pub split: String,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// What [`prepare`] wrote, and the samples it left out.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub manifest: TokensManifest,
    pub rejections: Vec<SplitRejection>,
}

#[derive(Debug, Error)]
pub enum PrepError {
    #[error("max_seq_len must be at least 1")]
    ZeroMaxLen,
    #[error("no split has samples: give at least one non-empty split")]
    NoSamples,
    #[error("split name {0:?} is not a plain file name: use letters, digits, '-' and '_'")]
    BadSplitName(String),
    #[error("split {0:?} is given twice")]
    DuplicateSplit(String),
    #[error(
        "every one of the {samples} samples of split {split:?} was rejected; the first ({id}): {detail}"
    )]
    AllRejected {
        split: String,
        samples: usize,
        id: String,
        detail: String,
    },
    #[error(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

fn valid_split_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Where the template came from, without machine-specific paths.
fn origin_label(template: &ChatTemplate) -> String {
    match template.origin() {
        template::TemplateOrigin::File(p) => p
            .file_name()
            .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned()),
        template::TemplateOrigin::TokenizerConfig(_) => {
            "tokenizer_config.json#chat_template".into()
        }
        template::TemplateOrigin::Inline => "inline".into(),
    }
}

/// Encode, pack and write every split into `out_dir`, then `tokens.json`.
///
/// Splits without samples are skipped (no file, not in the manifest). A split whose
/// samples are all rejected is an error, since training on nothing is never intended.
/// Split files are written atomically one by one and the manifest last.
pub fn prepare(
    out_dir: &Path,
    splits: &[SplitSamples<'_>],
    template: &ChatTemplate,
    tokenizer: &PrepTokenizer,
    config: &PrepConfig,
    reporter: &dyn PrepReporter,
) -> Result<Prepared, PrepError> {
    if config.max_seq_len == 0 {
        return Err(PrepError::ZeroMaxLen);
    }
    for (i, s) in splits.iter().enumerate() {
        if !valid_split_name(s.name) {
            return Err(PrepError::BadSplitName(s.name.to_owned()));
        }
        if splits[..i].iter().any(|o| o.name == s.name) {
            return Err(PrepError::DuplicateSplit(s.name.to_owned()));
        }
    }
    if splits.iter().all(|s| s.samples.is_empty()) {
        return Err(PrepError::NoSamples);
    }
    let mut manifest = TokensManifest {
        format: write::FORMAT.into(),
        tool_version: tuneforge_core::TOOL_VERSION.into(),
        template: write::TemplateManifest {
            origin: origin_label(template),
            source_blake3: template.source_blake3().into(),
            span_method: template.span_method(),
        },
        tokenizer: write::TokenizerManifest {
            tokenizer_json_blake3: tokenizer.json_blake3().into(),
            vocab_size: tokenizer.vocab_size(),
        },
        max_seq_len: config.max_seq_len,
        special_tokens: config.special_tokens,
        over_length: config.over_length,
        splits: Vec::new(),
    };
    let mut rejections = Vec::new();
    for split in splits.iter().filter(|s| !s.samples.is_empty()) {
        reporter.split_started(split.name, split.samples.len());
        let outcome = encode_samples(template, tokenizer, split.samples, config, reporter);
        if outcome.samples.is_empty() {
            let first = outcome.rejections.first();
            return Err(PrepError::AllRejected {
                split: split.name.into(),
                samples: split.samples.len(),
                id: first.map(|r| r.id.clone()).unwrap_or_default(),
                detail: first.map(|r| r.detail.clone()).unwrap_or_default(),
            });
        }
        let packed = pack(&outcome.samples, config.max_seq_len)?;
        let written = write_split(out_dir, split.name, &packed)?;
        let stats = &outcome.stats;
        let entry = SplitManifest {
            name: split.name.into(),
            file: write::split_file_name(split.name),
            file_blake3: written.blake3,
            file_bytes: written.bytes,
            samples: stats.samples_in,
            encoded: stats.encoded,
            rows: packed.rows.len() as u64,
            tokens: stats.tokens,
            trained_tokens: stats.trained_tokens,
            packing_efficiency: packed.efficiency(),
            truncated: stats.truncated,
            dropped_over_length: stats.dropped_over_length,
            rejected: stats.rejected.clone(),
        };
        reporter.split_finished(&entry);
        manifest.splits.push(entry);
        rejections.extend(
            outcome
                .rejections
                .into_iter()
                .map(|rejection| SplitRejection {
                    split: split.name.into(),
                    rejection,
                }),
        );
    }
    write_manifest(out_dir, &manifest)?;
    Ok(Prepared {
        manifest,
        rejections,
    })
}
