//! `tuneforge dedup <dir>`: the curation's duplicate finder on any tree.

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::fsio::list_files;
use tuneforge_curate::dedup::{DedupOptions, DedupReport, Fingerprint, dedup as find, fingerprint};

use tuneforge_core::reporter::Reporter as _;

use super::Context;
use crate::cli::DedupArgs;
use crate::exit::{Exit, UsageError};

#[derive(Serialize)]
struct Output<'a> {
    files: usize,
    bytes: u64,
    with_shingles: usize,
    threshold: f64,
    banding: tuneforge_curate::minhash::Banding,
    candidate_pairs: u64,
    verified_pairs: u64,
    exact_duplicates: usize,
    near_duplicates: usize,
    clusters: Vec<ClusterOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<Vec<PairOut<'a>>>,
    /// Files that could not be read; they take no part in dedup.
    unreadable: Vec<Unreadable>,
}

#[derive(Serialize)]
struct ClusterOut<'a> {
    kept: &'a str,
    members: Vec<MemberOut<'a>>,
}

#[derive(Serialize)]
struct MemberOut<'a> {
    path: &'a str,
    jaccard_to_kept: f64,
    exact: bool,
}

#[derive(Serialize)]
struct PairOut<'a> {
    a: &'a str,
    b: &'a str,
    jaccard: f64,
}

#[derive(Serialize)]
struct Unreadable {
    path: String,
    error: String,
}

pub fn dedup(ctx: &Context, args: DedupArgs) -> Result<Exit> {
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        return Err(UsageError(format!(
            "--threshold {}: give a Jaccard between 0 (exclusive) and 1, e.g. 0.85",
            args.threshold
        ))
        .into());
    }
    if !args.dir.is_dir() {
        return Err(UsageError(format!(
            "{}: not a directory; give the tree to search for duplicates",
            args.dir.display()
        ))
        .into());
    }
    let listing = list_files(&args.dir)
        .with_context(|| format!("reading the tree {}", args.dir.display()))?;
    let files: Vec<(String, std::path::PathBuf)> = listing
        .files
        .into_iter()
        .filter(|(rel, _)| {
            args.ext.is_empty() || args.ext.iter().any(|e| rel.ends_with(e.as_str()))
        })
        .collect();

    let task = ctx
        .reporter
        .task("dedup: reading", Some(files.len() as u64));
    let read: Vec<Result<(Fingerprint, u64), String>> = files
        .par_iter()
        .map(|(_, path)| {
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            task.advance(1);
            Ok((fingerprint(&bytes), bytes.len() as u64))
        })
        .collect();
    task.finish();
    let mut paths: Vec<&str> = Vec::with_capacity(files.len());
    let mut prints: Vec<Fingerprint> = Vec::with_capacity(files.len());
    let mut unreadable = Vec::new();
    let mut bytes = 0;
    for ((rel, _), r) in files.iter().zip(read) {
        match r {
            Ok((p, n)) => {
                paths.push(rel);
                prints.push(p);
                bytes += n;
            }
            Err(error) => {
                ctx.reporter.warn(&format!("{rel}: not read: {error}"));
                unreadable.push(Unreadable {
                    path: rel.clone(),
                    error,
                });
            }
        }
    }

    // Keep the shortest path of a cluster (the canonical copy, not the one nested in a
    // fixture or vendor directory), then the first by name.
    let prefer = |a: usize, b: usize| {
        paths[a]
            .len()
            .cmp(&paths[b].len())
            .then_with(|| paths[a].cmp(paths[b]))
    };
    let report: DedupReport = find(
        &prints,
        &prefer,
        &DedupOptions {
            threshold: args.threshold,
            pairs: args.pairs,
            ..DedupOptions::default()
        },
        &ctx.reporter,
    )?;

    let output = Output {
        files: report.documents,
        bytes,
        with_shingles: report.with_shingles,
        threshold: report.threshold,
        banding: report.banding,
        candidate_pairs: report.candidate_pairs,
        verified_pairs: report.verified_pairs,
        exact_duplicates: report.exact_duplicates,
        near_duplicates: report.near_duplicates,
        clusters: report
            .clusters
            .iter()
            .map(|c| ClusterOut {
                kept: paths[c.kept],
                members: c
                    .members
                    .iter()
                    .map(|m| MemberOut {
                        path: paths[m.doc],
                        jaccard_to_kept: m.jaccard_to_kept,
                        exact: m.exact,
                    })
                    .collect(),
            })
            .collect(),
        pairs: args.pairs.then(|| {
            report
                .pairs
                .iter()
                .map(|p| PairOut {
                    a: paths[p.a],
                    b: paths[p.b],
                    jaccard: p.jaccard,
                })
                .collect()
        }),
        unreadable,
    };
    ctx.emit(&output, || human(&output));
    Ok(if output.unreadable.is_empty() {
        Exit::Success
    } else {
        Exit::Io
    })
}

fn human(o: &Output<'_>) -> String {
    let mut out = String::new();
    for c in &o.clusters {
        out.push_str(&format!("kept {}\n", c.kept));
        for m in &c.members {
            let how = if m.exact { "=" } else { "~" };
            out.push_str(&format!(
                "  {how} {}  (Jaccard {:.3})\n",
                m.path, m.jaccard_to_kept
            ));
        }
    }
    if let Some(pairs) = &o.pairs {
        for p in pairs {
            out.push_str(&format!("pair {:.3}  {}  {}\n", p.jaccard, p.a, p.b));
        }
    }
    out.push_str(&format!(
        "{} files ({} with 5+ words): {} exact and {} near duplicates in {} clusters; \
         {} candidate pairs, {} verified at Jaccard ≥ {} ({} bands × {} rows)",
        o.files,
        o.with_shingles,
        o.exact_duplicates,
        o.near_duplicates,
        o.clusters.len(),
        o.candidate_pairs,
        o.verified_pairs,
        o.threshold,
        o.banding.bands,
        o.banding.rows
    ));
    if !o.unreadable.is_empty() {
        out.push_str(&format!(
            "\n{} files could not be read (listed above)",
            o.unreadable.len()
        ));
    }
    out
}
