//! A module whose Composer metadata said nothing about core is decided by its info.yml.

use std::path::Path;
use std::process::Command;

use tuneforge_core::config::ContentKind;
use tuneforge_sources::acquire::{AcquireOptions, Outcome, acquire_git};
use tuneforge_sources::discover::{Candidate, CandidateKind, Status};

fn repo_with_info(dir: &Path, requirement: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    git(&["init", "-q"]);
    std::fs::write(
        dir.join("mod.info.yml"),
        format!("name: Mod\ntype: module\ncore_version_requirement: {requirement}\n"),
    )
    .unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "x"]);
    git(&["tag", "1.0.0"]);
    git(&["rev-parse", "HEAD"])
}

fn pending(name: &str, url: &Path) -> Candidate {
    let mut c = Candidate::new(
        name,
        CandidateKind::DrupalContrib,
        ContentKind::Code,
        &url.to_string_lossy(),
    );
    c.status = Status::PendingInfoYml;
    c.git_ref = Some("1.0.0".into());
    c
}

#[test]
fn info_yml_keeps_or_drops_a_pending_module() {
    let tmp = tempfile::tempdir().unwrap();
    let code = tmp.path().join("raw/code");
    std::fs::create_dir_all(&code).unwrap();
    let yes = tmp.path().join("yes");
    let commit = repo_with_info(&yes, "'^10.3 || ^11'");
    let no = tmp.path().join("no");
    repo_with_info(&no, "^9 || ^10");
    let options = AcquireOptions::default();

    let kept = acquire_git(
        &code,
        tmp.path(),
        &pending("drupal/yes", &yes),
        None,
        &options,
    );
    assert_eq!(kept.outcome, Outcome::Fetched, "{}", kept.reason);
    assert_eq!(
        kept.commit.as_deref(),
        Some(commit.as_str()),
        "the tag is resolved to its commit"
    );
    assert!(kept.reason.contains("kept"), "{}", kept.reason);
    assert!(code.join("drupal_yes/mod.info.yml").is_file());

    let dropped = acquire_git(
        &code,
        tmp.path(),
        &pending("drupal/no", &no),
        None,
        &options,
    );
    assert_eq!(dropped.outcome, Outcome::Dropped);
    assert!(
        dropped.reason.contains("excludes Drupal 11"),
        "{}",
        dropped.reason
    );
    assert!(!code.join("drupal_no").exists());
}
