//! `tuneforge quickstart [DIR]`: the whole pipeline on built-in samples.
//!
//! * `drupal11` (the default): a sample corpus of twelve Drupal-style modules, change
//!   records and security advisories, shipped inside tuneforge, is written into the
//!   workspace as two `path:` sources, then discover, acquire, clean, analyze, generate,
//!   gate and package run end to end.
//! * `interactions`: sixty captured interactions through process and validate.
//!
//! Every time in the samples is fixed (the corpus files get a fixed modification time;
//! the interactions carry theirs), so two quickstarts give byte-identical datasets and
//! manifests.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::config::Preset;
use tuneforge_core::fsio::write_atomic;
use tuneforge_core::layout::{RAW_INTERACTIONS, SAMPLE_CORPUS_DIR};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::snapshot::SnapshotOutcome;

use crate::PipelineError;
use crate::init::{init, init_with_sources};
use crate::runner::{RunOptions, RunReport, run, snapshot};

/// Sixty captured interactions over the six domains of the interactions preset, with one
/// pasted AWS key and e-mail address (redacted by `process`) and one duplicate (removed).
pub const SAMPLE_INTERACTIONS: &str = include_str!("../../../corpus/interactions.jsonl");

include!(concat!(env!("OUT_DIR"), "/sample_corpus.rs"));

/// The corpus files' modification time: the samples' `metadata.timestamp`.
pub const SAMPLE_CORPUS_TIME: &str = "2026-11-01T00:00:00Z";

const QUICKSTART_SOURCES: &str = r#"# The quickstart's sample corpus, shipped inside tuneforge: twelve Drupal-style modules
# (code) and drupal.org change records and security advisories (docs). Replace these with
# your own; `tuneforge init` writes the drupal.org sources (core, contrib, docs) with every
# option.
sources:
  - {type: path, name: sample-modules, path: sample-corpus/code}
  - {type: path, name: sample-docs, path: sample-corpus/docs, kind: docs}
"#;

/// Write the sample corpus under `root`, every file dated [`SAMPLE_CORPUS_TIME`], and the
/// sample deprecation list as the workspace's.
fn write_corpus(ws: &Workspace) -> Result<u64, PipelineError> {
    let time: jiff::Timestamp = SAMPLE_CORPUS_TIME.parse().expect("a valid time");
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(time.as_second() as u64);
    let mut files = 0;
    for (rel, bytes) in SAMPLE_CORPUS {
        if *rel == "deprecations.jsonl" {
            write_atomic(&ws.path(&ws.config.rules.deprecations), bytes)?;
            continue;
        }
        let path = ws.path(SAMPLE_CORPUS_DIR).join(rel);
        write_atomic(&path, bytes)?;
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(mtime))
            .map_err(tuneforge_core::fsio::at(
                "cannot set the modification time of",
                &path,
            ))?;
        files += 1;
    }
    Ok(files)
}

#[derive(Debug, Clone, Serialize)]
pub struct QuickstartReport {
    pub root: PathBuf,
    pub preset: &'static str,
    /// Interactions imported, or corpus files written.
    pub imported: u64,
    pub run: RunReport,
    pub snapshot: SnapshotOutcome,
}

pub fn quickstart(
    dir: &Path,
    date: &str,
    preset: Preset,
    reporter: &dyn Reporter,
) -> Result<QuickstartReport, PipelineError> {
    let not_empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if not_empty {
        return Err(PipelineError::NotEmpty {
            path: dir.display().to_string(),
        });
    }
    let imported = match preset {
        Preset::Interactions => {
            init(dir, Preset::Interactions)?;
            let ws = Workspace::open(dir)?;
            write_atomic(&ws.path(RAW_INTERACTIONS), SAMPLE_INTERACTIONS.as_bytes())?;
            let n = SAMPLE_INTERACTIONS.lines().count() as u64;
            reporter.info(&format!(
                "imported {n} sample interactions into {RAW_INTERACTIONS}"
            ));
            n
        }
        Preset::Drupal11 => {
            init_with_sources(dir, Preset::Drupal11, Some(QUICKSTART_SOURCES))?;
            let ws = Workspace::open(dir)?;
            let n = write_corpus(&ws)?;
            reporter.info(&format!(
                "wrote the sample corpus ({n} files) into {SAMPLE_CORPUS_DIR}/"
            ));
            n
        }
    };
    let ws = Workspace::open(dir)?;
    let run = run(&ws, &RunOptions::default(), reporter)?;
    let snapshot = snapshot(&ws, date, reporter)?;
    Ok(QuickstartReport {
        root: dir.to_path_buf(),
        preset: preset.name(),
        imported,
        run,
        snapshot,
    })
}
