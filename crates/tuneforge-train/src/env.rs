//! The worker's virtual environments.
//!
//! `tuneforge setup` installs uv from PyPI into a bootstrap venv of its own (a system
//! `pip install` fails on PEP 668 hosts), then creates each worker venv with
//! `uv sync --frozen` from a lock embedded in the binary. A venv's directory name carries a
//! hash of its lock, the interpreter and the dependency groups, and the venv is never
//! modified after its completion marker is written: a different lock means a different
//! venv, so an old run can always be repeated with the environment it had.
//!
//! The worker's own code is not installed into the venv. It is written, also keyed by its
//! hash, under `worker/` and put on `PYTHONPATH`, so a tuneforge release that changes only
//! the worker reuses the multi-GB venv. The worker is always started as
//! `<venv>/bin/python -m tuneforge_worker`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio::{self, IoError};
use tuneforge_core::reporter::Reporter;

use crate::embedded;

/// The uv release the bootstrap venv installs.
pub const UV_VERSION: &str = "0.13.9";
/// Marker written last into a finished venv; a venv without it is rebuilt.
const COMPLETE_MARKER: &str = ".tuneforge-complete";

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error(
        "cannot run Python `{python}`: {source}\n  hint: install Python 3.11 or newer, or name one with --python (or TUNEFORGE_PYTHON)"
    )]
    PythonNotFound { python: String, source: io::Error },
    #[error(
        "`{python}` is Python {version}; the worker needs 3.11 to 3.13\n  hint: name another interpreter with --python (or TUNEFORGE_PYTHON)"
    )]
    PythonUnsupported { python: String, version: String },
    #[error("{step} failed ({status}): `{command}`\n{output}\n  hint: {hint}")]
    Command {
        step: &'static str,
        command: String,
        status: String,
        output: String,
        hint: &'static str,
    },
    #[error(
        "no CUDA GPU found (no /proc/driver/nvidia/version and `nvidia-smi -L` lists none): the Unsloth environment only works with one\n  hint: run `tuneforge setup` without --gpu; training then uses TRL + PEFT"
    )]
    NoCuda,
    #[error(
        "the worker environment is not set up in {cache}\n  hint: run `tuneforge setup` first (it installs about 6 GB from PyPI once)"
    )]
    NotSetUp { cache: PathBuf },
    #[error(
        "cannot find a cache directory: neither TUNEFORGE_CACHE_DIR, XDG_CACHE_HOME nor HOME is set\n  hint: set TUNEFORGE_CACHE_DIR"
    )]
    NoCacheDir,
    #[error(transparent)]
    Io(#[from] IoError),
}

/// The two worker environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvKind {
    /// TRL + PEFT + bitsandbytes: every machine, CPU included.
    Trl,
    /// Unsloth: CUDA only, its own lock.
    Unsloth,
}

impl EnvKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvKind::Trl => "trl",
            EnvKind::Unsloth => "unsloth",
        }
    }

    fn project(self) -> &'static [(&'static str, &'static [u8])] {
        match self {
            EnvKind::Trl => embedded::TRL_PROJECT,
            EnvKind::Unsloth => embedded::GPU_PROJECT,
        }
    }
}

/// tuneforge's per-user cache: bootstrap uv, worker venvs, worker code, model files.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// `TUNEFORGE_CACHE_DIR`, else `$XDG_CACHE_HOME/tuneforge`, else `~/.cache/tuneforge`.
    pub fn from_env() -> Result<Self, EnvError> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let root = if let Some(dir) = var("TUNEFORGE_CACHE_DIR") {
            PathBuf::from(dir)
        } else if let Some(dir) = var("XDG_CACHE_HOME") {
            PathBuf::from(dir).join("tuneforge")
        } else if let Some(home) = var("HOME") {
            PathBuf::from(home).join(".cache/tuneforge")
        } else {
            return Err(EnvError::NoCacheDir);
        };
        Ok(Self { root })
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn bootstrap_dir(&self) -> PathBuf {
        self.root.join(format!("bootstrap/uv-{UV_VERSION}"))
    }

    fn venvs_dir(&self) -> PathBuf {
        self.root.join("venvs")
    }
}

/// A finished worker environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerEnv {
    pub kind: EnvKind,
    pub venv: PathBuf,
    /// `<venv>/bin/python`.
    pub python: PathBuf,
    /// The directory holding `tuneforge_worker/` (goes on `PYTHONPATH`).
    pub worker_path: PathBuf,
    /// blake3 of the lock (and interpreter and groups) that keys the venv.
    pub key: String,
    /// Whether the venv holds the worker's test dependencies (pytest, jsonschema).
    pub with_tests: bool,
}

impl WorkerEnv {
    /// `<venv>/bin/python -m tuneforge_worker`, with the worker on `PYTHONPATH` and the
    /// user's site-packages out of the way.
    pub fn worker_command(&self) -> Command {
        let mut command = self.python_command();
        command.arg("-m").arg("tuneforge_worker");
        command
    }

    /// `<venv>/bin/python` with the worker importable (for `-m accelerate…`, pytest).
    pub fn python_command(&self) -> Command {
        let mut command = Command::new(&self.python);
        command
            .env("PYTHONPATH", &self.worker_path)
            .env("PYTHONNOUSERSITE", "1")
            .env("PYTHONUNBUFFERED", "1");
        command
    }
}

/// What `tuneforge setup` should build.
#[derive(Debug, Clone, Default)]
pub struct SetupOptions {
    /// The interpreter venvs are made from (default `python3`).
    pub python: Option<PathBuf>,
    /// Also build the Unsloth environment (CUDA only).
    pub gpu: bool,
    /// Add the worker's test dependencies (pytest, jsonschema) to the TRL venv.
    pub with_tests: bool,
}

/// One environment `setup` made or found.
#[derive(Debug, Clone, Serialize)]
pub struct SetupResult {
    pub env: WorkerEnv,
    /// False when an existing, complete venv was reused.
    pub created: bool,
}

/// What the completion marker records (also for `doctor`).
#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    kind: EnvKind,
    key: String,
    python_version: String,
    base_python: PathBuf,
    uv_version: String,
    with_tests: bool,
}

struct Interpreter {
    executable: PathBuf,
    version: String,
}

/// Creates (or finds) the worker environments. Several setups at once wait for each other.
pub fn setup(
    cache: &Cache,
    options: &SetupOptions,
    reporter: &dyn Reporter,
) -> Result<Vec<SetupResult>, EnvError> {
    std::fs::create_dir_all(&cache.root)
        .map_err(fsio::at("cannot create directory", &cache.root))?;
    let _lock = lock_cache(cache)?;
    let interpreter = find_interpreter(options.python.as_deref())?;
    let worker_path = write_worker_package(cache)?;

    let mut results = Vec::new();
    let mut kinds = vec![(EnvKind::Trl, options.with_tests)];
    if options.gpu {
        if !cuda_driver_present() {
            return Err(EnvError::NoCuda);
        }
        kinds.push((EnvKind::Unsloth, false));
    }
    let mut uv: Option<PathBuf> = None;
    for (kind, with_tests) in kinds {
        let key = env_key(kind, &interpreter, with_tests);
        let venv = cache.venvs_dir().join(venv_name(kind, with_tests, &key));
        let env = WorkerEnv {
            kind,
            python: venv.join("bin/python"),
            venv,
            worker_path: worker_path.clone(),
            key,
            with_tests,
        };
        if is_complete(&env.venv) {
            results.push(SetupResult {
                env,
                created: false,
            });
            continue;
        }
        let uv = match &uv {
            Some(uv) => uv.clone(),
            None => uv
                .insert(bootstrap_uv(cache, &interpreter, reporter)?)
                .clone(),
        };
        create_venv(cache, &env, &interpreter, &uv, reporter)?;
        results.push(SetupResult { env, created: true });
    }
    Ok(results)
}

/// The finished environment of `kind` for the default interpreter, if `setup` made one.
pub fn locate(
    cache: &Cache,
    kind: EnvKind,
    python: Option<&Path>,
    with_tests: bool,
) -> Result<Option<WorkerEnv>, EnvError> {
    let interpreter = find_interpreter(python)?;
    let key = env_key(kind, &interpreter, with_tests);
    let venv = cache.venvs_dir().join(venv_name(kind, with_tests, &key));
    if !is_complete(&venv) {
        return Ok(None);
    }
    let worker_path = write_worker_package(cache)?;
    Ok(Some(WorkerEnv {
        kind,
        python: venv.join("bin/python"),
        venv,
        worker_path,
        key,
        with_tests,
    }))
}

/// The environment training runs in: Unsloth where it exists and CUDA is present, else
/// TRL (with or without the test extras, whichever exists).
pub fn for_training(cache: &Cache, python: Option<&Path>) -> Result<WorkerEnv, EnvError> {
    if cuda_driver_present()
        && let Some(env) = locate(cache, EnvKind::Unsloth, python, false)?
    {
        return Ok(env);
    }
    for with_tests in [false, true] {
        if let Some(env) = locate(cache, EnvKind::Trl, python, with_tests)? {
            return Ok(env);
        }
    }
    // `setup --python X` made it with another interpreter than today's default: any
    // complete TRL venv of this very lock will do.
    if python.is_none()
        && let Some(env) = locate_any(cache, EnvKind::Trl)?
    {
        return Ok(env);
    }
    Err(EnvError::NotSetUp {
        cache: cache.root.clone(),
    })
}

/// A complete venv of `kind` built from the embedded lock, whatever interpreter it was
/// made from (its marker says which; the key is recomputed to prove the lock is this one).
fn locate_any(cache: &Cache, kind: EnvKind) -> Result<Option<WorkerEnv>, EnvError> {
    let Ok(entries) = std::fs::read_dir(cache.venvs_dir()) else {
        return Ok(None);
    };
    let mut venvs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    venvs.sort();
    for venv in venvs {
        if !is_complete(&venv) {
            continue;
        }
        let Some(marker) = std::fs::read(venv.join(COMPLETE_MARKER))
            .ok()
            .and_then(|b| serde_json::from_slice::<Marker>(&b).ok())
        else {
            continue;
        };
        let interpreter = Interpreter {
            executable: marker.base_python.clone(),
            version: marker.python_version.clone(),
        };
        if marker.kind != kind || env_key(kind, &interpreter, marker.with_tests) != marker.key {
            continue;
        }
        return Ok(Some(WorkerEnv {
            kind,
            python: venv.join("bin/python"),
            venv,
            worker_path: write_worker_package(cache)?,
            key: marker.key,
            with_tests: marker.with_tests,
        }));
    }
    Ok(None)
}

/// Whether an NVIDIA driver is loaded (checked before any venv exists).
pub fn cuda_driver_present() -> bool {
    if Path::new("/proc/driver/nvidia/version").exists() {
        return true;
    }
    Command::new("nvidia-smi")
        .arg("-L")
        .stdin(Stdio::null())
        .output()
        .map(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).contains("GPU"))
        .unwrap_or(false)
}

fn lock_cache(cache: &Cache) -> Result<File, EnvError> {
    let path = cache.root.join(".setup.lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(fsio::at("cannot open", &path))?;
    file.lock().map_err(fsio::at("cannot lock", &path))?;
    Ok(file)
}

fn find_interpreter(python: Option<&Path>) -> Result<Interpreter, EnvError> {
    let python = python
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("TUNEFORGE_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("python3"));
    let shown = python.display().to_string();
    let out = Command::new(&python)
        .args([
            "-c",
            "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|source| EnvError::PythonNotFound {
            python: shown.clone(),
            source,
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let (Some(version), Some(executable)) = (lines.next(), lines.next()) else {
        return Err(EnvError::PythonNotFound {
            python: shown,
            source: io::Error::other(format!(
                "it printed no version ({})",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
        });
    };
    let minor: Option<u32> = version
        .strip_prefix("3.")
        .and_then(|rest| rest.split('.').next())
        .and_then(|m| m.parse().ok());
    if !matches!(minor, Some(11..=13)) {
        return Err(EnvError::PythonUnsupported {
            python: shown,
            version: version.to_string(),
        });
    }
    Ok(Interpreter {
        executable: PathBuf::from(executable),
        version: version.to_string(),
    })
}

fn env_key(kind: EnvKind, interpreter: &Interpreter, with_tests: bool) -> String {
    let mut hasher = blake3::Hasher::new();
    for (path, bytes) in kind.project() {
        hasher.update(path.as_bytes()).update(&[0]).update(bytes);
    }
    hasher
        .update(interpreter.executable.as_os_str().as_encoded_bytes())
        .update(&[0])
        .update(interpreter.version.as_bytes())
        .update(&[u8::from(with_tests)]);
    hasher.finalize().to_hex()[..16].to_string()
}

fn venv_name(kind: EnvKind, with_tests: bool, key: &str) -> String {
    let tests = if with_tests { "-tests" } else { "" };
    format!("{}{tests}-{key}", kind.as_str())
}

fn is_complete(venv: &Path) -> bool {
    venv.join(COMPLETE_MARKER).is_file() && venv.join("bin/python").exists()
}

/// Writes the embedded worker package under `worker/<hash>/` (once per content).
fn write_worker_package(cache: &Cache) -> Result<PathBuf, EnvError> {
    let mut hasher = blake3::Hasher::new();
    for (path, bytes) in embedded::WORKER_PACKAGE {
        hasher.update(path.as_bytes()).update(&[0]).update(bytes);
    }
    let dir = cache
        .root
        .join("worker")
        .join(&hasher.finalize().to_hex()[..16]);
    if dir.join(COMPLETE_MARKER).is_file() {
        return Ok(dir);
    }
    write_files(&dir, embedded::WORKER_PACKAGE)?;
    fsio::write_atomic(&dir.join(COMPLETE_MARKER), b"")?;
    Ok(dir)
}

fn write_files(dir: &Path, files: &[(&str, &[u8])]) -> Result<(), EnvError> {
    for (relative, bytes) in files {
        let path = dir.join(relative);
        fsio::write_atomic(&path, bytes)?;
    }
    Ok(())
}

/// uv from PyPI in a venv of tuneforge's own.
fn bootstrap_uv(
    cache: &Cache,
    interpreter: &Interpreter,
    reporter: &dyn Reporter,
) -> Result<PathBuf, EnvError> {
    let dir = cache.bootstrap_dir();
    let uv = dir.join("bin/uv");
    if is_complete(&dir) && uv.is_file() {
        return Ok(uv);
    }
    reporter.info(&format!(
        "installing uv {UV_VERSION} from PyPI into {}",
        dir.display()
    ));
    remove_dir_if_exists(&dir)?;
    run(
        "creating the bootstrap venv",
        Command::new(&interpreter.executable)
            .args(["-m", "venv"])
            .arg(&dir),
        "on Debian/Ubuntu install the python3-venv package",
    )?;
    run(
        "installing uv",
        Command::new(dir.join("bin/python")).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("uv=={UV_VERSION}"),
        ]),
        "PyPI must be reachable (or a mirror set with PIP_INDEX_URL)",
    )?;
    fsio::write_atomic(&dir.join(COMPLETE_MARKER), UV_VERSION.as_bytes())?;
    Ok(uv)
}

fn create_venv(
    cache: &Cache,
    env: &WorkerEnv,
    interpreter: &Interpreter,
    uv: &Path,
    reporter: &dyn Reporter,
) -> Result<(), EnvError> {
    let project = cache.root.join("projects").join(&env.key);
    write_files(&project, env.kind.project())?;
    remove_dir_if_exists(&env.venv)?;
    let task = reporter.task(
        &format!(
            "creating the {} worker venv (first time: about 6 GB from PyPI)",
            env.kind.as_str()
        ),
        None,
    );
    let uv_command = |args: &[&str]| {
        let mut command = Command::new(uv);
        command
            .args(args)
            // The lock's requires-python includes the system's 3.11: never fetch a Python.
            .env("UV_PYTHON_DOWNLOADS", "never")
            .env("UV_PROJECT_ENVIRONMENT", &env.venv)
            .env_remove("VIRTUAL_ENV")
            .env("UV_NO_PROGRESS", "1");
        command
    };
    let result = (|| {
        let mut venv = uv_command(&["venv", "--quiet", "--python"]);
        venv.arg(&interpreter.executable).arg(&env.venv);
        run(
            "creating the worker venv",
            &mut venv,
            "check that the interpreter works and the cache directory is writable",
        )?;
        let mut sync = uv_command(&["sync", "--frozen", "--no-install-project", "--project"]);
        sync.arg(&project);
        if env.with_tests {
            sync.args(["--group", "test"]);
        } else {
            sync.arg("--no-default-groups");
        }
        run_showing_progress(
            "installing the worker's locked dependencies",
            &mut sync,
            "PyPI must be reachable (or a mirror set with UV_INDEX_URL); rerun `tuneforge setup`",
            reporter,
        )
    })();
    task.finish();
    result?;
    let marker = Marker {
        kind: env.kind,
        key: env.key.clone(),
        python_version: interpreter.version.clone(),
        base_python: interpreter.executable.clone(),
        uv_version: UV_VERSION.to_string(),
        with_tests: env.with_tests,
    };
    fsio::write_json_atomic(&env.venv.join(COMPLETE_MARKER), &marker)?;
    Ok(())
}

fn remove_dir_if_exists(dir: &Path) -> Result<(), EnvError> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(fsio::at("cannot remove", dir)(e).into())
        }
        _ => Ok(()),
    }
}

/// Whether a line uv writes while syncing says how far a download or install got; those
/// are shown, so that gigabytes of wheels do not download in silence.
fn is_progress_line(line: &str) -> bool {
    let line = line.trim_start();
    [
        "Downloading ",
        "Downloaded ",
        "Prepared ",
        "Installed ",
        "Resolved ",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

/// Runs `command`, passing uv's progress lines to `reporter` as they come; on failure the
/// error holds the output's last lines, as [`run`]'s does.
fn run_showing_progress(
    step: &'static str,
    command: &mut Command,
    hint: &'static str,
    reporter: &dyn Reporter,
) -> Result<(), EnvError> {
    use std::io::BufRead as _;
    let shown = format!("{command:?}");
    let not_started = |e: io::Error| EnvError::Command {
        step,
        command: shown.clone(),
        status: "not started".into(),
        output: e.to_string(),
        hint,
    };
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(not_started)?;
    let mut tail: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    if let Some(stderr) = child.stderr.take() {
        for line in io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if is_progress_line(&line) {
                reporter.info(&format!("  {}", line.trim()));
            }
            if tail.len() == 20 {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    }
    let status = child.wait().map_err(not_started)?;
    if status.success() {
        return Ok(());
    }
    Err(EnvError::Command {
        step,
        command: shown,
        status: status.to_string(),
        output: Vec::from(tail).join("\n"),
        hint,
    })
}

fn run(step: &'static str, command: &mut Command, hint: &'static str) -> Result<Output, EnvError> {
    let shown = format!("{command:?}");
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| EnvError::Command {
            step,
            command: shown.clone(),
            status: "not started".into(),
            output: e.to_string(),
            hint,
        })?;
    if out.status.success() {
        return Ok(out);
    }
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    Err(EnvError::Command {
        step,
        command: shown,
        status: out.status.to_string(),
        output: tail,
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uv_download_and_install_lines_are_progress() {
        for line in [
            "Downloading torch (846.0MiB)",
            " Downloaded torch",
            "Prepared 80 packages in 2m 03s",
            "Installed 80 packages in 1.21s",
        ] {
            assert!(is_progress_line(line), "{line}");
        }
        for line in ["warning: something", " + torch==2.15.0", ""] {
            assert!(!is_progress_line(line), "{line}");
        }
    }

    #[test]
    fn the_embedded_worker_and_locks_are_complete() {
        let names: Vec<&str> = embedded::WORKER_PACKAGE.iter().map(|(p, _)| *p).collect();
        assert!(names.contains(&"tuneforge_worker/__main__.py"), "{names:?}");
        assert!(names.iter().all(|n| !n.contains("__pycache__")));
        let trl: Vec<&str> = embedded::TRL_PROJECT.iter().map(|(p, _)| *p).collect();
        assert_eq!(trl, ["pyproject.toml", "uv.lock"]);
        let gpu: Vec<&str> = embedded::GPU_PROJECT.iter().map(|(p, _)| *p).collect();
        assert_eq!(gpu, ["pyproject.toml", "uv.lock"]);
    }

    #[test]
    fn venv_keys_change_with_the_lock_the_interpreter_and_the_groups() {
        let python = |v: &str| Interpreter {
            executable: PathBuf::from("/usr/bin/python3"),
            version: v.into(),
        };
        let a = env_key(EnvKind::Trl, &python("3.11.7"), false);
        assert_eq!(a.len(), 16);
        assert_eq!(a, env_key(EnvKind::Trl, &python("3.11.7"), false));
        assert_ne!(a, env_key(EnvKind::Trl, &python("3.12.1"), false));
        assert_ne!(a, env_key(EnvKind::Trl, &python("3.11.7"), true));
        assert_ne!(a, env_key(EnvKind::Unsloth, &python("3.11.7"), false));
        assert_eq!(venv_name(EnvKind::Trl, true, &a), format!("trl-tests-{a}"));
    }

    #[test]
    fn a_missing_interpreter_is_named_with_a_hint() {
        let err = find_interpreter(Some(Path::new("/nonexistent/python3")))
            .err()
            .expect("no such interpreter");
        let text = err.to_string();
        assert!(text.contains("/nonexistent/python3"), "{text}");
        assert!(text.contains("--python"), "{text}");
    }

    #[test]
    fn an_unsupported_interpreter_is_refused() {
        // `sh` stands in for a Python that prints an old version.
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("python");
        std::fs::write(&fake, "#!/bin/sh\necho 3.9.2\necho /usr/bin/python3.9\n").unwrap();
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&fake)
            .status()
            .unwrap();
        let err = find_interpreter(Some(&fake)).err().expect("3.9 is refused");
        assert!(err.to_string().contains("Python 3.9.2"), "{err}");
    }

    #[test]
    fn the_worker_package_is_written_once_per_content() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let first = write_worker_package(&cache).unwrap();
        assert!(first.join("tuneforge_worker/__main__.py").is_file());
        let second = write_worker_package(&cache).unwrap();
        assert_eq!(first, second);
        assert!(locate(&cache, EnvKind::Trl, None, false).unwrap().is_none());
    }
}
