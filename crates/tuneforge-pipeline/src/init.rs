//! `tuneforge init <dir> [--preset …]`: a new workspace with a commented `pipeline.yaml`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::config::{Preset, render_pipeline_yaml_with_sources};
use tuneforge_core::fsio::{at, write_atomic};
use tuneforge_core::layout::{CONFIG_FILE, RAW_DIR};
use tuneforge_core::workspace::{Workspace, WorkspaceState};

use crate::PipelineError;

#[derive(Debug, Clone, Serialize)]
pub struct InitOutcome {
    pub root: PathBuf,
    pub config: PathBuf,
    pub preset: &'static str,
}

pub fn init(dir: &Path, preset: Preset) -> Result<InitOutcome, PipelineError> {
    init_with_sources(dir, preset, None)
}

/// [`init`] with the `sources:` block of `pipeline.yaml` given.
pub fn init_with_sources(
    dir: &Path,
    preset: Preset,
    sources: Option<&str>,
) -> Result<InitOutcome, PipelineError> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(PipelineError::AlreadyWorkspace {
            path: dir.display().to_string(),
        });
    }
    std::fs::create_dir_all(dir.join(RAW_DIR)).map_err(at("cannot create directory", dir))?;
    write_atomic(
        &config,
        render_pipeline_yaml_with_sources(preset, sources).as_bytes(),
    )?;
    let ws = Workspace::open(dir)?;
    // The retrain advice counts from here until the first `train`.
    ws.write_state(&WorkspaceState::default())?;
    Ok(InitOutcome {
        root: dir.to_path_buf(),
        config,
        preset: preset.name(),
    })
}
