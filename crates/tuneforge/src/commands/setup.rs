//! `setup` and `doctor`: the training worker's environments and what this machine can do.

use anyhow::Result;
use tuneforge_train::doctor::{self, DoctorReport};
use tuneforge_train::env::{self, Cache, SetupOptions};

use super::Context;
use crate::cli::{DoctorArgs, SetupArgs};
use crate::exit::Exit;

pub fn setup(ctx: &Context, args: SetupArgs) -> Result<Exit> {
    let cache = Cache::from_env()?;
    let options = SetupOptions {
        python: args.python,
        gpu: args.gpu,
        with_tests: args.with_tests,
    };
    let results = env::setup(&cache, &options, &ctx.reporter)?;
    if args.print_python {
        // The first environment is always the TRL one.
        println!("{}", results[0].env.python.display());
        return Ok(Exit::Success);
    }
    ctx.emit(&results, || {
        results
            .iter()
            .map(|r| {
                format!(
                    "{} environment {}: {}\n  worker: {}",
                    r.env.kind.as_str(),
                    if r.created { "created" } else { "up to date" },
                    r.env.venv.display(),
                    r.env.worker_path.display()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(Exit::Success)
}

pub fn doctor(ctx: &Context, args: DoctorArgs) -> Result<Exit> {
    let cache = Cache::from_env()?;
    let report = doctor::diagnose(&cache, args.python.as_deref());
    ctx.emit(&report, || render(&report));
    Ok(if report.probe.is_some() {
        Exit::Success
    } else {
        Exit::DataErrors
    })
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

fn render(report: &DoctorReport) -> String {
    let mut out = Vec::new();
    out.push(format!("cache: {}", report.cache_dir.display()));
    match report.disk_free_bytes {
        Some(free) => out.push(format!(
            "free disk: {}{}",
            gib(free),
            if free < 30 << 30 {
                " (a 7B run needs about 30 GiB: base weights and checkpoints)"
            } else {
                ""
            }
        )),
        None => out.push("free disk: unknown".into()),
    }
    if let Some(env) = &report.env {
        out.push(format!(
            "environment: {} ({})",
            env.venv.display(),
            env.kind.as_str()
        ));
    }
    if let Some(problem) = &report.problem {
        out.push(format!("problem: {problem}"));
    }
    if let Some(probe) = &report.probe {
        let version = |name: &str| {
            probe
                .packages
                .get(name)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "not installed".into())
        };
        out.push(format!(
            "python: {} ({})",
            probe.python, probe.python_executable
        ));
        match &probe.torch_error {
            Some(e) => out.push(format!("torch: cannot import: {e}")),
            None => out.push(format!("torch: {}", version("torch"))),
        }
        for name in ["transformers", "trl", "peft", "accelerate"] {
            out.push(format!("{name}: {}", version(name)));
        }
        match &probe.cuda {
            Some(cuda) => out.push(format!(
                "CUDA: torch built with {}, {}",
                cuda.built_with.as_deref().unwrap_or("no CUDA"),
                if cuda.available {
                    "available"
                } else {
                    "not available (no GPU or driver): CPU only"
                }
            )),
            None => out.push("CUDA: unknown (torch does not import)".into()),
        }
        for gpu in &probe.gpus {
            out.push(format!(
                "GPU {}: {}, {}, compute {}, bf16 {}",
                gpu.index,
                gpu.name,
                gib(gpu.vram_bytes),
                gpu.compute_capability,
                if gpu.bf16 { "yes" } else { "no (fp16 instead)" }
            ));
        }
        out.push(
            match (
                &probe.packages.get("bitsandbytes"),
                &probe.bitsandbytes_error,
            ) {
                (Some(Some(v)), None) => format!("bitsandbytes: {v} (4-bit QLoRA available)"),
                (_, Some(e)) => format!("bitsandbytes: cannot import: {e} (no 4-bit profiles)"),
                _ => "bitsandbytes: not installed (no 4-bit profiles)".into(),
            },
        );
        out.push(
            match (&probe.packages.get("unsloth"), &probe.unsloth_error) {
                (Some(Some(v)), None) => format!("unsloth: {v}"),
                (_, Some(e)) => format!("unsloth: cannot import: {e}"),
                _ => "unsloth: not installed (`tuneforge setup --gpu` on a CUDA machine)".into(),
            },
        );
    }
    out.push(String::new());
    out.push("profiles (estimated GiB at LoRA r 64 on q/k/v/o; see README):".into());
    let gpu = report.best_gpu_vram_gib();
    for advice in &report.profiles {
        let verdict = match gpu {
            None => "needs a CUDA GPU; none here".to_string(),
            Some(_) if advice.usable_here => "usable here".to_string(),
            Some(v) => format!("needs {:.0} GiB, this GPU has {v:.1}", advice.vram_gib),
        };
        let fits: Vec<String> = advice
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} ~{:.1}{}",
                    m.model,
                    m.estimate_gib,
                    if m.fits { "" } else { " (too big)" }
                )
            })
            .collect();
        out.push(format!(
            "  {}: {verdict}\n    {}",
            advice.profile,
            fits.join(", ")
        ));
    }
    if gpu.is_none() {
        out.push(
            "this machine trains on CPU only: tiny models (the quickstart, the tests), not 7B ones"
                .into(),
        );
    }
    out.join("\n")
}
