//! The README is the user's manual: every command `tuneforge --help` lists is shown there
//! as it is typed, and the install step it relies on is there too.

mod common;

use common::*;

/// The subcommands of `tuneforge --help`, as clap prints them.
fn subcommands() -> Vec<String> {
    let out = tf().arg("--help").output().unwrap();
    let help = stdout(&out);
    let section = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Commands: section");
    section
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect()
}

#[test]
fn every_subcommand_in_help_is_shown_in_the_readme() {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
    )
    .unwrap();
    let commands = subcommands();
    assert!(commands.len() >= 20, "{commands:?}");
    let missing: Vec<&String> = commands
        .iter()
        .filter(|c| !readme.contains(&format!("tuneforge {c}")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md shows no `tuneforge <command>` for {missing:?}"
    );
    assert!(
        readme.contains("cargo install --locked --path crates/tuneforge"),
        "README.md must say how to install the binary"
    );
}
