//! The `tuneforge` binary: argument parsing, output and exit codes. The work happens in the
//! library crates.

// The one crate that prints: the libraries report through return values and Reporters.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod exit;
mod hint;
mod reporter;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tuneforge_pipeline::PipelineError;

use crate::cli::Cli;
use crate::commands::Context;
use crate::exit::{Exit, classify};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    let bars = !cli.global.no_progress && !cli.global.json && std::io::stderr().is_terminal();
    let ctx = Context::new(&cli.global, bars);
    let code = match commands::dispatch(cli.command, &ctx) {
        Ok(code) => code,
        Err(err) => {
            let code = classify(&err);
            if ctx.json {
                let mut doc = serde_json::json!({
                    "ok": false,
                    "error": render(&err),
                    "exit_code": code as u8,
                });
                if let Some(PipelineError::ValidationFailed { report, .. }) = err.downcast_ref() {
                    doc["validation"] = serde_json::to_value(report).unwrap_or_default();
                }
                println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                eprintln!("error: {}", render(&err));
            }
            code
        }
    };
    ExitCode::from(code as u8)
}

/// The error and its causes, each said once: many errors already quote their cause in their
/// own message ("cannot read x: No such file…"), and `{:#}` would repeat it.
fn render(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
    }
    out
}

fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TUNEFORGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}
