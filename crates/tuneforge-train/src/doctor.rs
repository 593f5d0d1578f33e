//! `tuneforge doctor`: what this machine can train, and what that means per profile.
//!
//! The Python facts (versions, CUDA, GPUs, whether bitsandbytes and Unsloth import) come
//! from the worker's own probe, run in the environment training would use; disk space and
//! the per-profile advice are computed here with the same estimate as the README's table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde::{Deserialize, Serialize};

use crate::env::{self, Cache, WorkerEnv};
use crate::profile::{self, PROFILES, Workload};
use crate::registry::MODELS;

/// What the worker's `doctor` command prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerProbe {
    pub python: String,
    pub python_executable: String,
    pub packages: BTreeMap<String, Option<String>>,
    pub torch_error: Option<String>,
    pub cuda: Option<CudaInfo>,
    pub gpus: Vec<Gpu>,
    pub bitsandbytes_error: Option<String>,
    pub unsloth_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CudaInfo {
    /// The CUDA version torch was built with.
    pub built_with: Option<String>,
    pub available: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gpu {
    pub index: u32,
    pub name: String,
    pub vram_bytes: u64,
    pub compute_capability: String,
    pub bf16: bool,
}

/// One profile judged against this machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileAdvice {
    pub profile: &'static str,
    pub vram_gib: f64,
    /// This machine has a GPU with at least the profile's memory.
    pub usable_here: bool,
    pub models: Vec<ModelFit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFit {
    pub model: &'static str,
    pub estimate_gib: f64,
    pub fits: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoctorReport {
    pub cache_dir: PathBuf,
    /// The environment training would use; `None` before `tuneforge setup`.
    pub env: Option<WorkerEnv>,
    pub probe: Option<WorkerProbe>,
    /// Why there is no probe (no environment, or the probe failed).
    pub problem: Option<String>,
    pub disk_free_bytes: Option<u64>,
    pub profiles: Vec<ProfileAdvice>,
}

impl DoctorReport {
    /// The largest GPU's memory, if any GPU is usable.
    pub fn best_gpu_vram_gib(&self) -> Option<f64> {
        let probe = self.probe.as_ref()?;
        probe
            .gpus
            .iter()
            .map(|g| g.vram_bytes as f64 / (1u64 << 30) as f64)
            .reduce(f64::max)
    }
}

/// Runs the probe in the training environment and judges every profile.
pub fn diagnose(cache: &Cache, python: Option<&Path>) -> DoctorReport {
    let (env, probe, problem) = match env::for_training(cache, python) {
        Ok(env) => match probe(&env) {
            Ok(probe) => (Some(env), Some(probe), None),
            Err(problem) => (Some(env), None, Some(problem)),
        },
        Err(e) => (None, None, Some(e.to_string())),
    };
    let mut report = DoctorReport {
        cache_dir: cache.root().to_path_buf(),
        env,
        probe,
        problem,
        disk_free_bytes: disk_free(cache.root()),
        profiles: Vec::new(),
    };
    report.profiles = advise(report.best_gpu_vram_gib());
    report
}

/// Every profile with every registry model's estimate; usable when a GPU of `gpu_vram_gib`
/// (a 12 GB card reports about 11.7 GiB, hence the 5 % slack) has room for it.
pub fn advise(gpu_vram_gib: Option<f64>) -> Vec<ProfileAdvice> {
    PROFILES
        .iter()
        .map(|p| ProfileAdvice {
            profile: p.name,
            vram_gib: p.vram_gib,
            usable_here: gpu_vram_gib.is_some_and(|v| v >= p.vram_gib * 0.95),
            models: MODELS
                .iter()
                .map(|m| {
                    let gib = profile::estimate_vram(
                        &m.architecture,
                        &Workload::of(p, 64, m.lora_targets),
                    )
                    .total_gib();
                    ModelFit {
                        model: m.name,
                        estimate_gib: gib,
                        fits: gib <= p.vram_gib,
                    }
                })
                .collect(),
        })
        .collect()
}

fn probe(env: &WorkerEnv) -> Result<WorkerProbe, String> {
    let out = env
        .worker_command()
        .arg("doctor")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", env.python.display()))?;
    if !out.status.success() {
        return Err(format!(
            "the worker's probe failed ({}):\n{}\n  hint: rebuild the environment: remove {} and run `tuneforge setup`",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            env.venv.display()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "the worker's probe printed something unexpected ({e}): {}",
            String::from_utf8_lossy(&out.stdout).trim()
        )
    })
}

/// Free bytes for an unprivileged user on the file system holding `dir` (or its nearest
/// existing ancestor).
pub fn disk_free(dir: &Path) -> Option<u64> {
    let existing = dir.ancestors().find(|d| d.exists())?;
    let stat = rustix::fs::statvfs(existing).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_gpu_no_profile_is_usable_but_every_estimate_is_given() {
        let advice = advise(None);
        assert_eq!(advice.len(), PROFILES.len());
        assert!(advice.iter().all(|a| !a.usable_here));
        assert!(advice.iter().all(|a| a.models.len() == MODELS.len()));
    }

    #[test]
    fn a_12_gb_card_uses_the_12_gb_profile_only() {
        // What torch reports for a 12 GB card: 11.72 GiB.
        let advice = advise(Some(11.72));
        let usable: Vec<&str> = advice
            .iter()
            .filter(|a| a.usable_here)
            .map(|a| a.profile)
            .collect();
        assert_eq!(usable, ["rtx4070-12gb"]);
        let l40s = advice.iter().find(|a| a.profile == "l40s-48gb").unwrap();
        let fourteen = l40s
            .models
            .iter()
            .find(|m| m.model == "qwen2.5-14b-instruct")
            .unwrap();
        assert!(fourteen.fits, "14B in 16 bits fits 48 GB: {fourteen:?}");
    }

    #[test]
    fn the_probe_json_of_the_worker_parses() {
        let text = r#"{"python": "3.11.7", "python_executable": "/v/bin/python", "packages": {"torch": "2.15.0", "unsloth": null}, "torch_error": null, "cuda": {"built_with": "13.2", "available": true}, "gpus": [{"index": 0, "name": "NVIDIA L40S", "vram_bytes": 48305799168, "compute_capability": "8.9", "bf16": true}], "bitsandbytes_error": null, "unsloth_error": null}"#;
        let probe: WorkerProbe = serde_json::from_str(text).unwrap();
        assert_eq!(probe.gpus[0].name, "NVIDIA L40S");
        assert_eq!(probe.packages["unsloth"], None);
    }

    #[test]
    fn free_disk_is_read_from_the_nearest_existing_directory() {
        let dir = tempfile::tempdir().unwrap();
        let free = disk_free(&dir.path().join("not/yet/made")).unwrap();
        assert!(free > 0);
    }
}
