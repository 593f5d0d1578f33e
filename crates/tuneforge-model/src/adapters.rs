//! Where a workspace's training runs live: `adapters/<model>/<scope>-lora-v<N>/`, with
//! `<model>` the registry name, `org--name` for a hub repo or a local model's directory
//! name, and `<scope>` a domain or `all`. A run directory holds the adapter, its
//! `run_spec.json`, `metrics.jsonl`, checkpoints while it trains, and `run.json`
//! ([`RunRecord`]) once it finished.
//!
//! Numbers only grow: a new run claims one past the highest number with `create_dir`, so
//! two runs started at once never share a directory and a number is never reused, even
//! when its directory is empty.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::fsio;
use tuneforge_core::workspace::Workspace;
use tuneforge_train::hub::ModelSource;
use tuneforge_train::registry::ModelEntry;
pub use tuneforge_train::run::{RUN_RECORD, RunRecord};

use crate::ModelError;

/// What a run was started for, written when its directory is claimed, so that
/// `train --resume` continues a run without being told its model again.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RunStart {
    /// The model as it was named: registry name, `org/name` or a directory.
    pub model: String,
    pub revision: Option<String>,
    /// The domain whose splits it trains on; none for all of them.
    pub domain: Option<String>,
    /// The dataset directory its tokens were made from.
    pub dataset_dir: PathBuf,
}

/// The file name of a run's [`RunStart`].
pub const RUN_START: &str = "run_start.json";

pub use tuneforge_core::layout::ADAPTERS_DIR;
/// What sits between a run's scope and its number: the adapter kind.
const LORA: &str = "-lora-v";

/// The name part of a run: one domain's data, or all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum RunScope {
    All,
    Domain(String),
}

impl RunScope {
    /// The scope of `domain` (all data when `None`). A domain names a directory, so it is
    /// letters, digits, `-`, `_` and `.`, does not start with a dot, and is not `all`.
    pub fn new(domain: Option<&str>) -> Result<Self, ModelError> {
        let Some(name) = domain else {
            return Ok(Self::All);
        };
        let valid = !name.is_empty()
            && name != "all"
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if valid {
            Ok(Self::Domain(name.to_string()))
        } else {
            Err(ModelError::Usage(format!(
                "`{name}` cannot name a domain's runs\n  hint: use letters, digits, '-', '_' or '.', not starting with '.', and not `all`"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::All => "all",
            Self::Domain(d) => d,
        }
    }
}

impl From<RunScope> for String {
    fn from(s: RunScope) -> Self {
        s.as_str().to_string()
    }
}

/// The directory name of a model's runs: the registry name, `org--name` for a hub repo,
/// the directory's name for a local model.
pub fn model_dir_name(source: &ModelSource, entry: Option<&ModelEntry>) -> String {
    if let Some(entry) = entry {
        return entry.name.to_string();
    }
    match source {
        ModelSource::Hub { repo_id, .. } => repo_id.replace('/', "--"),
        ModelSource::Local { dir } => dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into()),
    }
}

/// How far a run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// `run.json` is there: the adapter is complete.
    Finished,
    /// Stopped (Ctrl-C, a crash) after a checkpoint: `train --resume` continues it.
    Resumable,
    /// Neither finished nor checkpointed: failed or killed early, or still running.
    Incomplete,
}

/// One run directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdapterRun {
    pub dir: PathBuf,
    /// The model's directory name ([`model_dir_name`]).
    pub model: String,
    /// The scope part of the name: a domain or `all`.
    pub scope: String,
    pub version: u32,
}

impl AdapterRun {
    /// `<scope>-lora-v<N>`.
    pub fn name(&self) -> String {
        format!("{}{LORA}{}", self.scope, self.version)
    }

    pub fn state(&self) -> RunState {
        if self.dir.join(RUN_RECORD).is_file() {
            RunState::Finished
        } else if tuneforge_train::run::has_checkpoint(&self.dir) {
            RunState::Resumable
        } else {
            RunState::Incomplete
        }
    }

    /// What it was started for; `None` for a run made before tuneforge recorded it.
    pub fn start(&self) -> Option<RunStart> {
        std::fs::read(self.dir.join(RUN_START))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
    }

    /// Records what the run is started for.
    pub fn write_start(&self, start: &RunStart) -> Result<(), ModelError> {
        Ok(fsio::write_json_atomic(&self.dir.join(RUN_START), start)?)
    }

    /// Its `run.json`, when it finished.
    pub fn record(&self) -> Result<Option<RunRecord>, ModelError> {
        Ok(RunRecord::read(&self.dir)?)
    }
}

/// The runs under one `adapters/` directory.
#[derive(Debug, Clone)]
pub struct Adapters {
    root: PathBuf,
}

impl Adapters {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The workspace's `adapters/`.
    pub fn of(ws: &Workspace) -> Self {
        Self::new(ws.path(ADAPTERS_DIR))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every run of every model, by model, scope and number. Directories that are not
    /// runs (a merged export beside them, say) are left out.
    pub fn runs(&self) -> Result<Vec<AdapterRun>, ModelError> {
        let mut runs = Vec::new();
        for model in sorted_dir_names(&self.root)? {
            runs.extend(self.runs_of_model(&model)?);
        }
        Ok(runs)
    }

    /// The runs of one model and scope, oldest first.
    pub fn runs_of(&self, model: &str, scope: &RunScope) -> Result<Vec<AdapterRun>, ModelError> {
        Ok(self
            .runs_of_model(model)?
            .into_iter()
            .filter(|r| r.scope == scope.as_str())
            .collect())
    }

    fn runs_of_model(&self, model: &str) -> Result<Vec<AdapterRun>, ModelError> {
        let dir = self.root.join(model);
        let mut runs: Vec<AdapterRun> = sorted_dir_names(&dir)?
            .into_iter()
            .filter_map(|name| {
                let (scope, version) = name.rsplit_once(LORA)?;
                let version = version.parse::<u32>().ok()?;
                Some(AdapterRun {
                    dir: dir.join(&name),
                    model: model.to_string(),
                    scope: scope.to_string(),
                    version,
                })
            })
            .collect();
        runs.sort_by(|a, b| (&a.scope, a.version).cmp(&(&b.scope, b.version)));
        Ok(runs)
    }

    /// A new, empty run directory: one past the highest number of this model and scope.
    pub fn claim_next(&self, model: &str, scope: &RunScope) -> Result<AdapterRun, ModelError> {
        let base = self.root.join(model);
        std::fs::create_dir_all(&base).map_err(fsio::at("cannot create directory", &base))?;
        let mut version = self
            .runs_of(model, scope)?
            .last()
            .map_or(1, |r| r.version + 1);
        loop {
            let run = AdapterRun {
                dir: base.join(format!("{}{LORA}{version}", scope.as_str())),
                model: model.to_string(),
                scope: scope.as_str().to_string(),
                version,
            };
            match std::fs::create_dir(&run.dir) {
                Ok(()) => return Ok(run),
                // Another run took this number first: the next one.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => version += 1,
                Err(e) => return Err(fsio::at("cannot create directory", &run.dir)(e).into()),
            }
        }
    }

    /// The newest run of this model and scope that can be resumed: it saved a checkpoint
    /// and never finished.
    pub fn resumable(&self, model: &str, scope: &RunScope) -> Result<AdapterRun, ModelError> {
        self.runs_of(model, scope)?
            .into_iter()
            .rev()
            .find(|r| r.state() == RunState::Resumable)
            .ok_or_else(|| ModelError::NothingToResume {
                pattern: self
                    .root
                    .join(model)
                    .join(format!("{}{LORA}*", scope.as_str())),
            })
    }

    /// Every resumable run, newest first within each model and scope.
    pub fn all_resumable(&self) -> Result<Vec<AdapterRun>, ModelError> {
        let mut runs: Vec<AdapterRun> = self
            .runs()?
            .into_iter()
            .filter(|r| r.state() == RunState::Resumable)
            .collect();
        runs.reverse();
        Ok(runs)
    }
}

/// The names of the directories in `dir`, sorted; none when `dir` does not exist.
pub(crate) fn sorted_dir_names(dir: &Path) -> Result<Vec<String>, ModelError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fsio::at("cannot list", dir)(e).into()),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    names.sort();
    Ok(names)
}

/// The finished run `spec` names: a run directory (relative to the workspace), or `latest`,
/// the newest finished run (by its `run.json`'s time), of `model` and `scope` when given.
pub fn find_adapter(
    ws: &Workspace,
    spec: &str,
    model: Option<&str>,
    scope: Option<&RunScope>,
) -> Result<(PathBuf, RunRecord), ModelError> {
    if spec != "latest" {
        let dir = tuneforge_sources::discover::resolve_path(&ws.root, Path::new(spec));
        let record = RunRecord::read(&dir)?.ok_or_else(|| {
            ModelError::Usage(format!(
                "{}: not a finished training run (no run.json)\n  hint: name a run directory under adapters/, or `latest`",
                dir.display()
            ))
        })?;
        return Ok((dir, record));
    }
    let mut finished: Vec<(std::time::SystemTime, PathBuf, RunRecord)> = Vec::new();
    for run in Adapters::of(ws).runs()? {
        if run.state() != RunState::Finished || scope.is_some_and(|s| s.as_str() != run.scope) {
            continue;
        }
        let Some(record) = run.record()? else {
            continue;
        };
        if model.is_some_and(|m| m != record.model) {
            continue;
        }
        let when = std::fs::metadata(run.dir.join(RUN_RECORD))
            .and_then(|m| m.modified())
            .unwrap_or(std::time::UNIX_EPOCH);
        finished.push((when, run.dir, record));
    }
    finished.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let (_, dir, record) = finished.pop().ok_or_else(|| {
        let of_model = model.map(|m| format!(" of {m}")).unwrap_or_default();
        let of_scope = scope.map(|s| format!(" for {}", s.as_str())).unwrap_or_default();
        ModelError::Usage(format!(
            "the workspace has no finished training run{of_model}{of_scope}\n  hint: run `tuneforge train` first, or name a run directory"
        ))
    })?;
    Ok((dir, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_numbered_per_model_and_scope_and_resume_finds_the_unfinished_one() {
        let tmp = tempfile::tempdir().unwrap();
        let adapters = Adapters::new(tmp.path());
        let hub = ModelSource::Hub {
            repo_id: "org/Tiny-Model".into(),
            revision: "main".into(),
        };
        let model = model_dir_name(&hub, None);
        let all = RunScope::new(None).unwrap();
        let v1 = adapters.claim_next(&model, &all).unwrap();
        assert!(v1.dir.ends_with("org--Tiny-Model/all-lora-v1"), "{v1:?}");
        let v2 = adapters.claim_next(&model, &all).unwrap();
        assert!(v2.dir.ends_with("all-lora-v2"));
        let plugins = RunScope::new(Some("drupal-plugins")).unwrap();
        let d1 = adapters.claim_next(&model, &plugins).unwrap();
        assert!(d1.dir.ends_with("drupal-plugins-lora-v1"));
        assert_eq!(d1.name(), "drupal-plugins-lora-v1");
        for bad in ["../x", "a/b", "all", ".hidden", ""] {
            assert!(RunScope::new(Some(bad)).is_err(), "{bad}");
        }

        assert!(
            adapters.resumable(&model, &all).is_err(),
            "no checkpoint anywhere yet"
        );
        // v1 has a checkpoint and never finished; v2 is empty (a run that failed early).
        std::fs::create_dir_all(v1.dir.join("checkpoints/checkpoint-10")).unwrap();
        assert_eq!(adapters.resumable(&model, &all).unwrap(), v1);
        assert_eq!(v1.state(), RunState::Resumable);
        assert_eq!(v2.state(), RunState::Incomplete);
        assert_eq!(adapters.all_resumable().unwrap(), vec![v1.clone()]);
        // Once v1 finished, nothing is left to resume.
        std::fs::write(v1.dir.join(RUN_RECORD), "{}").unwrap();
        assert_eq!(v1.state(), RunState::Finished);
        assert!(adapters.resumable(&model, &all).is_err());
        // A new run never reuses a number, even one whose directory is empty.
        assert!(
            adapters
                .claim_next(&model, &all)
                .unwrap()
                .dir
                .ends_with("all-lora-v3")
        );
        // A directory beside the runs that is not one is not listed.
        std::fs::create_dir_all(tmp.path().join(&model).join("all-lora-v1-merged")).unwrap();
        let names: Vec<String> = adapters.runs().unwrap().iter().map(|r| r.name()).collect();
        assert_eq!(
            names,
            [
                "all-lora-v1",
                "all-lora-v2",
                "all-lora-v3",
                "drupal-plugins-lora-v1"
            ]
        );
    }

    #[test]
    fn registry_models_and_local_directories_name_their_runs() {
        let entry = tuneforge_train::registry::find("ministral-3-8b").unwrap();
        let hub = ModelSource::Hub {
            repo_id: entry.repo_id.into(),
            revision: "main".into(),
        };
        assert_eq!(model_dir_name(&hub, Some(entry)), "ministral-3-8b");
        let local = ModelSource::Local {
            dir: PathBuf::from("/x/models/tiny-qwen2"),
        };
        assert_eq!(model_dir_name(&local, None), "tiny-qwen2");
    }

    #[test]
    fn a_damaged_run_record_is_an_error_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let adapters = Adapters::new(tmp.path());
        let run = adapters.claim_next("m", &RunScope::All).unwrap();
        assert!(run.record().unwrap().is_none());
        std::fs::write(run.dir.join(RUN_RECORD), "{\"format\": 3}").unwrap();
        let err = run.record().unwrap_err().to_string();
        assert!(err.contains("run.json"), "{err}");
    }
}
