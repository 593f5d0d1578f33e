#!/usr/bin/env python3
"""Near-dedup baseline with rensa 0.5 (Rust, PyO3): MinHash + LSH on the shingles of shingling.py.

Spec: the corpus, shingles and eligible documents of datasketch_minhash.py (shingling.py: regular
files ending with --ext, symlinks skipped, sorted by relative path; UTF-8 with errors="replace",
lower-cased, `regex` \\w+ tokens, set of word 5-grams, documents with fewer than 5 tokens left
out). MinHash by rensa `RMinHash.from_token_sets(shingle sets, num_perm, seed=1)`, LSH by
`RMinHashLSH(T, num_perm, b)`. rensa needs num_perm divisible by the number of bands, so the
banding is the one datasketch's MinHashLSH picks for 256 permutations at T (the (b, r) with
b * r <= 256 that minimizes 0.5 * P(false positive) + 0.5 * P(false negative), integrated here
with Simpson's rule in numpy rather than scipy) and num_perm = b * r (T = 0.85: 13 x 19 = 247).
The candidate pairs (pairs sharing a band bucket) are not verified.

With --gt (a TSV with i, j, size_i, size_j, inter columns, e.g. ground_truth.py's
true_pairs_ge_0.5.tsv) the candidates are scored against the pairs whose exact Jaccard, computed
from the integer columns, is >= T: OUT/results.json gets vs_exact {true_pairs, candidates, tp,
pair_recall, pair_precision}.

  rensa_minhash.py --root DIR --ext .php --threshold 0.85 --out DIR [--gt true_pairs.tsv]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from rensa import RMinHash, RMinHashLSH

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shingling as sg  # noqa: E402


def datasketch_banding(threshold: float, num_perm: int = 256, grid: int = 401) -> tuple[int, int]:
    """datasketch.lsh._optimal_param(threshold, num_perm, 0.5, 0.5), vectorized: the same
    choice as scipy's quad for every T in 0.05..0.99 (step 0.01) and 0.5..0.995 (step 0.005)."""
    bands, rows = zip(*[(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)])
    b, r = np.array(bands, float)[:, None], np.array(rows, float)[:, None]

    def simpson(f, lo: float, hi: float) -> np.ndarray:
        y = f(np.linspace(lo, hi, grid)[None, :])
        return (hi - lo) / (grid - 1) / 3 * (y[:, 0] + y[:, -1] + 4 * y[:, 1:-1:2].sum(1) + 2 * y[:, 2:-1:2].sum(1))

    false_pos = simpson(lambda s: 1 - (1 - s**r) ** b, 0.0, threshold)
    false_neg = simpson(lambda s: (1 - s**r) ** b, threshold, 1.0)
    k = int(np.argmin(0.5 * false_pos + 0.5 * false_neg))
    return bands[k], rows[k]


def read_truth(path: str, paths: list[str], threshold: float) -> set[tuple[int, int]]:
    """Pairs (i, j), i < j, with inter / (size_i + size_j - inter) >= threshold."""
    truth = set()
    with open(path) as f:
        col = {name: k for k, name in enumerate(f.readline().rstrip("\n").split("\t"))}
        for line in f:
            r = line.rstrip("\n").split("\t")
            i, j, k = int(r[col["i"]]), int(r[col["j"]]), int(r[col["inter"]])
            if "path_i" in col and (paths[i], paths[j]) != (r[col["path_i"]], r[col["path_j"]]):
                raise SystemExit(f"{path}: doc ids {i}, {j} are not {r[col['path_i']]}, {r[col['path_j']]} here")
            if k / (int(r[col["size_i"]]) + int(r[col["size_j"]]) - k) >= threshold:
                truth.add((min(i, j), max(i, j)))
    return truth


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--ext", default=".php")
    ap.add_argument("--threshold", type=float, default=0.85)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--gt", help="exact-Jaccard pairs TSV to score the candidates against")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    t = {"start": time.perf_counter()}
    b, r = datasketch_banding(a.threshold)
    paths, texts, corpus = sg.read_corpus(a.root, a.ext)
    t["read"] = time.perf_counter()
    sh = [sg.shingles(x) for x in texts]
    del texts
    eligible = [i for i, s in enumerate(sh) if s]
    t["shingle"] = time.perf_counter()
    minhashes = RMinHash.from_token_sets([list(sh[i]) for i in eligible], b * r, a.seed)
    t["minhash"] = time.perf_counter()
    lsh = RMinHashLSH(a.threshold, b * r, b)
    for i, m in zip(eligible, minhashes):
        lsh.insert(i, m)
    cand = {(min(i, j), max(i, j)) for i, m in zip(eligible, minhashes) for j in lsh.query(m) if j != i}
    t["lsh"] = time.perf_counter()

    res = {"argv": sys.argv[1:], "threshold": a.threshold, "b": b, "r": r, "num_perm": b * r, "seed": a.seed,
           "corpus": corpus, "eligible_docs": len(eligible), "candidates": sg.cluster_stats(len(paths), cand)}
    phases = list(t)
    res["time_s"] = {p: round(t[p] - t[q], 3) for q, p in zip(phases, phases[1:])}
    res["time_s"]["total"] = round(time.perf_counter() - t["start"], 3)
    if a.gt:
        truth = read_truth(a.gt, paths, a.threshold)
        tp = len(cand & truth)
        res["vs_exact"] = {"true_pairs": len(truth), "candidates": len(cand), "tp": tp,
                           "pair_recall": tp / len(truth) if truth else None,
                           "pair_precision": tp / len(cand) if cand else None}
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
