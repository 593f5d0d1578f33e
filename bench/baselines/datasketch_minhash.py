#!/usr/bin/env python3
"""Near-dedup baseline with datasketch 2.0: MinHash + LSH on the shingles of shingling.py.

Spec: corpus = every regular file under --root whose name ends with --ext (symlinks skipped),
sorted by relative path, doc id = index; UTF-8 with errors="replace", lower-cased, tokens =
`regex` \\w+ matches, shingles = set of word 5-grams joined by one space, documents with fewer
than 5 tokens left out; exact duplicates = equal sha256 of the whitespace-normalized text
(details in shingling.py). Each eligible document gets datasketch `MinHash(num_perm=256,
seed=1)` (default scheme and sha1_hash32 over the UTF-8 of each shingle) and goes into a
`MinHashLSH(threshold=T, num_perm=256)`, which picks its own banding (b, r). Candidate pairs =
pairs that share a band bucket (every document queried against the index); verified pairs =
candidates with exact Jaccard >= T. One process, one thread.

Writes OUT/results.json (corpus, shingles, exact_ws_normalized, per threshold: banding,
candidate and verified cluster stats, timings) and, with --dump-pairs, OUT/lsh_pairs_<T>.npy
(the candidate pairs, int32 (n, 2), i < j, sorted) and OUT/paths.json for ground_truth.py.

  datasketch_minhash.py --root DIR --ext .php --thresholds 0.85 --out DIR [--dump-pairs]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shingling as sg  # noqa: E402


def candidate_pairs(lsh: MinHashLSH, minhashes: dict[int, MinHash]) -> set[tuple[int, int]]:
    return {(min(i, j), max(i, j)) for i, m in minhashes.items() for j in lsh.query(m) if j != i}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--ext", default=".php")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.85])
    ap.add_argument("--num-perm", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dump-pairs", action="store_true", help="write lsh_pairs_<T>.npy and paths.json")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    t = {"start": time.perf_counter()}
    paths, texts, corpus = sg.read_corpus(a.root, a.ext)
    t["read"] = time.perf_counter()
    exact = sg.exact_groups([sg.exact_key(x) for x in texts])
    t["exact"] = time.perf_counter()
    sh = [sg.shingles(x) for x in texts]
    del texts
    eligible = [i for i, s in enumerate(sh) if s]
    t["shingle"] = time.perf_counter()
    gen = MinHash.generator(([g.encode("utf-8") for g in sh[i]] for i in eligible), num_perm=a.num_perm, seed=a.seed)
    minhashes = dict(zip(eligible, gen))
    t["minhash"] = time.perf_counter()

    res = {"argv": sys.argv[1:], "num_perm": a.num_perm, "seed": a.seed, "corpus": corpus, "exact_ws_normalized": exact,
           "shingles": {"eligible_docs": len(eligible), "excluded_lt_5_tokens": len(paths) - len(eligible),
                        "total_shingles": sum(map(len, sh))},
           "thresholds": {}}
    for thr in a.thresholds:
        t0 = time.perf_counter()
        lsh = MinHashLSH(threshold=thr, num_perm=a.num_perm)
        with lsh.insertion_session() as session:
            for i, m in minhashes.items():
                session.insert(i, m, check_duplication=False)
        cand = sorted(candidate_pairs(lsh, minhashes))
        t1 = time.perf_counter()
        verified = [(i, j) for i, j in cand if sg.jaccard(sh[i], sh[j]) >= thr]
        res["thresholds"][str(thr)] = {
            "lsh_b": lsh.b, "lsh_r": lsh.r, "candidates": sg.cluster_stats(len(paths), cand),
            "verified_exact": sg.cluster_stats(len(paths), verified),
            "time_s": {"lsh": round(t1 - t0, 3), "verify_exact": round(time.perf_counter() - t1, 3)}}
        if a.dump_pairs:
            np.save(os.path.join(a.out, f"lsh_pairs_{thr}.npy"), np.array(cand, dtype=np.int32).reshape(-1, 2))
        del lsh
    phases = ["start", "read", "exact", "shingle", "minhash"]
    res["time_s"] = {p: round(t[p] - t[q], 3) for q, p in zip(phases, phases[1:])}
    res["time_s"]["total"] = round(time.perf_counter() - t["start"], 3)
    if a.dump_pairs:
        with open(os.path.join(a.out, "paths.json"), "w") as f:
            json.dump(paths, f)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: res[k] for k in ("corpus", "shingles", "exact_ws_normalized", "thresholds")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
