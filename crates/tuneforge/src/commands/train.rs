//! `setup` and `doctor`: the training worker's environments and what this machine can do.

use anyhow::Result;
use tuneforge_core::layout::{
    ADAPTERS_DIR, DATASET_DIR, QUICKSTART_MODEL_DIR, dataset_version_dir,
};
use tuneforge_train::doctor::{self, DoctorReport};
use tuneforge_train::env::{self, Cache, SetupOptions};

use super::Context;
use crate::cli::{DoctorArgs, SetupArgs};
use crate::exit::Exit;

pub fn setup(ctx: &Context, args: SetupArgs) -> Result<Exit> {
    let cache = Cache::from_env()?;
    let options = SetupOptions {
        python: args.python,
        gpu: args.gpu,
        with_tests: args.with_tests,
    };
    let results = env::setup(&cache, &options, &ctx.reporter)?;
    if args.print_python {
        // The first environment is always the TRL one.
        println!("{}", results[0].env.python.display());
        return Ok(Exit::Success);
    }
    ctx.emit(&results, || {
        results
            .iter()
            .map(|r| {
                format!(
                    "{} environment {}: {}\n  worker: {}",
                    r.env.kind.as_str(),
                    if r.created { "created" } else { "up to date" },
                    r.env.venv.display(),
                    r.env.worker_path.display()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(Exit::Success)
}

pub fn doctor(ctx: &Context, args: DoctorArgs) -> Result<Exit> {
    let cache = Cache::from_env()?;
    let report = doctor::diagnose(&cache, args.python.as_deref());
    ctx.emit(&report, || render(&report));
    Ok(if report.probe.is_some() {
        Exit::Success
    } else {
        Exit::DataErrors
    })
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn render(report: &DoctorReport) -> String {
    let mut out = Vec::new();
    out.push(format!("cache: {}", report.cache_dir.display()));
    match report.disk_free_bytes {
        Some(free) => out.push(format!(
            "free disk: {}{}",
            gib(free),
            if free < 30 << 30 {
                " (a 7B run needs about 30 GiB: base weights, checkpoints, merged export)"
            } else {
                ""
            }
        )),
        None => out.push("free disk: unknown".into()),
    }
    if let Some(env) = &report.env {
        out.push(format!(
            "environment: {} ({})",
            env.venv.display(),
            env.kind.as_str()
        ));
    }
    if let Some(problem) = &report.problem {
        out.push(format!("problem: {problem}"));
    }
    if let Some(probe) = &report.probe {
        let version = |name: &str| {
            probe
                .packages
                .get(name)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "not installed".into())
        };
        out.push(format!(
            "python: {} ({})",
            probe.python, probe.python_executable
        ));
        match &probe.torch_error {
            Some(e) => out.push(format!("torch: cannot import: {e}")),
            None => out.push(format!("torch: {}", version("torch"))),
        }
        for name in ["transformers", "trl", "peft", "accelerate"] {
            out.push(format!("{name}: {}", version(name)));
        }
        match &probe.cuda {
            Some(cuda) => out.push(format!(
                "CUDA: torch built with {}, {}",
                cuda.built_with.as_deref().unwrap_or("no CUDA"),
                if cuda.available {
                    "available"
                } else {
                    "not available (no GPU or driver): CPU only"
                }
            )),
            None => out.push("CUDA: unknown (torch does not import)".into()),
        }
        for gpu in &probe.gpus {
            out.push(format!(
                "GPU {}: {}, {}, compute {}, bf16 {}",
                gpu.index,
                gpu.name,
                gib(gpu.vram_bytes),
                gpu.compute_capability,
                if gpu.bf16 { "yes" } else { "no (fp16 instead)" }
            ));
        }
        out.push(
            match (
                &probe.packages.get("bitsandbytes"),
                &probe.bitsandbytes_error,
            ) {
                (Some(Some(v)), None) => format!("bitsandbytes: {v} (4-bit QLoRA available)"),
                (_, Some(e)) => format!("bitsandbytes: cannot import: {e} (no 4-bit profiles)"),
                _ => "bitsandbytes: not installed (no 4-bit profiles)".into(),
            },
        );
        out.push(
            match (&probe.packages.get("unsloth"), &probe.unsloth_error) {
                (Some(Some(v)), None) => format!("unsloth: {v}"),
                (_, Some(e)) => format!("unsloth: cannot import: {e}"),
                _ => "unsloth: not installed (`tuneforge setup --gpu` on a CUDA machine)".into(),
            },
        );
    }
    out.push(String::new());
    out.push("profiles (estimated GiB at LoRA r 64 on q/k/v/o; see README):".into());
    let gpu = report.best_gpu_vram_gib();
    for advice in &report.profiles {
        let verdict = match gpu {
            None => "needs a CUDA GPU; none here".to_string(),
            Some(_) if advice.usable_here => "usable here".to_string(),
            Some(v) => format!("needs {:.0} GiB, this GPU has {v:.1}", advice.vram_gib),
        };
        let fits: Vec<String> = advice
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} ~{:.1}{}",
                    m.model,
                    m.estimate_gib,
                    if m.fits { "" } else { " (too big)" }
                )
            })
            .collect();
        out.push(format!(
            "  {}: {verdict}\n    {}",
            advice.profile,
            fits.join(", ")
        ));
    }
    if gpu.is_none() {
        out.push(
            "this machine trains on CPU only: tiny models (the quickstart, the tests), not 7B ones"
                .into(),
        );
    }
    out.join("\n")
}

/// Draws the worker's events: a bar over the run's steps with loss, learning rate,
/// tokens/s and ETA; evals, checkpoints and notes as lines.
struct TrainBar<'a> {
    ctx: &'a Context,
    bar: indicatif::ProgressBar,
}

impl<'a> TrainBar<'a> {
    fn new(ctx: &'a Context) -> Self {
        let bar = if ctx.bars {
            indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "step {pos}/{len} [{bar:30}] {msg} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            )
        } else {
            indicatif::ProgressBar::hidden()
        };
        Self { ctx, bar }
    }
}

/// Hub options from the environment, offline with --offline.
fn hub_options(ctx: &Context) -> tuneforge_train::hub::HubOptions {
    let hub = tuneforge_train::hub::HubOptions::from_env();
    if ctx.offline {
        hub.with_offline(true)
    } else {
        hub
    }
}

fn resolve_model(
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
        }
    }
}

pub fn train(ctx: &Context, args: crate::cli::TrainArgs) -> Result<Exit> {
    use tuneforge_train::{profile, registry, run, spec};

    let ws = ctx.workspace()?;
    let flags = spec::TrainConfig {
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
    }
    .over(&ws.config.train);
    let Some(model) = flags.model.clone() else {
        return Err(crate::exit::UsageError(
            "no model: pass --model or set train.model in pipeline.yaml".into(),
        )
        .into());
    };
    let profile = match &flags.profile {
        Some(name) => Some(profile::find(name).ok_or_else(|| {
            crate::exit::UsageError(format!(
                "unknown profile `{name}`; one of {}",
                profile::PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
        None => None,
    };
    let model_entry = registry::find(&model);
    let settings = spec::ResolvedSettings::resolve(&flags, profile, model_entry);
    let dataset_dir = match args.dataset {
        Some(dir) => dir,
        None => {
            let root = ws.path(DATASET_DIR);
            let version = tuneforge_dataset::version::latest_version(&root)?.ok_or_else(|| {
                crate::exit::UsageError(format!(
                    "{}: no dataset yet; build one with `tuneforge run`, or name one with --dataset",
                    root.display()
                ))
            })?;
            root.join(format!("v{version}"))
        }
    };
    let dataset_dir = match &args.domain {
        Some(domain) => dataset_dir.join("domains").join(domain),
        None => dataset_dir,
    };
    let request = run::TrainRequest {
        model,
        revision: flags.revision.clone(),
        model_entry,
        dataset_dir,
        adapters_dir: ws.path(ADAPTERS_DIR),
        domain: args.domain,
        settings,
        resume: args.resume,
        oom_retries: args.oom_retries,
        processes: args.gpus,
        test: spec::TestHooks {
            oom_at_step: args.test_oom_at_step,
        },
    };
    let cache = Cache::from_env()?;
    let env = env::for_training(&cache, None)?;
    let hub = hub_options(ctx);
    let reporter = TrainBar::new(ctx);
    let outcome = run::train(&request, &env, &hub, &reporter, &ctx.reporter)?;
    if outcome.finished {
        // The retrain advice of `status` counts from here.
        tuneforge_pipeline::status::record_train(&ws, &tuneforge_core::time::now_rfc3339())?;
    }
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
            format!(
                "interrupted at step {}: checkpoint saved in {}; continue with `tuneforge train --resume` and the same options",
                outcome.steps,
                outcome.run_dir.display()
            )
        }
    });
    Ok(if outcome.finished {
        Exit::Success
    } else {
        Exit::Interrupted
    })
}

pub fn inspect(ctx: &Context, args: crate::cli::InspectArgs) -> Result<Exit> {
    use std::io::IsTerminal;
    use tuneforge_core::records::TrainOn;
    use tuneforge_tokens::{ChatTemplate, TrainTurns};

    let file = if args.dataset.is_dir() {
        args.dataset.join("train.jsonl")
    } else {
        args.dataset.clone()
    };
    let samples = tuneforge_train::run::read_samples(&file)?;
    let Some(sample) = args.sample.checked_sub(1).and_then(|i| samples.get(i)) else {
        return Err(crate::exit::UsageError(format!(
            "{}: no sample {} (it has {})",
            file.display(),
            args.sample,
            samples.len()
        ))
        .into());
    };
    let model = resolve_model(ctx, &args.model, args.revision.as_deref())?;
    let template = ChatTemplate::from_model_dir(&model.dir)?;
    let turns = match sample.train_on {
        TrainOn::AllAssistant => TrainTurns::All,
        TrainOn::LastAssistant => TrainTurns::Last,
    };
    let rendered = template.render_chat(
        &tuneforge_tokens::sample_messages(sample),
        None,
        false,
        turns,
    )?;
    let color = std::io::stdout().is_terminal() && !ctx.json;
    let (open, close) = if color {
        ("\x1b[1;32m", "\x1b[0m")
    } else {
        ("⟦", "⟧")
    };
    let mut text = String::new();
    let mut at = 0;
    for span in &rendered.assistant_spans {
        text.push_str(&rendered.text[at..span.start]);
        text.push_str(open);
        text.push_str(&rendered.text[span.clone()]);
        text.push_str(close);
        at = span.end;
    }
    text.push_str(&rendered.text[at..]);
    let doc = serde_json::json!({
        "id": sample.id,
        "text": rendered.text,
        "trained_spans": rendered.assistant_spans.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
    });
    ctx.emit(&doc, || {
        format!(
            "sample {} ({}), {} trained span(s):\n{text}",
            args.sample,
            sample.id,
            rendered.assistant_spans.len()
        )
    });
    Ok(Exit::Success)
}

/// The quickstart's last step: a tokenizer trained on the new dataset, a tiny Qwen2 built
/// around it by the worker, and one epoch of LoRA on the CPU (a few minutes). Sets the
/// worker environment up first when it is missing.
pub fn quickstart_training(
    ctx: &Context,
    root: &std::path::Path,
    dataset_version: u32,
) -> Result<tuneforge_train::run::TrainOutcome> {
    use tuneforge_core::reporter::Reporter;
    use tuneforge_train::{hub::HubOptions, run, spec};

    let cache = Cache::from_env()?;
    let env = match env::for_training(&cache, None) {
        Ok(env) => env,
        Err(env::EnvError::NotSetUp { .. }) => {
            ctx.reporter.info(
                "setting up the training environment (tuneforge setup: about 3 GB from PyPI, once)",
            );
            env::setup(&cache, &SetupOptions::default(), &ctx.reporter)?;
            env::for_training(&cache, None)?
        }
        Err(e) => return Err(e.into()),
    };
    // The worker gets absolute paths: it may run from another directory.
    let root = &std::path::absolute(root)?;
    let dataset_dir = root.join(dataset_version_dir(dataset_version));
    let model_dir = root.join(QUICKSTART_MODEL_DIR);
    ctx.reporter.info(&format!(
        "training a tokenizer on the dataset and building a tiny Qwen2 in {}",
        model_dir.display()
    ));
    build_tiny(&env, &dataset_dir, &model_dir, 4000, 42)?;
    let flags = spec::TrainConfig {
        epochs: Some(1.0),
        // A randomly initialized model learns little through attention alone: every linear
        // layer gets LoRA, at a rate a tiny model takes, so the loss visibly falls.
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
    };
    let request = run::TrainRequest {
        model: model_dir.display().to_string(),
        revision: None,
        model_entry: None,
        dataset_dir,
        adapters_dir: root.join(ADAPTERS_DIR),
        domain: None,
        settings: spec::ResolvedSettings::resolve(&flags, None, None),
        resume: false,
        oom_retries: 3,
        processes: 1,
        test: spec::TestHooks::default(),
    };
    let reporter = TrainBar::new(ctx);
    let outcome = run::train(
        &request,
        &env,
        &HubOptions::from_env().with_offline(true),
        &reporter,
        &ctx.reporter,
    )?;
    if outcome.finished {
        let ws = tuneforge_core::workspace::Workspace::open(root)?;
        tuneforge_pipeline::status::record_train(&ws, &tuneforge_core::time::now_rfc3339())?;
    }
    Ok(outcome)
}

pub fn prepare(ctx: &Context, args: crate::cli::PrepareArgs) -> Result<Exit> {
    use tuneforge_tokens::{OverLength, PrepConfig, SpecialTokenPolicy};

    let model = resolve_model(ctx, &args.model, args.revision.as_deref())?;
    let config = PrepConfig {
        max_seq_len: args.max_seq_len as usize,
        special_tokens: if args.escape_control_tokens {
            SpecialTokenPolicy::Escape
        } else {
            SpecialTokenPolicy::Reject
        },
        over_length: if args.truncate {
            OverLength::Truncate
        } else {
            OverLength::Drop
        },
    };
    let tokenizer = tuneforge_train::run::load_tokenizer(&model.dir)?;
    let prepared = tuneforge_train::run::prepare_dataset(
        &model.dir,
        &tokenizer,
        &args.dataset,
        &args.out,
        &config,
        &ctx.reporter,
    )?;
    let manifest = &prepared.manifest;
    ctx.emit(manifest, || {
        manifest
            .splits
            .iter()
            .map(|s| {
                format!(
                    "{}: {} of {} samples → {} rows, {} tokens ({} trained), packing {:.1}%, {} truncated, {} rejected",
                    s.name,
                    s.encoded,
                    s.samples,
                    s.rows,
                    s.tokens,
                    s.trained_tokens,
                    s.packing_efficiency * 100.0,
                    s.truncated,
                    s.rejected.values().sum::<u64>()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(Exit::Success)
}

fn build_tiny(
    env: &env::WorkerEnv,
    dataset_dir: &std::path::Path,
    out: &std::path::Path,
    vocab_size: usize,
    seed: u64,
) -> Result<()> {
    use tuneforge_train::{run, tiny};
    let samples = run::read_samples(&dataset_dir.join("train.jsonl"))?;
    if samples.is_empty() {
        return Err(crate::exit::UsageError(format!(
            "{}: no training samples to learn a tokenizer from",
            dataset_dir.join("train.jsonl").display()
        ))
        .into());
    }
    tiny::train_tokenizer(&samples, vocab_size, out)?;
    tiny::build_model(env, out, out, seed)?;
    Ok(())
}

pub fn tiny_model(ctx: &Context, args: crate::cli::TinyModelArgs) -> Result<Exit> {
    let cache = Cache::from_env()?;
    let env = env::for_training(&cache, None)?;
    let out = std::path::absolute(&args.out)?;
    build_tiny(&env, &args.dataset, &out, args.vocab_size, args.seed)?;
    let doc = serde_json::json!({ "model_dir": out });
    ctx.emit(&doc, || format!("tiny Qwen2 in {}", out.display()));
    Ok(Exit::Success)
}
