//! The built-in evaluation suites, as text (`tuneforge-model`'s `eval` reads and judges
//! them), and their prompts as decontamination references: `package` drops training
//! samples that overlap what the model will be evaluated on.

use crate::package::EvalPrompt;

/// 89 Drupal 11 tasks (JSON Lines: `id`, `category`, `prompt`, checks, `reference`).
pub const DRUPAL11: &str = include_str!("../eval-suites/drupal11.jsonl");
/// 34 executable PHP problems in MultiPL-E's format.
pub const PHP_EXEC: &str = include_str!("../eval-suites/php-exec.jsonl");

/// Every prompt of the built-in suites, named `built-in:<suite>:<line>`.
pub fn builtin_prompts() -> Vec<EvalPrompt> {
    [("drupal11.jsonl", DRUPAL11), ("php-exec.jsonl", PHP_EXEC)]
        .into_iter()
        .flat_map(|(name, text)| {
            text.lines().enumerate().filter_map(move |(i, line)| {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                Some(EvalPrompt {
                    origin: format!("built-in:{name}:{}", i + 1),
                    text: value.get("prompt")?.as_str()?.to_owned(),
                })
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_line_gives_its_prompt() {
        let prompts = builtin_prompts();
        let lines = DRUPAL11.lines().count() + PHP_EXEC.lines().count();
        assert_eq!(prompts.len(), lines);
        assert!(prompts[0].origin.starts_with("built-in:drupal11.jsonl:1"));
        assert!(prompts.iter().all(|p| !p.text.trim().is_empty()));
    }
}
