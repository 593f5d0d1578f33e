//! The `package` stage: the gate's accepted samples → `dataset/v<N>/` with group splits,
//! decontamination, export formats, a manifest with sources, rules and pass rates, a
//! dataset card, and Axolotl / LLaMA-Factory sections.

use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::fsio::remove_stale_staging;
use tuneforge_core::layout::{DATASET_DIR, GATE_ACCEPTED, GATE_REPORT, PACKAGE_DIR};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::package::{EvalPrompt, PackageInput, package};
use tuneforge_dataset::version::DatasetWrite;

use super::discover::read_discovery;
use super::gate::{read_accepted, read_pass_rates};
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `dataset/v<N>/` from `quality/accepted.jsonl`.
pub struct PackageStage;

/// The prompts of the built-in evaluation suites and of the configured eval files:
/// `prompt` or the first user message of a JSON line, or the line itself.
fn eval_prompts(ws: &Workspace) -> Result<Option<Vec<EvalPrompt>>, PipelineError> {
    let mut out = tuneforge_dataset::eval_suites::builtin_prompts();
    for file in &ws.config.eval.prompts {
        let path = ws.path(file);
        let text = std::fs::read_to_string(&path).map_err(tuneforge_core::fsio::at(
            "cannot read the eval prompts (eval.prompts in pipeline.yaml)",
            &path,
        ))?;
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let prompt = match serde_json::from_str::<Value>(line) {
                Ok(v) => v
                    .get("prompt")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| {
                        v.get("messages")?.as_array()?.iter().find_map(|m| {
                            (m.get("role")?.as_str()? == "user")
                                .then(|| m.get("content")?.as_str().map(str::to_owned))
                                .flatten()
                        })
                    })
                    .ok_or_else(|| PipelineError::Input {
                        origin: format!("{file}:{}", i + 1),
                        message: "a JSON line without `prompt` or a user message in `messages`"
                            .to_owned(),
                    })?,
                Err(_) => line.to_owned(),
            };
            out.push(EvalPrompt {
                origin: format!("{file}:{}", i + 1),
                text: prompt,
            });
        }
    }
    Ok(Some(out))
}

/// The sources as the dataset manifest lists them: pinned, with why each was kept.
fn sources(ws: &Workspace) -> Result<Value, PipelineError> {
    let discovery = read_discovery(ws)?;
    Ok(Value::Array(
        discovery
            .candidates
            .iter()
            .filter(|c| c.status == tuneforge_sources::discover::Status::Kept)
            .map(|c| {
                json!({
                    "name": c.name,
                    "kind": c.kind,
                    "location": c.location,
                    "commit": c.commit,
                    "tree_hash": c.tree_hash,
                    "release": c.release,
                })
            })
            .collect(),
    ))
}

impl Stage for PackageStage {
    fn name(&self) -> &'static str {
        "package"
    }
    fn dir(&self) -> &'static str {
        PACKAGE_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["gate"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(GATE_ACCEPTED).exists()).then(|| "nothing has passed the gate yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        let mut files = vec![GATE_ACCEPTED.to_owned(), GATE_REPORT.to_owned()];
        files.extend(ws.config.eval.prompts.iter().cloned());
        Ok(existing(ws, files))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"seed": c.seed, "domains": c.domains, "process": c.process, "package": c.package, "eval": c.eval, "clean": c.clean})
    }
    fn clean_interrupted(&self, ws: &Workspace) -> Result<(), PipelineError> {
        Ok(remove_stale_staging(&ws.path(DATASET_DIR))?)
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let (samples, bytes) = read_accepted(ws)?;
        let gate = read_pass_rates(ws)?
            .map(|r| serde_json::to_value(r).expect("reports serialize"))
            .unwrap_or(Value::Null);
        let input = PackageInput {
            samples,
            source: FileDigest::from_bytes(GATE_ACCEPTED, &bytes, None),
            sources: sources(ws)?,
            rules: json!({"clean": ws.config.clean, "redact": ws.config.redact}),
            gate,
            eval_prompts: eval_prompts(ws)?,
        };
        let out = package(ws, input, reporter)?;
        let c = &out.counts;
        let summary = format!(
            "{} samples in {} groups → {} {} (train {} / valid {} / test {}); {} dropped by decontamination ({})",
            c.total(),
            out.facts.groups,
            out.dir,
            match out.write {
                DatasetWrite::Written => "written",
                DatasetWrite::Unchanged => "unchanged",
                DatasetWrite::Repaired => "repaired",
            },
            c.train,
            c.valid,
            c.test,
            out.facts.decontamination.dropped.len(),
            out.facts.decontamination.eval_prompts,
        );
        Ok(StageRun {
            outputs: out.outputs,
            report: json!({
                "version": out.version,
                "dir": out.dir,
                "counts": out.counts,
                "facts": out.facts,
            }),
            summary,
            incomplete: None,
        })
    }
}
