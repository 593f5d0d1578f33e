#!/usr/bin/env bash
# Throughput of `tuneforge process` and `tuneforge validate` on generated interactions,
# against `cat` reading the same file in the same run.
#
#   bench/process_bench.sh            200,000 interactions (about 450 MB), release build
#   bench/process_bench.sh --smoke    2,000 interactions, debug build (CI: keeps it from rotting)
#   N=500000 bench/process_bench.sh   any size
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then
  n=${N:-2000}
  cargo build --quiet -p tuneforge
  bin=target/debug/tuneforge
else
  n=${N:-200000}
  cargo build --quiet --release -p tuneforge
  bin=target/release/tuneforge
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
ws="$work/ws"
"$bin" --no-progress init --preset interactions "$ws" >/dev/null
python3 bench/gen_interactions.py corpus/interactions.jsonl \
  "$ws/raw/interactions.jsonl" "$n"
bytes=$(stat -c %s "$ws/raw/interactions.jsonl")
mb=$(python3 -c "print($bytes / 1e6)")

now() { date +%s.%N; }
secs() { python3 -c "print(max($2 - $1, 1e-6))"; }

cat "$ws/raw/interactions.jsonl" >/dev/null   # warm the page cache for everyone
t0=$(now); cat "$ws/raw/interactions.jsonl" >/dev/null; t1=$(now)
cat_s=$(secs "$t0" "$t1")

t0=$(now); "$bin" --no-progress --workspace "$ws" process --force >/dev/null 2>&1; t1=$(now)
process_s=$(secs "$t0" "$t1")
t0=$(now); "$bin" --no-progress --workspace "$ws" validate --force >/dev/null 2>&1; t1=$(now)
validate_s=$(secs "$t0" "$t1")

samples=$(wc -l < "$ws/processed/interactions.jsonl")
written_mb=$(du -sm "$ws/processed" "$ws/dataset" | awk '{s+=$1} END {print s}')
echo "process wrote ${written_mb} MB (processed/ and dataset/v1: canonical splits, per-domain splits, 3 export formats)"
python3 - "$n" "$samples" "$mb" "$cat_s" "$process_s" "$validate_s" <<'PY'
import sys
n, samples = int(sys.argv[1]), int(sys.argv[2])
mb, cat_s, process_s, validate_s = map(float, sys.argv[3:])
both = process_s + validate_s
print(f"interactions: {n} ({mb:.1f} MB raw), samples after dedup: {samples}")
print(f"{'':<20}{'seconds':>10}{'MB/s':>10}{'x cat':>10}")
for name, s in [("cat", cat_s), ("process", process_s), ("validate", validate_s), ("process+validate", both)]:
    print(f"{name:<20}{s:>10.3f}{mb / s:>10.1f}{s / cat_s:>10.1f}")
PY
