//! Stage manifests and fingerprints.
//!
//! A stage's fingerprint is its inputs' content hashes, its slice of `pipeline.yaml` and the
//! tool version. The manifest stores the fingerprint with every output's hash and record
//! count, so `status` can say exactly which input, setting or output changed. Manifests
//! hold nothing that varies between identical runs: wall-clock timings go to a separate
//! `timings.json`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::fsio::{IoError, at};
use crate::hash::{hash_bytes, hash_file};

/// A file a stage read or wrote, by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDigest {
    /// Path relative to the workspace root, with `/` separators.
    pub path: String,
    pub blake3: String,
    pub bytes: u64,
    /// Records (lines) in a JSON Lines file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

impl FileDigest {
    /// The digest of bytes about to be (or just) written to `rel`.
    pub fn from_bytes(rel: &str, bytes: &[u8], records: Option<u64>) -> Self {
        Self {
            path: rel.to_owned(),
            blake3: hash_bytes(bytes),
            bytes: bytes.len() as u64,
            records,
        }
    }

    /// Hash `root/rel`.
    pub fn of(root: &Path, rel: &str, records: Option<u64>) -> Result<Self, IoError> {
        let path = root.join(rel);
        let (blake3, bytes) = hash_file(&path).map_err(at("cannot hash", &path))?;
        Ok(Self {
            path: rel.to_owned(),
            blake3,
            bytes,
            records,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub tool_version: String,
    /// blake3 of the canonical JSON of `config`.
    pub config_hash: String,
    /// The stage's slice of `pipeline.yaml`, kept so `status` can name a changed setting.
    pub config: serde_json::Value,
    pub inputs: Vec<FileDigest>,
}

impl Fingerprint {
    pub fn new(config: serde_json::Value, inputs: Vec<FileDigest>) -> Self {
        let config_hash = hash_bytes(&serde_json::to_vec(&config).expect("JSON values serialize"));
        Self {
            tool_version: crate::TOOL_VERSION.to_owned(),
            config_hash,
            config,
            inputs,
        }
    }

    /// Why `self` (recorded) differs from `now`, in words; empty when they match.
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let mut why = Vec::new();
        if self.tool_version != now.tool_version {
            why.push(format!(
                "tool version changed: {} → {}",
                self.tool_version, now.tool_version
            ));
        }
        if self.config_hash != now.config_hash {
            let mut changed = Vec::new();
            diff_values("", &self.config, &now.config, &mut changed);
            if changed.is_empty() {
                changed.push("settings changed".to_owned());
            }
            why.extend(changed);
        }
        for old in &self.inputs {
            match now.inputs.iter().find(|n| n.path == old.path) {
                None => why.push(format!("input {} is gone", old.path)),
                Some(n) if n.blake3 != old.blake3 => {
                    why.push(format!("input {} changed", old.path))
                }
                Some(_) => {}
            }
        }
        for n in &now.inputs {
            if !self.inputs.iter().any(|o| o.path == n.path) {
                why.push(format!("new input {}", n.path));
            }
        }
        why
    }
}

fn diff_values(
    prefix: &str,
    old: &serde_json::Value,
    new: &serde_json::Value,
    out: &mut Vec<String>,
) {
    use serde_json::Value;
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                match b.get(k) {
                    Some(vb) => diff_values(&key, va, vb, out),
                    None => out.push(format!("setting {key} was removed")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.push(format!("setting {key} was added"));
            }
        }
        (a, b) if a != b => out.push(format!("setting {prefix} changed: {a} → {b}")),
        _ => {}
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageManifest {
    pub stage: String,
    pub fingerprint: Fingerprint,
    pub outputs: Vec<FileDigest>,
    /// Stage-specific counts and findings.
    pub report: serde_json::Value,
    /// Set when the stage finished but could not do everything (a source could not be
    /// reached): the stage counts as stale, so the next run tries again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
}

impl StageManifest {
    /// Outputs whose file is missing or no longer matches its recorded hash.
    pub fn damaged_outputs(&self, root: &Path) -> Vec<String> {
        self.outputs
            .iter()
            .filter_map(|o| match hash_file(&root.join(&o.path)) {
                Ok((h, _)) if h == o.blake3 => None,
                Ok(_) => Some(format!("output {} was modified", o.path)),
                Err(_) => Some(format!("output {} is missing", o.path)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn digest(path: &str, h: &str) -> FileDigest {
        FileDigest {
            path: path.into(),
            blake3: h.into(),
            bytes: 1,
            records: None,
        }
    }

    #[test]
    fn differences_name_the_setting_and_the_input() {
        let old = Fingerprint::new(json!({"split": {"train": 0.8}}), vec![digest("raw/a", "1")]);
        let new = Fingerprint::new(
            json!({"split": {"train": 0.7}}),
            vec![digest("raw/a", "2"), digest("raw/b", "3")],
        );
        let why = old.differences(&new);
        assert_eq!(
            why,
            vec![
                "setting split.train changed: 0.8 → 0.7".to_owned(),
                "input raw/a changed".to_owned(),
                "new input raw/b".to_owned()
            ]
        );
        assert!(old.differences(&old.clone()).is_empty());
    }
}
