//! `eval`: a model, an adapter, or both compared, on the evaluation suites; the worker's
//! generation drawn as a progress bar.

use anyhow::Result;
use tuneforge_core::config::EvalConfig;
use tuneforge_model::evaluate::{EvalOptions, EvalSummary, evaluate};

use super::Context;
use super::train::hub_options;
use crate::exit::Exit;

/// Draws the worker's generation: answers done of the total, new tokens per second.
pub(super) struct GenerateBar<'a> {
    ctx: &'a Context,
    bar: indicatif::ProgressBar,
}

impl<'a> GenerateBar<'a> {
    pub(super) fn new(ctx: &'a Context) -> Self {
        let bar = ctx.reporter.add_bar(
            indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template(
                    "generating {pos}/{len} [{bar:30}] {msg} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            ),
        );
        Self { ctx, bar }
    }
}

impl tuneforge_train::generate::GenerateReporter for GenerateBar<'_> {
    fn event(&self, envelope: &tuneforge_train::events::Envelope) {
        use tuneforge_core::reporter::Reporter;
        use tuneforge_train::events::Event;
        match &envelope.event {
            Event::GenerationStarted { device, total } => {
                self.bar.set_length(*total);
                self.bar.set_position(0);
                self.ctx
                    .reporter
                    .info(&format!("generating {total} answers on {device}"));
            }
            Event::Generated {
                done,
                tokens_per_second,
                ..
            } => {
                self.bar.set_position(*done);
                self.bar
                    .set_message(format!("{tokens_per_second:.0} tok/s"));
            }
            Event::GenerationFinished { .. } => self.bar.finish_and_clear(),
            Event::Error { kind, message, .. } => self
                .ctx
                .reporter
                .warn(&format!("worker: {kind:?}: {message}")),
            _ => {}
        }
    }
}

fn options(args: crate::cli::EvalArgs) -> EvalOptions {
    EvalOptions {
        config: EvalConfig {
            suites: args.suite,
            model: args.model,
            revision: args.revision,
            adapter: args.adapter,
            endpoint: args.endpoint,
            served_model: args.served_model,
            served_adapter: args.served_adapter,
            adapter_endpoint: args.adapter_endpoint,
            api_key_env: args.api_key_env,
            mode: args.mode,
            samples: args.samples,
            temperature: args.temperature,
            max_tokens: args.max_tokens,
            seed: args.seed,
            limit: args.limit.map(|n| n as usize),
            concurrency: args.concurrency.map(|n| n as usize),
            batch_size: args.batch_size,
            perplexity: args.no_perplexity.then_some(false),
            ..Default::default()
        },
        compare: args.compare.is_some(),
        run: args.run,
        setup_env: false,
    }
}

/// The summary lines: pass@1 per model and suite, the comparison's verdicts, where the
/// report is.
pub(super) fn summary(s: &EvalSummary) -> String {
    let mut lines = Vec::new();
    for (label, suites) in &s.metrics.models {
        for (suite, m) in suites {
            lines.push(format!(
                "{label:8} {suite:12} pass@1 {:5.1}%  ({}/{} answers passed)",
                m.pass_at.get("pass@1").copied().unwrap_or(0.0) * 100.0,
                m.passed,
                m.answers
            ));
        }
    }
    if let Some(c) = &s.metrics.comparison {
        for (suite, sc) in &c.suites {
            lines.push(format!(
                "{suite}: {} wins, {} losses, {} ties, p = {:.3}: {}{}",
                sc.wins,
                sc.losses,
                sc.ties,
                sc.p_value,
                sc.verdict,
                if sc.regressions.is_empty() {
                    String::new()
                } else {
                    format!("; regressions: {}", sc.regressions.join(", "))
                }
            ));
        }
    }
    if let Some(t) = &s.metrics.test_split {
        for (label, score) in &t.scores {
            lines.push(format!(
                "{label:8} test split   loss {:.4}, perplexity {:.2} ({} trained tokens)",
                score.loss, score.perplexity, score.tokens
            ));
        }
    }
    for (label, missing) in &s.outcome.unanswered {
        lines.push(format!(
            "{label}: {} requests unanswered; rerun the same command to ask them again",
            missing.len()
        ));
    }
    lines.push(format!(
        "report: {} ({} answers judged now, {} in all)",
        s.report_html.display(),
        s.outcome.judged_now,
        s.outcome.results.len()
    ));
    lines.join("\n")
}

pub fn eval(ctx: &Context, args: crate::cli::EvalArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let mut options = options(args);
    options.config = options.config.over(&ws.config.eval);
    let summary_value = evaluate(
        &ws,
        &options,
        &hub_options(ctx),
        &ctx.reporter,
        &GenerateBar::new(ctx),
    )?;
    ctx.emit(&summary_value.metrics, || summary(&summary_value));
    Ok(if summary_value.outcome.unanswered.is_empty() {
        Exit::Success
    } else {
        // Some requests got no answer: the run is incomplete, as after a network error.
        Exit::Io
    })
}

/// The quickstart's evaluation of its tiny adapter against its base, drawn like `eval`.
pub(super) fn quickstart_eval(
    ctx: &Context,
    root: &std::path::Path,
    adapter_dir: &std::path::Path,
) -> Result<EvalSummary> {
    use tuneforge_core::reporter::Reporter;
    ctx.reporter.info(&format!(
        "evaluating the adapter against its base on {} tasks of each built-in suite",
        tuneforge_model::quickstart::QUICKSTART_EVAL_TASKS
    ));
    Ok(tuneforge_model::quickstart::evaluate_tiny(
        root,
        adapter_dir,
        &ctx.reporter,
        &GenerateBar::new(ctx),
    )?)
}

/// What the quickstart says about its evaluation: the figures and where the report is.
pub(super) fn quickstart_lines(s: &EvalSummary) -> String {
    format!(
        "evaluated it against its base (a model this small passes nothing; the report shows how to read one):\n{}\n  the whole evaluation: {}",
        summary(s)
            .lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        crate::hint::command(&format!(
            "--workspace {} eval --adapter latest --compare base,adapter",
            s.outcome
                .dir
                .parent()
                .and_then(|p| p.parent())
                .unwrap_or(&s.outcome.dir)
                .display()
        ))
    )
}
