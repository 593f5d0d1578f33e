//! Training: everything around the forward/backward pass, which a Python
//! worker that tuneforge owns runs.
//!
//! * [`env`]: the worker's virtual environments (uv in a bootstrap venv, lock-keyed venvs
//!   that are never modified after creation) and how the worker is started.
//! * [`doctor`]: what this machine can train, from the worker's own probe.
//! * [`hub`]: model files from `HF_ENDPOINT` into the Hugging Face cache layout.
//! * [`registry`]: the models tuneforge knows by name, with their architecture numbers.
//! * [`profile`]: hardware profiles and the VRAM estimate both `doctor` and the README use.
//! * [`spec`]: the run spec the worker reads, and the precedence of settings.
//! * [`events`]: the worker's event protocol (its JSON Schema is generated from these types).
//! * [`generate`]: answers from a base model, with or without an adapter, through the worker.
//! * [`run`]: one training run in a given directory: tokens, the worker, its events,
//!   out-of-memory retries, Ctrl-C, and the [`run::RunRecord`] of a finished run.
//! * [`plot`]: the loss curve; [`tiny`]: a CPU-sized Qwen2 and its tokenizer.
//!
//! Where runs live in a workspace and how they are numbered is `tuneforge-model`'s part.

pub mod doctor;
pub mod env;
pub mod events;
pub mod generate;
pub mod hub;
mod kind;
pub mod plot;
pub mod profile;
pub mod registry;
pub mod run;
pub mod spec;
pub mod tiny;

/// The Python worker, embedded at build time (see `build.rs`): `(relative path, bytes)`.
pub(crate) mod embedded {
    include!(concat!(env!("OUT_DIR"), "/python.rs"));
}
