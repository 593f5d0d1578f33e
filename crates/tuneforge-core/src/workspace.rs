//! A tuneforge workspace: a directory holding `pipeline.yaml` and every stage's output
//! (where each one is: [`crate::layout`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::{ConfigError, PipelineConfig};
use crate::fsio::{IoError, write_json_atomic};
use crate::layout::{CONFIG_FILE, STATE_FILE};

#[derive(Debug, Error)]
pub enum WorkspaceError {
    #[error(
        "no {CONFIG_FILE} in {} or any parent directory: this is not a tuneforge workspace; \
         run `tuneforge init <dir>` to make one, or pass --workspace <dir>",
        start.display()
    )]
    NotFound { start: PathBuf },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{}: {message}", path.display())]
    State { path: PathBuf, message: String },
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: PipelineConfig,
}

impl Workspace {
    /// The workspace containing `start`: the nearest directory upwards with a
    /// `pipeline.yaml`.
    pub fn discover(start: &Path) -> Result<Self, WorkspaceError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Self::open(d);
            }
            dir = d.parent();
        }
        Err(WorkspaceError::NotFound {
            start: start.to_path_buf(),
        })
    }

    /// The workspace rooted at `root` (its `pipeline.yaml` must exist).
    pub fn open(root: &Path) -> Result<Self, WorkspaceError> {
        let config_path = root.join(CONFIG_FILE);
        if !config_path.is_file() {
            return Err(WorkspaceError::NotFound {
                start: root.to_path_buf(),
            });
        }
        let config = PipelineConfig::load(&config_path)?;
        Ok(Self {
            root: root.to_path_buf(),
            config,
        })
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path(CONFIG_FILE)
    }

    pub fn read_state(&self) -> Result<WorkspaceState, WorkspaceError> {
        let path = self.path(STATE_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| WorkspaceError::State {
                path,
                message: format!(
                    "{e}; the file records when you last trained; delete it to start counting afresh"
                ),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WorkspaceState::default()),
            Err(e) => Err(IoError::new("cannot read", &path, e).into()),
        }
    }

    pub fn write_state(&self, state: &WorkspaceState) -> Result<(), WorkspaceError> {
        Ok(write_json_atomic(&self.path(STATE_FILE), state)?)
    }
}

/// What the workspace remembers between commands: the baseline for retrain advice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceState {
    /// Interactions in `raw/` at the last `train` run (at `init` before any).
    pub interactions_at_last_train: u64,
    /// Processed samples per domain at the last `train` run.
    pub domain_counts_at_last_train: BTreeMap<String, u64>,
    /// When `train` last ran, RFC 3339; none before the first run.
    pub last_train: Option<String>,
}
