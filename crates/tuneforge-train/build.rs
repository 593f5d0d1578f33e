//! Embeds the Python worker (`python/` at the repository root) in the binary: users have no
//! checkout, so `tuneforge setup` writes the locks and the worker package from here.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == "__pycache__" || name.ends_with(".pyc") {
            continue;
        }
        if path.is_dir() {
            walk(&path, out);
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push(path);
        }
    }
}

fn embed(code: &mut String, name: &str, root: &Path, files: &[PathBuf]) {
    code.push_str(&format!("pub const {name}: &[(&str, &[u8])] = &[\n"));
    for f in files {
        let rel = f
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_bytes!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
}

fn main() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python");
    let python = python.canonicalize().unwrap_or(python);
    let mut code = String::new();

    let mut package = Vec::new();
    walk(&python.join("src/tuneforge_worker"), &mut package);
    embed(&mut code, "WORKER_PACKAGE", &python.join("src"), &package);

    let trl = [python.join("pyproject.toml"), python.join("uv.lock")];
    let gpu = [
        python.join("gpu/pyproject.toml"),
        python.join("gpu/uv.lock"),
    ];
    for f in trl.iter().chain(&gpu) {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    embed(&mut code, "TRL_PROJECT", &python, &trl);
    embed(&mut code, "GPU_PROJECT", &python.join("gpu"), &gpu);

    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("python.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
