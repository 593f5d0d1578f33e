//! Commands printed as hints, spelled so that they run: `tuneforge …` when that is what
//! `tuneforge` on PATH starts, else this binary's full path (a `cargo run` build, say).

use std::path::{Path, PathBuf};

/// `args` as a command line a user can paste.
pub fn command(args: &str) -> String {
    format!("{} {args}", program())
}

fn program() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "tuneforge".into();
    };
    let exe = exe.canonicalize().unwrap_or(exe);
    match on_path("tuneforge") {
        Some(found) if found.canonicalize().is_ok_and(|f| f == exe) => "tuneforge".into(),
        _ => exe.display().to_string(),
    }
}

/// The first `name` on PATH that is a file.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| Path::is_file(p))
}
