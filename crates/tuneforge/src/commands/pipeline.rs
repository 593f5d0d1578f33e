use anyhow::Result;
use tuneforge_core::config::Preset;
use tuneforge_core::layout::{
    CONFIG_FILE, GATE_REPORT, INSTRUCTIONS, RAW_INTERACTIONS, SAMPLE_CORPUS_DIR, VALIDATION_REPORT,
    dataset_version_dir,
};
use tuneforge_dataset::snapshot::today_utc;
use tuneforge_dataset::validate::ValidationReport;
use tuneforge_dataset::version::DATASET_CARD;
use tuneforge_pipeline::PipelineError;
use tuneforge_pipeline::runner::{Freshness, RunOptions, RunReport, run as run_stages, snapshot};
use tuneforge_pipeline::stages::discover::read_discovery;

use super::Context;
use crate::cli::{
    InitArgs, NetworkStageArgs, PresetArg, ProcessArgs, QuickstartArgs, RunArgs, StageArgs,
};
use crate::exit::Exit;

fn preset_of(arg: PresetArg) -> Preset {
    match arg {
        PresetArg::Drupal11 => Preset::Drupal11,
        PresetArg::Interactions => Preset::Interactions,
    }
}

pub fn init(ctx: &Context, args: InitArgs) -> Result<Exit> {
    let preset = preset_of(args.preset);
    let out = tuneforge_pipeline::init::init(&args.dir, preset)?;
    let tf =
        |args: &str| crate::hint::command(&format!("--workspace {} {args}", out.root.display()));
    ctx.emit(&out, || {
        let next = match preset {
            Preset::Interactions => format!(
                "capture an interaction with\n  {}",
                tf("collect --query … --local-answer … --expert-answer …")
            ),
            Preset::Drupal11 => format!(
                "build the dataset (discover, acquire, clean, … package) with\n  {}",
                tf("run")
            ),
        };
        format!(
            "created workspace {} ({} preset)\nnext: edit {}, then {next}",
            out.root.display(),
            out.preset,
            out.config.display(),
        )
    });
    Ok(Exit::Success)
}

fn describe_run(report: &RunReport) -> String {
    report
        .stages
        .iter()
        .map(|s| match (&s.summary, s.seconds) {
            (Some(summary), Some(secs)) => format!("{:<9} ran in {secs:.2}s: {summary}", s.stage),
            _ => format!("{:<9} skipped: {}", s.stage, s.reason),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn options(ctx: &Context, only: Option<&str>, force: bool) -> RunOptions {
    RunOptions {
        only: only.map(str::to_owned),
        force,
        offline: ctx.offline,
        ..RunOptions::default()
    }
}

/// Findings printed on the terminal before the rest are left to the report file (all of
/// them are printed with -v).
const SHOWN_FINDINGS: usize = 200;

/// Print validation findings, errors first, before the error that ends the command.
fn show_findings(ctx: &Context, report: &ValidationReport) {
    if ctx.json {
        return;
    }
    let limit = if ctx.verbose > 0 {
        usize::MAX
    } else {
        SHOWN_FINDINGS
    };
    for f in report.findings.iter().take(limit) {
        eprintln!("{f}");
    }
    if report.findings.len() > limit {
        eprintln!(
            "… and {} more findings: all of them are in {VALIDATION_REPORT} (or run with -v)",
            report.findings.len() - limit
        );
    }
}

/// Run stages; a validation failure prints every finding first.
fn run_reporting(ctx: &Context, opts: &RunOptions) -> Result<RunReport> {
    let ws = ctx.workspace()?;
    run_stages(&ws, opts, &ctx.reporter).map_err(|e| show_validation_failure(ctx, e).into())
}

/// Print every finding of a failed validation (with --json they go into the one error
/// document `main` prints instead) and pass the error on.
fn show_validation_failure(ctx: &Context, e: PipelineError) -> PipelineError {
    if let PipelineError::ValidationFailed { report, .. } = &e {
        show_findings(ctx, report);
    }
    e
}

pub fn run(ctx: &Context, args: RunArgs) -> Result<Exit> {
    let opts = RunOptions {
        from: args.from,
        only: args.only,
        force: args.force,
        refresh: args.refresh,
        offline: ctx.offline,
    };
    let report = run_reporting(ctx, &opts)?;
    // A validation that ran shows its findings (warnings too), not only their count.
    if report.stages.iter().any(|s| s.stage == "validate" && s.ran) {
        let ws = ctx.workspace()?;
        if let Ok(bytes) = std::fs::read(ws.path(VALIDATION_REPORT)) {
            let findings: ValidationReport = serde_json::from_slice(&bytes)?;
            show_findings(ctx, &findings);
        }
    }
    ctx.emit(&report, || describe_run(&report));
    Ok(Exit::Success)
}

pub fn discover(ctx: &Context, args: NetworkStageArgs) -> Result<Exit> {
    let opts = RunOptions {
        refresh: args.refresh,
        ..options(ctx, Some("discover"), args.stage.force)
    };
    let report = run_reporting(ctx, &opts)?;
    let ws = ctx.workspace()?;
    let found = read_discovery(&ws)?;
    let doc = serde_json::json!({"run": report, "sources": found.candidates});
    ctx.emit(&doc, || {
        let mut text = describe_run(&report);
        for c in &found.candidates {
            let pin = c
                .commit
                .as_deref()
                .map(|h| format!("@{}", h.get(..12).unwrap_or(h)))
                .or_else(|| {
                    c.tree_hash
                        .as_deref()
                        .map(|h| format!("#{}", h.get(..12).unwrap_or(h)))
                })
                .unwrap_or_default();
            text.push_str(&format!(
                "\n  {:<8} {:<20} {}{pin}: {}",
                serde_json::to_value(c.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                c.name,
                c.kind,
                c.reason
            ));
        }
        text
    });
    Ok(Exit::Success)
}

pub fn acquire(ctx: &Context, args: NetworkStageArgs) -> Result<Exit> {
    let opts = RunOptions {
        refresh: args.refresh,
        ..options(ctx, Some("acquire"), args.stage.force)
    };
    let report = run_reporting(ctx, &opts)?;
    ctx.emit(&report, || describe_run(&report));
    Ok(Exit::Success)
}

/// `tuneforge gate [FILE]`: a file anywhere, or the workspace's gate stage.
pub fn gate(ctx: &Context, args: crate::cli::GateArgs) -> Result<Exit> {
    let Some(file) = &args.file else {
        return only(ctx, "gate", args.stage);
    };
    if !file.is_file() {
        return Err(crate::exit::UsageError(format!(
            "{}: no such file; give sample JSON lines to gate",
            file.display()
        ))
        .into());
    }
    let (config, root) = match ctx.workspace() {
        Ok(ws) => (ws.config.clone(), ws.root.clone()),
        Err(_) => (
            tuneforge_core::config::PipelineConfig::preset(
                tuneforge_core::config::Preset::Drupal11,
            ),
            std::env::current_dir()?,
        ),
    };
    let (report, _) = tuneforge_pipeline::stages::gate::gate_file(
        &config,
        &root,
        file,
        &args.out,
        &args.out.display().to_string(),
        &ctx.reporter,
    )?;
    for e in &report.tool_errors {
        tuneforge_core::reporter::Reporter::warn(&ctx.reporter, &format!("gate: {e}"));
    }
    ctx.emit(&report, || {
        format!(
            "{}\n→ {}/report.json, rejected.jsonl, accepted.jsonl",
            tuneforge_pipeline::stages::gate::gate_summary(&report),
            args.out.display()
        )
    });
    Ok(Exit::Success)
}

/// A stage run alone by its command (`tuneforge clean` = `run --only clean`).
pub fn only(ctx: &Context, stage: &str, args: StageArgs) -> Result<Exit> {
    let report = run_reporting(ctx, &options(ctx, Some(stage), args.force))?;
    ctx.emit(&report, || describe_run(&report));
    Ok(Exit::Success)
}

pub fn process(ctx: &Context, args: ProcessArgs) -> Result<Exit> {
    let report = run_reporting(ctx, &options(ctx, Some("process"), args.stage.force))?;
    let snap = if args.snapshot {
        Some(snapshot(&ctx.workspace()?, &today_utc(), &ctx.reporter)?)
    } else {
        None
    };
    let doc = serde_json::json!({"run": report, "snapshot": snap});
    ctx.emit(&doc, || {
        let mut text = describe_run(&report);
        if let Some(s) = &snap {
            text.push_str(&format!(
                "\nsnapshot of dataset v{} in {}{}",
                s.dataset_version,
                s.dir,
                if s.created {
                    ""
                } else {
                    " (already there: the dataset did not change)"
                }
            ));
        }
        text
    });
    Ok(Exit::Success)
}

pub fn validate(ctx: &Context, args: StageArgs) -> Result<Exit> {
    let report = run_reporting(ctx, &options(ctx, Some("validate"), args.force))?;
    // Fresh or just run, the findings of the last run are in the report file.
    let ws = ctx.workspace()?;
    let findings: ValidationReport =
        serde_json::from_slice(&std::fs::read(ws.path(VALIDATION_REPORT))?)?;
    show_findings(ctx, &findings);
    ctx.emit(&findings, || {
        format!(
            "{}\n{} error(s), {} warning(s) in {} files",
            describe_run(&report),
            findings.errors,
            findings.warnings,
            findings.files.len()
        )
    });
    Ok(Exit::Success)
}

pub fn status(ctx: &Context) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let report = tuneforge_pipeline::status::status(&ws)?;
    let adapters = tuneforge_model::status::adapters(&ws)?;
    #[derive(serde::Serialize)]
    struct WorkspaceStatus<'a> {
        #[serde(flatten)]
        pipeline: &'a tuneforge_pipeline::status::StatusReport,
        adapters: &'a [tuneforge_model::status::AdapterStatus],
    }
    let doc = WorkspaceStatus {
        pipeline: &report,
        adapters: &adapters,
    };
    ctx.emit(&doc, || {
        let mut text = format!("workspace {}\n", ws.root.display());
        for s in &report.stages {
            let (state, why) = match &s.freshness {
                Freshness::Fresh => ("fresh", String::new()),
                Freshness::Stale { reasons } => ("stale", reasons.join("; ")),
                Freshness::Missing { reason } => ("missing", reason.clone()),
                Freshness::Idle { reason } => ("idle", reason.clone()),
            };
            let line = format!("  {:<9} {:<8} {why}", s.stage, state);
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text.push_str(&format!(
            "interactions: {} ({} new since the last train or init)\n",
            report.interactions, report.new_interactions
        ));
        match report.dataset_version {
            Some(v) => text.push_str(&format!("dataset: v{v}\n")),
            None => text.push_str("dataset: none yet (tuneforge run)\n"),
        }
        for a in &adapters {
            use tuneforge_model::adapters::RunState;
            let state = match a.state {
                RunState::Finished => format!(
                    "finished, {} steps, train loss {:.4}; {}",
                    a.steps.unwrap_or(0),
                    a.train_loss.unwrap_or(f64::NAN),
                    if a.evaluations.is_empty() {
                        format!(
                            "not evaluated yet ({})",
                            crate::hint::command(&format!(
                                "eval --adapter {}",
                                a.run.dir.display()
                            ))
                        )
                    } else {
                        format!("evaluated in eval/{}", a.evaluations.join(", eval/"))
                    }
                ),
                RunState::Resumable => "interrupted; `train --resume` continues it".into(),
                RunState::Incomplete => {
                    "no checkpoint and no adapter (failed, or still running)".into()
                }
            };
            text.push_str(&format!(
                "adapter: {}/{}: {state}\n",
                a.run.model,
                a.run.name()
            ));
        }
        for a in &report.advice {
            text.push_str(&format!("{a}\n"));
        }
        text.trim_end().to_owned()
    });
    Ok(Exit::Success)
}

/// Continues the training of a quickstart workspace that Ctrl-C stopped; `None` when `dir`
/// holds no such run (a new quickstart, or one that finished).
fn resume_quickstart(ctx: &Context, dir: &std::path::Path) -> Result<Option<Exit>> {
    let Ok(ws) = tuneforge_core::workspace::Workspace::open(dir) else {
        return Ok(None);
    };
    let adapters = tuneforge_model::adapters::Adapters::of(&ws);
    if adapters.all_resumable()?.is_empty() {
        return Ok(None);
    }
    let Some(dataset) = tuneforge_model::datasets::newest(&ws)? else {
        return Ok(None);
    };
    let version = dataset
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix('v'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    tuneforge_core::reporter::Reporter::info(
        &ctx.reporter,
        "continuing the quickstart's interrupted training from its checkpoint",
    );
    let outcome = super::train::quickstart_training(ctx, &ws.root, version, true)?;
    let evaluation = match outcome.finished {
        true => Some(super::eval::quickstart_eval(
            ctx,
            &ws.root,
            &outcome.run_dir,
        )?),
        false => None,
    };
    let doc = serde_json::json!({
        "resumed": true,
        "training": &outcome,
        "evaluation": evaluation.as_ref().map(|e| &e.metrics),
    });
    ctx.emit(&doc, || {
        if let Some(e) = &evaluation {
            format!(
                "{}
{}",
                trained_line(&outcome),
                super::eval::quickstart_lines(e)
            )
        } else if outcome.finished {
            trained_line(&outcome)
        } else {
            super::train::interrupted(&outcome, &ws.root)
        }
    });
    Ok(Some(if outcome.finished {
        Exit::Success
    } else {
        Exit::Interrupted
    }))
}

fn trained_line(t: &tuneforge_train::run::TrainOutcome) -> String {
    format!(
        "trained a tiny Qwen2 (tokenizer trained on this dataset, model built from a config) for {} steps, train loss {:.3}:\n  {}/adapter_model.safetensors, loss curve {}/loss.png",
        t.steps,
        t.train_loss.unwrap_or(f64::NAN),
        t.run_dir.display(),
        t.run_dir.display()
    )
}

pub fn quickstart(ctx: &Context, args: QuickstartArgs) -> Result<Exit> {
    let preset = preset_of(args.preset);
    let trains = preset == Preset::Drupal11 && !args.no_train;
    // A quickstart whose training Ctrl-C stopped continues where it stopped.
    if trains && let Some(exit) = resume_quickstart(ctx, &args.dir)? {
        return Ok(exit);
    }
    let report =
        tuneforge_pipeline::quickstart::quickstart(&args.dir, &today_utc(), preset, &ctx.reporter)
            .map_err(|e| show_validation_failure(ctx, e))?;
    let dir = report.root.display().to_string();
    // The Drupal quickstart ends with a real training run of a tiny model on the CPU.
    let training = if trains {
        Some(super::train::quickstart_training(
            ctx,
            &report.root,
            report.snapshot.dataset_version,
            false,
        )?)
    } else {
        None
    };
    if let Some(outcome) = training.as_ref().filter(|t| !t.finished) {
        ctx.emit(outcome, || {
            format!(
                "{}\nor run the same quickstart command again",
                super::train::interrupted(outcome, &report.root)
            )
        });
        return Ok(Exit::Interrupted);
    }
    // …and evaluates its adapter against its base.
    let evaluation = match &training {
        Some(t) => Some(super::eval::quickstart_eval(ctx, &report.root, &t.run_dir)?),
        None => None,
    };
    let mut doc = serde_json::to_value(&report)?;
    if let Some(outcome) = &training {
        doc["training"] = serde_json::to_value(outcome)?;
    }
    if let Some(e) = &evaluation {
        doc["evaluation"] = serde_json::to_value(&e.metrics)?;
    }
    let trained = training
        .as_ref()
        .map(|t| format!("\n{}\n", trained_line(t)))
        .unwrap_or_default()
        + &evaluation
            .as_ref()
            .map(|e| format!("{}\n", super::eval::quickstart_lines(e)))
            .unwrap_or_default();
    let tf = |args: &str| crate::hint::command(&format!("--workspace {dir} {args}"));
    ctx.emit(&doc, || match preset {
        Preset::Interactions => format!(
            "{run}\nimported {n} sample interactions into {dir}/{RAW_INTERACTIONS}\n\
             dataset v{v} snapshot in {dir}/{snap}\n\n\
             Next, capture one of your own:\n  \
             {collect}\n\
             then `{run_cmd}` and `{status_cmd}`.",
            collect =
                tf("collect --query \"…\" --local-answer \"…\" --expert-answer \"…\" --explain"),
            run_cmd = tf("run"),
            status_cmd = tf("status"),
            run = describe_run(&report.run),
            n = report.imported,
            v = report.snapshot.dataset_version,
            snap = report.snapshot.dir,
        ),
        Preset::Drupal11 => {
            format!(
                "{run}\nwrote the sample corpus ({n} files) into {dir}/{SAMPLE_CORPUS_DIR}\n\
             dataset v{v} snapshot in {dir}/{snap}\n\n\
             Look at {dir}/{INSTRUCTIONS} (samples), {dir}/{GATE_REPORT} (gate pass rates)\n\
             and {dir}/{version_dir}/{DATASET_CARD} (the dataset card). Next, point `sources:` in\n\
             {dir}/{CONFIG_FILE} at your code (or at Drupal core: see `tuneforge init`), set\n\
             `teacher:` to an OpenAI-compatible endpoint for synthetic samples, and run\n  \
             {run_cmd}",
                run_cmd = tf("run"),
                run = describe_run(&report.run),
                n = report.imported,
                v = report.snapshot.dataset_version,
                snap = report.snapshot.dir,
                version_dir = dataset_version_dir(report.snapshot.dataset_version),
            ) + &trained
        }
    });
    Ok(Exit::Success)
}
