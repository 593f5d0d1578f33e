//! A Drupal 11 task's answer, judged: the gate's checks (tree-sitter syntax and the Drupal
//! 11 rules per code block, imports against the class index when the workspace has a core
//! checkout, then `php -l`, phpcs and phpstan when installed) and the task's own (its
//! must / must-not patterns, the rules it names). A verdict is pass or fail with every
//! failed check named.

use std::path::Path;

use tuneforge_core::reporter::Reporter;
use tuneforge_php::class_index::ClassIndex;
use tuneforge_php::gate::{GateTools, check_answers, code_blocks};
use tuneforge_php::rules::{Checker, Severity};

use super::EvalError;
use super::exec::Status;
use super::suite::CompiledTask;

/// A task's verdict.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub status: Status,
    /// The checks that failed, by name: `has-code`, `must:<pattern>`,
    /// `must-not:<pattern>`, or the rule that fired (`syntax-error`, `php-lint`,
    /// `drupal-service-in-class`, `import-unknown-class`, `phpcs:…`).
    pub failed: Vec<String>,
}

/// The verdicts of a batch, in order, and the external tool runs that failed (their blocks
/// went unchecked by that tool, which a report must say rather than pass over).
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub verdicts: Vec<Verdict>,
    pub tool_errors: Vec<String>,
}

/// What judges Drupal answers: the rules, the external tools found and the class index.
pub struct DrupalJudge<'a> {
    pub checker: &'a Checker,
    pub tools: &'a GateTools,
    pub classes: Option<&'a ClassIndex>,
}

/// Findings that fail any task: errors (syntax, `php -l`, an invented import, an error-level
/// rule) and what phpcs or phpstan report above a note.
fn fails_any_task(rule: &str, severity: Severity) -> bool {
    severity == Severity::Error
        || ((rule.starts_with("phpcs:") || rule.starts_with("phpstan:"))
            && severity == Severity::Warning)
}

impl DrupalJudge<'_> {
    /// The verdict of each `(task, answer)` pair, in order. `scratch` holds the code blocks
    /// the external tools read.
    pub fn judge(
        &self,
        answers: &[(&CompiledTask, &str)],
        scratch: &Path,
        reporter: &dyn Reporter,
    ) -> Result<Judged, EvalError> {
        let texts: Vec<&str> = answers.iter().map(|(_, a)| *a).collect();
        let (findings, tool_errors) = check_answers(
            &texts,
            self.checker,
            self.tools,
            self.classes,
            scratch,
            reporter,
        )
        .map_err(|source| EvalError::Io {
            what: format!("checking answers in {}", scratch.display()),
            source,
        })?;
        let verdicts = answers
            .iter()
            .zip(findings)
            .map(|((task, answer), found)| {
                let mut failed: Vec<String> = Vec::new();
                let mut push = |name: String| {
                    if !failed.contains(&name) {
                        failed.push(name);
                    }
                };
                let (blocks, _) = code_blocks(answer);
                if blocks.is_empty() {
                    push("has-code".to_owned());
                }
                for f in &found {
                    if fails_any_task(&f.rule, f.severity) || task.task.rules.contains(&f.rule) {
                        push(f.rule.clone());
                    }
                }
                for (pattern, re) in task.task.must.iter().zip(&task.must) {
                    if !re.is_match(answer) {
                        push(format!("must:{pattern}"));
                    }
                }
                for (pattern, re) in task.task.must_not.iter().zip(&task.must_not) {
                    if re.is_match(answer) {
                        push(format!("must-not:{pattern}"));
                    }
                }
                let status = if blocks.is_empty() {
                    Status::NoCode
                } else if failed
                    .iter()
                    .any(|f| f == "syntax-error" || f == "php-lint")
                {
                    Status::SyntaxError
                } else if failed.is_empty() {
                    Status::Ok
                } else {
                    Status::Failed
                };
                Verdict {
                    passed: failed.is_empty(),
                    status,
                    failed,
                }
            })
            .collect();
        Ok(Judged {
            verdicts,
            tool_errors,
        })
    }
}
