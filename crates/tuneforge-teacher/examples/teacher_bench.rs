//! Send every prompt of a file (one per line) through the teacher client, uncached, and
//! print the wall time and tokens as JSON: bench/teacher_bench.sh compares it with a plain
//! Python asyncio client sending the same prompts at the same concurrency.
//!
//! Usage: teacher_bench <base_url> <model> <concurrency> <max_tokens> <prompts.txt>

// An example is a program of its own: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use tuneforge_core::records::{Message, Role};
use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_teacher::{Teacher, TeacherOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, model, concurrency, max_tokens, prompts] = args.as_slice() else {
        eprintln!(
            "usage: teacher_bench <base_url> <model> <concurrency> <max_tokens> <prompts.txt>"
        );
        std::process::exit(2);
    };
    let prompts: Vec<Vec<Message>> = std::fs::read_to_string(prompts)
        .expect("the prompts file is readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| vec![Message::new(Role::User, l)])
        .collect();
    let cache = tempfile::tempdir().expect("a temp dir");
    let teacher = Teacher::new(TeacherOptions {
        base_url: url.clone(),
        model: model.clone(),
        adapter: None,
        api_key: None,
        concurrency: concurrency.parse().expect("a number"),
        timeout: Duration::from_secs(600),
        // The asyncio client it is compared with does not retry either.
        retries: 0,
        backoff: Duration::from_millis(200),
        max_wait: Duration::from_secs(5),
        temperature: 0.0,
        max_tokens: max_tokens.parse().expect("a number"),
        seed: 42,
        token_budget: None,
        cache_dir: cache.path().to_path_buf(),
    })
    .expect("a client");
    let task = Silent.task("bench", None);
    let start = Instant::now();
    let answers = teacher.complete_all(&prompts, &*task);
    let seconds = start.elapsed().as_secs_f64();
    let failed = answers.iter().filter(|a| a.is_err()).count();
    let tokens: u64 = answers.iter().flatten().map(|c| c.completion_tokens).sum();
    println!(
        "{}",
        serde_json::json!({"requests": prompts.len(), "failed": failed, "seconds": seconds, "completion_tokens": tokens})
    );
}
