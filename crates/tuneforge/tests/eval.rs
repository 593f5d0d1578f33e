//! `tuneforge eval` against a loopback OpenAI-compatible fixture that answers scripted good
//! and bad answers by model name: a golden table of verdicts, the comparison of the two,
//! the results a rerun keeps (it sends nothing), and the errors of bad input.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::{read_jsonl, stderr, stdout, tf_in, workspace};
use serde_json::{Value, json};
use tuneforge_model::eval::run::exec_chat_prompt;
use tuneforge_model::eval::suite::{DRUPAL11, PHP_EXEC, drupal_tasks, exec_problems};

/// The prompt a task is asked with → the answers each scripted model gives.
struct Script {
    /// `good` answers every task with its reference.
    good: BTreeMap<String, String>,
    /// `bad` answers with a rotation of failures (and some references, for ties).
    bad: BTreeMap<String, String>,
    /// `flaky` answers like `good`, except that this prompt fails its first three attempts.
    flaky_prompt: String,
    flaky_attempts: AtomicU64,
}

/// The first `limit` tasks of each built-in suite, scripted.
fn script(limit: usize) -> Script {
    let mut good = BTreeMap::new();
    let mut bad = BTreeMap::new();
    let tasks = drupal_tasks("drupal11.jsonl", DRUPAL11).unwrap();
    for (i, t) in tasks.iter().take(limit).enumerate() {
        let reference = t.task.reference.clone().unwrap();
        good.insert(t.task.prompt.clone(), reference.clone());
        let wrong = match i % 4 {
            0 => "I would create a block plugin with the Block attribute.".to_owned(),
            1 => "```php\n<?php\n\nclass Broken {\n  public function build( {\n}\n```\n".to_owned(),
            2 => reference.replacen(
                "\nuse ",
                "\nuse Drupal\\Core\\Invented\\NoSuchThing;\nuse ",
                1,
            ),
            _ => reference,
        };
        bad.insert(t.task.prompt.clone(), wrong);
    }
    let problems = exec_problems("php-exec.jsonl", PHP_EXEC).unwrap();
    for (i, p) in problems.iter().take(limit).enumerate() {
        let signature = p.prompt.lines().last().unwrap();
        let reference = p.reference.clone().unwrap();
        let prompt = exec_chat_prompt(p);
        good.insert(
            prompt.clone(),
            format!("```php\n{signature}\n{reference}```\n"),
        );
        let wrong = match i % 3 {
            0 => "Here is how you would do it, in words.".to_owned(),
            1 => format!("```php\n{signature}\n  return null;\n}}\n```\n"),
            _ => format!("```php\n{signature}\n{reference}```\n"),
        };
        bad.insert(prompt, wrong);
    }
    let flaky_prompt = exec_chat_prompt(&problems[0]);
    Script {
        good,
        bad,
        flaky_prompt,
        flaky_attempts: AtomicU64::new(0),
    }
}

/// A loopback OpenAI-compatible server: `good` and `bad` answer from the script, any other
/// model is a 404. Counts the requests it answered.
struct Fixture {
    url: String,
    requests: Arc<AtomicU64>,
    seen_models: Arc<Mutex<Vec<String>>>,
}

fn serve(script: Script) -> Fixture {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicU64::new(0));
    let seen_models = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let (count, seen) = (requests.clone(), seen_models.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (script, count, seen) = (script.clone(), count.clone(), seen.clone());
            std::thread::spawn(move || handle(stream, &script, &count, &seen));
        }
    });
    Fixture {
        url,
        requests,
        seen_models,
    }
}

fn handle(mut stream: TcpStream, script: &Script, count: &AtomicU64, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let request: Value = serde_json::from_slice(&body).unwrap();
    let model = request["model"].as_str().unwrap_or("").to_owned();
    seen.lock().unwrap().push(model.clone());
    let prompt = request["messages"][0]["content"].as_str().unwrap_or("");
    if model == "hang" {
        // Never answers in time: the client's timeout must end the wait.
        std::thread::sleep(std::time::Duration::from_secs(30));
        return;
    }
    if model == "flaky" && prompt == script.flaky_prompt {
        // The first three attempts at this prompt fail: one invocation's retries run out.
        let attempt = script.flaky_attempts.fetch_add(1, Ordering::SeqCst);
        if attempt < 3 {
            let _ = write!(
                stream,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            return;
        }
    }
    let answers = match model.as_str() {
        "good" | "flaky" => Some(&script.good),
        "bad" => Some(&script.bad),
        _ => None,
    };
    let (status, reply) = match answers {
        Some(answers) => {
            count.fetch_add(1, Ordering::SeqCst);
            let content = answers
                .get(prompt)
                .cloned()
                .unwrap_or_else(|| format!("unscripted prompt: {prompt}"));
            (
                "200 OK",
                json!({
                    "id": "x", "object": "chat.completion", "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 20}
                }),
            )
        }
        None => (
            "404 Not Found",
            json!({"error": {"message": format!("The model `{model}` does not exist."), "type": "invalid_request_error"}}),
        ),
    };
    let body = reply.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A class index as an analyzed core checkout gives one: every `Drupal\…` class the
/// references import (so an invented one stands out).
fn index_core_classes(ws: &Path) {
    // DrupalKernel marks a whole core checkout: only then does the index speak for Core.
    let mut classes = vec![json!({"fqcn": "Drupal\\Core\\DrupalKernel"})];
    for t in drupal_tasks("drupal11.jsonl", DRUPAL11).unwrap() {
        for line in t.task.reference.unwrap().lines() {
            if let Some(name) = line
                .strip_prefix("use Drupal\\")
                .and_then(|l| l.strip_suffix(';'))
            {
                let name = name.split(" as ").next().unwrap();
                classes.push(json!({"fqcn": format!("Drupal\\{name}")}));
            }
        }
    }
    std::fs::create_dir_all(ws.join("analysis")).unwrap();
    std::fs::write(
        ws.join("analysis/facts.jsonl"),
        format!("{}\n", json!({"classes": classes})),
    )
    .unwrap();
}

fn eval_args(url: &str, limit: u32) -> Vec<String> {
    [
        "eval",
        "--endpoint",
        url,
        "--suite",
        "drupal11",
        "--suite",
        "php-exec",
        "--limit",
        &limit.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

fn results_by_task(dir: &Path, model: &str) -> BTreeMap<String, Value> {
    read_jsonl(&dir.join("results.jsonl"))
        .into_iter()
        .filter(|r| r["model"] == model)
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["suite"].as_str().unwrap(),
                    r["task_id"].as_str().unwrap()
                ),
                r,
            )
        })
        .collect()
}

#[test]
fn a_good_adapter_beats_a_bad_base_and_a_rerun_sends_nothing() {
    let fixture = serve(script(8));
    let (_tmp, ws) = workspace();
    index_core_classes(&ws);
    let mut args = eval_args(&fixture.url, 8);
    args.extend(
        [
            "--served-model",
            "bad",
            "--served-adapter",
            "good",
            "--compare",
            "base,adapter",
            "--run",
            "golden",
        ]
        .map(String::from),
    );
    let out = tf_in(&ws).args(&args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let metrics: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let dir = ws.join("eval/golden");
    let sent = fixture.requests.load(Ordering::SeqCst);
    assert_eq!(sent, 32, "8 + 8 tasks, two models");

    // Every reference passes.
    let good = results_by_task(&dir, "adapter");
    assert_eq!(good.len(), 16);
    for (task, r) in &good {
        assert_eq!(r["passed"], true, "{task}: {r}");
        assert_eq!(r["status"], "ok", "{task}");
    }
    // The golden table of the bad model's verdicts: status and the checks named.
    let bad = results_by_task(&dir, "base");
    let drupal: Vec<&Value> = bad
        .iter()
        .filter(|(k, _)| k.starts_with("drupal11/"))
        .map(|(_, v)| v)
        .collect();
    let tasks = drupal_tasks("drupal11.jsonl", DRUPAL11).unwrap();
    for (i, t) in tasks.iter().take(8).enumerate() {
        let r = &bad[&format!("drupal11/{}", t.task.id)];
        let failed: Vec<&str> = r["failed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap())
            .collect();
        match i % 4 {
            0 => {
                assert_eq!(r["status"], "no_code", "{r}");
                assert!(failed.contains(&"has-code"), "{r}");
            }
            1 => {
                assert_eq!(r["status"], "syntax_error", "{r}");
                assert!(
                    failed
                        .iter()
                        .any(|f| *f == "syntax-error" || *f == "php-lint"),
                    "{r}"
                );
            }
            2 => {
                assert_eq!(r["status"], "failed", "{r}");
                assert_eq!(failed, ["import-unknown-class"], "{r}");
            }
            3 => assert_eq!(r["status"], "ok", "{r}"),
            _ => unreachable!(),
        }
    }
    assert_eq!(drupal.len(), 8);
    let problems = exec_problems("php-exec.jsonl", PHP_EXEC).unwrap();
    for (i, p) in problems.iter().take(8).enumerate() {
        let r = &bad[&format!("php-exec/{}", p.name)];
        let (status, passed) = match i % 3 {
            0 => ("no_code", false),
            1 => ("failed", false),
            _ => ("ok", true),
        };
        assert_eq!(r["status"], status, "{}: {r}", p.name);
        assert_eq!(r["passed"], passed, "{}: {r}", p.name);
        if !passed {
            assert_eq!(r["failed"][0], format!("exec:{status}"));
        }
        // The answer is kept as the model gave it.
        let kept = std::fs::read_to_string(dir.join(r["output"].as_str().unwrap())).unwrap();
        assert_eq!(kept, script(8).bad[&exec_chat_prompt(p)]);
    }

    // The comparison: the base fails 6 of 8 Drupal tasks and 6 of 8 problems.
    let c = &metrics["comparison"]["suites"];
    assert_eq!(c["drupal11"]["wins"], 6, "{c}");
    assert_eq!(c["drupal11"]["losses"], 0);
    assert_eq!(c["drupal11"]["ties"], 2);
    assert_eq!(c["php-exec"]["wins"], 6, "{c}");
    assert_eq!(c["php-exec"]["ties"], 2);
    // 6 wins against 0 losses: p = 2 * 0.5^6.
    assert!((c["php-exec"]["p_value"].as_f64().unwrap() - 0.03125).abs() < 1e-9);
    assert_eq!(c["php-exec"]["verdict"], "adapter better");
    assert_eq!(c["drupal11"]["verdict"], "adapter better");
    assert_eq!(c["drupal11"]["regressions"], json!([]));
    assert_eq!(
        metrics["models"]["adapter"]["drupal11"]["pass_at"]["pass@1"],
        1.0
    );
    assert_eq!(
        metrics["models"]["base"]["php-exec"]["pass_at"]["pass@1"],
        0.25
    );
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("<svg") && report.contains("php-exec: pass@1 by category"));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(
        md.contains("| php-exec | 8 | 25.0% | 100.0% | 6 | 0 | 2 | 0.031 | **adapter better** |"),
        "{md}"
    );

    // A rerun: nothing is sent (the cache), nothing judged again (the results).
    let again = tf_in(&ws).args(&args).output().unwrap();
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(fixture.requests.load(Ordering::SeqCst), sent);
    assert!(
        stdout(&again).contains("0 answers judged now, 32 in all"),
        "{}",
        stdout(&again)
    );
    assert_eq!(read_jsonl(&dir.join("results.jsonl")).len(), 32);

    // The same run name with other settings is refused, not mixed in.
    let other = tf_in(&ws)
        .args(&args)
        .args(["--max-tokens", "64"])
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(2), "{}", stderr(&other));
    assert!(
        stderr(&other).contains("holds a run with other settings"),
        "{}",
        stderr(&other)
    );
    assert!(
        fixture
            .seen_models
            .lock()
            .unwrap()
            .iter()
            .all(|m| m == "good" || m == "bad")
    );
}

#[test]
fn a_model_the_endpoint_does_not_serve_and_a_dead_endpoint_are_clear_errors() {
    let fixture = serve(script(1));
    let (_tmp, ws) = workspace();
    let mut args = eval_args(&fixture.url, 1);
    args.extend(["--served-model", "missing"].map(String::from));
    let out = tf_in(&ws).args(&args).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("HTTP 404") && err.contains("does not exist"),
        "{err}"
    );
    assert!(err.contains("no answer to any of 2 requests"), "{err}");

    // Nothing listens on a port we just let go of.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}/v1");
    let out = tf_in(&ws)
        .args([
            "eval",
            "--endpoint",
            &dead,
            "--served-model",
            "good",
            "--limit",
            "1",
        ])
        .args(["--suite", "php-exec"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("connection failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_suite_line_that_is_not_json_is_named() {
    let (_tmp, ws) = workspace();
    let suite = ws.join("mine.jsonl");
    std::fs::write(
        &suite,
        "{\"id\":\"a\",\"category\":\"c\",\"prompt\":\"Write a block.\"}\n{not json\n",
    )
    .unwrap();
    let out = tf_in(&ws)
        .args([
            "eval",
            "--endpoint",
            "http://127.0.0.1:9/v1",
            "--served-model",
            "m",
            "--suite",
        ])
        .arg(&suite)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("mine.jsonl:2:"), "{}", stderr(&out));
}

#[test]
fn requests_that_fail_are_asked_again_by_the_next_run_and_nothing_judged_is_lost() {
    let fixture = serve(script(3));
    let (_tmp, ws) = workspace();
    let mut args = eval_args(&fixture.url, 3);
    args.extend(["--served-model", "flaky", "--run", "flaky"].map(String::from));
    let first = tf_in(&ws).args(&args).output().unwrap();
    assert_eq!(first.status.code(), Some(3), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("1 of 6 requests got no answer"),
        "{}",
        stderr(&first)
    );
    assert!(
        stdout(&first).contains("1 requests unanswered"),
        "{}",
        stdout(&first)
    );
    let dir = ws.join("eval/flaky");
    let judged = read_jsonl(&dir.join("results.jsonl"));
    assert_eq!(judged.len(), 5);

    let second = tf_in(&ws).args(&args).output().unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("1 answers judged now, 6 in all"),
        "{}",
        stdout(&second)
    );
    let all = read_jsonl(&dir.join("results.jsonl"));
    assert_eq!(
        &all[..5],
        &judged[..],
        "earlier lines are kept as they were"
    );
    assert!(all.iter().all(|r| r["passed"] == true));
}

#[test]
fn an_endpoint_that_hangs_times_out() {
    let fixture = serve(script(1));
    let (_tmp, ws) = workspace();
    let config = ws.join("pipeline.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let pattern = "  timeout_secs: null                 # per endpoint request (300)";
    assert!(text.contains(pattern));
    std::fs::write(&config, text.replace(pattern, "  timeout_secs: 1")).unwrap();
    let out = tf_in(&ws)
        .args(["eval", "--endpoint", &fixture.url, "--served-model", "hang"])
        .args(["--suite", "php-exec", "--limit", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
}

#[test]
fn programs_that_never_end_or_flood_get_their_status() {
    let problem = |name: &str| {
        json!({
            "name": name, "language": "php",
            "prompt": format!("<?php\n// Return $x.\nfunction {name}($x) {{\n"),
            "tests": format!("function candidate(...$args) {{\n    return {name}(...$args);\n}}\n\nif (candidate(1) !== 1) {{ throw new Exception(\"Test failed!\"); }}\n"),
            "stop_tokens": ["\nfunction"]
        })
    };
    let (loop_problem, flood_problem) = (problem("tf_spin"), problem("tf_flood"));
    let mut script = script(1);
    let (_tmp, ws) = workspace();
    let suite = ws.join("hostile.jsonl");
    let mut lines = String::new();
    for (p, body) in [
        (&loop_problem, "  while (true) {}\n"),
        (
            &flood_problem,
            "  while (true) { echo str_repeat('x', 65536); }\n",
        ),
    ] {
        lines.push_str(&format!("{p}\n"));
        let parsed = exec_problems("hostile.jsonl", &p.to_string())
            .unwrap()
            .remove(0);
        let signature = parsed.prompt.lines().last().unwrap();
        script.bad.insert(
            exec_chat_prompt(&parsed),
            format!("```php\n{signature}\n{body}}}\n```\n"),
        );
    }
    std::fs::write(&suite, lines).unwrap();
    let config = ws.join("pipeline.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let pattern = "  exec_timeout_secs: null            # per executable problem (15)";
    assert!(text.contains(pattern));
    std::fs::write(&config, text.replace(pattern, "  exec_timeout_secs: 2")).unwrap();
    let fixture = serve(script);
    let out = tf_in(&ws)
        .args([
            "eval",
            "--endpoint",
            &fixture.url,
            "--served-model",
            "bad",
            "--run",
            "hostile",
            "--suite",
        ])
        .arg(&suite)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let results = results_by_task(&ws.join("eval/hostile"), "base");
    assert_eq!(
        results["hostile/tf_spin"]["status"], "timeout",
        "{results:?}"
    );
    assert_eq!(
        results["hostile/tf_spin"]["failed"],
        json!(["exec:timeout"])
    );
    assert_eq!(
        results["hostile/tf_flood"]["status"], "output_limit",
        "{results:?}"
    );
    assert!(results.values().all(|r| r["passed"] == false));
}
