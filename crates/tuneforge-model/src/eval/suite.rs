//! Evaluation suites, both JSON Lines, read with `file:line` errors:
//!
//! * Drupal 11 tasks ([`DrupalTask`]): a prompt and the machine checks its answer must pass
//!   (must / must-not patterns, rules that must not fire); judged by [`super::judge`].
//! * Executable PHP problems ([`ExecProblem`]) in MultiPL-E's format (`name`, `prompt`,
//!   `tests`, `stop_tokens`), as HumanEval-PHP and MBPP-PHP are distributed; run by
//!   [`super::exec`].
//!
//! The built-in suites are written for this project and embedded in the binary (their text
//! lives in `tuneforge_dataset::eval_suites`, where `package` uses their prompts as
//! decontamination references); a `reference` answer each (a field MultiPL-E files do not
//! have) lets the tests show that the judge accepts a correct answer.

use std::collections::HashSet;

use regex::Regex;
use serde::Deserialize;

use super::EvalError;

pub use tuneforge_dataset::eval_suites::{DRUPAL11, PHP_EXEC};

/// One Drupal 11 task.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrupalTask {
    pub id: String,
    pub category: String,
    pub prompt: String,
    /// Patterns (Rust regex syntax) the answer must match.
    #[serde(default)]
    pub must: Vec<String>,
    /// Patterns the answer must not match.
    #[serde(default)]
    pub must_not: Vec<String>,
    /// Drupal 11 rules (by id) that must not fire on the answer's code.
    #[serde(default)]
    pub rules: Vec<String>,
    /// A correct answer, for the suite's own tests.
    #[serde(default)]
    pub reference: Option<String>,
}

/// A compiled task: its patterns ready to match.
#[derive(Debug, Clone)]
pub struct CompiledTask {
    pub task: DrupalTask,
    pub must: Vec<Regex>,
    pub must_not: Vec<Regex>,
}

/// One executable problem, in MultiPL-E's format (fields it has beyond these are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct ExecProblem {
    pub name: String,
    #[serde(default = "php")]
    pub language: String,
    /// The program's start, ending inside the function the model completes.
    pub prompt: String,
    /// The tests, appended after the completion; a failure throws.
    pub tests: String,
    /// Where a completion is cut.
    #[serde(default)]
    pub stop_tokens: Vec<String>,
    /// A correct completion, for the suite's own tests.
    #[serde(default)]
    pub reference: Option<String>,
}

/// An error at `file:line`.
fn suite_error(file: &str, line: usize, message: String) -> EvalError {
    EvalError::Suite {
        file: file.to_owned(),
        line,
        message,
    }
}

fn php() -> String {
    "php".to_owned()
}

/// Each non-blank line of `text` as a `T`, numbered from 1, or the first line that is not
/// one, named by `file` and line.
fn lines<T: for<'de> Deserialize<'de>>(
    file: &str,
    text: &str,
) -> Result<Vec<(usize, T)>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(line).map_err(|e| {
            suite_error(
                file,
                i + 1,
                format!("{e}; each line must be one JSON object"),
            )
        })?;
        out.push((i + 1, value));
    }
    Ok(out)
}

/// The Drupal tasks of a suite file (`file` names it in errors), their patterns compiled;
/// ids must be unique and prompts non-empty.
pub fn drupal_tasks(file: &str, text: &str) -> Result<Vec<CompiledTask>, EvalError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (line, task) in lines::<DrupalTask>(file, text)? {
        let fail = |message: String| suite_error(file, line, message);
        if task.id.trim().is_empty() || task.prompt.trim().is_empty() {
            return Err(fail("`id` and `prompt` must not be empty".to_owned()));
        }
        if !seen.insert(task.id.clone()) {
            return Err(fail(format!(
                "the id `{}` is used twice; give each task its own",
                task.id
            )));
        }
        let compile = |field: &str, patterns: &[String]| -> Result<Vec<Regex>, EvalError> {
            patterns
                .iter()
                .map(|p| {
                    Regex::new(p).map_err(|e| {
                        fail(format!(
                            "`{field}` pattern {p:?} is not a valid regular expression: {e}"
                        ))
                    })
                })
                .collect()
        };
        let must = compile("must", &task.must)?;
        let must_not = compile("must_not", &task.must_not)?;
        out.push(CompiledTask {
            task,
            must,
            must_not,
        });
    }
    if out.is_empty() {
        return Err(suite_error(file, 1, "the suite has no tasks".to_owned()));
    }
    Ok(out)
}

/// The executable problems of a suite file; names must be unique, and only PHP problems
/// are run here.
pub fn exec_problems(file: &str, text: &str) -> Result<Vec<ExecProblem>, EvalError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (line, problem) in lines::<ExecProblem>(file, text)? {
        let fail = |message: String| suite_error(file, line, message);
        if problem.language != "php" {
            return Err(fail(format!(
                "`language` is {:?}: only PHP problems are run (use MultiPL-E's PHP files)",
                problem.language
            )));
        }
        if !seen.insert(problem.name.clone()) {
            return Err(fail(format!("the name `{}` is used twice", problem.name)));
        }
        out.push(problem);
    }
    if out.is_empty() {
        return Err(suite_error(file, 1, "the suite has no problems".to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_suites_load() {
        let tasks = drupal_tasks("drupal11.jsonl", DRUPAL11).unwrap();
        assert!(tasks.len() >= 80, "{} tasks", tasks.len());
        let categories: HashSet<&str> = tasks.iter().map(|t| t.task.category.as_str()).collect();
        assert!(categories.len() >= 14, "{categories:?}");
        assert!(tasks.iter().all(|t| t.task.reference.is_some()));
        let problems = exec_problems("php-exec.jsonl", PHP_EXEC).unwrap();
        assert!(problems.len() >= 20, "{} problems", problems.len());
        assert!(
            problems
                .iter()
                .all(|p| p.reference.is_some() && !p.stop_tokens.is_empty())
        );
    }

    #[test]
    fn bad_lines_are_named_by_file_and_line() {
        let good = r#"{"id":"a","category":"c","prompt":"p","must":["x"]}"#;
        let err = drupal_tasks("s.jsonl", &format!("{good}\n\nnot json\n")).unwrap_err();
        assert!(err.to_string().starts_with("s.jsonl:3: "), "{err}");
        let err = drupal_tasks("s.jsonl", &format!("{good}\n{good}\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s.jsonl:2: the id `a` is used twice; give each task its own"
        );
        let err = drupal_tasks(
            "s.jsonl",
            r#"{"id":"b","category":"c","prompt":"p","must":["("]}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("`must` pattern \"(\" is not a valid"),
            "{err}"
        );
        let err = drupal_tasks(
            "s.jsonl",
            r#"{"id":"b","category":"c","prompt":"p","musts":[]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `musts`"), "{err}");
        let err = exec_problems(
            "e.jsonl",
            r#"{"name":"x","language":"py","prompt":"def f():","tests":""}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("e.jsonl:1: `language` is \"py\""),
            "{err}"
        );
    }

    #[test]
    fn multipl_e_lines_with_more_fields_load() {
        let line = r#"{"name":"HumanEval_0_x","language":"php","prompt":"<?php\nfunction x($a) {\n","doctests":"transform","original":"x.py","prompt_terminology":"reworded","tests":"test();","stop_tokens":["\nfunction"]}"#;
        let problems = exec_problems("humaneval-php.jsonl", line).unwrap();
        assert_eq!(problems[0].name, "HumanEval_0_x");
        assert!(problems[0].reference.is_none());
    }
}
