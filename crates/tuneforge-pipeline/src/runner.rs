//! `tuneforge run`: run every stage that is not fresh, like a build system.
//!
//! A stage is fresh when its manifest exists, its report parses as the stage's readers
//! expect, its fingerprint (input hashes, config slice, tool version) equals the current one
//! and every recorded output still has its hash.
//! Freshness is decided right before each stage runs, after the stages before it, so a
//! rerun upstream that produced identical outputs leaves downstream stages fresh.
//! The manifest is written last, after every output is in place: a run killed at any point
//! leaves a stage without a matching manifest, which the next run redoes.

use std::time::Instant;

use serde::Serialize;
use tuneforge_core::fsio::{at, write_json_atomic};
use tuneforge_core::layout::{RUN_LOCK, STAGE_TIMINGS};
use tuneforge_core::manifest::{FileDigest, Fingerprint, StageManifest};
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::snapshot::SnapshotOutcome;

use crate::PipelineError;
use crate::stages::{self, Stage, StageContext, manifest_path, read_manifest};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Run this stage and every later one, fresh or not.
    pub from: Option<String>,
    /// Run only this stage (if stale, or always with `force`).
    pub only: Option<String>,
    /// Run the selected stages even when fresh.
    pub force: bool,
    /// Re-query network stages even when fresh.
    pub refresh: bool,
    /// Never run network stages; their last outputs stand.
    pub offline: bool,
}

/// Whether a stage runs now, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Run(String),
    Skip(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Freshness {
    Fresh,
    Stale {
        reasons: Vec<String>,
    },
    Missing {
        reason: String,
    },
    /// Never run because it has nothing to work on in this workspace (no core to mine,
    /// no interactions to process): `status` shows why instead of "missing".
    Idle {
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StageOutcome {
    pub stage: &'static str,
    pub ran: bool,
    /// Why it ran, or why it was skipped.
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub stages: Vec<StageOutcome>,
}

pub fn current_fingerprint(
    ws: &Workspace,
    stage: &dyn Stage,
) -> Result<Fingerprint, PipelineError> {
    let mut inputs = stage
        .inputs(ws)?
        .iter()
        .map(|rel| FileDigest::of(&ws.root, rel, None))
        .collect::<Result<Vec<_>, _>>()?;
    inputs.extend(stage.extra_inputs(ws)?);
    Ok(Fingerprint::new(stage.config_slice(&ws.config), inputs))
}

/// Is `stage` fresh, and if not, why.
pub fn freshness(
    ws: &Workspace,
    stage: &dyn Stage,
    now: &Fingerprint,
) -> Result<Freshness, PipelineError> {
    let manifest = match read_manifest(ws, stage) {
        Ok(Some(m)) => m,
        Ok(None) => {
            return Ok(Freshness::Missing {
                reason: "never completed".to_owned(),
            });
        }
        Err(PipelineError::Manifest { message, .. }) => {
            return Ok(Freshness::Stale {
                reasons: vec![format!("manifest unreadable: {message}")],
            });
        }
        Err(e) => return Err(e),
    };
    if let Err(e) = stage.check_report(&manifest.report) {
        return Ok(Freshness::Stale {
            reasons: vec![format!("report unreadable: {e}")],
        });
    }
    let mut reasons = manifest.fingerprint.differences(now);
    reasons.extend(manifest.incomplete.clone());
    reasons.extend(manifest.damaged_outputs(&ws.root));
    Ok(if reasons.is_empty() {
        Freshness::Fresh
    } else {
        Freshness::Stale { reasons }
    })
}

/// Whether a stage runs now. Pure, so the policy is testable on its own.
pub fn decide(freshness: &Freshness, network: bool, opts: &RunOptions, forced: bool) -> Decision {
    if network && opts.offline {
        return Decision::Skip("offline: network stages keep their last outputs".to_owned());
    }
    if forced {
        return Decision::Run("forced".to_owned());
    }
    if network && opts.refresh {
        return Decision::Run("--refresh".to_owned());
    }
    match freshness {
        Freshness::Fresh => Decision::Skip("fresh".to_owned()),
        Freshness::Stale { reasons } => Decision::Run(format!("stale: {}", summarize(reasons))),
        Freshness::Missing { reason } | Freshness::Idle { reason } => {
            Decision::Run(format!("missing: {reason}"))
        }
    }
}

pub(crate) fn lock_workspace(
    ws: &Workspace,
    reporter: &dyn Reporter,
) -> Result<std::fs::File, PipelineError> {
    let path = ws.path(RUN_LOCK);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(at("cannot create directory", dir))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(at("cannot open", &path))?;
    if file.try_lock().is_err() {
        reporter
            .info("another tuneforge run is working in this workspace; waiting for it to finish");
        file.lock().map_err(at("cannot lock", &path))?;
    }
    Ok(file)
}

pub fn run(
    ws: &Workspace,
    opts: &RunOptions,
    reporter: &dyn Reporter,
) -> Result<RunReport, PipelineError> {
    let all = stages::all();
    let (selected, forced_from): (Vec<&dyn Stage>, bool) = match (&opts.only, &opts.from) {
        (Some(only), _) => (vec![stages::find(only)?], false),
        (None, Some(from)) => {
            let start = stages::find(from)?;
            let at = all
                .iter()
                .position(|s| s.name() == start.name())
                .unwrap_or(0);
            (all[at..].to_vec(), true)
        }
        (None, None) => (all, false),
    };
    let _lock = lock_workspace(ws, reporter)?;
    for stage in &selected {
        stage.clean_interrupted(ws)?;
    }
    let mut outcomes = Vec::new();
    for stage in selected {
        let fingerprint = current_fingerprint(ws, stage)?;
        tracing::debug!(
            stage = stage.name(),
            config_hash = %fingerprint.config_hash,
            inputs = fingerprint.inputs.len(),
            "fingerprint"
        );
        let fresh = freshness(ws, stage, &fingerprint)?;
        tracing::info!(stage = stage.name(), ?fresh, "freshness");
        let forced = opts.force || forced_from;
        // A stage asked for by name runs and says what it lacks; `run` passes it by.
        let idle = stage.nothing_to_do(ws).filter(|_| opts.only.is_none());
        let decision = match idle {
            Some(reason) => Decision::Skip(reason),
            None => decide(&fresh, stage.network(), opts, forced),
        };
        let reason = match decision {
            Decision::Run(reason) => reason,
            Decision::Skip(reason) => {
                reporter.info(&format!("{}: skipped ({reason})", stage.name()));
                outcomes.push(StageOutcome {
                    stage: stage.name(),
                    ran: false,
                    reason,
                    summary: None,
                    seconds: None,
                });
                continue;
            }
        };
        reporter.info(&format!("{}: running ({reason})", stage.name()));
        let started = jiff::Timestamp::now();
        let clock = Instant::now();
        let ctx = StageContext {
            requery: forced || opts.refresh,
        };
        let result = stage.run(ws, &ctx, reporter)?;
        let seconds = clock.elapsed().as_secs_f64();
        tracing::info!(
            stage = stage.name(),
            seconds,
            outputs = result.outputs.len(),
            "stage finished"
        );
        let outputs = result.outputs;
        // A source that failed fails a whole run (after the manifest, so the next run
        // retries it); asked for by name, the stage shows what happened and succeeds.
        let failed_sources = result
            .incomplete
            .clone()
            .filter(|_| stage.network() && opts.only.is_none());
        write_json_atomic(
            &ws.path(&format!("{}/{STAGE_TIMINGS}", stage.dir())),
            &serde_json::json!({
                "stage": stage.name(),
                "started": started.to_string(),
                "seconds": seconds,
            }),
        )?;
        write_json_atomic(
            &ws.path(&manifest_path(stage)),
            &StageManifest {
                stage: stage.name().to_owned(),
                fingerprint,
                outputs,
                report: result.report,
                incomplete: result.incomplete,
            },
        )?;
        if let Some(message) = failed_sources {
            return Err(PipelineError::SourcesFailed {
                stage: stage.name(),
                message,
            });
        }
        outcomes.push(StageOutcome {
            stage: stage.name(),
            ran: true,
            reason,
            summary: Some(result.summary),
            seconds: Some(seconds),
        });
    }
    Ok(RunReport { stages: outcomes })
}

/// Copy the current dataset to `snapshots/v<date>[-N]`, under the run lock so a concurrent
/// run or snapshot cannot change or take the same directory.
pub fn snapshot(
    ws: &Workspace,
    date: &str,
    reporter: &dyn Reporter,
) -> Result<SnapshotOutcome, PipelineError> {
    let _lock = lock_workspace(ws, reporter)?;
    Ok(tuneforge_dataset::snapshot::snapshot(ws, date)?)
}

/// The first few reasons a stage is stale, and how many more: a new dataset version
/// changes dozens of inputs, and one line should say so.
fn summarize(reasons: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = reasons[..reasons.len().min(SHOWN)].join("; ");
    if reasons.len() > SHOWN {
        text.push_str(&format!(" and {} more", reasons.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_policy() {
        let fresh = Freshness::Fresh;
        let stale = Freshness::Stale {
            reasons: vec!["input raw/x changed".into()],
        };
        let opts = RunOptions::default();
        let refresh = RunOptions {
            refresh: true,
            ..RunOptions::default()
        };
        let offline = RunOptions {
            offline: true,
            ..RunOptions::default()
        };
        let run = |r: &str| Decision::Run(r.to_owned());
        let skip = |r: &str| Decision::Skip(r.to_owned());
        assert_eq!(decide(&fresh, false, &opts, false), skip("fresh"));
        assert_eq!(
            decide(&fresh, false, &refresh, false),
            skip("fresh"),
            "--refresh only touches network stages"
        );
        assert_eq!(decide(&fresh, true, &refresh, false), run("--refresh"));
        assert_eq!(
            decide(&fresh, true, &opts, false),
            skip("fresh"),
            "a fresh network stage makes no request"
        );
        assert_eq!(decide(&fresh, false, &opts, true), run("forced"));
        let many = Freshness::Stale {
            reasons: (0..40).map(|i| format!("input f{i} is gone")).collect(),
        };
        assert_eq!(
            decide(&many, false, &opts, false),
            run("stale: input f0 is gone; input f1 is gone; input f2 is gone and 37 more")
        );
        assert_eq!(
            decide(&stale, false, &opts, false),
            run("stale: input raw/x changed")
        );
        assert!(
            matches!(decide(&stale, true, &offline, true), Decision::Skip(r) if r.starts_with("offline"))
        );
        assert_eq!(
            decide(&stale, false, &offline, false),
            run("stale: input raw/x changed")
        );
    }

    /// A report the stage's readers cannot parse is an error where it is read, never an
    /// empty report, and leaves the stage stale so the next run writes it again.
    #[test]
    fn a_report_that_does_not_parse_is_an_error_and_leaves_the_stage_stale() {
        use crate::stages::acquire::{AcquireReport, AcquireStage, read_acquired};
        use tuneforge_core::config::Preset;

        let tmp = tempfile::tempdir().unwrap();
        crate::init::init(tmp.path(), Preset::Drupal11).unwrap();
        let ws = Workspace::open(tmp.path()).unwrap();
        assert_eq!(read_acquired(&ws).unwrap(), AcquireReport::default());

        let now = current_fingerprint(&ws, &AcquireStage).unwrap();
        let mut manifest = StageManifest {
            stage: "acquire".to_owned(),
            fingerprint: now.clone(),
            outputs: Vec::new(),
            report: serde_json::to_value(AcquireReport::default()).unwrap(),
            incomplete: None,
        };
        write_json_atomic(&ws.path(&manifest_path(&AcquireStage)), &manifest).unwrap();
        assert_eq!(
            freshness(&ws, &AcquireStage, &now).unwrap(),
            Freshness::Fresh
        );

        manifest.report = serde_json::json!({"repositories": "none", "docs": []});
        write_json_atomic(&ws.path(&manifest_path(&AcquireStage)), &manifest).unwrap();
        let err = read_acquired(&ws).unwrap_err().to_string();
        assert!(
            err.starts_with("raw/manifest.json: the acquire stage's report does not parse"),
            "{err}"
        );
        match freshness(&ws, &AcquireStage, &now).unwrap() {
            Freshness::Stale { reasons } => {
                assert!(reasons[0].starts_with("report unreadable: "), "{reasons:?}")
            }
            other => panic!("{other:?}"),
        }
    }
}
