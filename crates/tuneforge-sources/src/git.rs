//! The `git` command line, for what a pure-Rust client would have to reimplement:
//! credentials, ssh, protocol v2, local paths. It never prompts (no terminal prompt, ssh in
//! batch mode), runs no hooks, gives up on a stalled transfer, and is killed when it runs
//! past its deadline.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

/// How long one git command may run before it is killed.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);

#[derive(Debug, Error)]
pub enum GitError {
    #[error("cannot run git ({0}); install git (apt-get install git)")]
    Spawn(std::io::Error),
    #[error("`git {args}` failed: {message}")]
    Failed { args: String, message: String },
    #[error("`git {args}` did not finish within {seconds} s and was stopped")]
    Timeout { args: String, seconds: u64 },
    #[error("{url} has no branch or tag {git_ref:?}")]
    NoSuchRef { url: String, git_ref: String },
}

/// A `git` command that cannot block on a prompt and runs no hooks.
pub fn command() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("SSH_ASKPASS", "true")
        .env("GCM_INTERACTIVE", "never")
        .stdin(Stdio::null());
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        cmd.env(
            "GIT_SSH_COMMAND",
            "ssh -o BatchMode=yes -o ConnectTimeout=30",
        );
    }
    cmd.args([
        "-c",
        "core.hooksPath=/dev/null",
        // Abort a transfer slower than 1 KB/s for 60 s.
        "-c",
        "http.lowSpeedLimit=1000",
        "-c",
        "http.lowSpeedTime=60",
    ]);
    cmd
}

/// Run git with `args`, killing it after `deadline`.
pub fn run(args: &[&str], cwd: Option<&Path>, deadline: Duration) -> Result<String, GitError> {
    let mut cmd = command();
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().map_err(GitError::Spawn)?;
    // Drain both pipes on threads so a chatty git never blocks on a full pipe.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let status = match wait_deadline(&mut child, deadline).map_err(GitError::Spawn)? {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(GitError::Timeout {
                args: args.join(" "),
                seconds: deadline.as_secs(),
            });
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !status.success() {
        return Err(GitError::Failed {
            args: args.join(" "),
            message: error_line(&String::from_utf8_lossy(&stderr)),
        });
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

/// Wait for `child` to exit, at most `deadline`: its status, or `None` when it is still
/// running then. On Linux the wait sleeps on a pidfd, so it returns the moment the child
/// exits; elsewhere (or on a kernel before 5.3) it polls, at first every millisecond.
fn wait_deadline(child: &mut Child, deadline: Duration) -> std::io::Result<Option<ExitStatus>> {
    let end = Instant::now() + deadline;
    #[cfg(target_os = "linux")]
    {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        use rustix::process::{Pid, PidfdFlags, pidfd_open};
        if let Ok(pidfd) = pidfd_open(Pid::from_child(child), PidfdFlags::empty()) {
            loop {
                let left = end.saturating_duration_since(Instant::now());
                let timeout = Timespec::try_from(left).unwrap_or(Timespec {
                    tv_sec: i64::from(i32::MAX),
                    tv_nsec: 0,
                });
                let mut fds = [PollFd::new(&pidfd, PollFlags::IN)];
                match poll(&mut fds, Some(&timeout)) {
                    // Readable: the child has exited; reaping it does not block.
                    Ok(n) if n > 0 => return child.wait().map(Some),
                    Ok(_) if left.is_zero() => return child.try_wait(),
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let mut nap = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(nap.min(left));
        nap = (nap * 2).min(Duration::from_millis(50));
    }
}

/// The line of git's stderr that says what went wrong: the first `fatal:` or `error:`
/// line, else the last non-empty one.
fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .or(lines.last())
        .map_or_else(|| "no message".to_owned(), |l| (*l).to_owned())
}

/// Is `s` a full commit id (40 or 64 hex digits)?
pub fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A URL that is a path on this machine (not `scheme://…`, not scp-like `host:path`).
pub fn is_local(url: &str) -> bool {
    if url.contains("://") {
        return url.starts_with("file://");
    }
    match url.find(':') {
        // `host:path` has its colon before any slash.
        Some(colon) => url.find('/').is_some_and(|slash| slash < colon),
        None => true,
    }
}

/// Resolve a branch or tag of `url` to a commit with `git ls-remote`. An annotated tag
/// resolves to the commit it points at. A full commit id is kept as it is once the
/// repository answers.
pub fn resolve_ref(url: &str, git_ref: &str) -> Result<String, GitError> {
    if is_commit_id(git_ref) {
        run(&["ls-remote", "--", url, "HEAD"], None, DEFAULT_DEADLINE)?;
        return Ok(git_ref.to_ascii_lowercase());
    }
    let peeled = format!("{git_ref}^{{}}");
    let listing = run(
        &["ls-remote", "--", url, git_ref, &peeled],
        None,
        DEFAULT_DEADLINE,
    )?;
    pick_ref(&listing, git_ref).ok_or_else(|| GitError::NoSuchRef {
        url: url.to_owned(),
        git_ref: git_ref.to_owned(),
    })
}

/// From `ls-remote` output, the commit of `git_ref`: a peeled tag first (the commit an
/// annotated tag points at), then a tag, then a branch, then an exact ref name (peeled
/// first too).
fn pick_ref(listing: &str, git_ref: &str) -> Option<String> {
    let entries: Vec<(&str, &str)> = listing.lines().filter_map(|l| l.split_once('\t')).collect();
    let find = |name: String| {
        entries
            .iter()
            .find(|(_, r)| *r == name)
            .map(|(sha, _)| (*sha).to_owned())
    };
    find(format!("refs/tags/{git_ref}^{{}}"))
        .or_else(|| find(format!("refs/tags/{git_ref}")))
        .or_else(|| find(format!("refs/heads/{git_ref}")))
        .or_else(|| find(format!("{git_ref}^{{}}")))
        .or_else(|| find(git_ref.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_peeled_tag_then_tag_then_branch() {
        let listing = "aaa\trefs/heads/11.x\nbbb\trefs/tags/11.0.0\nccc\trefs/tags/11.0.0^{}\n";
        assert_eq!(pick_ref(listing, "11.0.0").as_deref(), Some("ccc"));
        assert_eq!(
            pick_ref(listing, "refs/tags/11.0.0").as_deref(),
            Some("ccc")
        );
        assert_eq!(pick_ref(listing, "11.x").as_deref(), Some("aaa"));
        assert_eq!(pick_ref(listing, "12.x"), None);
        assert!(is_commit_id(&"a".repeat(40)));
        assert!(!is_commit_id("main"));
    }

    #[test]
    fn local_and_remote_urls() {
        assert!(is_local("../repo"));
        assert!(is_local("/srv/git/repo.git"));
        assert!(is_local("file:///srv/repo"));
        assert!(!is_local("https://git.drupalcode.org/project/drupal.git"));
        assert!(!is_local("git@github.com:org/repo.git"));
        assert!(is_local("./a:b"));
    }

    #[test]
    fn a_git_past_its_deadline_is_stopped_and_a_quick_one_is_not_kept_waiting() {
        let started = Instant::now();
        let out = run(&["--version"], None, DEFAULT_DEADLINE).unwrap();
        assert!(out.starts_with("git version"), "{out}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let started = Instant::now();
        let err = run(
            &["-c", "alias.nap=!sleep 3", "nap"],
            None,
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(matches!(err, GitError::Timeout { .. }), "{err}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn the_fatal_line_is_the_message() {
        let stderr = "fatal: '../x' does not appear to be a git repository\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n";
        assert_eq!(
            error_line(stderr),
            "fatal: '../x' does not appear to be a git repository"
        );
    }
}
