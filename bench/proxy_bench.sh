#!/usr/bin/env bash
# Proxy overhead: CLIENTS concurrent streaming clients (REQUESTS each, one after another)
# against an OpenAI-compatible upstream whose speed is known (crates/tuneforge-proxy's
# `proxy_load upstream`: CHUNKS deltas GAP_MS apart), in the same run:
#   direct     straight to the upstream
#   tuneforge  through `tuneforge proxy` (journal on, in a scratch workspace)
#   litellm    through LiteLLM's proxy (PyPI), the reference a user would pick instead
# Reported: time to first token and to completion (p50, p99), requests per second, what
# each proxy adds to the direct figures, and answers lost or torn (there must be none; the
# tuneforge journal must hold every exchange, complete, with no damaged line).
#
#   bench/proxy_bench.sh            100 clients x 5 requests, 20 chunks 5 ms apart, release build
#   bench/proxy_bench.sh --smoke    4 clients x 2 requests, debug build, no LiteLLM (CI: it must run)
#   OUT=proxy.json bench/proxy_bench.sh    also write the figures as JSON
#
# LiteLLM is installed once into a venv under ~/.cache/tuneforge (about 800 MB).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then
  clients=4; requests=2; profile=debug
else
  clients=${CLIENTS:-100}; requests=${REQUESTS:-5}; profile=release
fi
chunks=${CHUNKS:-20}; gap_ms=${GAP_MS:-5}
LITELLM_VERSION=1.108.7

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-proxy-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

flags=(--quiet -p tuneforge-proxy --example proxy_load)
bin_flags=(--quiet -p tuneforge)
[[ $profile == release ]] && flags+=(--release) && bin_flags+=(--release)
cargo build "${flags[@]}"
cargo build "${bin_flags[@]}"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
load=$target/$profile/examples/proxy_load
tuneforge=$target/$profile/tuneforge

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The key every client sends: LiteLLM's master key (it refuses to start without one);
# tuneforge on loopback and the upstream take any.
key=sk-bench-0123456789abcdef
wait_ready() { # URL up to /v1, log file
  for _ in $(seq 1 600); do curl -sf -H "authorization: Bearer $key" "$1/models" >/dev/null 2>&1 && return 0; sleep 0.1; done
  tail -40 "$2" >&2; echo "$1 did not start" >&2; exit 1
}

"$load" upstream "$chunks" "$gap_ms" >"$work/upstream.url" 2>"$work/upstream.log" &
pids+=($!)
for _ in $(seq 1 100); do [[ -s "$work/upstream.url" ]] && break; sleep 0.05; done
upstream=$(cat "$work/upstream.url")
wait_ready "$upstream" "$work/upstream.log"

"$tuneforge" --no-progress init --preset interactions "$work/ws" >/dev/null
port=$(free_port)
"$tuneforge" --no-progress --workspace "$work/ws" proxy --listen "127.0.0.1:$port" --local "$upstream" \
  >/dev/null 2>"$work/proxy.log" &
pids+=($!)
proxy="http://127.0.0.1:$port/v1"
wait_ready "$proxy" "$work/proxy.log"

targets=(direct tuneforge)
declare -A url=([direct]=$upstream [tuneforge]=$proxy)
if (( !smoke )); then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/tuneforge"
  venv="$cache/bench-litellm-$LITELLM_VERSION"
  if [[ ! -f "$venv/.complete" ]]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    echo "installing LiteLLM $LITELLM_VERSION (once)" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" >&2
    touch "$venv/.complete"
  fi
  cat >"$work/litellm.yaml" <<EOF
model_list:
  - model_name: bench
    litellm_params:
      model: openai/bench
      api_base: $upstream
      api_key: bench
litellm_settings:
  telemetry: false
EOF
  lport=$(free_port)
  # The cost map from the package, not from the network (there is none here).
  LITELLM_MASTER_KEY=$key LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOG=ERROR \
    "$venv/bin/litellm" --config "$work/litellm.yaml" --host 127.0.0.1 --port "$lport" \
    >"$work/litellm.log" 2>&1 &
  pids+=($!)
  url[litellm]="http://127.0.0.1:$lport/v1"
  wait_ready "${url[litellm]}" "$work/litellm.log"
  targets+=(litellm)
fi

# A warm-up round for each (connections, caches), then the measured rounds, interleaved so
# that drift on the machine hits every target alike.
for t in "${targets[@]}"; do "$load" load "${url[$t]}" 4 1 "$chunks" >/dev/null; done
rounds=$(( smoke ? 1 : 3 ))
for r in $(seq 1 "$rounds"); do
  for t in "${targets[@]}"; do
    "$load" load "${url[$t]}" "$clients" "$requests" "$chunks" >"$work/$t.$r.json"
  done
done

# Every exchange through tuneforge is in its journal, complete, no line damaged.
journal_exchanges=$(( (rounds * clients * requests) + 4 ))
python3 - "$work" "$smoke" "${OUT:-}" "$rounds" "$journal_exchanges" "${targets[@]}" <<'PY'
import json, pathlib, statistics, sys
work, smoke, out, rounds, expected = pathlib.Path(sys.argv[1]), sys.argv[2] == "1", sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
targets = sys.argv[6:]
runs = {t: [json.load(open(work / f"{t}.{r}.json")) for r in range(1, rounds + 1)] for t in targets}
def median(t, *keys):
    values = []
    for run in runs[t]:
        v = run
        for k in keys:
            v = v[k]
        values.append(v)
    return statistics.median(values)
figures = {}
for t in targets:
    figures[t] = {
        "first_token_p50_ms": median(t, "first_token_ms", "p50"),
        "first_token_p99_ms": median(t, "first_token_ms", "p99"),
        "completion_p50_ms": median(t, "completion_ms", "p50"),
        "completion_p99_ms": median(t, "completion_ms", "p99"),
        "requests_per_second": median(t, "requests_per_second"),
        "lost_or_torn": sum(r["lost_or_torn"] for r in runs[t]),
    }
for t in targets:
    if t == "direct":
        continue
    for k in ["first_token_p50_ms", "first_token_p99_ms", "completion_p50_ms", "completion_p99_ms"]:
        figures[t]["added_" + k] = figures[t][k] - figures["direct"][k]

# The journal, read back as the library reads it (one JSON object per line).
lines, damaged, requests_, complete = 0, 0, {}, 0
for f in sorted((work / "ws" / "raw" / "proxy").glob("*.jsonl")):
    for line in open(f, encoding="utf-8"):
        lines += 1
        try:
            e = json.loads(line)
        except ValueError:
            damaged += 1
            continue
        if e["entry"] == "request":
            requests_[e["exchange"]] = False
        elif e["entry"] == "response" and e["ending"] == "complete":
            requests_[e["exchange"]] = True
complete = sum(requests_.values())
figures["journal"] = {"exchanges": len(requests_), "complete": complete, "damaged_lines": damaged, "expected": expected}

print(f"{'':10} {'TTFT p50':>9} {'TTFT p99':>9} {'done p50':>9} {'done p99':>9} {'req/s':>8} {'lost':>5}")
for t in targets:
    f = figures[t]
    print(f"{t:10} {f['first_token_p50_ms']:9.2f} {f['first_token_p99_ms']:9.2f} {f['completion_p50_ms']:9.2f} {f['completion_p99_ms']:9.2f} {f['requests_per_second']:8.1f} {f['lost_or_torn']:5d}")
for t in targets:
    if t == "direct":
        continue
    f = figures[t]
    print(f"{t} adds: first token p50 {f['added_first_token_p50_ms']:+.2f} ms, p99 {f['added_first_token_p99_ms']:+.2f} ms; completion p50 {f['added_completion_p50_ms']:+.2f} ms, p99 {f['added_completion_p99_ms']:+.2f} ms")
j = figures["journal"]
print(f"tuneforge journal: {j['exchanges']} exchanges ({j['expected']} sent), {j['complete']} complete, {j['damaged_lines']} damaged lines")
if out:
    json.dump(figures, open(out, "w"), indent=2)
problems = [t for t in targets if figures[t]["lost_or_torn"]]
if problems or j["damaged_lines"] or j["exchanges"] != expected or j["complete"] != expected:
    sys.exit(f"lost or torn answers ({problems}) or an incomplete journal: {j}")
PY
