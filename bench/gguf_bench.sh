#!/usr/bin/env bash
# GGUF export speed, memory, size and agreement: tuneforge writing a model straight from
# its safetensors to q8_0 and to Q4_K_M (crates/tuneforge-export, as `tuneforge export
# --format gguf` runs it) against what a user runs with llama.cpp: `convert_hf_to_gguf.py
# --outtype f16` then `llama-quantize` (both steps counted), on the same random bf16 Qwen2,
# in the same run. Wall time and peak RSS per tool (GNU time; the reference's peak is the
# larger of its two steps), file size, and the agreement of each file with the model:
# llama-server's next-token probabilities (top 10 at 12 positions) against transformers'
# in f32, as the largest difference and how many positions keep transformers' top token.
#
#   bench/gguf_bench.sh            a 1.5B-shaped model (28 layers, 1536 hidden, 8960
#                                  intermediate, 151936 vocab: ~3.1 GB), release build
#   bench/gguf_bench.sh --smoke    2 layers of 256, 4096 vocab, debug build (CI: it must run)
#   OUT=gguf.json bench/gguf_bench.sh    also write the figures as JSON
#
# Needs the worker venv (TUNEFORGE_WORKER_PYTHON) and llama.cpp (scripts/llama-cpp.sh:
# TUNEFORGE_LLAMA_CPP_BIN, TUNEFORGE_LLAMA_CPP_SRC).
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
llama_bin=${TUNEFORGE_LLAMA_CPP_BIN:?run scripts/llama-cpp.sh and export what it prints}
: "${TUNEFORGE_LLAMA_CPP_SRC:?run scripts/llama-cpp.sh and export what it prints}"
[[ -x /usr/bin/time ]] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-gguf-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

flags=(--quiet -p tuneforge-export --example gguf)
[[ $profile == release ]] && flags+=(--release)
cargo build "${flags[@]}"
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/$profile/examples/gguf
reference() { PYTHONPATH=python/src "$python" crates/tuneforge-export/tests/gguf_reference.py "$@"; }

export OMP_NUM_THREADS=2
"$python" bench/merge_peft.py make "$work" "${shape[@]}" 4 2>"$work/make.log" || { cat "$work/make.log" >&2; exit 1; }
reference tokenizer "$work/tokenizer" 2>>"$work/make.log"
cp "$work"/tokenizer/* "$work/base/"
reference probs "$work/base" "$work/probs.json" 2>>"$work/make.log"
# Both sides read the base from the page cache: one warm-up read of its files.
cat "$work"/base/*.safetensors >/dev/null

timed() { local name=$1; shift; /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" \
  || { tail -20 "$work/$name.err" >&2; exit 1; }; }
timed convert env PYTHONPATH=python/src "$python" crates/tuneforge-export/tests/gguf_reference.py \
  convert "$work/base" "$work/ref-f16.gguf" f16
for quant in q8_0 q4_k_m; do
  timed "ours-$quant" "$bin" "$work/base" "$work/ours-$quant.gguf" "$quant"
  timed "quantize-$quant" "$llama_bin/llama-quantize" "$work/ref-f16.gguf" "$work/ref-$quant.gguf" "${quant^^}" "$(nproc)"
  for side in ours ref; do
    reference probe "$work/$side-$quant.gguf" "$work/probe-$side-$quant.json" 2>>"$work/probe.log"
  done
done

python3 - "$work" "${OUT:-}" <<'PY'
import json, pathlib, sys
work, out = pathlib.Path(sys.argv[1]), sys.argv[2]
def timing(name):
    seconds, kb = open(work / f"{name}.time").read().split()[-2:]
    return float(seconds), int(kb) / 1024
probs = json.load(open(work / "probs.json"))["base"]
def agreement(name):
    probe = json.load(open(work / f"probe-{name}.json"))
    worst = max(abs(p - probs[i][t]) for i, top in enumerate(probe) for t, p in top)
    same_top = sum(top[0][0] == max(range(len(probs[i])), key=probs[i].__getitem__) for i, top in enumerate(probe))
    return worst, same_top, len(probe)
convert_s, convert_mb = timing("convert")
size = sum(p.stat().st_size for p in (work / "base").glob("*.safetensors")) / 1e9
figures = {"base_gb": size}
print(f"base {size * 1000:.1f} MB (bf16 safetensors)")
print(f"{'':8} {'tool':28} {'seconds':>8} {'peak MB':>8} {'size MB':>8} {'max |dp|':>9} {'top-1':>6}")
for quant in ("q8_0", "q4_k_m"):
    ours_s, ours_mb = timing(f"ours-{quant}")
    q_s, q_mb = timing(f"quantize-{quant}")
    ref_s, ref_mb = convert_s + q_s, max(convert_mb, q_mb)
    row = {}
    for side, (s, mb) in (("tuneforge", (ours_s, ours_mb)), ("llama.cpp", (ref_s, ref_mb))):
        file = work / f"{'ours' if side == 'tuneforge' else 'ref'}-{quant}.gguf"
        worst, same, n = agreement(f"{'ours' if side == 'tuneforge' else 'ref'}-{quant}")
        row[side] = {"seconds": s, "peak_rss_mb": mb, "file_mb": file.stat().st_size / 1e6, "max_prob_diff": worst, "top1_agree": same, "positions": n}
        label = "tuneforge export" if side == "tuneforge" else "convert_hf_to_gguf + quantize"
        print(f"{quant:8} {label:28} {s:8.1f} {mb:8.0f} {row[side]['file_mb']:8.1f} {worst:9.4f} {same:>3}/{n}")
    row["speedup"] = ref_s / ours_s
    row["memory_ratio"] = ref_mb / ours_mb
    print(f"{quant:8} speedup (llama.cpp s / tuneforge s): {row['speedup']:.2f}x; memory (llama.cpp / tuneforge): {row['memory_ratio']:.2f}x")
    figures[quant] = row
if out:
    json.dump(figures, open(out, "w"), indent=2)
PY
