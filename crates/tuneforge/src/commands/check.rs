//! `tuneforge check <path>`: the Drupal 11 rules over any file or tree, printed like a linter.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::reporter::Reporter as _;
use tuneforge_php::rules::{Finding, Severity, Skipped};

use super::Context;
use crate::cli::CheckArgs;
use crate::exit::{Exit, UsageError};

#[derive(Serialize)]
struct Output {
    files: usize,
    findings: Vec<Finding>,
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

    let files: Vec<(String, PathBuf)> = if args.path.is_file() {
        vec![(args.path.display().to_string(), args.path.clone())]
    } else {
        tuneforge_core::fsio::list_files(&args.path)
            .with_context(|| format!("reading the tree {}", args.path.display()))?
            .files
            .into_iter()
            .filter(|(rel, _)| !rel.split('/').any(|p| p == "vendor" || p == "node_modules"))
            .map(|(rel, full)| (args.path.join(&rel).display().to_string(), full))
            .collect()
    };
    let checked: Vec<&(String, PathBuf)> = files
        .iter()
        .filter(|(name, _)| {
            tuneforge_php::analyze::is_php(name)
                || name.ends_with(".yml")
                || name.ends_with(".yaml")
        })
        .collect();
    let task = ctx
        .reporter
        .task("check: files", Some(checked.len() as u64));
    let mut findings: Vec<Finding> = checked
        .par_iter()
        .flat_map_iter(|(name, full)| {
            task.advance(1);
            match std::fs::read(full) {
                Ok(bytes) => checker.check(name, &String::from_utf8_lossy(&bytes)),
                Err(e) => {
                    ctx.reporter.warn(&format!("{name}: not read: {e}"));
                    Vec::new()
                }
            }
        })
        .collect();
    task.finish();
    findings.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let output = Output {
        files: checked.len(),
        findings,
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
    for s in &o.skipped {
        out.push_str(&format!("{}: {}\n", s.rule, s.reason));
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
