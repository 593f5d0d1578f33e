//! Where everything is in a workspace: every workspace-relative path tuneforge reads or
//! writes, one constant per path, grouped by the stage that writes it.
//!
//! Paths are relative to the workspace root, with `/` separators (they are also the names
//! manifests record), and become real paths through `Workspace::path`. Code names these
//! constants instead of spelling paths out, so moving a file is a change in one place and a
//! search for the constant finds every reader and writer. Paths inside a dataset version
//! (`train.jsonl`, `manifest.json`, `domains/<domain>/`) belong to `tuneforge-dataset`, and
//! those inside a training run to `tuneforge-train`.

// The workspace itself.

/// The pipeline's configuration; the directory holding it is the workspace.
pub const CONFIG_FILE: &str = "pipeline.yaml";
/// tuneforge's own bookkeeping: state, locks and caches, never data.
pub const TUNEFORGE_DIR: &str = ".tuneforge";
/// What the workspace remembers between commands: the baseline of the retrain advice.
pub const STATE_FILE: &str = ".tuneforge/state.json";
/// Held by `run` (and `snapshot`) from start to end: two runs would write the same files.
pub const RUN_LOCK: &str = ".tuneforge/run.lock";
/// Responses of network stages, revalidated with conditional requests on `--refresh`.
pub const HTTP_CACHE_DIR: &str = ".tuneforge/http-cache";
/// Teacher answers, by model, prompt and parameters: a rerun costs nothing.
pub const TEACHER_CACHE_DIR: &str = ".tuneforge/teacher-cache";

/// Every stage's manifest, in the stage's directory (`<dir>/manifest.json`): its
/// fingerprint, outputs and report, written last.
pub const STAGE_MANIFEST: &str = "manifest.json";
/// Wall-clock timings of a stage's last run, beside its manifest; fingerprints and
/// identity checks ignore it.
pub const STAGE_TIMINGS: &str = "timings.json";

// discover

/// The `discover` stage's directory; it writes nothing but its manifest.
pub const SOURCES_DIR: &str = "sources";
/// The discovery: every configured source as a pinned candidate, in the manifest's report.
pub const DISCOVER_MANIFEST: &str = "sources/manifest.json";

// collect and acquire: what comes from outside, never rewritten.

/// The `acquire` stage's directory, and where `collect` appends.
pub const RAW_DIR: &str = "raw";
/// Captured interactions, appended by `collect` under a lock.
pub const RAW_INTERACTIONS: &str = "raw/interactions.jsonl";
/// The proxy's journal: every chat exchange's raw request and answer, one JSON Lines file
/// per UTC day, append-only.
pub const PROXY_JOURNAL_DIR: &str = "raw/proxy";
/// Review decisions on captured interactions (`tuneforge review`), appended under a lock;
/// the last line for an interaction wins. `raw/interactions.jsonl` is never rewritten.
pub const RAW_REVIEWS: &str = "raw/reviews.jsonl";
/// Git sources at their pinned commits, one directory per source.
pub const RAW_CODE_DIR: &str = "raw/code";
/// Docs pages as served, under `<host>/<path>.<ext>`.
pub const RAW_DOCS_DIR: &str = "raw/docs";
/// What `acquire` fetched (repositories and pages), in the manifest's report.
pub const ACQUIRE_MANIFEST: &str = "raw/manifest.json";

// rules

/// The `rules` stage's directory.
pub const RULES_DIR: &str = "rules";
/// The deprecation list mined from Drupal core, where `rules.deprecations` in
/// `pipeline.yaml` does not name another file.
pub const DEFAULT_DEPRECATIONS: &str = "rules/deprecations.jsonl";

// clean

/// The `clean` stage's directory; the paths its listings hold are relative to it.
pub const CLEAN_DIR: &str = "clean";
/// Cleaned code, `clean/code/<source>/…`.
pub const CLEAN_CODE_DIR: &str = "clean/code";
/// Cleaned docs, `clean/docs/<source>/…` (`clean/docs/web/…` for pages fetched over HTTP).
pub const CLEAN_DOCS_DIR: &str = "clean/docs";
/// Every kept file with its source, hash, licence and duplicate cluster.
pub const CLEAN_FILES: &str = "clean/files.jsonl";
/// Every dropped file with the rule that dropped it.
pub const CLEAN_DROPPED: &str = "clean/dropped.jsonl";
/// The duplicate clusters, exact and near.
pub const DEDUP_MANIFEST: &str = "clean/dedup_manifest.json";

// analyze

/// The `analyze` stage's directory.
pub const ANALYSIS_DIR: &str = "analysis";
/// Facts of every cleaned PHP and Drupal YAML file, one line per file.
pub const FACTS: &str = "analysis/facts.jsonl";

// generate

/// The `generate` stage's directory.
pub const SFT_DIR: &str = "sft";
/// Samples made from code and docs by the template families and refactors.
pub const INSTRUCTIONS: &str = "sft/instructions.jsonl";
/// Samples from the teacher model.
pub const SYNTHETIC: &str = "sft/synthetic.jsonl";
/// Captured interactions as samples.
pub const SFT_INTERACTIONS: &str = "sft/interactions.jsonl";
/// Every candidate that made no sample, with the reason.
pub const GENERATE_DROPPED: &str = "sft/dropped.jsonl";
/// All samples above in one file: what the gate reads.
pub const COMBINED_SAMPLES: &str = "sft/combined.jsonl";

// gate

/// The `gate` stage's directory.
pub const QUALITY_DIR: &str = "quality";
/// The gate's report: pass rates by generator, findings by rule, the tools used.
pub const GATE_REPORT: &str = "quality/report.json";
/// Samples the gate rejected, with their findings.
pub const GATE_REJECTED: &str = "quality/rejected.jsonl";
/// Samples the gate accepted, as they were read: what `package` reads.
pub const GATE_ACCEPTED: &str = "quality/accepted.jsonl";
/// The names of the gate's three files in any output directory (`tuneforge gate FILE
/// --out DIR` writes them outside a workspace too).
pub const GATE_REPORT_FILE: &str = "report.json";
pub const GATE_REJECTED_FILE: &str = "rejected.jsonl";
pub const GATE_ACCEPTED_FILE: &str = "accepted.jsonl";

// package

/// The `package` stage's directory; it writes the dataset under [`DATASET_DIR`].
pub const PACKAGE_DIR: &str = "package";

// process

/// The `process` stage's directory.
pub const PROCESSED_DIR: &str = "processed";
/// Captured interactions checked, redacted and deduplicated, in capture order.
pub const PROCESSED_INTERACTIONS: &str = "processed/interactions.jsonl";

// package and process: the dataset.

/// Dataset versions, `dataset/v<N>/`, written by `package` or `process`.
pub const DATASET_DIR: &str = "dataset";
/// Copies of dataset versions, `snapshots/v<YYYY-MM-DD>[-N]/`.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// The directory of dataset version `version`: `dataset/v<N>`.
pub fn dataset_version_dir(version: u32) -> String {
    format!("{DATASET_DIR}/v{version}")
}

// validate

/// The `validate` stage's directory.
pub const VALIDATION_DIR: &str = "validation";
/// Every finding of the last validation.
pub const VALIDATION_REPORT: &str = "validation/report.json";

// train

/// Trained adapters, `adapters/<model>/<domain|all>-lora-v<N>/`.
pub const ADAPTERS_DIR: &str = "adapters";
/// The tiny model the Drupal quickstart builds from a config and trains on its dataset.
pub const QUICKSTART_MODEL_DIR: &str = "models/tiny-qwen2";

// quickstart

/// Where the Drupal quickstart writes the built-in sample corpus (its two `path:` sources).
pub const SAMPLE_CORPUS_DIR: &str = "sample-corpus";

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file is in its stage's directory, so a path and its directory cannot drift
    /// apart.
    #[test]
    fn files_are_in_their_directories() {
        let under = |dir: &str, files: &[&str]| {
            for f in files {
                assert_eq!(
                    f.rsplit_once('/').map(|(d, _)| d),
                    Some(dir),
                    "{f} is not directly under {dir}"
                );
            }
        };
        under(
            TUNEFORGE_DIR,
            &[STATE_FILE, RUN_LOCK, HTTP_CACHE_DIR, TEACHER_CACHE_DIR],
        );
        under(SOURCES_DIR, &[DISCOVER_MANIFEST]);
        under(
            RAW_DIR,
            &[
                RAW_INTERACTIONS,
                RAW_CODE_DIR,
                RAW_DOCS_DIR,
                ACQUIRE_MANIFEST,
            ],
        );
        under(RULES_DIR, &[DEFAULT_DEPRECATIONS]);
        under(
            CLEAN_DIR,
            &[
                CLEAN_CODE_DIR,
                CLEAN_DOCS_DIR,
                CLEAN_FILES,
                CLEAN_DROPPED,
                DEDUP_MANIFEST,
            ],
        );
        under(ANALYSIS_DIR, &[FACTS]);
        under(
            SFT_DIR,
            &[
                INSTRUCTIONS,
                SYNTHETIC,
                SFT_INTERACTIONS,
                GENERATE_DROPPED,
                COMBINED_SAMPLES,
            ],
        );
        under(QUALITY_DIR, &[GATE_REPORT, GATE_REJECTED, GATE_ACCEPTED]);
        under(PROCESSED_DIR, &[PROCESSED_INTERACTIONS]);
        under(VALIDATION_DIR, &[VALIDATION_REPORT]);
        for (path, name) in [
            (DISCOVER_MANIFEST, STAGE_MANIFEST),
            (ACQUIRE_MANIFEST, STAGE_MANIFEST),
            (GATE_REPORT, GATE_REPORT_FILE),
            (GATE_REJECTED, GATE_REJECTED_FILE),
            (GATE_ACCEPTED, GATE_ACCEPTED_FILE),
        ] {
            assert!(path.ends_with(&format!("/{name}")), "{path}");
        }
        assert_eq!(dataset_version_dir(3), "dataset/v3");
    }
}
