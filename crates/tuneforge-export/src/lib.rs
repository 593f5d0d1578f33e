//! Export engines: what turns a trained adapter into something people run.
//!
//! * [`adapter`]: a PEFT LoRA adapter read for merging (scales with rsLoRA and the rank and
//!   alpha patterns; DoRA, `modules_to_save`, biases and embedding adapters refused).
//! * [`merge`]: the adapter merged into its base, streaming shard by shard.
//! * [`gguf`]: GGUF files for llama.cpp: the merged model (quantized), or the adapter.
//! * [`ollama`]: an Ollama Modelfile whose template renders as training's did.
//! * [`vllm`]: whether vLLM applies the adapter as PEFT does.
//!
//! Nothing here prints or knows about workspaces: `tuneforge-model` finds the adapter and
//! its base and decides where the result goes.

pub mod adapter;
pub mod gguf;
mod kind;
pub mod merge;
pub mod ollama;
pub mod vllm;

use std::path::{Path, PathBuf};

/// What can go wrong exporting.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: {message}", path.display())]
    Adapter { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Weights { path: PathBuf, message: String },
    #[error("{message}")]
    Mismatch { message: String },
    #[error("{}: cannot write: {message}", path.display())]
    Write { path: PathBuf, message: String },
    #[error(transparent)]
    Io(#[from] tuneforge_core::fsio::IoError),
}

impl ExportError {
    fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io(tuneforge_core::fsio::IoError::new(action, path, source))
    }
}
