//! Executable problems: the program a model's answer makes, run by `php`.
//!
//! Each run gets a fresh temporary directory as its working directory (removed afterwards)
//! and as PHP's `open_basedir`, no functions that start programs, an environment with
//! nothing but `PATH` (no API key can leak into a program), its own process group (killed
//! afterwards, so nothing it started survives), a timeout and a cap on what it may print. Pass means exit status 0 and no parse or fatal error in its output.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::EvalError;
use super::suite::ExecProblem;

/// Functions a judged program may not call: they start other programs.
const DISABLED_FUNCTIONS: &str =
    "exec,shell_exec,system,passthru,proc_open,popen,pcntl_exec,pcntl_fork";

/// How a model was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptMode {
    /// A base model continues the raw prompt; the completion is cut at the stop tokens.
    Completion,
    /// An instruct model is asked for the completed function in a code block; the first
    /// PHP block of its answer is taken.
    Chat,
}

/// The limits of one run.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Bytes of stdout and stderr together beyond which the program is stopped.
    pub output_cap: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            output_cap: 1 << 20,
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Failed,
    SyntaxError,
    Timeout,
    OutputLimit,
    NoCode,
}

/// A run's verdict and the end of what it printed (for the results file).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Outcome {
    pub status: Status,
    pub exit_code: Option<i32>,
    pub output_excerpt: String,
}

impl Outcome {
    pub fn passed(&self) -> bool {
        self.status == Status::Ok
    }
}

/// The completion cut at the first stop token.
pub fn truncate_at_stop<'a>(completion: &'a str, stop_tokens: &[String]) -> &'a str {
    let end = stop_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .filter_map(|t| completion.find(t.as_str()))
        .min()
        .unwrap_or(completion.len());
    &completion[..end]
}

/// The first fenced PHP block of a chat answer (a block tagged `php`, or untagged), with
/// any opening `<?php` tag removed.
fn first_php_block(answer: &str) -> Option<String> {
    let mut lines = answer.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let lang = info.trim().to_ascii_lowercase();
        let wanted = lang.is_empty() || lang == "php";
        let mut body = Vec::new();
        for inner in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push(inner);
        }
        if wanted {
            let code = body.join("\n");
            let code = code.trim_start();
            let code = code.strip_prefix("<?php").unwrap_or(code);
            return Some(format!("{}\n", code.trim_matches('\n')));
        }
    }
    None
}

/// The function a MultiPL-E prompt opens: the name after its last `function `.
fn prompt_function(prompt: &str) -> Option<&str> {
    let at = prompt.rfind("function ")? + "function ".len();
    let rest = &prompt[at..];
    let end = rest.find('(')?;
    Some(rest[..end].trim())
}

/// The program a model's answer makes, or `None` when a chat answer has no code block.
///
/// Completion: prompt + completion cut at the stop tokens + tests. Chat: when the block
/// defines the whole function, the block and the tests; otherwise prompt + block + tests.
pub fn program(problem: &ExecProblem, answer: &str, mode: PromptMode) -> Option<String> {
    match mode {
        PromptMode::Completion => Some(format!(
            "{}{}\n{}",
            problem.prompt,
            truncate_at_stop(answer, &problem.stop_tokens),
            problem.tests
        )),
        PromptMode::Chat => {
            let block = first_php_block(answer)?;
            let defines = prompt_function(&problem.prompt)
                .is_some_and(|f| block.contains(&format!("function {f}(")));
            Some(if defines {
                format!("<?php\n{block}\n{}", problem.tests)
            } else {
                format!("{}{block}\n{}", problem.prompt, problem.tests)
            })
        }
    }
}

/// What a pipe gives until it closes, or until it would pass `budget` bytes (then it flags
/// `over` and stops reading).
fn drain(mut pipe: impl Read, budget: usize, over: Arc<AtomicBool>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if out.len() + n > budget {
                    over.store(true, Ordering::SeqCst);
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
        }
    }
    out
}

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &text[start..])
}

/// Runs `program` with the `php` at `php` and judges the run.
pub fn run(php: &Path, program: &str, limits: Limits) -> Result<Outcome, EvalError> {
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| EvalError::Io { what, source }
    };
    let dir = tempfile::Builder::new()
        .prefix("tuneforge-eval-")
        .tempdir()
        .map_err(io("creating the run directory"))?;
    let main = dir.path().join("main.php");
    std::fs::write(&main, program).map_err(io("writing the program"))?;
    let mut child = {
        use std::os::unix::process::CommandExt;
        Command::new(php)
            // File access stays inside the run directory, and no program starts another.
            .arg("-d")
            .arg(format!("open_basedir={}", dir.path().display()))
            .arg("-d")
            .arg(format!("disable_functions={DISABLED_FUNCTIONS}"))
            .arg("main.php")
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(io(&format!("starting {}", php.display())))?
    };
    let group = rustix::process::Pid::from_child(&child);
    let over = Arc::new(AtomicBool::new(false));
    // Each pipe may use the whole cap; together they are checked after the run.
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out_reader = {
        let over = over.clone();
        std::thread::spawn(move || drain(stdout, limits.output_cap, over))
    };
    let err_reader = {
        let over = over.clone();
        std::thread::spawn(move || drain(stderr, limits.output_cap, over))
    };
    let deadline = Instant::now() + limits.timeout;
    let mut timed_out = false;
    // Most programs end within milliseconds: poll often at first, then back off.
    let mut pause = Duration::from_micros(250);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io("waiting for php"))? {
            break Some(status);
        }
        if over.load(Ordering::SeqCst) {
            break None;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            break None;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    };
    // Whatever the program started goes with it.
    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    let status = match status {
        Some(s) => s,
        None => child.wait().map_err(io("waiting for php"))?,
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    let exit_code = status.code();
    let over_cap = over.load(Ordering::SeqCst) || stdout.len() + stderr.len() > limits.output_cap;
    let status = if timed_out {
        Status::Timeout
    } else if over_cap {
        Status::OutputLimit
    } else if output.contains("Parse error") {
        Status::SyntaxError
    } else if exit_code == Some(0) && !output.contains("Fatal error") {
        Status::Ok
    } else {
        Status::Failed
    };
    Ok(Outcome {
        status,
        exit_code,
        output_excerpt: tail(output.trim(), 2000),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> ExecProblem {
        ExecProblem {
            name: "t_double".into(),
            language: "php".into(),
            prompt: "<?php\n// Double $x.\nfunction double($x) {\n".into(),
            tests: "function candidate(...$args) {\n    return double(...$args);\n}\n\nfunction test(): void {\n    if (candidate(2) !== 4) { throw new Exception(\"Test failed!\"); }\n}\n\ntest();".into(),
            stop_tokens: vec!["\nfunction".into(), "\n?>".into(), "\n//".into(), "\n#".into()],
            reference: None,
        }
    }

    #[test]
    fn completions_are_cut_at_the_first_stop_token() {
        let p = problem();
        let completion = "    return $x * 2;\n}\n\nfunction helper() {}\n// trailing";
        let program = program(&p, completion, PromptMode::Completion).unwrap();
        assert!(
            program.contains("    return $x * 2;\n}\n\nfunction candidate"),
            "{program}"
        );
        assert!(!program.contains("helper"), "{program}");
    }

    #[test]
    fn chat_answers_give_their_first_php_block() {
        let p = problem();
        let whole = "Here you go:\n\n```php\n<?php\nfunction double($x) {\n  return $x * 2;\n}\n```\n\n```php\necho 1;\n```";
        let program_whole = program(&p, whole, PromptMode::Chat).unwrap();
        assert!(
            program_whole.starts_with("<?php\nfunction double($x) {"),
            "{program_whole}"
        );
        assert!(
            !program_whole.contains("// Double"),
            "the prompt is not repeated"
        );
        let body = "```\n  return $x * 2;\n}\n```";
        let program_body = program(&p, body, PromptMode::Chat).unwrap();
        assert!(program_body.starts_with(&p.prompt), "{program_body}");
        assert_eq!(program(&p, "No code, sorry.", PromptMode::Chat), None);
    }

    #[test]
    fn the_excerpt_keeps_the_end() {
        assert_eq!(tail("abcdef", 3), "…def");
        assert_eq!(tail("ab", 3), "ab");
    }
}
