#!/usr/bin/env bash
# Near-duplicate detection: `tuneforge dedup` against the reference baselines of bench/baselines
# (datasketch 2.0 and rensa 0.5, MinHash + LSH at T = 0.85) on the same corpus in the same run.
# CPU seconds (user + sys) and peak RSS of each process from /usr/bin/time; pair recall and
# precision against exact Jaccard (bench/baselines/ground_truth.py, cross-checked by the
# standard-library bench/dedup_truth.py).
#
#   bench/dedup_bench.sh            the .php files of Debian's mediawiki, symfony, laravel,
#                                   phpmyadmin and doctrine-orm (~78 MB), release build
#   bench/dedup_bench.sh --smoke    a generated corpus with planted near-duplicates, debug build;
#                                   fails unless every true pair is found and none is false (CI)
#   OUT=dedup.json bench/dedup_bench.sh    also write the figures as JSON
#   TUNEFORGE_BIN=path  run that binary instead of building one; KEEP=1 keeps the work directory
#
# Full mode needs the Debian packages (installed with apt-get when run as root), the `time`
# package, and PyPI for the baselines' venv (created once, then reused):
# ${XDG_CACHE_HOME:-~/.cache}/tuneforge/bench-dedup-venv, or DEDUP_VENV=dir.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
threshold=0.85
ext=.php

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-dedup-bench.XXXXXX")
if [[ -n "${KEEP:-}" ]]; then
  trap 'echo "work directory kept: $work" >&2' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi

# ------------------------------------------------------------------------------------- smoke
if (( smoke )); then
  if [[ -z "${TUNEFORGE_BIN:-}" ]]; then cargo build --quiet -p tuneforge; fi
  bin=${TUNEFORGE_BIN:-target/debug/tuneforge}
  python3 bench/gen_dedup_corpus.py "$work" --threshold "$threshold"
  python3 bench/dedup_truth.py pairs --root "$work/corpus" --ext "$ext" --threshold "$threshold" \
    --out "$work/truth.tsv" >/dev/null
  if ! "$bin" --no-progress dedup "$work/corpus" --ext "$ext" --threshold "$threshold" --pairs --json \
    > "$work/tuneforge.json" 2> "$work/tuneforge.err"; then
    echo "dedup smoke: FAILED, tuneforge dedup exited non-zero:" >&2
    tail -20 "$work/tuneforge.err" >&2
    exit 1
  fi
  # Recall over every pair with exact Jaccard >= threshold (the planted ones and any other),
  # precision over the reported pairs; see bench/dedup_truth.py for exact duplicates.
  if ! python3 bench/dedup_truth.py score --root "$work/corpus" --ext "$ext" --threshold "$threshold" \
    --truth "$work/truth.tsv" --tuneforge "$work/tuneforge.json" --planted "$work/planted.tsv" \
    --json "$work/score.json" --require-perfect; then
    echo "dedup smoke: FAILED (recall or precision below 1, or the corpus differs; errors above)" >&2
    exit 1
  fi
  echo "dedup smoke: OK"
  exit 0
fi

# -------------------------------------------------------------------------------------- full
baselines=bench/baselines
packages=(mediawiki php-symfony php-laravel-framework phpmyadmin php-doctrine-orm)

# shellcheck disable=SC2016 # dpkg-query's ${...} fields are not shell expansions
installed() { [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == ii* ]]; }
apt_install() {
  if (( EUID != 0 )); then
    echo "missing Debian packages: $*; install them as root: apt-get install -y $*" >&2
    exit 1
  fi
  echo "installing $* with apt-get" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
[[ -x /usr/bin/time ]] || missing+=(time)
if (( ${#missing[@]} )); then apt_install "${missing[@]}"; fi

if [[ -z "${TUNEFORGE_BIN:-}" ]]; then cargo build --quiet --release -p tuneforge; fi
bin=${TUNEFORGE_BIN:-target/release/tuneforge}
if ! "$bin" dedup --help >/dev/null 2>&1; then
  echo "$bin has no dedup command" >&2
  exit 1
fi

# The pinned packages of the baselines (bench/baselines/*.py), in a venv that is reused across runs.
venv=${DEDUP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/tuneforge/bench-dedup-venv}
py="$venv/bin/python"
pins=(datasketch==2.0.0 regex numpy scipy rensa==0.5.0)
venv_ok() {
  "$py" - <<'PY' 2>/dev/null
import importlib.metadata as md
import datasketch, numpy, regex, rensa, scipy  # noqa: F401
assert md.version("datasketch") == "2.0.0" and md.version("rensa") == "0.5.0"
PY
}
if ! venv_ok; then
  echo "creating $venv (${pins[*]})" >&2
  mkdir -p "$(dirname "$venv")"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet "${pins[@]}"
  venv_ok || { echo "$venv: the pinned packages do not import" >&2; exit 1; }
fi

# Corpus: the regular .php files (no symlinks, no path through a symlinked directory) of every
# installed binary package built from the same Debian source as the named ones (php-symfony and
# php-laravel-framework are mostly metapackages over php-symfony-* and php-illuminate-*),
# copied with their absolute paths under $work/corpus, so that no other PHP of /usr/share leaks in.
corpus="$work/corpus"
python3 - "$corpus" "${packages[@]}" > "$work/corpus.json" <<'PY'
import json, os, shutil, subprocess, sys
dest, named = sys.argv[1], sys.argv[2:]
q = lambda *a: subprocess.run(["dpkg-query", *a], check=True, capture_output=True, text=True).stdout
sources = {l.split("\t")[1] for l in q("-W", "-f=${binary:Package}\t${source:Package}\n", *named).splitlines()}
rows = [l.split("\t") for l in q("-W", "-f=${binary:Package}\t${source:Package}\t${Version}\t${db:Status-Abbrev}\n").splitlines()]
binaries = sorted((b, v) for b, s, v, st in rows if s in sources and st.startswith("ii"))
files = set()
for b, _ in binaries:
    for p in q("-L", b).splitlines():
        if p.endswith(".php") and os.path.isfile(p) and not os.path.islink(p) and os.path.realpath(p) == p:
            files.add(p)
nbytes = 0
for p in sorted(files):
    d = os.path.join(dest, p.lstrip("/"))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    shutil.copyfile(p, d)
    nbytes += os.path.getsize(d)
json.dump({"packages": {b: q("-W", "-f=${Version}", b) for b in named}, "sources": sorted(sources),
           "binary_packages": len(binaries), "files": len(files), "bytes": nbytes}, sys.stdout)
PY
read -r files bytes < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["files"], d["bytes"])' "$work/corpus.json")
echo "corpus: $files .php files, $(python3 -c "print(f'{$bytes / 1e6:.1f}')") MB ($bytes bytes) from ${packages[*]} and their sibling binary packages"
if (( bytes < 50000000 )); then
  echo "corpus is smaller than 50 MB" >&2
  exit 1
fi

# timed NAME CMD...: stdout to NAME.out, stderr to NAME.err, "user sys maxrss_kib wall" to NAME.time.
timed() {
  local name=$1; shift
  if ! /usr/bin/time -f '%U %S %M %e' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err"; then
    echo "$name failed: $*" >&2
    tail -20 "$work/$name.err" >&2
    exit 1
  fi
}
find "$corpus" -type f -exec cat {} + > /dev/null   # warm the page cache for everyone

# (a) datasketch, with its LSH candidates dumped for the ground truth; its exact verification
# (candidates with exact Jaccard >= T) is part of its timed run, as it is of tuneforge's.
timed datasketch "$py" "$baselines/datasketch_minhash.py" --root "$corpus" --ext "$ext" \
  --thresholds "$threshold" --dump-pairs --out "$work/ds"
# Ground truth: every pair with exact Jaccard >= 0.5 (not part of any comparison of time).
timed ground_truth "$py" "$baselines/ground_truth.py" --root "$corpus" --ext "$ext" --dump "$work/ds" --out "$work/gt"
truth="$work/gt/true_pairs_ge_0.5.tsv"
# The pairs at the threshold, by the integer columns (the printed jaccard is rounded to 6
# places): rensa_minhash.py reads only these (a few thousand lines, milliseconds of its time).
awk -F'\t' -v t="$threshold" 'NR == 1 || $7 / ($5 + $6 - $7) >= t' "$truth" > "$work/truth_at_t.tsv"
# (b) rensa: it writes no pairs, only counts; --gt makes it score its candidates itself.
timed rensa "$py" "$baselines/rensa_minhash.py" --root "$corpus" --ext "$ext" --threshold "$threshold" \
  --out "$work/rensa" --gt "$work/truth_at_t.tsv"
# (c) tuneforge
timed tuneforge "$bin" --no-progress dedup "$corpus" --ext "$ext" --threshold "$threshold" --pairs --json
# Independent check of the truth at the threshold: the standard-library similarity join (with
# the `regex` module of the venv, so that \w and \s are the baseline's on non-ASCII text).
timed stdlib_truth "$py" bench/dedup_truth.py pairs --root "$corpus" --ext "$ext" --threshold "$threshold" \
  --out "$work/stdlib_truth.tsv"

# Scoring. Exact duplicates: the baselines pair every member of an exact-duplicate group with
# every other (Jaccard 1) and with every near partner of the group; tuneforge may cluster the
# group and report its near pairs once. dedup_truth.py credits a tool with the pairs of exact
# duplicates that share one of its clusters and expands each reported pair over the exact
# duplicates of both ends (a no-op for the baselines); see its docstring.
score() {
  local name=$1; shift
  "$py" bench/dedup_truth.py score --root "$corpus" --ext "$ext" --threshold "$threshold" --truth "$truth" \
    --name "$name" --json "$work/score_$name.json" "$@" 2> "$work/score_$name.log" \
    || { cat "$work/score_$name.log" >&2; exit 1; }
}
score tuneforge --tuneforge "$work/tuneforge.out" --reference-npy "$work/ds/lsh_pairs_$threshold.npy"
score datasketch --candidates-npy "$work/ds/lsh_pairs_$threshold.npy"

"$bin" --version > "$work/tuneforge.version" 2>/dev/null || echo "?" > "$work/tuneforge.version"
"$py" -m pip freeze 2>/dev/null | grep -Ei '^(datasketch|rensa|numpy|scipy|regex)==' > "$work/pip.txt" || true
python3 - "$work" "$threshold" "${OUT:-}" <<'PY'
import json, os, sys
work, thr, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
W = lambda *p: os.path.join(work, *p)
load = lambda p: json.load(open(W(p)))

def usage(name):
    last = open(W(f"{name}.time")).read().split("\n")
    u, s, kib, wall = [l for l in last if l.strip()][-1].split()
    return {"cpu_s": round(float(u) + float(s), 2), "user_s": float(u), "sys_s": float(s), "wall_s": float(wall),
            "peak_rss_mib": round(int(kib) / 1024, 1)}

def pairs_at(path):
    s = set()
    with open(path) as f:
        next(f)
        for line in f:
            r = line.rstrip("\n").split("\t")
            k, a, b = int(r[6]), int(r[4]), int(r[5])
            if k / (a + b - k) >= thr:
                s.add((r[2], r[3]))
    return s

corpus = load("corpus.json")
gt = load("gt/ground_truth.json")["thresholds"][str(thr)]
ds_res = load("ds/results.json")
tf, dss, rn = load("score_tuneforge.json"), load("score_datasketch.json"), load("rensa/results.json")
gt_pairs, st_pairs = pairs_at(W("gt", "true_pairs_ge_0.5.tsv")), pairs_at(W("stdlib_truth.tsv"))
rv = rn["vs_exact"]
tools = {
    "datasketch": dict(usage("datasketch"), pairs=dss["found_pairs"], recall=dss["recall"], precision=dss["precision"],
                       candidates=dss["candidate_pairs"], candidate_precision=dss["candidate_precision"],
                       docs_removed=dss["clusters"]["docs_removed"]),
    "rensa": dict(usage("rensa"), pairs=rv["candidates"], recall=rv["pair_recall"], precision=rv["pair_precision"],
                  candidates=rv["candidates"], candidate_precision=rv["pair_precision"],
                  docs_removed=None),
    "tuneforge": dict(usage("tuneforge"), pairs=tf["found_pairs"], recall=tf["recall"], precision=tf["precision"],
                      candidates=None, candidate_precision=None, docs_removed=tf.get("clusters", {}).get("docs_removed"),
                      reported_pairs=tf.get("reported_pairs"), reported_files=tf.get("reported_files"),
                      datasketch_pairs_missed=tf.get("reference_pairs_missed"), errors=tf["errors"], warnings=tf["warnings"]),
}
tcpu = max(tools["tuneforge"]["cpu_s"], 0.01)
summary = {
    "threshold": thr, "corpus": corpus, "shingles": ds_res["shingles"], "exact_ws_normalized": ds_res["exact_ws_normalized"],
    "true_pairs": gt["true_pairs"], "true_pairs_J_lt_1": gt["true_pairs_J_lt_1"],
    "docs_removed_truth": gt["docs_removed_exact_truth"]["docs_removed"],
    "stdlib_truth_agrees": gt_pairs == st_pairs, "ground_truth_cpu_s": usage("ground_truth")["cpu_s"],
    "stdlib_truth_cpu_s": usage("stdlib_truth")["cpu_s"],
    "versions": {"tuneforge": open(W("tuneforge.version")).read().strip(),
                 "python_packages": open(W("pip.txt")).read().split()},
    "tools": tools,
    "ratios": {"datasketch_cpu_over_tuneforge": round(tools["datasketch"]["cpu_s"] / tcpu, 2),
               "rensa_cpu_over_tuneforge": round(tools["rensa"]["cpu_s"] / tcpu, 2)},
}
f = lambda v, n=4: "-" if v is None else f"{v:.{n}f}"
print(f"versions: {', '.join(f'{k} {v}' for k, v in corpus['packages'].items())}; "
      f"{' '.join(summary['versions']['python_packages'])}; {summary['versions']['tuneforge']}")
print(f"documents with >= 5 tokens: {ds_res['shingles']['eligible_docs']}, exact-duplicate groups "
      f"(whitespace-normalized): {ds_res['exact_ws_normalized']['groups']}")
print(f"true pairs at J >= {thr}: {gt['true_pairs']} ({gt['true_pairs_J_lt_1']} with J < 1); "
      f"stdlib truth agrees: {'yes' if summary['stdlib_truth_agrees'] else 'NO (%d vs %d pairs)' % (len(st_pairs), len(gt_pairs))}")
print(f"{'':<12}{'CPU s':>8}{'wall s':>8}{'peak RSS MiB':>14}{'pairs':>8}{'recall':>8}{'precision':>10}{'candidates':>12}"
      f"{'cand prec':>10}{'CPU / tuneforge':>17}")
for name, t in tools.items():
    print(f"{name:<12}{t['cpu_s']:>8.2f}{t['wall_s']:>8.2f}{t['peak_rss_mib']:>14.1f}{t['pairs']:>8}{f(t['recall']):>8}{f(t['precision']):>10}"
          f"{'-' if t['candidates'] is None else t['candidates']:>12}{f(t['candidate_precision']):>10}{t['cpu_s'] / tcpu:>17.2f}")
print("pairs: what the tool outputs as near-duplicate pairs: datasketch its LSH candidates verified by exact Jaccard,\n"
      "  rensa its unverified LSH candidates (rensa_minhash.py does not verify), tuneforge its reported pairs\n"
      "  (expanded over exact duplicates, see bench/dedup_truth.py); recall against every pair with exact J >= T")
print(f"tuneforge misses {tf.get('reference_pairs_missed')} of the {tf.get('reference_verified_pairs')} true pairs datasketch found; "
      f"reported {tf.get('reported_pairs')} pairs, {tf.get('pairs_below_threshold')} below the threshold")
for e in tf["errors"]:
    print(f"tuneforge error: {e}")
for w in tf["warnings"]:
    print(f"tuneforge warning: {w}")
if out:
    with open(out, "w") as fh:
        json.dump(summary, fh, indent=1)
    print(f"summary written to {out}")
PY
