#!/usr/bin/env bash
# CPU training speed: `tuneforge train` (Rust prep, then the worker's SFTTrainer on the
# packed rows) against a plain TRL script (bench/trl_plain.py: datasets + SFTTrainer with
# packing + peft LoRA) on the same tiny Qwen2, the same data and the same settings, in the
# same run. Both steps/s and tokens/s are reported (the two sides may pack rows differently)
# and the ratios are tuneforge over TRL (above 1: tuneforge is faster).
#
#   bench/train_bench.sh            30 steps, micro-batch 4, release build (about 11 minutes on a busy 2-core machine)
#   bench/train_bench.sh --smoke    3 steps, micro-batch 1, 64 samples, debug build (CI: it must run)
#   STEPS=10 MICRO_BATCH=2 bench/train_bench.sh    other sizes
#   OUT=train.json bench/train_bench.sh            also write the figures as JSON
#
# Data: the quickstart train split (its first 64 samples in --smoke), no validation split.
# Settings: LoRA r 16, alpha 32, grad-accum 1, max length 2048, lr 0.005, the rest is what
# `tuneforge train` chose (read back from its run_spec.json and given to the TRL script:
# LoRA dropout and target modules, scheduler, warm-up, seed). fp32 on CPU on both sides.
#
# Timing excludes start-up, data prep and model load on both sides: tuneforge from its
# `started` to its `finished` event (metrics.jsonl; `finished` comes after the final
# checkpoint and adapter are saved), TRL from on_train_begin to on_train_end (it saves
# nothing). Tokens are input tokens fed to the model (no padding on either side).
#
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
if (( smoke )); then
  steps=${STEPS:-3}; micro_batch=${MICRO_BATCH:-1}; samples=64
  cargo build --quiet -p tuneforge
  bin=target/debug/tuneforge
else
  steps=${STEPS:-30}; micro_batch=${MICRO_BATCH:-4}; samples=0
  cargo build --quiet --release -p tuneforge
  bin=target/release/tuneforge
fi

py=$("$bin" --no-progress setup --with-tests --print-python)
export PYTHONPATH="$PWD/python/src"
work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-train-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Where Python writes no bytecode, each process compiles torch and transformers again: let
# this run's processes share bytecode in the temp dir instead.
if [[ -n "${PYTHONDONTWRITEBYTECODE:-}" ]]; then
  unset PYTHONDONTWRITEBYTECODE
  export PYTHONPYCACHEPREFIX="$work/pycache"
fi

ws="$work/qs"
"$bin" --no-progress quickstart --no-train "$ws" >/dev/null 2>&1
"$bin" --no-progress tiny-model --dataset "$ws/dataset/v1" --out "$work/model" >/dev/null 2>&1

data="$work/data"
mkdir -p "$data"
if (( samples )); then head -n "$samples" "$ws/dataset/v1/train.jsonl" >"$data/train.jsonl"
else cp "$ws/dataset/v1/train.jsonl" "$data/train.jsonl"; fi
: >"$data/valid.jsonl"

"$bin" --no-progress --workspace "$ws" train --model "$work/model" --dataset "$data" \
  --max-steps "$steps" --micro-batch "$micro_batch" --grad-accum 1 --max-seq-len 2048 \
  --lora-r 16 --lora-alpha 32 --learning-rate 0.005 --eval-every 0 --save-every 0 --json \
  >"$work/train.json" 2>"$work/train.log" || { tail -30 "$work/train.log" >&2; exit 1; }
run_dir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_dir"])' "$work/train.json")
[[ "$run_dir" = /* ]] || run_dir="$PWD/$run_dir"

# The TRL script gets exactly the settings tuneforge used.
mapfile -t trl_args < <(python3 - "$run_dir/run_spec.json" "$run_dir/run.json" <<'PY'
import json, sys
spec, run = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
lora = spec["lora"]
if spec["bf16"] or spec["load_in_4bit"] or spec["gradient_checkpointing"]:
    sys.exit(f"tuneforge chose bf16/4-bit/checkpointing, which trl_plain.py does not mirror: {spec}")
for flag, value in [
    ("--steps", spec["max_steps"]), ("--micro-batch", spec["micro_batch"]),
    ("--grad-accum", spec["grad_accum"]), ("--max-length", run["settings"]["max_seq_len"]),
    ("--lr", spec["learning_rate"]), ("--scheduler", spec["lr_scheduler"]),
    ("--warmup", spec["warmup_ratio"]), ("--seed", spec["seed"]),
    ("--lora-r", lora["r"]), ("--lora-alpha", lora["alpha"]), ("--lora-dropout", lora["dropout"]),
    ("--targets", ",".join(lora["target_modules"])),
]:
    print(flag)
    print(value)
PY
)
"$py" bench/trl_plain.py "$work/model" "$data/train.jsonl" "$work/trl-out" "${trl_args[@]}" \
  >"$work/trl.json" 2>"$work/trl.log" || { tail -30 "$work/trl.log" >&2; exit 1; }

python3 - "$run_dir/metrics.jsonl" "$run_dir/tokens/tokens.json" "$work/trl.json" "$smoke" "${OUT:-}" \
  "${trl_args[*]}" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tokens_manifest = json.load(open(sys.argv[2]))
trl = json.load(open(sys.argv[3]))
smoke, out, settings = sys.argv[4] == "1", sys.argv[5], sys.argv[6]
started = next(e for e in events if e["event"] == "started")
finished = next((e for e in events if e["event"] == "finished"), None)
if finished is None:
    sys.exit("tuneforge train did not finish: " + json.dumps(events[-1]))
step_events = [e for e in events if e["event"] == "step"]
steps = finished["step"]
tf_s = finished["time"] - started["time"]
train = next(s for s in tokens_manifest["splits"] if s["name"] == "train")
tf = {
    "steps": steps, "train_s": tf_s, "steps_per_second": steps / tf_s,
    "tokens": step_events[-1]["tokens"], "tokens_per_second": step_events[-1]["tokens"] / tf_s,
    "rows": train["rows"], "documents": train["encoded"],
    "first_loss": step_events[0]["loss"], "last_loss": step_events[-1]["loss"],
    "trainable_params": started["trainable_params"],
    "after_step_1": {
        "steps": steps - 1, "seconds": step_events[-1]["time"] - step_events[0]["time"],
        "tokens": step_events[-1]["tokens"] - step_events[0]["tokens"],
    } if steps > 1 else None,
}
if trl["steps"] != steps:
    sys.exit(f"step counts differ: tuneforge {steps}, TRL {trl['steps']}")
print(f"settings (from tuneforge's run_spec.json): {settings}")
print(f"tuneforge: {tf['documents']} documents in {tf['rows']} rows; TRL: {trl['documents']} documents in {trl['rows']} rows")
print(f"trainable parameters: tuneforge {tf['trainable_params']}, TRL {trl['trainable_params']}")
print(f"loss first/last step: tuneforge {tf['first_loss']:.4f}/{tf['last_loss']:.4f}, "
      f"TRL {trl['first_loss']:.4f}/{trl['last_loss']:.4f}")
print(f"{'':<12}{'steps':>7}{'seconds':>10}{'steps/s':>10}{'tokens':>10}{'tokens/s':>10}")
for name, r in [("tuneforge", tf), ("TRL", trl)]:
    print(f"{name:<12}{r['steps']:>7}{r['train_s']:>10.1f}{r['steps_per_second']:>10.4f}"
          f"{r['tokens']:>10}{r['tokens_per_second']:>10.0f}")
steps_ratio = tf["steps_per_second"] / trl["steps_per_second"]
tokens_ratio = tf["tokens_per_second"] / trl["tokens_per_second"]
print(f"ratio tuneforge / TRL: {steps_ratio:.2f}x steps/s, {tokens_ratio:.2f}x tokens/s")
steady = None
if tf["after_step_1"] and trl["after_step_1"]:
    a, b = tf["after_step_1"], trl["after_step_1"]
    for r in (a, b):
        r["steps_per_second"] = r["steps"] / r["seconds"]
        r["tokens_per_second"] = r["tokens"] / r["seconds"]
    steady = {"steps_per_second": a["steps_per_second"] / b["steps_per_second"],
              "tokens_per_second": a["tokens_per_second"] / b["tokens_per_second"]}
    print(f"after step 1 (warm-up left out): tuneforge {a['steps_per_second']:.4f} steps/s "
          f"{a['tokens_per_second']:.0f} tokens/s, TRL {b['steps_per_second']:.4f} steps/s "
          f"{b['tokens_per_second']:.0f} tokens/s; ratio {steady['steps_per_second']:.2f}x steps/s, "
          f"{steady['tokens_per_second']:.2f}x tokens/s")
if out:
    json.dump({"smoke": smoke, "settings": settings, "tuneforge": tf, "trl": trl,
               "ratio_steps_per_second": steps_ratio, "ratio_tokens_per_second": tokens_ratio,
               "ratio_after_step_1": steady},
              open(out, "w"), indent=2)
PY
