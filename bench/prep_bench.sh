#!/usr/bin/env bash
# Data prep throughput: `tuneforge prepare` (render with the chat template, tokenize, label
# the trained assistant turns, pack, write safetensors) against transformers rendering and
# tokenizing the same samples (bench/prep_transformers.py), with the same tiny Qwen2 model,
# in the same run. The ratio is tuneforge tokens/s over transformers tokens/s (above 1:
# tuneforge is faster), against both transformers passes: "template+tokenize" (no labels,
# less work than tuneforge) and "with labels" (prefix re-rendering, as tuneforge does).
#
#   bench/prep_bench.sh            20,000 samples (the quickstart train split, repeated), 3 rounds, release build
#   bench/prep_bench.sh --smoke    200 samples, 1 round, debug build (CI: it must run)
#   N=50000 ROUNDS=5 bench/prep_bench.sh    any size
#   OUT=prep.json bench/prep_bench.sh       also write the figures as JSON
#
# Timing: tuneforge is the wall time of the whole `tuneforge prepare` process (start-up,
# reading the JSONL, encoding on all cores, packing, writing). transformers is reading and
# parsing the JSONL plus the pass, in one Python process; its imports and the tokenizer load
# are excluded and reported apart. Each side's median round is reported; rounds alternate
# which side goes first.
#
# Correctness for free: in the first round every sample's input_ids and labels from
# transformers are compared with the documents tuneforge wrote (token counts per split and
# each document's ids and labels); any difference fails the bench.
#
# The tiny model (`tuneforge tiny-model`) carries Qwen2's normalizer and pre-tokenizer, as
# transformers' Qwen2 tokenizer class rebuilds them; a tokenizer that differed would fail the
# check above.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
# Where cargo puts the binary (CARGO_TARGET_DIR, a config's build.target-dir, or target/).
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
if (( smoke )); then
  n=${N:-200}; rounds=${ROUNDS:-1}
  cargo build --quiet -p tuneforge
  bin=$target/debug/tuneforge
else
  n=${N:-20000}; rounds=${ROUNDS:-3}
  cargo build --quiet --release -p tuneforge
  bin=$target/release/tuneforge
fi
max_seq_len=2048

# The worker venv: TUNEFORGE_WORKER_PYTHON (as the tests take it), else the one setup made.
py=${TUNEFORGE_WORKER_PYTHON:-$("$bin" --no-progress setup --with-tests --print-python)}
export PYTHONPATH="$PWD/python/src"
work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-prep-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Where Python writes no bytecode, each process compiles torch and transformers again: let
# this run's processes share bytecode in the temp dir instead.
if [[ -n "${PYTHONDONTWRITEBYTECODE:-}" ]]; then
  unset PYTHONDONTWRITEBYTECODE
  export PYTHONPYCACHEPREFIX="$work/pycache"
fi

"$bin" --no-progress quickstart --no-train "$work/qs" >/dev/null 2>&1
"$bin" --no-progress tiny-model --dataset "$work/qs/dataset/v1" --out "$work/model" >/dev/null 2>&1

# The train split repeated to n samples (fresh ids), no validation split.
mkdir -p "$work/data"
python3 - "$work/qs/dataset/v1/train.jsonl" "$work/data/train.jsonl" "$n" <<'PY'
import json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
with open(dst, "w", encoding="utf-8") as out:
    for i in range(n):
        s = dict(lines[i % len(lines)])
        s["id"] = f"{s['id']}-{i // len(lines)}"
        out.write(json.dumps(s, ensure_ascii=False) + "\n")
PY
: >"$work/data/valid.jsonl"

now() { date +%s.%N; }
: >"$work/tf.txt"
: >"$work/py.jsonl"
run_tf() {
  rm -rf "$work/tokens"
  local t0 t1
  t0=$(now)
  "$bin" --no-progress prepare --model "$work/model" --dataset "$work/data" --out "$work/tokens" \
    --max-seq-len "$max_seq_len" >/dev/null 2>"$work/prepare.log" || { cat "$work/prepare.log" >&2; exit 1; }
  t1=$(now)
  python3 -c "print($t1 - $t0)" >>"$work/tf.txt"
  cp "$work/tokens/tokens.json" "$work/tokens.json"
}
run_py() {
  local check=()
  [[ $1 == 1 ]] && check=(--check "$work/tokens")
  "$py" bench/prep_transformers.py "$work/model" "$work/data/train.jsonl" "${check[@]}" >>"$work/py.jsonl"
}
for r in $(seq 1 "$rounds"); do
  # The first round checks transformers against tuneforge's files, so tuneforge goes first.
  if (( r % 2 )); then run_tf; run_py "$r"; else run_py "$r"; run_tf; fi
done

python3 - "$work/tf.txt" "$work/py.jsonl" "$work/tokens.json" "$smoke" "${OUT:-}" <<'PY'
import json, statistics, sys
tf_all = [float(l) for l in open(sys.argv[1])]
py_rounds = [json.loads(l) for l in open(sys.argv[2])]
manifest = json.load(open(sys.argv[3]))
smoke, out = sys.argv[4] == "1", sys.argv[5]
train = next(s for s in manifest["splits"] if s["name"] == "train")
check = py_rounds[0]["check"]
assert check["identical"], check
tokens, samples = train["tokens"], train["samples"]
tf_s = statistics.median(tf_all)
plain_all = [r["read_s"] + r["template_tokenize_s"] for r in py_rounds]
labels_all = [r["read_s"] + r["with_labels_s"] for r in py_rounds]
plain_s, labels_s = statistics.median(plain_all), statistics.median(labels_all)
py0 = py_rounds[0]
py_tokens = py0["tokens"]  # all samples; tuneforge's leave out the ones it dropped (over-long)
fmt = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
print(f"rounds (s): tuneforge {fmt(tf_all)}; transformers template+tokenize {fmt(plain_all)}; with labels {fmt(labels_all)}")
print(f"{samples} samples, {tokens} tokens ({train['trained_tokens']} trained), same ids and labels on both sides: "
      f"{check['documents_compared']} documents compared")
print(f"tuneforge prepare packed {train['rows']} rows of at most {manifest['max_seq_len']}: "
      f"packing efficiency {train['packing_efficiency']:.1%}")
print(f"transformers import {py0['import_s']:.2f} s and tokenizer load {py0['tokenizer_load_s']:.2f} s, not counted")
print(f"{'':<36}{'seconds':>10}{'tokens/s':>12}{'samples/s':>11}")
rows = [("tuneforge prepare (whole process)", tf_s, tokens), ("transformers template+tokenize", plain_s, py_tokens),
        ("transformers with labels", labels_s, py_tokens)]
for name, s, n in rows:
    print(f"{name:<36}{s:>10.2f}{n / s:>12,.0f}{samples / s:>11,.0f}")
r_plain = (tokens / tf_s) / (py_tokens / plain_s)
r_labels = (tokens / tf_s) / (py_tokens / labels_s)
print(f"ratio (tuneforge tokens/s / transformers tokens/s): {r_labels:.2f}x with labels, "
      f"{r_plain:.2f}x against template+tokenize only")
if out:
    json.dump({
        "samples": samples, "tokens": tokens, "trained_tokens": train["trained_tokens"],
        "max_seq_len": manifest["max_seq_len"], "rows": train["rows"],
        "packing_efficiency": train["packing_efficiency"], "smoke": smoke,
        "tuneforge": {"seconds": tf_s, "tokens_per_second": tokens / tf_s, "rounds_s": tf_all},
        "transformers": {
            "tokens": py_tokens,
            "template_tokenize": {"seconds": plain_s, "tokens_per_second": py_tokens / plain_s, "rounds_s": plain_all},
            "with_labels": {"seconds": labels_s, "tokens_per_second": py_tokens / labels_s, "rounds_s": labels_all},
            "import_s": py0["import_s"], "tokenizer_load_s": py0["tokenizer_load_s"], "batch": py0["batch"],
        },
        "ratio_with_labels": r_labels, "ratio_template_tokenize": r_plain, "check": check,
    }, open(out, "w"), indent=2)
PY
