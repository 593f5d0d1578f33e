//! The `git` command line, for what a pure-Rust client would have to reimplement:
//! credentials, ssh, protocol v2, local paths. Never prompts; hooks never run here.

use std::path::Path;
use std::process::Command;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum GitError {
    #[error("cannot run git ({0}); install git (apt-get install git)")]
    Spawn(std::io::Error),
    #[error("`git {args}` failed: {stderr}")]
    Failed { args: String, stderr: String },
    #[error("{url} has no branch or tag {git_ref:?}")]
    NoSuchRef { url: String, git_ref: String },
}

/// A `git` command that cannot block on a password prompt.
pub fn command() -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("GCM_INTERACTIVE", "never")
        .arg("-c")
        .arg("core.hooksPath=/dev/null");
    cmd
}

fn run(args: &[&str], cwd: Option<&Path>) -> Result<String, GitError> {
    let mut cmd = command();
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let out = cmd.output().map_err(GitError::Spawn)?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(GitError::Failed {
            args: args.join(" "),
            stderr: stderr.trim().lines().last().unwrap_or("").to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Is `s` a full commit id (40 or 64 hex digits)?
pub fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Resolve a branch or tag of `url` to a commit with `git ls-remote`. An annotated tag
/// resolves to the commit it points at. A full commit id is returned as it is.
pub fn resolve_ref(url: &str, git_ref: &str) -> Result<String, GitError> {
    if is_commit_id(git_ref) {
        return Ok(git_ref.to_ascii_lowercase());
    }
    let listing = run(
        &["ls-remote", "--", url, git_ref, &format!("{git_ref}^{{}}")],
        None,
    )?;
    pick_ref(&listing, git_ref).ok_or_else(|| GitError::NoSuchRef {
        url: url.to_owned(),
        git_ref: git_ref.to_owned(),
    })
}

/// From `ls-remote` output, the commit of `git_ref`: a peeled tag first (the commit an
/// annotated tag points at), then a tag, then a branch, then an exact ref name.
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
        .or_else(|| find(git_ref.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_peeled_tag_then_tag_then_branch() {
        let listing = "aaa\trefs/heads/11.x\nbbb\trefs/tags/11.0.0\nccc\trefs/tags/11.0.0^{}\n";
        assert_eq!(pick_ref(listing, "11.0.0").as_deref(), Some("ccc"));
        assert_eq!(pick_ref(listing, "11.x").as_deref(), Some("aaa"));
        assert_eq!(pick_ref(listing, "12.x"), None);
        assert!(is_commit_id(&"a".repeat(40)));
        assert!(!is_commit_id("main"));
    }
}
