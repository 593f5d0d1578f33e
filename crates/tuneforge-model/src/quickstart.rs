//! The Drupal quickstart's last step: a tokenizer trained on the new dataset, a tiny Qwen2
//! built around it from a config by the worker (no download), and one epoch of LoRA on the
//! CPU, a few minutes on two cores. The model is far too small to be useful; the point is
//! that every part of the pipeline runs for real.

use std::path::Path;

use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_train::env::WorkerEnv;
use tuneforge_train::hub::HubOptions;
use tuneforge_train::run::{self, TrainOutcome, TrainReporter};
use tuneforge_train::spec::TrainConfig;
use tuneforge_train::tiny;

use crate::ModelError;
use crate::train::{TrainOptions, train, worker_env};

use tuneforge_core::layout::{QUICKSTART_MODEL_DIR, dataset_version_dir};

/// The settings of the quickstart's run. A randomly initialized model learns little through
/// attention alone: every linear layer gets LoRA, at a rate a tiny model takes, so the loss
/// visibly falls within one epoch.
pub fn quickstart_settings(model_dir: &Path) -> TrainConfig {
    TrainConfig {
        model: Some(model_dir.display().to_string()),
        epochs: Some(1.0),
        lora_targets: Some(
            [
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ]
            .map(String::from)
            .to_vec(),
        ),
        learning_rate: Some(5e-3),
        micro_batch: Some(4),
        grad_accum: Some(1),
        max_seq_len: Some(2048),
        lora_r: Some(16),
        lora_alpha: Some(32),
        bf16: Some(false),
        eval_every: Some(20),
        save_every: Some(20),
        ..Default::default()
    }
}

/// Builds the tiny model from dataset `v<dataset_version>` and trains it; or, with
/// `resume`, continues the quickstart run that Ctrl-C stopped. Sets the worker environment
/// up first when it is missing.
pub fn train_tiny(
    root: &Path,
    dataset_version: u32,
    resume: bool,
    reporter: &dyn TrainReporter,
    core_reporter: &dyn Reporter,
) -> Result<TrainOutcome, ModelError> {
    // The worker gets absolute paths: it may run from another directory.
    let root =
        &std::path::absolute(root).map_err(tuneforge_core::fsio::at("cannot resolve", root))?;
    let ws = Workspace::open(root)?;
    let dataset_dir = root.join(dataset_version_dir(dataset_version));
    let model_dir = root.join(QUICKSTART_MODEL_DIR);
    if !resume {
        let env = worker_env(true, core_reporter)?;
        core_reporter.info(&format!(
            "training a tokenizer on the dataset and building a tiny Qwen2 in {}",
            model_dir.display()
        ));
        build_tiny(&env, &dataset_dir, &model_dir, 4000, 42)?;
    }
    let options = TrainOptions {
        flags: quickstart_settings(&model_dir),
        dataset: Some(dataset_dir),
        resume,
        oom_retries: 3,
        processes: 1,
        setup_env: true,
        ..Default::default()
    };
    train(
        &ws,
        &options,
        &HubOptions::from_env().with_offline(true),
        reporter,
        core_reporter,
    )
}

/// A tiny Qwen2 in `out`: a byte-level BPE with `vocab_size` entries trained on the
/// dataset's `train.jsonl`, and a model built from a config around it by the worker.
pub fn build_tiny(
    env: &WorkerEnv,
    dataset_dir: &Path,
    out: &Path,
    vocab_size: usize,
    seed: u64,
) -> Result<(), ModelError> {
    let train_file = dataset_dir.join("train.jsonl");
    let samples = run::read_samples(&train_file)?;
    if samples.is_empty() {
        return Err(ModelError::Usage(format!(
            "{}: no training samples to learn a tokenizer from",
            train_file.display()
        )));
    }
    tiny::train_tokenizer(&samples, vocab_size, out)?;
    tiny::build_model(env, out, out, seed)?;
    Ok(())
}

/// Built-in tasks per suite the quickstart evaluates on: enough to show the report, few
/// enough for two cores.
pub const QUICKSTART_EVAL_TASKS: usize = 3;
/// The quickstart's evaluation run, `eval/quickstart/`.
pub const QUICKSTART_EVAL_RUN: &str = "quickstart";

/// The quickstart's last step: its tiny adapter against its base on a handful of built-in
/// tasks through the worker, greedy, with the test split's perplexity. The model is far too
/// small to pass anything; the point is that the report exists and how to read it.
pub fn evaluate_tiny(
    root: &Path,
    adapter_dir: &Path,
    reporter: &dyn Reporter,
    generate_reporter: &dyn tuneforge_train::generate::GenerateReporter,
) -> Result<crate::evaluate::EvalSummary, ModelError> {
    let ws = Workspace::open(root)?;
    let options = crate::evaluate::EvalOptions {
        config: tuneforge_core::config::EvalConfig {
            adapter: Some(adapter_dir.display().to_string()),
            suites: vec!["drupal11".into(), "php-exec".into()],
            limit: Some(QUICKSTART_EVAL_TASKS),
            max_tokens: Some(64),
            ..Default::default()
        },
        compare: true,
        run: Some(QUICKSTART_EVAL_RUN.into()),
        setup_env: true,
    };
    crate::evaluate::evaluate(
        &ws,
        &options,
        &HubOptions::from_env().with_offline(true),
        reporter,
        generate_reporter,
    )
}
