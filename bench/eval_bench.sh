#!/usr/bin/env bash
# Evaluation throughput and a real model's pass@1, in one run:
#
# 1. Judge throughput: the executable suite's reference programs (34 × REPEATS) run by
#    tuneforge's sandboxed judge (fresh directory, open_basedir, no environment, timeout,
#    output cap, process group killed; on every core) against `php` started by a plain
#    shell loop on the same files. Ratio: shell seconds / tuneforge seconds.
# 2. Requests per second: `tuneforge eval` asking a real llama.cpp server (llama-server
#    serving SmolLM2-135M) every built-in task in chat mode, against a plain asyncio client
#    (httpx) sending the same prompts at the same concurrency with the same decoding.
#    tuneforge's figure is its generation phase (timings.json), judging excluded.
# 3. The pass@1 of SmolLM2-135M (greedy) on the Drupal suite and the executable suite (chat
#    mode), and on the executable suite in completion mode. Expected near zero: it shows
#    the path, not the model.
#
#   bench/eval_bench.sh            REPEATS 10, every task, 384 tokens, release build
#   bench/eval_bench.sh --smoke    REPEATS 1, 2 tasks per suite, 16 tokens, debug build (CI)
#   OUT=eval.json bench/eval_bench.sh    also write the figures as JSON
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then
  repeats=1; limit=(--limit 2); tokens=16; profile=debug
else
  repeats=10; limit=(); tokens=384; profile=release
fi
concurrency=4

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-eval-bench.XXXXXX")
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

flags=(--quiet -p tuneforge -p tuneforge-model --bin tuneforge --example eval_bench)
[[ $profile == release ]] && flags+=(--release)
cargo build "${flags[@]}"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
tf=$target/$profile/tuneforge
helper=$target/$profile/examples/eval_bench
command -v php >/dev/null || { echo "php is needed (apt-get install php-cli)" >&2; exit 1; }

# 1. Judge throughput.
"$helper" judge "$work/judge" "$repeats" >"$work/judge.json"
shell_seconds=$(python3 - "$work/judge/programs" <<'PY'
import pathlib, subprocess, sys, time
files = sorted(pathlib.Path(sys.argv[1]).glob("*.php"))
# The loop a user would write: `for f in *.php; do php "$f"; done`, timed around it.
script = 'for f in "$@"; do php "$f" >/dev/null 2>&1 || true; done'
start = time.perf_counter()
subprocess.run(["bash", "-c", script, "loop", *map(str, files)], check=True)
print(time.perf_counter() - start)
PY
)

# 2 and 3. A real server.
# shellcheck source=bench/lib/llama_server.sh
source bench/lib/llama_server.sh
ws="$work/ws"
"$tf" --no-progress init --preset interactions "$ws" >/dev/null
eval_args=(--no-progress --workspace "$ws" eval --endpoint "$url" --served-model smollm2
  --max-tokens "$tokens" --concurrency "$concurrency" "${limit[@]}")
"$tf" "${eval_args[@]}" --suite drupal11 --suite php-exec --run chat --json >"$work/chat.json"
"$tf" "${eval_args[@]}" --suite php-exec --mode completion --run completion --json >"$work/completion.json"

"$helper" prompts >"$work/prompts.jsonl"
if (( smoke )); then
  # The same tasks as --limit 2 took: the first two of each suite.
  python3 - "$work/prompts.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
drupal = 89
kept = lines[:2] + lines[drupal:drupal + 2]
open(sys.argv[1], "w").write("\n".join(kept) + "\n")
PY
fi
"$TUNEFORGE_TEST_PYTHON" bench/teacher_asyncio.py "$url" smollm2 "$concurrency" "$tokens" "$work/prompts.jsonl" >"$work/asyncio.json"

python3 - "$work" "$shell_seconds" "$repeats" "$concurrency" "$tokens" "${OUT:-}" <<'PY'
import json, sys
work, shell_seconds, repeats, concurrency, tokens, out = sys.argv[1], float(sys.argv[2]), *map(int, sys.argv[3:6]), sys.argv[6]
judge = json.load(open(f"{work}/judge.json"))
if judge["passed"] != judge["programs"]:
    sys.exit(f"the reference programs must all pass: {judge}")
chat = json.load(open(f"{work}/chat.json"))
completion = json.load(open(f"{work}/completion.json"))
timings = json.load(open(f"{work}/ws/eval/chat/timings.json"))["base"]
py = json.load(open(f"{work}/asyncio.json"))
if py["failed"]:
    sys.exit(f"the asyncio client had {py['failed']} failed requests")
if timings["answered"] != timings["asks"]:
    sys.exit(f"tuneforge left requests unanswered: {timings}")
rust_rps = timings["asks"] / timings["generate_seconds"]
py_rps = py["requests"] / py["seconds"]
def p1(m, suite):
    return m["models"]["base"][suite]["pass_at"]["pass@1"]
figures = {
    "judge": {"programs": judge["programs"], "tuneforge_seconds": judge["seconds"], "shell_loop_seconds": shell_seconds,
              "tuneforge_programs_per_second": judge["programs"] / judge["seconds"],
              "shell_programs_per_second": judge["programs"] / shell_seconds,
              "ratio": shell_seconds / judge["seconds"]},
    "requests": {"requests": timings["asks"], "concurrency": concurrency, "max_tokens": tokens,
                 "tuneforge_seconds": timings["generate_seconds"], "asyncio_seconds": py["seconds"],
                 "tuneforge_requests_per_second": rust_rps, "asyncio_requests_per_second": py_rps,
                 "ratio": rust_rps / py_rps, "asyncio_completion_tokens": py["completion_tokens"]},
    "smollm2_135m_pass_at_1": {"drupal11_chat": p1(chat, "drupal11"), "php_exec_chat": p1(chat, "php-exec"),
                               "php_exec_completion": p1(completion, "php-exec")},
}
j, r, s = figures["judge"], figures["requests"], figures["smollm2_135m_pass_at_1"]
print(f"judge: {j['programs']} programs: tuneforge {j['tuneforge_programs_per_second']:.1f}/s, shell loop {j['shell_programs_per_second']:.1f}/s, ratio {j['ratio']:.2f}x")
print(f"requests: {r['requests']} at concurrency {concurrency}, {tokens} tokens max: tuneforge {rust_rps:.2f} req/s, asyncio {py_rps:.2f} req/s, ratio {r['ratio']:.2f}x")
print(f"SmolLM2-135M pass@1: drupal11 {s['drupal11_chat']:.3f}, php-exec chat {s['php_exec_chat']:.3f}, php-exec completion {s['php_exec_completion']:.3f}")
if out:
    json.dump(figures, open(out, "w"), indent=2)
PY
