#!/usr/bin/env python3
"""Exact-Jaccard ground truth and scoring for `tuneforge dedup`, Python standard library only.

Corpus, normalization and shingling follow bench/baselines/datasketch_minhash.py (spelled out
in bench/baselines/shingling.py): every regular file (not a symlink, and not below a symlinked
directory: os.walk does not follow them) under ROOT whose name ends in EXT, ordered by relative
path (doc id = index); UTF-8 with errors="replace"; tokens = `\\w+` over the lower-cased text;
shingles = set of word 5-grams joined by one space; documents with fewer than 5 tokens have no
shingles and take no part in near dedup. Exact duplicates = equal sha256 of the
whitespace-normalized text.

The `regex` module is used when it can be imported (it is what the baseline uses); otherwise
the standard `re`, which agrees with it on ASCII text (it differs on some Unicode: `re` counts
No/Nl numbers such as "½" as word characters and U+001C..U+001F as whitespace, `regex` does
not, and `regex` counts combining marks as word characters).

  pairs   every pair of documents with exact Jaccard >= --threshold, found by an exact
          similarity join (global rarest-first shingle order, prefix filter, size filter,
          then exact verification), written as TSV in the format of
          bench/baselines/ground_truth.py: i, j, path_i, path_j, size_i, size_j, inter, jaccard
  score   recall / precision of one tool's pairs against a truth TSV (this program's or
          bench/baselines/ground_truth.py's true_pairs_ge_0.5.tsv; the Jaccard is recomputed
          from the integer columns, so a 0.849999 printed as 0.850000 is not a true pair at 0.85).

Exact duplicates. The baselines shingle every document, so a group of k identical documents
gives k(k-1)/2 true pairs with Jaccard 1, and each near pair of a group member is repeated for
every member. A tool that puts exact duplicates into a cluster first and near-dedups one
representative per group reports fewer pairs for the same finding. Scoring therefore
expands the tool's pairs over exact-duplicate groups (identical normalized text has identical
shingles, so the Jaccard carries over): a reported pair (a, b) stands for every (x, y) with x
an exact duplicate of a and y of b, when x and y are in one of the tool's clusters; and two
exact duplicates in one cluster are a found pair. For datasketch and rensa this changes
nothing (identical shingle sets have identical signatures, so LSH always pairs them). Pairs
with a document that has fewer than 5 tokens are outside near dedup: they are counted as
"ignored" and left out of recall and precision.

Usage:
  dedup_truth.py pairs --root DIR --ext .php --threshold 0.85 --out true_pairs.tsv
  dedup_truth.py score --root DIR --ext .php --threshold 0.85 --truth true_pairs.tsv \\
      (--tuneforge out.json | --candidates-npy lsh_pairs_0.85.npy) \\
      [--reference-npy lsh_pairs_0.85.npy] [--planted planted.tsv] [--json metrics.json] \\
      [--name tuneforge] [--require-perfect]
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import struct
import sys
import time
from collections import defaultdict

try:
    import regex as _re

    REGEX_MODULE = "regex"
except ImportError:  # stdlib fallback, identical on ASCII
    import re as _re

    REGEX_MODULE = "re"

TOKEN_RE = _re.compile(r"\w+")
WS_RE = _re.compile(r"\s+")
NGRAM = 5
MIN_TOKENS = 5
EPS = 1e-9


# ------------------------------------------------------------------ corpus
def list_files(root: str, ext: str) -> list[str]:
    out = []
    for dp, dns, fns in os.walk(root):
        dns.sort()
        for fn in fns:
            if not fn.endswith(ext):
                continue
            p = os.path.join(dp, fn)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            out.append(os.path.relpath(p, root).replace(os.sep, "/"))
    out.sort()
    return out


def read_text(root: str, rel: str) -> str:
    with open(os.path.join(root, rel), "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def ws_normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return WS_RE.sub(" ", text).strip()


def exact_key(text: str) -> str:
    return hashlib.sha256(ws_normalize(text).encode("utf-8")).hexdigest()


def shingles(text: str) -> set[str]:
    toks = TOKEN_RE.findall(text.lower())
    if len(toks) < MIN_TOKENS:
        return set()
    return {" ".join(toks[i : i + NGRAM]) for i in range(len(toks) - NGRAM + 1)}


def jaccard(a: set, b: set) -> tuple[int, float]:
    if not a or not b:
        return 0, 0.0
    k = len(a & b)
    return k, k / (len(a) + len(b) - k)


class Corpus:
    """Paths of the corpus; texts, exact keys and shingle sets loaded on demand."""

    def __init__(self, root: str, ext: str):
        self.root = root
        self.paths = list_files(root, ext)
        self.index = {p: i for i, p in enumerate(self.paths)}
        self._sh: dict[int, set] = {}
        self._keys: list[str] | None = None

    def sh(self, i: int) -> set:
        s = self._sh.get(i)
        if s is None:
            s = self._sh[i] = shingles(read_text(self.root, self.paths[i]))
        return s

    def eligible(self, i: int) -> bool:
        return bool(self.sh(i))

    def exact_keys(self) -> list[str]:
        if self._keys is None:
            self._keys = [exact_key(read_text(self.root, p)) for p in self.paths]
        return self._keys

    def jac(self, i: int, j: int) -> float:
        return jaccard(self.sh(i), self.sh(j))[1]


# ------------------------------------------------------------------ all pairs >= t
def similarity_join(sets: list[list[int]], thr: float, nvocab: int):
    """All (i, j, inter) with |A&B| / |A|B| >= thr.  sets[i] = shingle ids of doc i.

    Prefix filter: with one global token order, if J(A, B) >= t the overlap O is at least
    ceil(t*|A|) and ceil(t*|B|), and the first common token in that order sits within the
    first |X| - O + 1 tokens of both, so within the first |X| - ceil(t*|X|) + 1 of each.
    Documents are processed by increasing size, so an earlier document B has |B| <= |A| and
    is skipped when |B| < t*|A| (then J <= |B|/|A| < t).  The ceil is taken a hair low and
    the size bound a hair loose, which only adds candidates; verification is exact.
    """
    freq = [0] * nvocab
    for s in sets:
        for t in s:
            freq[t] += 1
    order = sorted((i for i in range(len(sets)) if sets[i]), key=lambda i: (len(sets[i]), i))
    index: dict[int, list[int]] = defaultdict(list)
    fsets = {}
    out = []
    for x in order:
        toks = sets[x]
        n = len(toks)
        alpha = max(1, math.ceil(thr * n - EPS))
        prefix = sorted(toks, key=lambda t: (freq[t], t))[: n - alpha + 1]
        A = fsets[x] = frozenset(toks)
        lo = thr * n - EPS
        cands = set()
        for t in prefix:
            post = index[t]
            cands.update(post)
            post.append(x)
        for y in cands:
            B = fsets[y]
            if len(B) < lo:
                continue
            k = len(A & B)
            if k / (n + len(B) - k) >= thr:
                out.append((min(x, y), max(x, y), k))
    return out


def cmd_pairs(a) -> int:
    t0 = time.perf_counter()
    paths = list_files(a.root, a.ext)
    vocab: dict[str, int] = {}
    sets = []
    nbytes = 0
    for p in paths:
        with open(os.path.join(a.root, p), "rb") as f:
            b = f.read()
        nbytes += len(b)
        sets.append([vocab.setdefault(g, len(vocab)) for g in shingles(b.decode("utf-8", errors="replace"))])
    nvocab = len(vocab)
    del vocab
    t_shingle = time.perf_counter() - t0
    pairs = similarity_join(sets, a.threshold, nvocab)
    size = [len(s) for s in sets]
    rows = [(i, j, k, k / (size[i] + size[j] - k)) for i, j, k in pairs]
    rows.sort(key=lambda r: (-r[3], r[0], r[1]))
    with open(a.out, "w") as f:
        f.write("i\tj\tpath_i\tpath_j\tsize_i\tsize_j\tinter\tjaccard\n")
        for i, j, k, jv in rows:
            f.write(f"{i}\t{j}\t{paths[i]}\t{paths[j]}\t{size[i]}\t{size[j]}\t{k}\t{jv:.6f}\n")
    summary = {"files": len(paths), "bytes": nbytes, "eligible_docs": sum(1 for s in sets if s),
               "vocab_size": nvocab, "threshold": a.threshold, "true_pairs": len(rows),
               "true_pairs_J_lt_1": sum(1 for r in rows if r[2] != size[r[0]] or r[2] != size[r[1]]),
               "regex_module": REGEX_MODULE, "time_s": {"shingle": round(t_shingle, 3),
                                                        "total": round(time.perf_counter() - t0, 3)}}
    print(json.dumps(summary))
    return 0


# ------------------------------------------------------------------ scoring
def read_npy_pairs(path: str) -> list[tuple[int, int]]:
    """An (n, 2) integer .npy as written by numpy.save, read without numpy."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise SystemExit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start : start + hlen].decode("latin-1"))
    descr, shape = header["descr"], header["shape"]
    codes = {"<i4": "i", "<i8": "q", "<u4": "I", "<u8": "Q"}
    if descr not in codes or header["fortran_order"] or (shape and len(shape) != 2):
        raise SystemExit(f"{path}: unsupported array {header}")
    n = shape[0] if shape else 0
    vals = struct.unpack(f"<{2 * n}{codes[descr]}", data[start + hlen : start + hlen + 2 * n * struct.calcsize(codes[descr])])
    return [(min(vals[2 * k], vals[2 * k + 1]), max(vals[2 * k], vals[2 * k + 1])) for k in range(n)]


def load_truth(path: str, corpus: Corpus, thr: float) -> dict[tuple[int, int], float]:
    truth = {}
    with open(path) as f:
        col = {name: k for k, name in enumerate(f.readline().rstrip("\n").split("\t"))}
        for line in f:
            r = line.rstrip("\n").split("\t")
            si, sj, k = int(r[col["size_i"]]), int(r[col["size_j"]]), int(r[col["inter"]])
            jv = k / (si + sj - k)
            if jv < thr:
                continue
            try:
                i, j = corpus.index[r[col["path_i"]]], corpus.index[r[col["path_j"]]]
            except KeyError as e:
                raise SystemExit(f"{path}: {e} is not in the corpus under {corpus.root}")
            truth[(min(i, j), max(i, j))] = jv
    return truth


class UF:
    def __init__(self):
        self.p = {}

    def find(self, x):
        self.p.setdefault(x, x)
        while self.p[x] != x:
            self.p[x] = self.p[self.p[x]]
            x = self.p[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)

    def groups(self):
        g = defaultdict(set)
        for x in list(self.p):
            g[self.find(x)].add(x)
        return [s for s in g.values() if len(s) > 1]


def docs_removed(groups) -> dict:
    sizes = [len(g) for g in groups]
    return {"clusters": len(sizes), "docs_in_clusters": sum(sizes), "docs_removed": sum(sizes) - len(sizes)}


def cmd_score(a) -> int:
    t0 = time.perf_counter()
    thr = a.threshold
    corpus = Corpus(a.root, a.ext)
    truth = load_truth(a.truth, corpus, thr)
    errors: list[str] = []
    warnings: list[str] = []
    m: dict = {"tool": a.name, "threshold": thr, "corpus_files": len(corpus.paths), "regex_module": REGEX_MODULE,
               "true_pairs": len(truth), "true_pairs_J_lt_1": sum(1 for v in truth.values() if v < 1.0)}

    keys = corpus.exact_keys()
    groups_by_key = defaultdict(list)
    for i, k in enumerate(keys):
        groups_by_key[k].append(i)
    group_of = {i: g for g in groups_by_key.values() if len(g) > 1 for i in g}

    def twins(i):
        return group_of.get(i, [i])

    def exact_j(p):
        """Exact Jaccard of a pair: from the truth when it is there, else computed."""
        if p in truth:
            return truth[p]
        jv = corpus.jac(*p)
        if jv >= thr:
            errors.append(f"truth file misses {corpus.paths[p[0]]} ~ {corpus.paths[p[1]]} (J={jv:.6f})")
            truth[p] = jv
        return jv

    found: set[tuple[int, int]] = set()
    ignored = 0
    below = []
    if a.tuneforge:
        with open(a.tuneforge) as f:
            out = json.load(f)
        m["reported_files"] = out.get("files")
        if out.get("files") != len(corpus.paths):
            errors.append(f"tuneforge reports files={out.get('files')}, the corpus has {len(corpus.paths)} "
                          "(regular files ending in the ext; symlinks and symlinked directories skipped, "
                          "hidden files included, ext case-sensitive)")
        unknown = set()

        def doc(p):
            i = corpus.index.get(p)
            if i is None:
                unknown.add(p)
            return i

        cluster_of = {}
        clusters = out.get("clusters", [])
        for c, cl in enumerate(clusters):
            members = [cl.get("kept")] + [mm.get("path") for mm in cl.get("members", [])]
            for p in members:
                i = doc(p)
                if i is None:
                    continue
                if i in cluster_of and cluster_of[i] != c:
                    errors.append(f"{p} is in two clusters")
                cluster_of[i] = c
        if "pairs" not in out:
            errors.append("no \"pairs\" key in the output (run with --pairs)")
        reported = []
        mismatch = []
        for pr in out.get("pairs", []):
            i, j = doc(pr.get("a")), doc(pr.get("b"))
            if i is None or j is None:
                continue
            if i == j:
                errors.append(f"pair of a document with itself: {pr}")
                continue
            p = (min(i, j), max(i, j))
            if not (corpus.eligible(i) and corpus.eligible(j)):
                ignored += 1
                continue
            jv = exact_j(p)
            rj = pr.get("jaccard")
            if jv < thr - EPS or not isinstance(rj, (int, float)) or rj < thr - 1e-6:
                below.append({"a": corpus.paths[p[0]], "b": corpus.paths[p[1]], "exact": round(jv, 6), "reported": rj})
            elif abs(rj - jv) > a.jaccard_tolerance:
                mismatch.append({"a": corpus.paths[p[0]], "b": corpus.paths[p[1]], "exact": round(jv, 6), "reported": rj})
            reported.append(p)
        if unknown:
            errors.append(f"{len(unknown)} paths in the output are not in the corpus, e.g. {sorted(unknown)[:3]}")
        m["reported_pairs"] = len(out.get("pairs", []))
        m["reported_pairs_distinct"] = len(set(reported))
        m["reported_jaccard_mismatch"] = len(mismatch)
        if mismatch:
            warnings.append(f"{len(mismatch)} reported jaccard values differ from the exact one by more than "
                            f"{a.jaccard_tolerance}, e.g. {mismatch[:3]}")
        # expansion over exact-duplicate groups (see the docstring)
        for p in set(reported):
            for x in twins(p[0]):
                for y in twins(p[1]):
                    if x == y:
                        continue
                    q = (min(x, y), max(x, y))
                    if q == p or (x in cluster_of and cluster_of.get(x) == cluster_of.get(y)):
                        found.add(q)
        split = []
        for g in groups_by_key.values():
            if len(g) < 2:
                continue
            if len({cluster_of.get(i, ("none", i)) for i in g}) > 1:
                split.append([corpus.paths[i] for i in g])
            if not corpus.eligible(g[0]):
                continue
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    if g[x] in cluster_of and cluster_of[g[x]] == cluster_of.get(g[y]):
                        found.add((g[x], g[y]))
        m["exact_groups"] = sum(1 for g in groups_by_key.values() if len(g) > 1)
        m["exact_groups_split"] = len(split)
        if split:
            warnings.append(f"{len(split)} exact-duplicate groups are not inside one cluster, e.g. {split[:2]}")
        m["clusters"] = docs_removed([{i for i, c in cluster_of.items() if c == k} for k in range(len(clusters))])
        m["pairs_ignored_lt_5_tokens"] = ignored
        m["pairs_below_threshold"] = len(below)
        if below:
            errors.append(f"{len(below)} reported pairs are below the threshold, e.g. {below[:3]}")
    elif a.candidates_npy:
        cand = set(read_npy_pairs(a.candidates_npy))
        m["candidate_pairs"] = len(cand)
        ctp = {p for p in cand if p in truth}
        m["candidate_precision"] = len(ctp) / len(cand) if cand else None
        for p in cand:  # verification by exact Jaccard, as tuneforge does
            if exact_j(p) >= thr:
                found.add(p)
        uf = UF()
        for p in found:
            uf.union(*p)
        m["clusters"] = docs_removed(uf.groups())
    else:
        raise SystemExit("give --tuneforge or --candidates-npy")

    tp = found & truth.keys()
    m["found_pairs"] = len(found)
    m["tp"] = len(tp)
    m["recall"] = len(tp) / len(truth) if truth else 1.0
    near = {p for p, v in truth.items() if v < 1.0}
    m["recall_J_lt_1"] = len(tp & near) / len(near) if near else 1.0
    m["precision"] = len(tp) / len(found) if found else 1.0
    uf = UF()
    for p in truth:
        uf.union(*p)
    m["clusters_truth"] = docs_removed(uf.groups())
    missed = sorted(truth.keys() - found, key=lambda p: -truth[p])
    m["missed_examples"] = [{"a": corpus.paths[i], "b": corpus.paths[j], "jaccard": round(truth[(i, j)], 6)}
                            for i, j in missed[:20]]
    if a.reference_npy:
        ref = {p for p in read_npy_pairs(a.reference_npy) if p in truth}
        miss = ref - found
        m["reference_verified_pairs"] = len(ref)
        m["reference_pairs_missed"] = len(miss)
        m["reference_missed_examples"] = [{"a": corpus.paths[i], "b": corpus.paths[j], "jaccard": round(truth[(i, j)], 6)}
                                          for i, j in sorted(miss)[:10]]
    if a.planted:
        near_planted, far_planted = [], []
        with open(a.planted) as f:
            f.readline()
            for line in f:
                pa, pb, kind, expect = line.rstrip("\n").split("\t")[:4]
                i, j = corpus.index[pa], corpus.index[pb]
                p = (min(i, j), max(i, j))
                (near_planted if expect == "near" else far_planted).append((p, kind))
        bad = [(corpus.paths[p[0]], corpus.paths[p[1]], k) for p, k in near_planted if p not in truth]
        if bad:
            errors.append(f"generator: planted near pairs that are not true pairs: {bad}")
        bad = [(corpus.paths[p[0]], corpus.paths[p[1]], k) for p, k in far_planted if p in truth]
        if bad:
            errors.append(f"generator: planted far pairs that are true pairs: {bad}")
        m["planted_near"] = len(near_planted)
        m["planted_near_found"] = sum(1 for p, _ in near_planted if p in found)
        m["planted_far_reported"] = sum(1 for p, _ in far_planted if p in found)
        missing = [(corpus.paths[p[0]], corpus.paths[p[1]], k) for p, k in near_planted if p not in found]
        if missing:
            errors.append(f"planted near pairs not found: {missing}")
    m["errors"] = errors
    m["warnings"] = warnings
    m["time_s"] = round(time.perf_counter() - t0, 3)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(m, f, indent=1)
    for w in warnings:
        print(f"warning ({a.name}): {w}", file=sys.stderr)
    for e in errors:
        print(f"error ({a.name}): {e}", file=sys.stderr)
    print(f"{a.name}: {len(truth)} true pairs at J >= {thr}, {len(found)} found, recall {m['recall']:.4f}, "
          f"precision {m['precision']:.4f}", file=sys.stderr)
    if a.require_perfect:
        if m["recall"] < 1.0:
            for x in m["missed_examples"]:
                print(f"missed ({a.name}): {x}", file=sys.stderr)
        if errors or m["recall"] < 1.0 or m["precision"] < 1.0:
            return 1
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("pairs", "score"):
        s = sub.add_parser(name)
        s.add_argument("--root", required=True)
        s.add_argument("--ext", default=".php")
        s.add_argument("--threshold", type=float, default=0.85)
    s = sub.choices["pairs"]
    s.add_argument("--out", required=True)
    s = sub.choices["score"]
    s.add_argument("--truth", required=True, help="TSV with path_i, path_j, size_i, size_j, inter columns")
    s.add_argument("--tuneforge", help="output of `tuneforge dedup --pairs --json`")
    s.add_argument("--candidates-npy",
                   help="LSH candidate pairs (doc ids) of bench/baselines/datasketch_minhash.py --dump-pairs")
    s.add_argument("--reference-npy", help="baseline candidates: report its verified pairs that the tool misses")
    s.add_argument("--planted", help="TSV path_a, path_b, kind, near|far from gen_dedup_corpus.py")
    s.add_argument("--name", default="tuneforge")
    s.add_argument("--json")
    s.add_argument("--jaccard-tolerance", type=float, default=1e-3)
    s.add_argument("--require-perfect", action="store_true",
                   help="exit 1 unless recall and precision are 1 and there are no errors")
    a = ap.parse_args()
    return cmd_pairs(a) if a.cmd == "pairs" else cmd_score(a)


if __name__ == "__main__":
    sys.exit(main())
