//! Which dataset a model-side command means: a directory it was given, or the workspace's
//! newest `dataset/v<N>`; with a domain, that version's `domains/<domain>/` splits.

use std::path::{Path, PathBuf};

use tuneforge_core::layout::{DATASET_DIR, dataset_version_dir};
use tuneforge_core::workspace::Workspace;
use tuneforge_dataset::version::latest_version;

use crate::ModelError;

/// The dataset directory to train on (or evaluate against): `explicit` when given, else the
/// newest version of the workspace; with `domain`, its domain directory, which must exist.
pub fn resolve(
    ws: &Workspace,
    explicit: Option<&Path>,
    domain: Option<&str>,
) -> Result<PathBuf, ModelError> {
    let version_dir = match explicit {
        Some(dir) => dir.to_path_buf(),
        None => newest(ws)?.ok_or_else(|| {
            ModelError::Usage(format!(
                "{}: no dataset yet\n  hint: build one with `tuneforge run`, or name one with --dataset",
                ws.path(DATASET_DIR).display()
            ))
        })?,
    };
    let Some(domain) = domain else {
        return Ok(version_dir);
    };
    let dir = version_dir.join("domains").join(domain);
    if dir.is_dir() {
        return Ok(dir);
    }
    let known = domains(&version_dir);
    Err(ModelError::Usage(if known.is_empty() {
        format!(
            "{}: the dataset has no per-domain splits, so no domain `{domain}`\n  hint: train without --domain",
            version_dir.display()
        )
    } else {
        format!(
            "{}: no domain `{domain}`; its domains are {}",
            version_dir.display(),
            known.join(", ")
        )
    }))
}

/// The workspace's newest `dataset/v<N>`, if any.
pub fn newest(ws: &Workspace) -> Result<Option<PathBuf>, ModelError> {
    let root = ws.path(DATASET_DIR);
    Ok(latest_version(&root)?.map(|v| ws.path(&dataset_version_dir(v))))
}

/// The domains with their own splits in a dataset version, sorted.
pub fn domains(version_dir: &Path) -> Vec<String> {
    crate::adapters::sorted_dir_names(&version_dir.join("domains")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(dir: &Path) -> Workspace {
        std::fs::write(
            dir.join("pipeline.yaml"),
            tuneforge_core::config::render_pipeline_yaml(
                tuneforge_core::config::Preset::Interactions,
            ),
        )
        .unwrap();
        Workspace::open(dir).unwrap()
    }

    #[test]
    fn the_newest_version_and_its_domains_are_found_and_a_missing_domain_names_the_real_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = workspace(tmp.path());
        let err = resolve(&ws, None, None).unwrap_err().to_string();
        assert!(err.contains("no dataset yet"), "{err}");

        for v in ["v1", "v2"] {
            let dir = tmp.path().join("dataset").join(v);
            std::fs::create_dir_all(dir.join("domains/php")).unwrap();
            std::fs::write(dir.join("manifest.json"), "{}").unwrap();
        }
        // A version directory without its manifest was never completed.
        std::fs::create_dir_all(tmp.path().join("dataset/v3")).unwrap();
        std::fs::create_dir_all(tmp.path().join("dataset/v2/domains/drupal")).unwrap();
        assert_eq!(
            resolve(&ws, None, None).unwrap(),
            tmp.path().join("dataset/v2")
        );
        assert_eq!(
            resolve(&ws, None, Some("php")).unwrap(),
            tmp.path().join("dataset/v2/domains/php")
        );
        let err = resolve(&ws, None, Some("nope")).unwrap_err().to_string();
        assert!(
            err.contains("no domain `nope`; its domains are drupal, php"),
            "{err}"
        );
        assert!(!err.contains("no dataset yet"), "{err}");
        let v1 = tmp.path().join("dataset/v1");
        assert_eq!(
            resolve(&ws, Some(&v1), Some("php")).unwrap(),
            v1.join("domains/php")
        );
    }
}
