"""The reference for tests/merge.rs: PEFT itself.

  peft_reference.py build OUT ARCH VARIANT   a tiny bf16 base (sharded), a LoRA adapter on
                                             every linear layer of its text model, PEFT's
                                             merge_and_unload saved to OUT/peft-merged, and
                                             the adapter model's logits on fixed ids
  peft_reference.py logits MODEL_DIR OUT     the logits of a (merged) model on the same ids

VARIANT: plain (alpha / r) or patterned (rsLoRA with rank and alpha patterns).
Run with the worker venv's python and python/src on PYTHONPATH.
"""

import json
import sys
from pathlib import Path

import torch

torch.set_num_threads(1)
IDS = [[1, 5, 9, 14, 20, 33, 41, 2, 7, 60, 3, 88]]


def logits(model) -> list:
    with torch.inference_mode():
        return model(torch.tensor(IDS)).logits.float().tolist()


def build(out: Path, arch: str, variant: str) -> None:
    import transformers
    from peft import LoraConfig, get_peft_model
    from tuneforge_worker.tiny import build as build_tiny

    transformers.utils.logging.disable_progress_bar()
    fp32 = build_tiny(arch, out / "fp32", vocab_size=96, seed=0)
    cls = transformers.AutoModelForImageTextToText if arch == "mistral3" else transformers.AutoModelForCausalLM
    base = cls.from_pretrained(fp32, dtype=torch.bfloat16)
    # Small shards: the merge must follow the index across files.
    base.save_pretrained(out / "base", max_shard_size="40KB")
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    if arch == "mistral3":
        names = "|".join(targets)
        targets = rf"model\.language_model\..*\.(?:{names})"
    extra = {}
    if variant == "patterned":
        extra = {"use_rslora": True, "rank_pattern": {"v_proj": 4, "layers.1.mlp.down_proj": 2}, "alpha_pattern": {"o_proj": 8}}
    config = LoraConfig(r=8, lora_alpha=16, target_modules=targets, init_lora_weights=False, bias="none", **extra)
    torch.manual_seed(1)
    model = get_peft_model(cls.from_pretrained(out / "base", dtype=torch.bfloat16), config)
    model.save_pretrained(out / "adapter")
    (out / "adapter-logits.json").write_text(json.dumps(logits(model)))
    merged = model.merge_and_unload()
    merged.save_pretrained(out / "peft-merged", max_shard_size="40KB")


def main() -> None:
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "logits":
        import transformers

        model_dir = Path(sys.argv[2])
        config = json.loads((model_dir / "config.json").read_text())
        cls = transformers.AutoModelForImageTextToText if "vision_config" in config else transformers.AutoModelForCausalLM
        model = cls.from_pretrained(model_dir, dtype=torch.bfloat16)
        Path(sys.argv[3]).write_text(json.dumps(logits(model)))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")


if __name__ == "__main__":
    main()
