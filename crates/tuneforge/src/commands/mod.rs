//! One function per command over a resolved [`Context`].

mod check;
mod collect;
mod compat;
mod dedup;
mod eval;
mod export;
mod inspect;
mod pipeline;
mod prepare;
mod proxy;
mod review;
mod rules;
mod setup;
mod stats;
mod train;

use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;
use tuneforge_core::workspace::Workspace;

use crate::cli::{Command, GlobalArgs};
use crate::exit::Exit;
use crate::reporter::TermReporter;

/// Settings every command shares, resolved from the global flags.
pub struct Context {
    pub json: bool,
    pub offline: bool,
    pub verbose: u8,
    pub workspace: Option<PathBuf>,
    pub reporter: TermReporter,
}

impl Context {
    pub fn new(global: &GlobalArgs, bars: bool) -> Self {
        Self {
            json: global.json,
            offline: global.offline,
            verbose: global.verbose,
            workspace: global.workspace.clone(),
            reporter: TermReporter::new(bars, !global.json),
        }
    }

    /// The workspace named by --workspace, or the one containing the current directory.
    pub fn workspace(&self) -> Result<Workspace> {
        let ws = match &self.workspace {
            Some(dir) => Workspace::open(dir)?,
            None => Workspace::discover(&std::env::current_dir()?)?,
        };
        tracing::debug!(root = %ws.root.display(), "workspace");
        Ok(ws)
    }

    /// Print `value` as JSON with --json, else the human text.
    ///
    /// A reader that went away (`tuneforge inspect … | head`) is not an error: the output
    /// is simply cut.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        use std::io::Write;
        let text = if self.json {
            serde_json::to_string_pretty(value).expect("command output serializes")
        } else {
            human()
        };
        if !text.is_empty() {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }
}

pub fn dispatch(command: Command, ctx: &Context) -> Result<Exit> {
    match command {
        Command::Init(args) => pipeline::init(ctx, args),
        Command::Collect(args) => collect::collect(ctx, *args),
        Command::Run(args) => pipeline::run(ctx, args),
        Command::Status => pipeline::status(ctx),
        Command::Discover(args) => pipeline::discover(ctx, args),
        Command::Acquire(args) => pipeline::acquire(ctx, args),
        Command::Clean(args) => pipeline::only(ctx, "clean", args),
        Command::Analyze(args) => pipeline::only(ctx, "analyze", args),
        Command::Generate(args) => pipeline::only(ctx, "generate", args),
        Command::Package(args) => pipeline::only(ctx, "package", args),
        Command::Process(args) => pipeline::process(ctx, args),
        Command::Validate(args) => pipeline::validate(ctx, args),
        Command::Quickstart(args) => pipeline::quickstart(ctx, args),
        Command::Compat(args) => compat::compat(ctx, args),
        Command::Dedup(args) => dedup::dedup(ctx, args),
        Command::Setup(args) => setup::setup(ctx, args),
        Command::Doctor(args) => setup::doctor(ctx, args),
        Command::Train(args) => train::train(ctx, *args),
        Command::Eval(args) => eval::eval(ctx, *args),
        Command::Export(args) => export::export(ctx, args),
        Command::Deploy(args) => export::deploy(ctx, args),
        Command::Proxy(args) => proxy::proxy(ctx, args),
        Command::Review(args) => review::review(ctx, args),
        Command::Inspect(args) => inspect::inspect(ctx, args),
        Command::Stats(args) => stats::stats(ctx, args),
        Command::Prepare(args) => prepare::prepare(ctx, args),
        Command::TinyModel(args) => prepare::tiny_model(ctx, args),
        Command::Check(args) => check::check(ctx, args),
        Command::Gate(args) => pipeline::gate(ctx, args),
        Command::Rules(crate::cli::RulesCommand::Mine(args)) => rules::mine(ctx, args),
    }
}
