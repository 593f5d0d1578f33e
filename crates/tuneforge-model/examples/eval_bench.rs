//! Helpers of `bench/eval_bench.sh`.
//!
//! * `eval_bench judge OUT_DIR REPEATS`: the executable suite's reference programs,
//!   `REPEATS` times over, written to `OUT_DIR/programs/` (for the shell loop the bench
//!   compares with) and judged by tuneforge's sandboxed runner on every core; prints
//!   `{"programs", "passed", "seconds"}`.
//! * `eval_bench prompts`: the user turns `tuneforge eval` sends for the built-in suites in
//!   chat mode, one JSON string per line (for the asyncio client the bench compares with).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::time::Instant;

use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_model::eval::exec::{Limits, PromptMode, program};
use tuneforge_model::eval::run::{exec_chat_prompt, run_programs};
use tuneforge_model::eval::suite::{DRUPAL11, PHP_EXEC, drupal_tasks, exec_problems};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let problems = exec_problems("php-exec.jsonl", PHP_EXEC).expect("the built-in suite reads");
    match args.first().map(String::as_str) {
        Some("prompts") => {
            for t in drupal_tasks("drupal11.jsonl", DRUPAL11).expect("the built-in suite reads") {
                println!("{}", serde_json::json!(t.task.prompt));
            }
            for p in &problems {
                println!("{}", serde_json::json!(exec_chat_prompt(p)));
            }
        }
        Some("judge") if args.len() == 3 => {
            let out = PathBuf::from(&args[1]).join("programs");
            let repeats: usize = args[2].parse().expect("REPEATS is a number");
            std::fs::create_dir_all(&out).expect("the output directory");
            let mut programs = Vec::new();
            for r in 0..repeats {
                for (i, p) in problems.iter().enumerate() {
                    let reference = p
                        .reference
                        .as_deref()
                        .expect("built-in problems have references");
                    let text = program(p, reference, PromptMode::Completion).expect("a program");
                    std::fs::write(out.join(format!("{r:03}-{i:03}.php")), &text).expect("write");
                    programs.push(Some(text));
                }
            }
            let task = Silent.task("judge", None);
            let started = Instant::now();
            let outcomes = run_programs(
                std::path::Path::new("php"),
                &programs,
                Limits::default(),
                &*task,
            )
            .expect("php runs");
            let seconds = started.elapsed().as_secs_f64();
            let passed = outcomes.iter().filter(|o| o.passed()).count();
            println!(
                "{}",
                serde_json::json!({"programs": programs.len(), "passed": passed, "seconds": seconds})
            );
        }
        _ => {
            eprintln!("usage: eval_bench judge OUT_DIR REPEATS | eval_bench prompts");
            std::process::exit(2);
        }
    }
}
