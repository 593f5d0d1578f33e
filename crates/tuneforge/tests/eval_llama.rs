//! `tuneforge eval` against a real llama.cpp server (`llama-server` serving SmolLM2-135M):
//! chat requests for the Drupal suite, raw completions cut at the stop tokens for the
//! executable one, and `--compare` end to end. Both names are served by the same model, so
//! with greedy decoding every task must tie: the comparison sees no difference where
//! there is none.

mod common;
#[path = "../../tuneforge-teacher/tests/support/llama.rs"]
mod llama;

use common::{read_jsonl, stderr, stdout, tf_in, workspace};
use serde_json::Value;

#[test]
fn a_real_server_is_evaluated_and_compared_with_itself() {
    let Some((llama_server, gguf)) = llama::llama() else {
        return;
    };
    let server = llama::start(&llama_server, &gguf);
    let url = server.url.clone();
    let (_tmp, ws) = workspace();
    let args = [
        "eval",
        "--endpoint",
        &url,
        "--served-model",
        "smollm2",
        "--served-adapter",
        "smollm2-again",
        "--compare",
        "base,adapter",
        "--suite",
        "drupal11",
        "--suite",
        "php-exec",
        "--mode",
        "completion",
        "--limit",
        "3",
        "--max-tokens",
        "96",
        "--concurrency",
        "2",
        "--run",
        "smol",
        "--json",
    ];
    let out = tf_in(&ws).args(args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let results = read_jsonl(&ws.join("eval/smol/results.jsonl"));
    assert_eq!(results.len(), 12, "3 + 3 tasks, two models");
    for r in &results {
        let status = r["status"].as_str().unwrap();
        assert!(
            [
                "ok",
                "failed",
                "syntax_error",
                "timeout",
                "no_code",
                "output_limit"
            ]
            .contains(&status),
            "{r}"
        );
        assert_eq!(r["passed"], status == "ok", "{r}");
        let answer =
            std::fs::read_to_string(ws.join("eval/smol").join(r["output"].as_str().unwrap()))
                .unwrap();
        // A completion is cut at the problem's stop tokens by the server.
        if r["suite"] == "php-exec" {
            assert!(
                !answer.contains("\nfunction "),
                "not cut at the stop tokens: {answer}"
            );
        }
    }
    for suite in ["drupal11", "php-exec"] {
        let c = &metrics["comparison"]["suites"][suite];
        assert_eq!(c["tasks"], 3, "{c}");
        assert_eq!(c["ties"], 3, "the same model answers alike: {c}");
        assert_eq!(c["p_value"], 1.0);
        assert_eq!(c["verdict"], "no significant difference");
        let p = metrics["models"]["base"][suite]["pass_at"]["pass@1"]
            .as_f64()
            .unwrap();
        assert!((0.0..=1.0).contains(&p));
    }
    // A rerun asks the server nothing: every answer is in the cache and judged.
    let cached = std::fs::read_dir(ws.join(".tuneforge/teacher-cache"))
        .unwrap()
        .count();
    drop(server);
    let again = tf_in(&ws).args(&args[..args.len() - 1]).output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("0 answers judged now, 12 in all"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        std::fs::read_dir(ws.join(".tuneforge/teacher-cache"))
            .unwrap()
            .count(),
        cached
    );
}
