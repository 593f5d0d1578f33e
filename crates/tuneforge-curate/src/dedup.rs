//! Exact and near-duplicate detection over a set of documents.
//!
//! 1. Each document is fingerprinted ([`fingerprint`]): its exact key (whitespace-normalized
//!    text) and its shingle set.
//! 2. Documents with the same exact key form an exact group; one member of each group stands
//!    for it in near dedup, since identical text has identical shingles.
//! 3. Each representative with shingles gets a MinHash signature; documents that share a band
//!    become candidate pairs; every candidate pair is verified by the exact Jaccard of the
//!    shingle sets, and only pairs at or above the threshold are kept, so no chance collision
//!    ever joins two documents.
//! 4. Verified pairs are joined by union-find. Each cluster keeps one document, the first by
//!    the caller's preference order, and lists every other member with its exact Jaccard to
//!    the kept one (a member can sit below the threshold when it joined through a chain).
//!
//! Everything runs in parallel with rayon, and the output is the same for the same input on
//! any number of threads.

use std::cmp::Ordering;
use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::reporter::Reporter;

use crate::minhash::{Banding, DEFAULT_PERMUTATIONS, MinHasher};
use crate::shingle::{self, jaccard};

#[derive(Debug, Clone)]
pub struct DedupOptions {
    /// Pairs at or above this exact Jaccard are near duplicates.
    pub threshold: f64,
    pub permutations: usize,
    /// The probability that a pair at the threshold becomes a candidate.
    pub target_recall: f64,
    pub seed: u64,
    /// List every verified pair (with exact duplicates expanded), not only clusters.
    pub pairs: bool,
}

impl Default for DedupOptions {
    fn default() -> Self {
        Self {
            threshold: 0.85,
            permutations: DEFAULT_PERMUTATIONS,
            target_recall: 0.99,
            seed: 1,
            pairs: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    #[error("threshold {0} is not between 0 and 1")]
    Threshold(f64),
    #[error(
        "no banding of {permutations} permutations makes a pair at Jaccard {threshold} a candidate with probability {recall}; raise the permutations or lower the target"
    )]
    NoBanding {
        permutations: usize,
        threshold: f64,
        recall: f64,
    },
}

/// What dedup needs to know about one document.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    pub exact_key: [u8; 32],
    /// Sorted, distinct shingle hashes; empty for documents under five tokens.
    pub shingles: Vec<u64>,
}

/// Fingerprint a document's bytes (decoded as UTF-8 with replacement).
pub fn fingerprint(bytes: &[u8]) -> Fingerprint {
    // Valid UTF-8 (nearly every file) is checked by the fast validator, not the lossy one.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    Fingerprint {
        exact_key: shingle::normalized_key(&text),
        shingles: shingle::shingles(&text),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub doc: usize,
    /// Exact Jaccard of this member's shingles to the kept document's (1 for exact copies).
    pub jaccard_to_kept: f64,
    /// The same text as the kept document, up to whitespace.
    pub exact: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub kept: usize,
    /// Every other member, by document index.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub jaccard: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DedupReport {
    pub documents: usize,
    /// Documents with at least five tokens, the ones near dedup compares.
    pub with_shingles: usize,
    pub banding: Banding,
    pub threshold: f64,
    /// Distinct pairs of exact-group representatives that shared a band.
    pub candidate_pairs: u64,
    /// Candidate pairs whose exact Jaccard reached the threshold.
    pub verified_pairs: u64,
    /// Documents marked as duplicates of another with the same normalized text.
    pub exact_duplicates: usize,
    /// Documents marked as near duplicates (not exact copies of their kept document).
    pub near_duplicates: usize,
    /// Clusters ordered by their kept document.
    pub clusters: Vec<Cluster>,
    /// With [`DedupOptions::pairs`]: every pair of documents with shingles whose Jaccard
    /// reaches the threshold by a verified pair or by identical text, `a < b`, sorted.
    pub pairs: Vec<Pair>,
}

/// Disjoint sets over `0..n`; each set's root is its smallest member.
pub(crate) struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }
    pub(crate) fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// Find the exact and near duplicates among `prints`. `prefer(a, b)` is `Less` when document
/// `a` should be kept over `b`; it must be a total order.
pub fn dedup(
    prints: &[Fingerprint],
    prefer: &(dyn Fn(usize, usize) -> Ordering + Sync),
    options: &DedupOptions,
    reporter: &dyn Reporter,
) -> Result<DedupReport, DedupError> {
    let threshold = options.threshold;
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(DedupError::Threshold(threshold));
    }
    let banding = Banding::for_recall(options.permutations, threshold, options.target_recall)
        .ok_or(DedupError::NoBanding {
            permutations: options.permutations,
            threshold,
            recall: options.target_recall,
        })?;
    let groups = exact_groups(prints);
    let reps = representatives(&groups, prints);
    let keys = band_keys(&reps, prints, &banding, options, reporter);
    let candidates = candidate_pairs(&keys, &banding);
    let verified = verify(&candidates, &reps, prints, threshold, reporter);
    let group_index: HashMap<usize, usize> = groups
        .iter()
        .enumerate()
        .map(|(g, members)| (members[0], g))
        .collect();
    let clusters = join_clusters(&groups, &group_index, &verified, prints, prefer);
    let exact_duplicates = clusters
        .iter()
        .flat_map(|c| &c.members)
        .filter(|m| m.exact)
        .count();
    let near_duplicates = clusters
        .iter()
        .flat_map(|c| &c.members)
        .filter(|m| !m.exact)
        .count();
    let pairs = if options.pairs {
        all_pairs(&groups, &group_index, &verified, prints)
    } else {
        Vec::new()
    };
    Ok(DedupReport {
        documents: prints.len(),
        with_shingles: prints.iter().filter(|p| !p.shingles.is_empty()).count(),
        banding,
        threshold,
        candidate_pairs: candidates.len() as u64,
        verified_pairs: verified.len() as u64,
        exact_duplicates,
        near_duplicates,
        clusters,
        pairs,
    })
}

/// Documents with the same exact key, each group in document order (so led by its lowest
/// index), groups in order of their first document.
fn exact_groups(prints: &[Fingerprint]) -> Vec<Vec<usize>> {
    let mut group_of_key: HashMap<[u8; 32], usize> = HashMap::with_capacity(prints.len());
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, p) in prints.iter().enumerate() {
        let g = *group_of_key.entry(p.exact_key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

/// The first document of each group that has shingles: identical text has identical
/// shingles, so one member stands for its group in near dedup.
fn representatives(groups: &[Vec<usize>], prints: &[Fingerprint]) -> Vec<usize> {
    groups
        .iter()
        .map(|g| g[0])
        .filter(|&r| !prints[r].shingles.is_empty())
        .collect()
}

/// Each representative's MinHash signature cut into band keys, in parallel.
fn band_keys(
    reps: &[usize],
    prints: &[Fingerprint],
    banding: &Banding,
    options: &DedupOptions,
    reporter: &dyn Reporter,
) -> Vec<Vec<u64>> {
    let hasher = MinHasher::new(options.permutations, options.seed);
    let task = reporter.task("dedup: signatures", Some(reps.len() as u64));
    let keys = reps
        .par_iter()
        .map(|&r| {
            let signature = hasher.signature(&prints[r].shingles);
            task.advance(1);
            banding.keys(&signature)
        })
        .collect();
    task.finish();
    keys
}

/// Candidate pairs (indices into the representatives, sorted, distinct): representatives
/// that share a band's key. Bands are merged one at a time into a sorted, distinct list:
/// near-identical boilerplate puts the same large bucket in every band, and collecting all
/// bands first would hold each pair once per band.
fn candidate_pairs(keys: &[Vec<u64>], banding: &Banding) -> Vec<(u32, u32)> {
    let mut candidates: Vec<(u32, u32)> = Vec::new();
    for band in 0..banding.bands {
        let pairs = band_pairs(keys, band);
        if pairs.is_empty() {
            continue;
        }
        candidates = merge_distinct(candidates, pairs);
    }
    candidates
}

/// The pairs of one band, sorted and distinct: every two representatives in one bucket
/// (same key).
fn band_pairs(keys: &[Vec<u64>], band: usize) -> Vec<(u32, u32)> {
    let mut bucket: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k[band], i as u32))
        .collect();
    bucket.par_sort_unstable();
    let mut pairs = Vec::new();
    for run in bucket.chunk_by(|x, y| x.0 == y.0) {
        for (i, x) in run.iter().enumerate() {
            for y in &run[i + 1..] {
                pairs.push((x.1, y.1));
            }
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// The candidate pairs whose exact Jaccard reaches the threshold, as documents with their
/// Jaccard, in candidate order. An estimate never decides; a size ratio under the
/// threshold cannot reach it, so those pairs are not compared.
fn verify(
    candidates: &[(u32, u32)],
    reps: &[usize],
    prints: &[Fingerprint],
    threshold: f64,
    reporter: &dyn Reporter,
) -> Vec<(usize, usize, f64)> {
    let task = reporter.task("dedup: verifying", Some(candidates.len() as u64));
    let verified = candidates
        .par_iter()
        .filter_map(|&(x, y)| {
            task.advance(1);
            let (a, b) = (reps[x as usize], reps[y as usize]);
            let (sa, sb) = (&prints[a].shingles, &prints[b].shingles);
            let (lo, hi) = (sa.len().min(sb.len()), sa.len().max(sb.len()));
            if (lo as f64) < threshold * hi as f64 {
                return None;
            }
            let j = jaccard(sa, sb);
            (j >= threshold).then_some((a, b, j))
        })
        .collect();
    task.finish();
    verified
}

/// Exact groups joined by verified pairs (union-find), every set with more than one
/// document a cluster; clusters ordered by their kept document.
fn join_clusters(
    groups: &[Vec<usize>],
    group_index: &HashMap<usize, usize>,
    verified: &[(usize, usize, f64)],
    prints: &[Fingerprint],
    prefer: &(dyn Fn(usize, usize) -> Ordering + Sync),
) -> Vec<Cluster> {
    let mut uf = UnionFind::new(groups.len());
    for &(a, b, _) in verified {
        uf.union(group_index[&a], group_index[&b]);
    }
    let mut components: HashMap<usize, Vec<usize>> = HashMap::new();
    for g in 0..groups.len() {
        let root = uf.find(g);
        components.entry(root).or_default().push(g);
    }
    let mut clusters: Vec<Cluster> = components
        .into_values()
        .filter(|gs| gs.len() > 1 || groups[gs[0]].len() > 1)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|gs| {
            let docs: Vec<usize> = gs.iter().flat_map(|&g| groups[g].iter().copied()).collect();
            cluster_of(&docs, prints, prefer)
        })
        .collect();
    clusters.sort_by(|x, y| prefer(x.kept, y.kept).then(x.kept.cmp(&y.kept)));
    clusters
}

/// One cluster: the first document by preference (then index) is kept, every other
/// member listed by the same order with its exact Jaccard to the kept one (1 for the
/// same text).
fn cluster_of(
    docs: &[usize],
    prints: &[Fingerprint],
    prefer: &(dyn Fn(usize, usize) -> Ordering + Sync),
) -> Cluster {
    let kept = docs
        .iter()
        .copied()
        .min_by(|&a, &b| prefer(a, b).then(a.cmp(&b)))
        .expect("a cluster has members");
    let kept_key = prints[kept].exact_key;
    let mut members: Vec<Member> = docs
        .iter()
        .copied()
        .filter(|&d| d != kept)
        .map(|d| {
            let exact = prints[d].exact_key == kept_key;
            Member {
                doc: d,
                jaccard_to_kept: if exact {
                    1.0
                } else {
                    jaccard(&prints[d].shingles, &prints[kept].shingles)
                },
                exact,
            }
        })
        .collect();
    members.sort_by(|x, y| prefer(x.doc, y.doc).then(x.doc.cmp(&y.doc)));
    Cluster { kept, members }
}

/// Every pair of documents with shingles that reaches the threshold: within an exact
/// group (Jaccard 1), and across the groups of each verified pair (its Jaccard). `a < b`,
/// sorted.
fn all_pairs(
    groups: &[Vec<usize>],
    group_index: &HashMap<usize, usize>,
    verified: &[(usize, usize, f64)],
    prints: &[Fingerprint],
) -> Vec<Pair> {
    let ordered = |a: usize, b: usize, jaccard: f64| Pair {
        a: a.min(b),
        b: a.max(b),
        jaccard,
    };
    let mut pairs = Vec::new();
    for g in groups.iter().filter(|g| !prints[g[0]].shingles.is_empty()) {
        for (i, &a) in g.iter().enumerate() {
            pairs.extend(g[i + 1..].iter().map(|&b| ordered(a, b, 1.0)));
        }
    }
    for &(a, b, j) in verified {
        for &x in &groups[group_index[&a]] {
            pairs.extend(groups[group_index[&b]].iter().map(|&y| ordered(x, y, j)));
        }
    }
    pairs.par_sort_unstable_by(|x, y| (x.a, x.b).cmp(&(y.a, y.b)));
    pairs
}

/// Two sorted, distinct lists merged into one.
fn merge_distinct(a: Vec<(u32, u32)>, b: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tuneforge_core::reporter::Silent;

    fn words(n: usize, salt: &str) -> Vec<String> {
        (0..n)
            .map(|i| format!("{salt}{}", i * 7919 % 1000))
            .collect()
    }

    fn run(texts: &[String], threshold: f64) -> DedupReport {
        let prints: Vec<Fingerprint> = texts.iter().map(|t| fingerprint(t.as_bytes())).collect();
        dedup(
            &prints,
            &|a, b| texts[a].len().cmp(&texts[b].len()),
            &DedupOptions {
                threshold,
                pairs: true,
                ..DedupOptions::default()
            },
            &Silent,
        )
        .unwrap()
    }

    #[test]
    fn exact_and_near_copies_cluster_and_strangers_do_not() {
        let base = words(300, "w").join(" ");
        let mut near = words(300, "w");
        near[150] = "changed".into();
        let texts = vec![
            base.clone(),
            format!("  {}\r\n", base.replace(' ', "\n")), // whitespace only: exact
            near.join(" "),                               // one word changed: near
            words(300, "other").join(" "),                // unrelated
            "tiny file".into(),
            "tiny   file".into(), // exact duplicate without shingles
        ];
        let report = run(&texts, 0.85);
        assert_eq!(report.documents, 6);
        assert_eq!(report.with_shingles, 4);
        assert_eq!(report.clusters.len(), 2);
        let big = report.clusters.iter().find(|c| c.kept != 4).unwrap();
        assert_eq!(big.kept, 0, "the shortest text is kept, ties by index");
        let docs: Vec<usize> = big.members.iter().map(|m| m.doc).collect();
        assert_eq!(docs.len(), 2);
        assert!(docs.contains(&1) && docs.contains(&2));
        let near = big.members.iter().find(|m| m.doc == 2).unwrap();
        assert!(!near.exact);
        let truth = jaccard(
            &fingerprint(texts[0].as_bytes()).shingles,
            &fingerprint(texts[2].as_bytes()).shingles,
        );
        assert_eq!(near.jaccard_to_kept, truth);
        assert!((0.85..1.0).contains(&truth));
        let tiny = report.clusters.iter().find(|c| c.kept == 4).unwrap();
        assert_eq!(
            tiny.members,
            vec![Member {
                doc: 5,
                jaccard_to_kept: 1.0,
                exact: true
            }]
        );
        assert_eq!((report.exact_duplicates, report.near_duplicates), (2, 1));
        let pairs: Vec<(usize, usize)> = report.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 2)]);
    }

    #[test]
    fn pairs_below_the_threshold_are_not_kept() {
        let base = words(200, "w");
        let mut far = base.clone();
        for w in far.iter_mut().step_by(5) {
            *w = "x".into();
        }
        let report = run(&[base.join(" "), far.join(" ")], 0.85);
        assert!(report.clusters.is_empty());
        assert!(report.pairs.is_empty());
    }

    #[test]
    fn the_result_does_not_depend_on_thread_count() {
        let texts: Vec<String> = (0..40)
            .map(|i| {
                let mut w = words(200, "w");
                w[i % 200] = format!("edit{i}");
                if i % 3 == 0 {
                    w = words(200, &format!("s{i}"));
                }
                w.join(" ")
            })
            .collect();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(&texts, 0.85));
        let many = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| run(&texts, 0.85));
        assert_eq!(one.clusters, many.clusters);
        assert_eq!(one.pairs, many.pairs);
        assert!(!one.clusters.is_empty());
    }

    #[test]
    fn band_lists_merge_without_repeats() {
        assert_eq!(
            merge_distinct(
                vec![(0, 1), (0, 3), (2, 3)],
                vec![(0, 1), (1, 2), (2, 3), (4, 5)]
            ),
            vec![(0, 1), (0, 3), (1, 2), (2, 3), (4, 5)]
        );
        assert_eq!(merge_distinct(Vec::new(), vec![(1, 2)]), vec![(1, 2)]);
    }

    #[test]
    fn bad_thresholds_are_refused() {
        assert!(matches!(
            dedup(
                &[],
                &|a, b| a.cmp(&b),
                &DedupOptions {
                    threshold: 1.5,
                    ..Default::default()
                },
                &Silent
            ),
            Err(DedupError::Threshold(_))
        ));
    }
}
