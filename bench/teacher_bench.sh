#!/usr/bin/env bash
# Teacher throughput: the tuneforge teacher client against a plain Python asyncio client
# (httpx, bench/teacher_asyncio.py) sending the same prompts to the same local
# OpenAI-compatible server (llama.cpp's llama-server serving SmolLM2-135M) at the same concurrency,
# in the same run. Both send uncached requests; the ratio is asyncio seconds / tuneforge
# seconds (above 1: tuneforge is faster).
#
#   bench/teacher_bench.sh            24 prompts, 64 tokens each, concurrency 4, release build
#   bench/teacher_bench.sh --smoke    2 prompts, 8 tokens, debug build (CI: it must run)
#   OUT=teacher.json bench/teacher_bench.sh    also write the figures as JSON
#
# Needs scripts/llama-cpp.sh and scripts/python-env.sh (llama.cpp built once, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then n=2; tokens=8; profile=debug; else n=24; tokens=64; profile=release; fi
concurrency=4

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-teacher-bench.XXXXXX")
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# shellcheck source=bench/lib/llama_server.sh
source bench/lib/llama_server.sh

topics=(plugins hooks services routes forms "config schema" caching "entity queries" "render arrays" "access checks" "queue workers" migrations)
for i in $(seq 1 "$n"); do
  echo "In one sentence, what are Drupal ${topics[$(( (i - 1) % ${#topics[@]} ))]} for? (question $i)"
done >"$work/prompts.txt"

flags=(--quiet -p tuneforge-teacher --example teacher_bench)
[[ $profile == release ]] && flags+=(--release)
cargo build "${flags[@]}"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/$profile/examples/teacher_bench

# Rounds alternate which client goes first; each client's median round is reported.
rounds=5
(( smoke )) && rounds=1
: >"$work/rust.jsonl"
: >"$work/py.jsonl"
run_rust() { "$bin" "$url" smollm2 "$concurrency" "$tokens" "$work/prompts.txt" >>"$work/rust.jsonl"; }
run_py() { "$TUNEFORGE_TEST_PYTHON" bench/teacher_asyncio.py "$url" smollm2 "$concurrency" "$tokens" "$work/prompts.txt" >>"$work/py.jsonl"; }
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then run_rust; run_py; else run_py; run_rust; fi
done

python3 - "$work/rust.jsonl" "$work/py.jsonl" "$n" "$concurrency" "$tokens" "$smoke" "${OUT:-}" <<'PY'
import json, statistics, sys
def median_round(path):
    rounds = [json.loads(l) for l in open(path)]
    for r in rounds:
        if r["failed"]:
            sys.exit(f"{path}: {r['failed']} of {r['requests']} requests failed")
    return sorted(rounds, key=lambda r: r["seconds"])[len(rounds) // 2], [r["seconds"] for r in rounds]
(rust, rust_all), (py, py_all) = median_round(sys.argv[1]), median_round(sys.argv[2])
n, concurrency, tokens, smoke, out = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] == "1", sys.argv[7]
ratio = py["seconds"] / rust["seconds"]
print("rounds (s): tuneforge " + ", ".join(f"{x:.2f}" for x in rust_all) + "; asyncio " + ", ".join(f"{x:.2f}" for x in py_all))
print(f"{n} prompts, {tokens} tokens max, concurrency {concurrency}")
print(f"tuneforge       {rust['seconds']:.2f} s  {rust['requests'] / rust['seconds']:.2f} req/s  {rust['completion_tokens']} tokens")
print(f"python asyncio  {py['seconds']:.2f} s  {py['requests'] / py['seconds']:.2f} req/s  {py['completion_tokens']} tokens")
print(f"ratio (asyncio s / tuneforge s): {ratio:.2f}x")
if out:
    json.dump({"prompts": n, "max_tokens": tokens, "concurrency": concurrency, "tuneforge": rust, "python_asyncio": py, "ratio": ratio}, open(out, "w"), indent=2)
PY
