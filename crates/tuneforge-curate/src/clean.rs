//! The `clean` stage's work over source trees: every file checked, normalized, redacted and
//! written under the output directory, then exact and near duplicates marked (not deleted:
//! `analyze` reads every file; `generate` and `package` take the kept ones).
//!
//! Near duplicates come from two shinglings: the plain one ([`crate::shingle`]) over
//! every file, and one with names masked ([`crate::mask`]) over the files the config names
//! (boilerplate such as `*.info.yml`). Clusters of both are joined. Each cluster keeps one
//! file by a fixed rule: the source's rank (Drupal core, then contrib, then other code, then
//! docs), then the shortest path, then the first path in byte order.

use std::cmp::Ordering;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::config::{CleanConfig, ContentKind, RedactConfig};
use tuneforge_core::fsio::{IoError, at, list_files};
use tuneforge_core::reporter::Reporter;

use crate::dedup::{DedupError, DedupOptions, Fingerprint, UnionFind, dedup, fingerprint};
use crate::mask::mask_names;
use crate::minhash::Banding;
use crate::normalize::Normalizer;
use crate::redact::{RedactionCounts, Redactor};
use crate::shingle::jaccard;

/// One tree to clean.
#[derive(Debug, Clone)]
pub struct CleanTree {
    /// The source's name, as in `sources/manifest.json`.
    pub source: String,
    /// Keep priority among duplicates: lower wins (0 core, 1 contrib, 2 other code, 3 docs).
    pub rank: u8,
    pub root: PathBuf,
    pub content: ContentKind,
    /// Only these files (relative to `root`); `None` for every file of the tree.
    pub only: Option<std::collections::BTreeSet<String>>,
    /// Files (relative to `root`) that are not part of the source, such as the record
    /// `acquire` keeps in each repository: neither cleaned nor listed as dropped.
    pub leave_out: Vec<String>,
    /// Where its cleaned files are written.
    pub out_dir: PathBuf,
    /// How its files are named in manifests: `code/drupal_core` → `code/drupal_core/<path>`.
    pub out_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CleanError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("cannot list {path}: {source}")]
    List {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Dedup(#[from] DedupError),
}

#[derive(Debug, Clone, Serialize)]
pub struct KeptFile {
    /// Relative to the output directory: `code/<source>/<path>`.
    pub path: String,
    pub source: String,
    pub blake3: String,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spdx: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub license_removed: bool,
    #[serde(skip_serializing_if = "RedactionCounts::is_empty")]
    pub redactions: RedactionCounts,
    /// Values left as they are because an allowlist covers them (e-mail domains, IP
    /// ranges), counted apart from redactions.
    #[serde(skip_serializing_if = "RedactionCounts::is_empty")]
    pub allowlisted: RedactionCounts,
    /// The kept file of its duplicate cluster, when this one is a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DroppedFile {
    /// The filter that dropped it (`excluded_dir`, `generated`, `long_line`, …).
    pub rule: &'static str,
    pub source: String,
    /// Relative to the source's root.
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterMember {
    pub path: String,
    /// Exact Jaccard of the plain shingles to the kept file.
    pub jaccard_to_kept: f64,
    /// `exact` (same text up to whitespace), `near` (plain shingles), or `masked` (joined by
    /// the shingling with names masked).
    pub by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_jaccard_to_kept: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DupCluster {
    pub kept: String,
    pub members: Vec<ClusterMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DedupManifest {
    pub files: usize,
    pub threshold: f64,
    pub banding: Banding,
    pub masked_threshold: Option<f64>,
    pub masked_files: usize,
    pub keep_rule: &'static str,
    pub exact_duplicates: usize,
    pub near_duplicates: usize,
    pub masked_duplicates: usize,
    pub clusters: Vec<DupCluster>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleanReport {
    pub kept: Vec<KeptFile>,
    pub dropped: Vec<DroppedFile>,
    pub redactions: RedactionCounts,
    pub allowlisted: RedactionCounts,
    pub licenses_removed: u64,
    pub dedup: DedupManifest,
}

pub const KEEP_RULE: &str =
    "source rank (drupal core, contrib, other code, docs), then shortest path, then byte order";

struct Item {
    tree: usize,
    rel: String,
    full: PathBuf,
}

enum Outcome {
    Kept {
        file: Box<KeptFile>,
        print: Fingerprint,
        masked: Option<Fingerprint>,
    },
    Dropped(DroppedFile),
    Failed(IoError),
}

/// Clean every tree into its `out_dir`.
pub fn clean(
    trees: &[CleanTree],
    config: &CleanConfig,
    redact: &RedactConfig,
    reporter: &dyn Reporter,
) -> Result<CleanReport, CleanError> {
    let normalizer = Normalizer::new(config);
    let redactor = redact.enabled.then(|| Redactor::new(redact));
    let masked_globs: Vec<regex::Regex> = config
        .dedup
        .masked
        .files
        .iter()
        .filter_map(|g| regex::Regex::new(&g.to_regex()).ok())
        .collect();

    let mut items = Vec::new();
    for (t, tree) in trees.iter().enumerate() {
        let listing = list_files(&tree.root).map_err(|source| CleanError::List {
            path: tree.root.display().to_string(),
            source,
        })?;
        let only = tree.only.as_ref();
        let listed = listing
            .files
            .into_iter()
            .filter(|(rel, _)| only.is_none_or(|o| o.contains(rel)))
            .filter(|(rel, _)| !tree.leave_out.contains(rel));
        items.extend(listed.map(|(rel, full)| Item { tree: t, rel, full }));
    }

    let task = reporter.task("clean: files", Some(items.len() as u64));
    let outcomes: Vec<Outcome> = items
        .par_iter()
        .map(|item| {
            let o = clean_one(
                item,
                &trees[item.tree],
                &normalizer,
                redactor.as_ref(),
                config.dedup.masked.enabled && masked_globs.iter().any(|g| g.is_match(&item.rel)),
            );
            task.advance(1);
            o
        })
        .collect();
    task.finish();

    let mut kept = Vec::new();
    let mut ranks = Vec::new();
    let mut prints = Vec::new();
    let mut masked: Vec<(usize, Fingerprint)> = Vec::new();
    let mut dropped = Vec::new();
    for (item, outcome) in items.iter().zip(outcomes) {
        match outcome {
            Outcome::Kept {
                file,
                print,
                masked: m,
            } => {
                if let Some(m) = m {
                    masked.push((kept.len(), m));
                }
                ranks.push(trees[item.tree].rank);
                prints.push(print);
                kept.push(*file);
            }
            Outcome::Dropped(d) => dropped.push(d),
            Outcome::Failed(e) => return Err(e.into()),
        }
    }

    let dedup_manifest = mark_duplicates(&mut kept, &ranks, &prints, &masked, config, reporter)?;
    let mut redactions = RedactionCounts::new();
    let mut allowlisted = RedactionCounts::new();
    for f in &kept {
        for (k, v) in &f.redactions {
            *redactions.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &f.allowlisted {
            *allowlisted.entry(k.clone()).or_default() += v;
        }
    }
    Ok(CleanReport {
        licenses_removed: kept.iter().filter(|f| f.license_removed).count() as u64,
        kept,
        dropped,
        redactions,
        allowlisted,
        dedup: dedup_manifest,
    })
}

fn clean_one(
    item: &Item,
    tree: &CleanTree,
    normalizer: &Normalizer,
    redactor: Option<&Redactor>,
    mask: bool,
) -> Outcome {
    let drop = |rule: &'static str, reason: String| {
        Outcome::Dropped(DroppedFile {
            rule,
            source: tree.source.clone(),
            path: item.rel.clone(),
            reason,
        })
    };
    if let Err(d) = normalizer.check_path(&item.rel) {
        return drop(d.0, d.1);
    }
    // A name that is not UTF-8 would be written under its lossy form, where two such names
    // can meet.
    if item.full.file_name().is_some_and(|n| n.to_str().is_none()) {
        return drop(
            "not_utf8_name",
            "the file name is not UTF-8; rename it to keep it".to_owned(),
        );
    }
    let bytes = match std::fs::read(&item.full) {
        Ok(b) => b,
        Err(e) => return drop("unreadable", format!("unreadable: {e}")),
    };
    let code = tree.content == ContentKind::Code;
    let normalized = match normalizer.normalize(&item.rel, &bytes, code) {
        Ok(n) => n,
        Err(d) => return drop(d.0, d.1),
    };
    let mut redactions = RedactionCounts::new();
    let mut allowlisted = RedactionCounts::new();
    let text = match redactor {
        Some(r) => r
            .redact_with_allowlisted(&normalized.text, &mut redactions, &mut allowlisted)
            .into_owned(),
        None => normalized.text,
    };
    let rel_out = format!("{}/{}", tree.out_name, item.rel);
    let target = tree.out_dir.join(&item.rel);
    if let Some(parent) = target.parent()
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        return Outcome::Failed(at("cannot create directory", parent)(e));
    }
    if let Err(e) = std::fs::write(&target, text.as_bytes()) {
        return Outcome::Failed(at("cannot write", &target)(e));
    }
    Outcome::Kept {
        print: fingerprint(text.as_bytes()),
        masked: mask.then(|| fingerprint(mask_names(&item.rel, &text).as_bytes())),
        file: Box::new(KeptFile {
            path: rel_out,
            source: tree.source.clone(),
            blake3: tuneforge_core::hash::hash_bytes(text.as_bytes()),
            bytes: text.len() as u64,
            spdx: normalized.spdx,
            license_removed: normalized.license_removed,
            redactions,
            allowlisted,
            duplicate_of: None,
        }),
    }
}

/// Run both shinglings, join their clusters, pick each cluster's kept file and mark the
/// others `duplicate_of` it.
fn mark_duplicates(
    kept: &mut [KeptFile],
    ranks: &[u8],
    prints: &[Fingerprint],
    masked: &[(usize, Fingerprint)],
    config: &CleanConfig,
    reporter: &dyn Reporter,
) -> Result<DedupManifest, CleanError> {
    let prefer = |a: usize, b: usize| -> Ordering {
        ranks[a]
            .cmp(&ranks[b])
            .then(kept[a].path.len().cmp(&kept[b].path.len()))
            .then_with(|| kept[a].path.cmp(&kept[b].path))
    };
    let options = DedupOptions {
        threshold: config.dedup.threshold.get(),
        target_recall: config.dedup.target_recall.get(),
        ..DedupOptions::default()
    };
    let plain = dedup(prints, &prefer, &options, reporter)?;
    let masked_report = if masked.is_empty() {
        None
    } else {
        let sub: Vec<Fingerprint> = masked.iter().map(|(_, p)| p.clone()).collect();
        let prefer_sub = |a: usize, b: usize| prefer(masked[a].0, masked[b].0);
        let options = DedupOptions {
            threshold: config.dedup.masked.threshold.get(),
            ..options.clone()
        };
        Some(dedup(&sub, &prefer_sub, &options, reporter)?)
    };

    // Join: plain clusters first, then masked ones (mapped back to file indices).
    let n = prints.len();
    let mut sets = UnionFind::new(n);
    let mut plain_cluster = vec![usize::MAX; n];
    for (c, cluster) in plain.clusters.iter().enumerate() {
        plain_cluster[cluster.kept] = c;
        for m in &cluster.members {
            plain_cluster[m.doc] = c;
            sets.union(cluster.kept, m.doc);
        }
    }
    if let Some(report) = &masked_report {
        for cluster in &report.clusters {
            for m in &cluster.members {
                sets.union(masked[cluster.kept].0, masked[m.doc].0);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for i in 0..n {
        groups.entry(sets.find(i)).or_default().push(i);
    }
    let masked_print: std::collections::HashMap<usize, &Fingerprint> =
        masked.iter().map(|(i, p)| (*i, p)).collect();

    let mut clusters = Vec::new();
    let (mut exact, mut near, mut by_mask) = (0, 0, 0);
    for docs in groups.into_values().filter(|g| g.len() > 1) {
        let keep = *docs
            .iter()
            .min_by(|&&a, &&b| prefer(a, b))
            .expect("a group has members");
        let mut members: Vec<(usize, ClusterMember)> = docs
            .iter()
            .filter(|&&d| d != keep)
            .map(|&d| {
                let by = if prints[d].exact_key == prints[keep].exact_key {
                    exact += 1;
                    "exact"
                } else if plain_cluster[d] != usize::MAX && plain_cluster[d] == plain_cluster[keep]
                {
                    near += 1;
                    "near"
                } else {
                    by_mask += 1;
                    "masked"
                };
                let masked_j = match (by, masked_print.get(&d), masked_print.get(&keep)) {
                    ("masked", Some(a), Some(b)) => Some(jaccard(&a.shingles, &b.shingles)),
                    _ => None,
                };
                (
                    d,
                    ClusterMember {
                        path: kept[d].path.clone(),
                        jaccard_to_kept: if by == "exact" {
                            1.0
                        } else {
                            jaccard(&prints[d].shingles, &prints[keep].shingles)
                        },
                        by,
                        masked_jaccard_to_kept: masked_j,
                    },
                )
            })
            .collect();
        members.sort_by(|a, b| prefer(a.0, b.0));
        clusters.push((keep, members));
    }
    clusters.sort_by(|a, b| prefer(a.0, b.0));
    let mut out = Vec::with_capacity(clusters.len());
    for (keep, members) in clusters {
        let kept_path = kept[keep].path.clone();
        for (d, _) in &members {
            kept[*d].duplicate_of = Some(kept_path.clone());
        }
        out.push(DupCluster {
            kept: kept_path,
            members: members.into_iter().map(|(_, m)| m).collect(),
        });
    }
    Ok(DedupManifest {
        files: n,
        threshold: plain.threshold,
        banding: plain.banding,
        masked_threshold: masked_report.as_ref().map(|r| r.threshold),
        masked_files: masked.len(),
        keep_rule: KEEP_RULE,
        exact_duplicates: exact,
        near_duplicates: near,
        masked_duplicates: by_mask,
        clusters: out,
    })
}
