//! The `gate` stage: every trained answer's code checked (rules, tree-sitter, external
//! tools) into `quality/`; and `gate_file`, which `tuneforge gate FILE` runs on any file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::layout::{
    COMBINED_SAMPLES, FACTS, GATE_ACCEPTED, GATE_ACCEPTED_FILE, GATE_REJECTED_FILE, GATE_REPORT,
    GATE_REPORT_FILE, QUALITY_DIR,
};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::records::Sample;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_php::gate::PassRate;
use tuneforge_sources::discover::resolve_path;

use super::checker::workspace_checker;
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `quality/report.json`, `quality/rejected.jsonl` and `quality/accepted.jsonl`
/// from `sft/combined.jsonl`.
pub struct GateStage;

/// The samples the gate accepted, with the file's bytes (the dataset records their hash);
/// a line that is not a sample is an error naming it.
pub fn read_accepted(ws: &Workspace) -> Result<(Vec<Sample>, Vec<u8>), PipelineError> {
    let path = ws.path(GATE_ACCEPTED);
    let bytes = std::fs::read(&path).map_err(tuneforge_core::fsio::at("cannot read", &path))?;
    let out = tuneforge_core::jsonl::parse_all(&bytes).map_err(|e| PipelineError::Manifest {
        path: format!("{GATE_ACCEPTED}:{}", e.line),
        message: format!(
            "not a sample ({}); run `tuneforge run --only gate --force`",
            e.message
        ),
    })?;
    Ok((out, bytes))
}

/// The part of the gate's report (`quality/report.json`) the dataset manifest records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassRates {
    pub by_kind: BTreeMap<String, PassRate>,
    pub by_generator: BTreeMap<String, PassRate>,
}

/// The gate's pass rates by kind of generator and by generator, from its report; `None`
/// when there is no report, an error when it does not parse.
pub fn read_pass_rates(ws: &Workspace) -> Result<Option<PassRates>, PipelineError> {
    let path = ws.path(GATE_REPORT);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(tuneforge_core::fsio::IoError::new("cannot read", &path, e).into()),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| PipelineError::Manifest {
            path: GATE_REPORT.to_owned(),
            message: format!("not a gate report ({e}); run `tuneforge run --only gate --force`"),
        })
}

/// The external tools the gate runs with, as the workspace's config finds them.
pub fn gate_tools(
    config: &PipelineConfig,
    root: &std::path::Path,
) -> tuneforge_php::gate::GateTools {
    let g = &config.gate;
    let path = |p: &Option<String>| {
        p.as_ref()
            .map(|p| resolve_path(root, std::path::Path::new(p)))
    };
    tuneforge_php::gate::GateTools::detect(
        g.external_tools,
        path(&g.php).as_deref(),
        path(&g.phpcs).as_deref(),
        path(&g.phpstan).as_deref(),
    )
}

/// Gate `input` (sample JSON lines) into `out_dir`: `report.json`, `rejected.jsonl` and
/// `accepted.jsonl`, written atomically. Returns the report and the files' digests, named
/// `<rel_prefix>/<file>`.
pub fn gate_file(
    config: &PipelineConfig,
    root: &std::path::Path,
    input: &std::path::Path,
    out_dir: &std::path::Path,
    rel_prefix: &str,
    reporter: &dyn Reporter,
) -> Result<(tuneforge_php::gate::GateReport, Vec<FileDigest>), PipelineError> {
    let text =
        std::fs::read_to_string(input).map_err(tuneforge_core::fsio::at("cannot read", input))?;
    let scratch = tempfile_dir(out_dir)?;
    let checker = workspace_checker(config, root)?;
    let g = &config.gate;
    let options = tuneforge_php::gate::GateOptions {
        max_errors: g.max_errors,
        max_warnings: g.max_warnings,
        max_notes: g.max_notes,
        tools: gate_tools(config, root),
        classes: class_index(root)?,
    };
    let out = tuneforge_php::gate::gate(&text, &checker, &options, scratch.path(), reporter)
        .map_err(tuneforge_core::fsio::at("cannot write to", scratch.path()))?;
    // Accepted samples are kept as they were read.
    let accepted: String = out.accepted.iter().map(|l| format!("{l}\n")).collect();
    let rejected = tuneforge_core::jsonl::to_lines(&out.rejected);
    let report = serde_json::to_vec_pretty(&out.report).expect("reports serialize");
    let mut digests = Vec::new();
    for (name, bytes, records) in [
        (GATE_REPORT_FILE, report.as_slice(), None),
        (
            GATE_REJECTED_FILE,
            rejected.as_bytes(),
            Some(out.rejected.len() as u64),
        ),
        (
            GATE_ACCEPTED_FILE,
            accepted.as_bytes(),
            Some(out.accepted.len() as u64),
        ),
    ] {
        tuneforge_core::fsio::write_atomic(&out_dir.join(name), bytes)?;
        digests.push(FileDigest::from_bytes(
            &format!("{rel_prefix}/{name}"),
            bytes,
            records,
        ));
    }
    Ok((out.report, digests))
}

/// The classes the workspace's sources declare (`analysis/facts.jsonl`), when it has been
/// analyzed; answers are then checked for invented imports and deprecated classes.
pub fn class_index(
    root: &std::path::Path,
) -> Result<Option<tuneforge_php::class_index::ClassIndex>, PipelineError> {
    let path = root.join(FACTS);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(
            Some(tuneforge_php::class_index::ClassIndex::from_facts_jsonl(
                &text,
            ))
            .filter(|index| !index.is_empty()),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(tuneforge_core::fsio::IoError::new("cannot read", &path, e).into()),
    }
}

/// A scratch directory beside the outputs, removed when dropped.
fn tempfile_dir(out_dir: &std::path::Path) -> Result<tempfile::TempDir, PipelineError> {
    std::fs::create_dir_all(out_dir)
        .map_err(tuneforge_core::fsio::at("cannot create directory", out_dir))?;
    tempfile::Builder::new()
        .prefix(".tmp-gate-")
        .tempdir_in(out_dir)
        .map_err(|e| {
            tuneforge_core::fsio::at("cannot create a scratch directory in", out_dir)(e).into()
        })
}

pub fn gate_summary(r: &tuneforge_php::gate::GateReport) -> String {
    let tools: Vec<String> = r
        .tools
        .iter()
        .map(|t| format!("{} {}", t.name, if t.present() { "used" } else { "absent" }))
        .collect();
    let kinds: Vec<String> = r
        .by_kind
        .iter()
        .map(|(k, p)| format!("{k} {:.0}%", p.pass_rate * 100.0))
        .collect();
    let by_kind = if kinds.is_empty() {
        String::new()
    } else {
        format!("; pass rate {}", kinds.join(", "))
    };
    format!(
        "{} samples: {} accepted, {} rejected, {} unreadable{by_kind}; {} code blocks checked ({}; {} php -l version notes)",
        r.samples,
        r.accepted,
        r.rejected,
        r.unreadable.len(),
        r.code_blocks,
        tools.join(", "),
        r.php_version_notes
    )
}

impl Stage for GateStage {
    fn name(&self) -> &'static str {
        "gate"
    }
    fn dir(&self) -> &'static str {
        QUALITY_DIR
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(COMBINED_SAMPLES).exists())
            .then(|| format!("no samples generated yet ({COMBINED_SAMPLES})"))
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        Ok(existing(
            ws,
            [
                COMBINED_SAMPLES.to_owned(),
                ws.config.rules.deprecations.clone(),
                FACTS.to_owned(),
            ],
        ))
    }
    fn extra_inputs(&self, ws: &Workspace) -> Result<Vec<FileDigest>, PipelineError> {
        // Each external tool's path and version (or "absent") is part of the fingerprint.
        let tools = gate_tools(&ws.config, &ws.root);
        Ok(tools
            .all()
            .iter()
            .map(|t| {
                FileDigest::from_bytes(&format!("tool:{}", t.name), t.identity().as_bytes(), None)
            })
            .collect())
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"gate": c.gate, "rules": c.rules})
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        let (report, outputs) = gate_file(
            &ws.config,
            &ws.root,
            &ws.path(COMBINED_SAMPLES),
            &ws.path(QUALITY_DIR),
            QUALITY_DIR,
            reporter,
        )?;
        for e in &report.tool_errors {
            reporter.warn(&format!("gate: {e}"));
        }
        // A tool that failed left blocks unchecked: the next run tries again.
        let incomplete = (!report.tool_errors.is_empty()).then(|| {
            format!(
                "{} external tool runs failed; the next run tries again",
                report.tool_errors.len()
            )
        });
        Ok(StageRun {
            outputs,
            summary: gate_summary(&report),
            report: serde_json::to_value(&report).expect("reports serialize"),
            incomplete,
        })
    }
}
