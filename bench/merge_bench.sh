#!/usr/bin/env bash
# Merge speed and memory: tuneforge's streaming merge (crates/tuneforge-export, as
# `tuneforge export` runs it) against what a user writes with PEFT (`merge_and_unload` +
# `save_pretrained`, bench/merge_peft.py), on the same random bf16 Qwen2 and the same
# rank-64 adapter on every linear layer, in the same run. Wall time and peak RSS of each
# process (GNU time); ratios are PEFT over tuneforge (above 1: tuneforge is better).
# tuneforge's RSS counts the pages of the memory-mapped shards it touched (file-backed,
# which the kernel can drop); PEFT's is the model in anonymous memory.
#
#   bench/merge_bench.sh            a 1.5B-shaped model (28 layers, 1536 hidden, 8960
#                                   intermediate, 151936 vocab: ~3.1 GB), release build
#   bench/merge_bench.sh --smoke    2 layers of 256, 4096 vocab, debug build (CI: it must run)
#   OUT=merge.json bench/merge_bench.sh    also write the figures as JSON
#
# Needs the worker venv (`tuneforge setup --with-tests`; TUNEFORGE_WORKER_PYTHON).
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then
  shape=(2 256 512 4096); profile=debug
else
  shape=(28 1536 8960 151936); profile=release
fi
python=${TUNEFORGE_WORKER_PYTHON:?set TUNEFORGE_WORKER_PYTHON to the worker venv python (tuneforge setup --with-tests --print-python)}
[[ -x /usr/bin/time ]] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-merge-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

flags=(--quiet -p tuneforge-export --example merge)
[[ $profile == release ]] && flags+=(--release)
cargo build "${flags[@]}"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/$profile/examples/merge

export OMP_NUM_THREADS=2
"$python" bench/merge_peft.py make "$work" "${shape[@]}" 2>"$work/make.log" || { cat "$work/make.log" >&2; exit 1; }
# The base is read from the page cache by both sides: one warm-up read of its files.
cat "$work"/base/*.safetensors >/dev/null

/usr/bin/time -f '%e %M' -o "$work/rust.time" "$bin" "$work/base" "$work/adapter" "$work/rust" >"$work/rust.json"
/usr/bin/time -f '%e %M' -o "$work/peft.time" "$python" bench/merge_peft.py merge "$work/base" "$work/adapter" "$work/peft" 2>"$work/peft.log" \
  || { cat "$work/peft.log" >&2; exit 1; }

python3 - "$work" "$smoke" "${OUT:-}" <<'PY'
import json, pathlib, sys
work, smoke, out = pathlib.Path(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
def timing(name):
    seconds, kb = open(work / f"{name}.time").read().split()[-2:]
    return float(seconds), int(kb) / 1024
rust_s, rust_mb = timing("rust")
peft_s, peft_mb = timing("peft")
report = json.load(open(work / "rust.json"))
size = sum(p.stat().st_size for p in (work / "base").glob("*.safetensors")) / 1e9
figures = {"base_gb": size, "shards": report["shards"], "merged_weights": report["merged"],
           "tuneforge": {"seconds": rust_s, "peak_rss_mb": rust_mb},
           "peft": {"seconds": peft_s, "peak_rss_mb": peft_mb},
           "speedup": peft_s / rust_s, "memory_ratio": peft_mb / rust_mb}
print(f"base {size:.2f} GB in {report['shards']} shard(s), {report['merged']} adapted weights")
print(f"tuneforge  {rust_s:7.1f} s  peak RSS {rust_mb:8.0f} MB")
print(f"PEFT       {peft_s:7.1f} s  peak RSS {peft_mb:8.0f} MB")
print(f"speedup (PEFT s / tuneforge s): {figures['speedup']:.2f}x; memory (PEFT / tuneforge): {figures['memory_ratio']:.2f}x")
if out:
    json.dump(figures, open(out, "w"), indent=2)
PY
