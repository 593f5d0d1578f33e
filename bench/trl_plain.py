"""The plain-TRL side of bench/train_bench.sh: LoRA SFT on a messages JSONL the way a user
would write it without tuneforge (datasets + SFTTrainer + peft), timed.

    trl_plain.py MODEL_DIR TRAIN_JSONL OUT_DIR --steps N [--micro-batch 4 --grad-accum 1
        --max-length 2048 --lr 5e-3 --scheduler cosine --warmup 0.1 --seed 42
        --lora-r 16 --lora-alpha 32 --lora-dropout 0.05 --targets q_proj,k_proj,v_proj,o_proj]

The bench passes the settings tuneforge used (from its run_spec.json). Data handling is TRL
1.16's own: the `messages` column is rendered with the tokenizer's chat template and
tokenized by SFTTrainer, `assistant_only_loss=True` (TRL swaps in its Qwen2.5 training
template with `{% generation %}` tags, so only assistant turns carry a loss) and
`packing=True` with the default best-fit-decreasing strategy, which makes training
padding-free (documents concatenated, position_ids restarting per document), as
tuneforge's worker trains.

Set explicitly to match tuneforge's worker rather than SFTConfig's defaults: fp32
(`bf16=False`; SFTConfig defaults to bf16), no activation checkpointing (SFTConfig defaults
to it), no pinned memory on CPU, `data_seed=seed`.

Measurement only (not what a user writes): a callback takes the wall time from
`on_train_begin` to `on_train_end` and at each step's end, and `training_step` counts the
input tokens of each batch (all of them: padding-free batches have no padding) and the
tokens with a label.
Model, dataset and trainer set-up are timed apart. Prints one JSON object on stdout.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402
from datasets import load_dataset  # noqa: E402
from peft import LoraConfig  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback  # noqa: E402
from trl import SFTConfig, SFTTrainer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("train_jsonl")
    ap.add_argument("out_dir")
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--micro-batch", type=int, default=4)
    ap.add_argument("--grad-accum", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=2048)
    ap.add_argument("--lr", type=float, default=5e-3)
    ap.add_argument("--scheduler", default="cosine")
    ap.add_argument("--warmup", type=float, default=0.1, help="warm-up as a ratio of the steps")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--lora-r", type=int, default=16)
    ap.add_argument("--lora-alpha", type=int, default=32)
    ap.add_argument("--lora-dropout", type=float, default=0.05)
    ap.add_argument("--targets", default="q_proj,k_proj,v_proj,o_proj")
    args = ap.parse_args()
    import_s = time.perf_counter() - T_START

    # --- what a user writes ------------------------------------------------------------
    t0 = time.perf_counter()
    dataset = load_dataset("json", data_files=args.train_jsonl, split="train")
    dataset = dataset.select_columns(["messages"])
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    config = SFTConfig(
        output_dir=args.out_dir,
        max_length=args.max_length,
        packing=True,
        assistant_only_loss=True,
        per_device_train_batch_size=args.micro_batch,
        gradient_accumulation_steps=args.grad_accum,
        max_steps=args.steps,
        learning_rate=args.lr,
        lr_scheduler_type=args.scheduler,
        warmup_steps=args.warmup,
        bf16=False,
        activation_checkpointing=False,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        seed=args.seed,
        data_seed=args.seed,
        use_cpu=True,
        dataloader_pin_memory=False,
        disable_tqdm=True,
    )
    peft_config = LoraConfig(
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules=args.targets.split(","),
        bias="none",
        task_type="CAUSAL_LM",
    )

    # --- measurement -------------------------------------------------------------------
    counts = {"tokens": 0, "trained_tokens": 0}
    clock = {}

    class Clock(TrainerCallback):
        def on_train_begin(self, *a, **k):
            clock["begin"] = time.perf_counter()

        def on_step_end(self, *a, **k):
            clock.setdefault("steps", []).append((time.perf_counter(), counts["tokens"]))

        def on_train_end(self, *a, **k):
            clock["end"] = time.perf_counter()

    class CountingTrainer(SFTTrainer):
        def training_step(self, model, inputs, *a, **k):
            mask = inputs.get("attention_mask")
            counts["tokens"] += int(mask.sum()) if mask is not None else int(inputs["input_ids"].numel())
            counts["trained_tokens"] += int((inputs["labels"] != -100).sum())
            return super().training_step(model, inputs, *a, **k)

    with contextlib.redirect_stdout(sys.stderr):  # the trainer prints its logs on stdout
        trainer = CountingTrainer(
            model=model,
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=peft_config,
            callbacks=[Clock()],
        )
        setup_s = time.perf_counter() - t0
        trainer.train()
    train_s = clock["end"] - clock["begin"]
    steps = trainer.state.global_step
    losses = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    # After the first step (its one-off warm-up excluded): from its end to the last step's end.
    (t1, n1), (tn, nn) = clock["steps"][0], clock["steps"][-1]
    steady = {"steps": steps - 1, "seconds": tn - t1, "tokens": nn - n1} if steps > 1 else None
    rows = len(trainer.train_dataset)
    lengths = trainer.train_dataset["seq_lengths"] if "seq_lengths" in trainer.train_dataset.column_names else None
    documents = sum(len(x) for x in lengths) if lengths is not None else None
    print(
        json.dumps(
            {
                "steps": steps,
                "train_s": train_s,
                "steps_per_second": steps / train_s,
                "tokens": counts["tokens"],
                "trained_tokens": counts["trained_tokens"],
                "tokens_per_second": counts["tokens"] / train_s,
                "after_step_1": steady,
                "import_s": import_s,
                "setup_s": setup_s,
                "rows": rows,
                "documents": documents,
                "first_loss": losses[0] if losses else None,
                "last_loss": losses[-1] if losses else None,
                "trainable_params": trainer.model.get_nb_trainable_parameters()[0],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
