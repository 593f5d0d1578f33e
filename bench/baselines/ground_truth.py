#!/usr/bin/env python3
"""Exact-Jaccard ground truth for near dedup: every pair of documents with Jaccard >= --min-j.

Spec: the corpus and shingles of shingling.py (regular files ending with --ext, symlinks
skipped, sorted by relative path, doc id = index; UTF-8 with errors="replace", lower-cased,
`regex` \\w+ tokens, set of word 5-grams joined by one space; documents with fewer than 5
tokens have no shingles and are in no pair). Shingles get ids from an exact string vocabulary
(no hashing); with X the sparse document x shingle matrix, X @ X.T, a chunk of rows at a time,
gives |A & B| for every pair that shares a shingle, and J = |A & B| / (|A| + |B| - |A & B|).
No sampling, no MinHash: the truth that recall and precision are measured against.

Writes to --out:
  true_pairs_ge_<min_j>.tsv  i, j, path_i, path_j, size_i, size_j, inter, jaccard (6 places;
                             recompute J from the integer columns when comparing to a threshold)
  ground_truth.json          per threshold T: true_pairs, true_pairs_J_lt_1 and
                             docs_removed_exact_truth (union-find over the true pairs); with
                             --dump, the LSH candidates of datasketch_minhash.py --dump-pairs
                             scored against them (recall, precision, missed pairs).
The thresholds are those of the --dump run, else --thresholds.

  ground_truth.py --root DIR --ext .php --dump DS_OUT --out DIR
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shingling as sg  # noqa: E402


def shingle_matrix(texts: list[str]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for text in texts:
        indices.extend(vocab.setdefault(g, len(vocab)) for g in sg.shingles(text))
        indptr.append(len(indices))
    return sp.csr_matrix((np.ones(len(indices), dtype=np.int32), np.array(indices, dtype=np.int64),
                          np.array(indptr, dtype=np.int64)), shape=(len(texts), len(vocab)))


def similar_pairs(X: sp.csr_matrix, min_j: float, chunk: int) -> tuple[np.ndarray, ...]:
    """(i, j, inter) arrays of every pair i < j with Jaccard >= min_j."""
    size = np.diff(X.indptr).astype(np.int64)
    XT = X.T.tocsr()
    out = []
    for i0 in range(0, X.shape[0], chunk):
        P = (X[i0 : i0 + chunk] @ XT).tocoo()
        i, j, k = P.row.astype(np.int64) + i0, P.col.astype(np.int64), P.data.astype(np.int64)
        keep = j > i
        i, j, k = i[keep], j[keep], k[keep]
        keep = k / (size[i] + size[j] - k) >= min_j
        out.append((i[keep], j[keep], k[keep]))
    return tuple(np.concatenate(parts) for parts in zip(*out)) if out else (np.zeros(0, np.int64),) * 3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--ext", default=".php")
    ap.add_argument("--dump", help="output directory of datasketch_minhash.py --dump-pairs")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.85], help="without --dump")
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-j", type=float, default=0.5)
    ap.add_argument("--chunk", type=int, default=512, help="rows of X per sparse product")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    t0 = time.perf_counter()

    paths, texts, corpus = sg.read_corpus(a.root, a.ext)
    X = shingle_matrix(texts)
    del texts
    size = np.diff(X.indptr).astype(np.int64)
    I, J, K = similar_pairs(X, a.min_j, a.chunk)
    jac = K / (size[I] + size[J] - K)
    order = np.lexsort((J, I, -jac))
    sizes = size.tolist()
    with open(os.path.join(a.out, f"true_pairs_ge_{a.min_j}.tsv"), "w") as f:
        f.write("i\tj\tpath_i\tpath_j\tsize_i\tsize_j\tinter\tjaccard\n")
        for i, j, k, v in zip(I[order].tolist(), J[order].tolist(), K[order].tolist(), jac[order].tolist()):
            f.write(f"{i}\t{j}\t{paths[i]}\t{paths[j]}\t{sizes[i]}\t{sizes[j]}\t{k}\t{v:.6f}\n")

    summary = {"corpus": corpus, "eligible_docs": int((size > 0).sum()), "vocab_size": X.shape[1],
               "min_j": a.min_j, f"pairs_ge_{a.min_j}": len(I), "thresholds": {}}
    thresholds = a.thresholds
    if a.dump:
        with open(os.path.join(a.dump, "paths.json")) as f:
            if json.load(f) != paths:
                raise SystemExit(f"{a.dump}: the dumped run saw another corpus")
        with open(os.path.join(a.dump, "results.json")) as f:
            dumped = json.load(f)["thresholds"]
        thresholds = [float(k) for k in dumped]
    for thr in thresholds:
        at = jac >= thr
        truth = set(zip(I[at].tolist(), J[at].tolist()))
        d = {"true_pairs": len(truth), "true_pairs_J_lt_1": int((at & (jac < 1.0)).sum()),
             "docs_removed_exact_truth": sg.cluster_stats(len(paths), truth)}
        if a.dump:
            cand = {(min(i, j), max(i, j)) for i, j in np.load(os.path.join(a.dump, f"lsh_pairs_{thr}.npy")).tolist()}
            near = set(zip(I[at & (jac < 1.0)].tolist(), J[at & (jac < 1.0)].tolist()))
            missed = sorted(truth - cand)
            d["lsh"] = {"b": dumped[str(thr)]["lsh_b"], "r": dumped[str(thr)]["lsh_r"], "candidate_pairs": len(cand),
                        "tp": len(cand & truth), "pair_recall": len(cand & truth) / len(truth) if truth else None,
                        "pair_recall_J_lt_1": len(cand & near) / len(near) if near else None,
                        "pair_precision": len(cand & truth) / len(cand) if cand else None,
                        "missed": len(missed), "missed_examples": [[paths[i], paths[j]] for i, j in missed[:20]]}
        summary["thresholds"][str(thr)] = d
    summary["time_s"] = round(time.perf_counter() - t0, 3)
    with open(os.path.join(a.out, "ground_truth.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "thresholds"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
