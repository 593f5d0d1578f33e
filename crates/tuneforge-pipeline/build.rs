//! Embeds the quickstart's Drupal sample corpus (`corpus/drupal/` at the repository root)
//! in the binary: users have no checkout, so every file is compiled in, listed in path
//! order. The corpus lives outside the crate because it is data of the project, not code
//! of this crate (`corpus/interactions.jsonl` is the interactions sample, included by
//! `src/quickstart.rs`).

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the crate is crates/tuneforge-pipeline in the repository");
    let root = repository.join("corpus/drupal");
    // A directory is watched whole: an added, removed or edited file reruns this script.
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut code = String::from(
        "/// The sample corpus: `(path under corpus/drupal/, bytes)`, in path order.\npub const SAMPLE_CORPUS: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("sample_corpus.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
