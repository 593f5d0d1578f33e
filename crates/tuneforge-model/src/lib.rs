//! Model-side work over a workspace: everything that starts from a packaged dataset and
//! produces or judges a model.
//!
//! * [`adapters`]: where runs live (`adapters/<model>/<domain|all>-lora-v<N>/`), how they
//!   are numbered, claimed and resumed, and their [`RunRecord`](adapters::RunRecord)
//!   (`run.json`).
//! * [`datasets`]: which dataset directory a command means (the newest `dataset/v<N>`, a
//!   named one, one domain's splits).
//! * [`train`]: `tuneforge train` over a workspace: settings from flags, `pipeline.yaml`,
//!   profile and registry; the run directory; the run itself through `tuneforge-train`'s
//!   engine; the retrain advice's baseline moved on success ([`retrain`]).
//! * [`quickstart`]: the quickstart's last step, a tiny model trained on its dataset.
//! * [`status`]: the adapters `tuneforge status` lists.
//! * [`export`]: `tuneforge export` / `deploy`: an adapter merged into its base
//!   (`tuneforge-export` is the engine).
//! * [`evaluate`]: `tuneforge eval` over a workspace (models, backends, `eval/<run>/`);
//!   [`eval`] is its engine: suites, judges, runs, metrics and reports.
//!
//! The engines stay below: `tuneforge-train` runs one training job in a directory it is
//! given, `tuneforge-tokens` prepares tokens. A new model-side command (evaluation, export)
//! is a module here that finds its adapter with [`adapters`] and its dataset with
//! [`datasets`], plus its arguments and dispatch in the binary.

pub mod adapters;
pub mod datasets;
pub mod error;
pub mod eval;
pub mod evaluate;
pub mod export;
mod kind;
pub mod quickstart;
pub mod retrain;
pub mod status;
pub mod train;

pub use error::ModelError;
