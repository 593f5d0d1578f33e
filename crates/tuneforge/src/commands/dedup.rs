//! `tuneforge dedup <dir>`: the curation's duplicate finder on any tree.

use anyhow::Result;
use serde::Serialize;
use tuneforge_curate::dedup::DedupOptions;
use tuneforge_curate::tree::{TreeDedup, Unreadable, dedup_tree};

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
    let TreeDedup {
        paths,
        bytes,
        report,
        unreadable,
    } = dedup_tree(
        &args.dir,
        &args.ext,
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
                kept: &paths[c.kept],
                members: c
                    .members
                    .iter()
                    .map(|m| MemberOut {
                        path: &paths[m.doc],
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
                    a: &paths[p.a],
                    b: &paths[p.b],
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
