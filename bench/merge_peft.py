"""The reference and the inputs for bench/merge_bench.sh.

  merge_peft.py make OUT LAYERS HIDDEN INTERMEDIATE VOCAB [SCALE]
                                                            a random bf16 Qwen2 of that shape
                                                            (sharded at 1 GB, as hub models
                                                            are) and a rank-64 LoRA adapter on
                                                            every linear layer, in OUT/base and
                                                            OUT/adapter; SCALE multiplies the
                                                            weight matrices (default 1), so that
                                                            a random model's next-token
                                                            distribution is not near uniform
  merge_peft.py merge BASE ADAPTER OUT                      what a user writes with PEFT:
                                                            merge_and_unload + save_pretrained
"""

import sys
from pathlib import Path

import torch


def make(out: Path, layers: int, hidden: int, intermediate: int, vocab: int, scale: float = 1.0) -> None:
    import transformers
    from peft import LoraConfig, get_peft_model

    transformers.utils.logging.disable_progress_bar()
    config = transformers.Qwen2Config(
        hidden_size=hidden,
        intermediate_size=intermediate,
        num_hidden_layers=layers,
        num_attention_heads=hidden // 128 if hidden >= 128 else 2,
        num_key_value_heads=2,
        vocab_size=vocab,
        tie_word_embeddings=True,
        dtype="bfloat16",
    )
    torch.manual_seed(0)
    with torch.device("cpu"):
        model = transformers.Qwen2ForCausalLM(config).to(torch.bfloat16)
    if scale != 1.0:
        with torch.no_grad():
            for p in model.parameters():
                if p.dim() == 2:
                    p.mul_(scale)
    model.save_pretrained(out / "base", max_shard_size="1GB")
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    lora = LoraConfig(r=64, lora_alpha=64, target_modules=targets, init_lora_weights=False)
    get_peft_model(model, lora).save_pretrained(out / "adapter")


def merge(base: Path, adapter: Path, out: Path) -> None:
    import transformers
    from peft import PeftModel

    transformers.utils.logging.disable_progress_bar()
    model = transformers.AutoModelForCausalLM.from_pretrained(base, dtype=torch.bfloat16)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    merged.save_pretrained(out, max_shard_size="1GB")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(Path(sys.argv[2]), *map(int, sys.argv[3:7]), *map(float, sys.argv[7:8]))
    elif sys.argv[1] == "merge":
        merge(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
