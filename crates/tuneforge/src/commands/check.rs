//! `tuneforge check <path>`: the Drupal 11 rules over any file or tree, printed like a linter.

use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;
use tuneforge_php::rules::{Finding, Severity, Skipped};
use tuneforge_php::tree::SkippedFile;

use super::Context;
use crate::cli::CheckArgs;
use crate::exit::{Exit, UsageError};

#[derive(Serialize)]
struct Output {
    files: usize,
    /// Test files not checked (without --include-tests).
    tests_left_out: usize,
    findings: Vec<Finding>,
    /// Files left out (too large, binary, not UTF-8), with the reason.
    skipped_files: Vec<SkippedFile>,
    /// Rules that did not run, with the reason.
    skipped: Vec<Skipped>,
    /// The deprecation list used, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    deprecations: Option<String>,
}

pub fn check(ctx: &Context, args: CheckArgs) -> Result<Exit> {
    if !args.path.exists() {
        return Err(UsageError(format!(
            "{}: no such file or directory; give a PHP or YAML file or a tree",
            args.path.display()
        ))
        .into());
    }
    let ws = ctx.workspace().ok();
    let list: Option<PathBuf> = args.deprecations.clone().or_else(|| {
        ws.as_ref()
            .map(|w| w.path(&w.config.rules.deprecations))
            .filter(|p| p.is_file())
    });
    let checker = tuneforge_pipeline::stages::checker::load_checker(
        list.as_deref(),
        args.strict_types
            || ws
                .as_ref()
                .is_some_and(|w| w.config.rules.require_strict_types),
    )?;

    let tree =
        tuneforge_php::tree::check_tree(&args.path, &checker, args.include_tests, &ctx.reporter)?;
    let output = Output {
        files: tree.files,
        tests_left_out: tree.tests_left_out,
        findings: tree.findings,
        skipped_files: tree.skipped_files,
        skipped: checker.skipped(),
        deprecations: list.map(|p| p.display().to_string()),
    };
    ctx.emit(&output, || human(&output));
    Ok(
        if output
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error)
        {
            Exit::DataErrors
        } else {
            Exit::Success
        },
    )
}

fn human(o: &Output) -> String {
    let mut out = String::new();
    for f in &o.findings {
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n    hint: {}\n",
            f.file,
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message,
            f.hint
        ));
    }
    for f in &o.skipped_files {
        out.push_str(&format!("{}: skipped: {}\n", f.file, f.reason));
    }
    for s in &o.skipped {
        out.push_str(&format!("{}: {}\n", s.rule, s.reason));
    }
    if o.tests_left_out > 0 {
        out.push_str(&format!(
            "{} test files left out (--include-tests checks them)\n",
            o.tests_left_out
        ));
    }
    let count = |sev: Severity| o.findings.iter().filter(|f| f.severity == sev).count();
    out.push_str(&format!(
        "{} files checked: {} errors, {} warnings, {} notes",
        o.files,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}
