//! The executable judge with the real `php`: every status, the sandbox's limits, and the
//! built-in suite (each reference passes, a wrong completion fails).

use std::path::PathBuf;
use std::time::Duration;

use tuneforge_model::eval::exec::{Limits, PromptMode, Status, program, run};
use tuneforge_model::eval::suite::{PHP_EXEC, exec_problems};

fn php() -> PathBuf {
    tuneforge_php::tools::which("php")
        .expect("php must be installed (scripts/test.sh installs php-cli)")
}

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(5),
        output_cap: 64 * 1024,
    }
}

#[test]
fn each_status_is_told_apart() {
    let php = php();
    let judge = |code: &str| run(&php, code, limits()).unwrap();
    assert_eq!(judge("<?php\necho 'ok';\n").status, Status::Ok);
    let failed = judge("<?php\nthrow new Exception('Test failed!');\n");
    assert_eq!(failed.status, Status::Failed);
    assert!(failed.output_excerpt.contains("Test failed!"), "{failed:?}");
    assert_eq!(judge("<?php\nexit(3);\n").exit_code, Some(3));
    assert_eq!(judge("<?php\nfunction (\n").status, Status::SyntaxError);
    let fatal = judge("<?php\nundefined_function();\n");
    assert_eq!(fatal.status, Status::Failed, "{fatal:?}");
}

#[test]
fn runaway_programs_are_stopped() {
    let php = php();
    let short = Limits {
        timeout: Duration::from_millis(700),
        output_cap: 64 * 1024,
    };
    assert_eq!(
        run(&php, "<?php\nwhile (true) {}\n", short).unwrap().status,
        Status::Timeout
    );
    let flood = run(
        &php,
        "<?php\nwhile (true) { echo str_repeat('x', 8192); }\n",
        limits(),
    )
    .unwrap();
    assert_eq!(flood.status, Status::OutputLimit);
    assert!(flood.output_excerpt.len() <= 2100);
}

#[test]
fn programs_see_no_secrets_and_stay_in_their_directory() {
    let php = php();
    // SAFETY: this test's threads do not read the environment concurrently; the variable
    // exists only to show the child does not inherit it.
    unsafe { std::env::set_var("TUNEFORGE_EVAL_SECRET", "hunter2") };
    let env = run(
        &php,
        "<?php\nif (getenv('TUNEFORGE_EVAL_SECRET') !== false) { exit(7); }\n",
        limits(),
    )
    .unwrap();
    assert_eq!(env.status, Status::Ok, "{env:?}");
    let outside = std::env::temp_dir().join("tuneforge-eval-escape.txt");
    let _ = std::fs::remove_file(&outside);
    let escape = run(
        &php,
        &format!(
            "<?php\n@file_put_contents('{}', 'x');\nfile_put_contents('inside.txt', 'x');\nif (!file_exists('inside.txt')) {{ exit(4); }}\n",
            outside.display()
        ),
        limits(),
    )
    .unwrap();
    assert!(
        !outside.exists(),
        "a program wrote outside its directory: {escape:?}"
    );
    assert_eq!(
        escape.status,
        Status::Ok,
        "inside its directory it may write: {escape:?}"
    );
    let shell = run(&php, "<?php\necho shell_exec('echo hi');\n", limits()).unwrap();
    assert_eq!(shell.status, Status::Failed, "{shell:?}");
}

#[test]
fn every_built_in_reference_passes_and_a_wrong_completion_fails() {
    let php = php();
    let problems = exec_problems("php-exec.jsonl", PHP_EXEC).unwrap();
    for p in &problems {
        let reference = p
            .reference
            .as_deref()
            .expect("built-in problems have references");
        let good = run(
            &php,
            &program(p, reference, PromptMode::Completion).unwrap(),
            limits(),
        )
        .unwrap();
        assert_eq!(good.status, Status::Ok, "{}: {good:?}", p.name);
        let wrong = run(
            &php,
            &program(p, "    return null;\n}\n", PromptMode::Completion).unwrap(),
            limits(),
        )
        .unwrap();
        assert_ne!(
            wrong.status,
            Status::Ok,
            "{}: the tests cannot fail",
            p.name
        );
        // The reference as a chat answer that defines the whole function passes too.
        let signature = p.prompt.lines().last().unwrap();
        let chat = format!("```php\n{signature}\n{reference}```\n");
        let chat = run(
            &php,
            &program(p, &chat, PromptMode::Chat).unwrap(),
            limits(),
        )
        .unwrap();
        assert_eq!(chat.status, Status::Ok, "{}: {chat:?}", p.name);
    }
}
