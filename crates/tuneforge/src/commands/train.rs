//! `train`: a LoRA/QLoRA run over the workspace's dataset, drawn as a progress bar.

use anyhow::Result;
use tuneforge_model::train::TrainOptions;
use tuneforge_train::run::TrainOutcome;
use tuneforge_train::spec::{TestHooks, TrainConfig};

use super::Context;
use crate::exit::Exit;

/// Draws the worker's events: a bar over the run's steps with loss, learning rate,
/// tokens/s and ETA; evals, checkpoints and notes as lines.
struct TrainBar<'a> {
    ctx: &'a Context,
    bar: indicatif::ProgressBar,
}

impl<'a> TrainBar<'a> {
    fn new(ctx: &'a Context) -> Self {
        // Drawn with the reporter's bars: "training with … on cpu" and the other lines
        // printed during the run stay above it.
        let bar = ctx.reporter.add_bar(
            indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "step {pos}/{len} [{bar:30}] {msg} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            ),
        );
        Self { ctx, bar }
    }
}

/// Hub options from the environment, offline with --offline.
pub(super) fn hub_options(ctx: &Context) -> tuneforge_train::hub::HubOptions {
    let hub = tuneforge_train::hub::HubOptions::from_env();
    if ctx.offline {
        hub.with_offline(true)
    } else {
        hub
    }
}

pub(super) fn resolve_model(
    ctx: &Context,
    name: &str,
    revision: Option<&str>,
) -> Result<tuneforge_train::hub::ResolvedModel> {
    use tuneforge_train::hub::{ModelSource, resolve};
    Ok(resolve(
        &ModelSource::parse(name, revision)?,
        &hub_options(ctx),
        &ctx.reporter,
    )?)
}

impl tuneforge_train::run::TrainReporter for TrainBar<'_> {
    fn note(&self, message: &str) {
        use tuneforge_core::reporter::Reporter;
        self.ctx.reporter.info(message);
    }

    fn worker_starting(&self) {
        // Ctrl-C reaches the worker too (same process group): it saves a checkpoint and
        // stops; tuneforge stays to read its last events instead of dying first. Before this
        // (downloads, tokenizing) Ctrl-C stops tuneforge at once, as usual.
        let _ = ctrlc::set_handler(|| {});
    }

    fn event(&self, envelope: &tuneforge_train::events::Envelope) {
        use tuneforge_core::reporter::Reporter;
        use tuneforge_train::events::Event;
        match &envelope.event {
            Event::Started {
                backend,
                device,
                total_steps,
                trainable_params,
                resumed_from_step,
                ..
            } => {
                self.bar.set_length(*total_steps);
                self.bar.set_position(resumed_from_step.unwrap_or(0));
                self.ctx.reporter.info(&format!(
                    "training with {backend} on {device}: {total_steps} steps, {trainable_params} trainable parameters"
                ));
            }
            Event::Step {
                step,
                loss,
                learning_rate,
                tokens_per_second,
                ..
            } => {
                self.bar.set_position(*step);
                self.bar.set_message(format!(
                    "loss {loss:.4} lr {learning_rate:.2e} {tokens_per_second:.0} tok/s"
                ));
            }
            Event::Eval { step, eval_loss } => self
                .ctx
                .reporter
                .info(&format!("step {step}: eval loss {eval_loss:.4}")),
            Event::Checkpoint { step, path } => self
                .ctx
                .reporter
                .info(&format!("step {step}: checkpoint {path}")),
            Event::Finished { .. } => self.bar.finish_and_clear(),
            Event::Error { kind, message, .. } => self
                .ctx
                .reporter
                .warn(&format!("worker: {kind:?}: {message}")),
            // Generation's and scoring's events; a training run does not send them.
            Event::GenerationStarted { .. }
            | Event::Generated { .. }
            | Event::GenerationFinished { .. }
            | Event::Scored { .. } => {}
        }
    }
}

pub fn train(ctx: &Context, args: crate::cli::TrainArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let options = TrainOptions {
        flags: TrainConfig {
            model: args.model.clone(),
            revision: args.revision.clone(),
            profile: args.profile.clone(),
            epochs: args.epochs,
            max_steps: args.max_steps,
            learning_rate: args.learning_rate,
            micro_batch: args.micro_batch,
            grad_accum: args.grad_accum,
            max_seq_len: args.max_seq_len,
            lora_r: args.lora_r,
            lora_alpha: args.lora_alpha,
            load_in_4bit: if args.no_4bit {
                Some(false)
            } else if args.load_in_4bit {
                Some(true)
            } else {
                None
            },
            seed: args.seed,
            eval_every: args.eval_every,
            save_every: args.save_every,
            ..Default::default()
        },
        dataset: args.dataset,
        domain: args.domain,
        resume: args.resume,
        oom_retries: args.oom_retries,
        processes: args.gpus,
        test: TestHooks {
            oom_at_step: args.test_oom_at_step,
        },
        setup_env: false,
        allow_cpu: args.allow_cpu,
    };
    let outcome = tuneforge_model::train::train(
        &ws,
        &options,
        &hub_options(ctx),
        &TrainBar::new(ctx),
        &ctx.reporter,
    )?;
    ctx.emit(&outcome, || {
        if outcome.finished {
            format!(
                "adapter: {} ({} steps, train loss {:.4}{})",
                outcome.run_dir.display(),
                outcome.steps,
                outcome.train_loss.unwrap_or(f64::NAN),
                if outcome.oom_retries > 0 {
                    format!(", {} out-of-memory retries", outcome.oom_retries)
                } else {
                    String::new()
                }
            )
        } else {
            interrupted(&outcome, &ws.root)
        }
    });
    Ok(if outcome.finished {
        Exit::Success
    } else {
        Exit::Interrupted
    })
}

/// What to say when Ctrl-C stopped a run: where its checkpoint is and the command that
/// continues it (the workspace's one unfinished run needs no `--model`).
pub fn interrupted(outcome: &TrainOutcome, root: &std::path::Path) -> String {
    format!(
        "interrupted at step {}: checkpoint saved in {}\ncontinue with: {}",
        outcome.steps,
        outcome.run_dir.display(),
        crate::hint::command(&format!("--workspace {} train --resume", root.display()))
    )
}

/// The quickstart's training step, drawn like `train`: a tiny model built and trained on
/// the new dataset, or the interrupted quickstart run continued (`resume`).
pub fn quickstart_training(
    ctx: &Context,
    root: &std::path::Path,
    dataset_version: u32,
    resume: bool,
) -> Result<TrainOutcome> {
    Ok(tuneforge_model::quickstart::train_tiny(
        root,
        dataset_version,
        resume,
        &TrainBar::new(ctx),
        &ctx.reporter,
    )?)
}
