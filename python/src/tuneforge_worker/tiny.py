"""Tiny models built from a config: what the tests and the quickstart train on a CPU.

Real architectures (Qwen2, Mistral, Ministral3, and Mistral3 with a vision tower) at a few
hundred thousand parameters, initialized from a seed, saved with ``save_pretrained`` as
safetensors. With ``--tokenizer DIR`` the vocabulary matches that tokenizer and its files
(tokenizer.json, tokenizer_config.json, chat_template.jinja) are copied beside the weights,
so the directory is a complete model any Hugging Face tool loads.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

ARCHITECTURES = ("qwen2", "mistral", "ministral3", "mistral3")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")

_TEXT = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "head_dim": 16,
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
}


def _token_ids(tokenizer_dir: Path | None, vocab_size: int) -> dict[str, Any]:
    if tokenizer_dir is None:
        return {"vocab_size": vocab_size}
    tokenizer = json.loads((tokenizer_dir / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    ids = {t["content"]: t["id"] for t in tokenizer.get("added_tokens", [])}
    ids.update(tokenizer["model"]["vocab"])
    size = max(ids.values()) + 1
    found: dict[str, Any] = {"vocab_size": size}
    for key in ("eos_token", "pad_token", "bos_token"):
        token = config.get(key)
        if isinstance(token, dict):
            token = token.get("content")
        if isinstance(token, str) and token in ids:
            found[f"{key}_id"] = ids[token]
    return found


def _yarn(text: dict[str, Any]) -> dict[str, Any]:
    # Ministral3's default YaRN RoPE scales 16384 positions by 16: keep the context length
    # consistent with it, or transformers warns about the ratio.
    return {**text, "max_position_embeddings": 16384 * 16}


def build(arch: str, out: Path, *, vocab_size: int = 256, tokenizer_dir: Path | None = None, seed: int = 0) -> Path:
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()

    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown tiny architecture {arch!r}; one of {', '.join(ARCHITECTURES)}")
    text = {**_TEXT, **_token_ids(tokenizer_dir, vocab_size)}
    torch.manual_seed(seed)
    if arch == "qwen2":
        model = transformers.Qwen2ForCausalLM(transformers.Qwen2Config(**text))
    elif arch == "mistral":
        model = transformers.MistralForCausalLM(transformers.MistralConfig(**text))
    elif arch == "ministral3":
        model = transformers.Ministral3ForCausalLM(transformers.Ministral3Config(**_yarn(text)))
    else:
        vision = transformers.PixtralVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            head_dim=16,
            image_size=32,
            patch_size=8,
        )
        config = transformers.Mistral3Config(
            text_config=transformers.Ministral3Config(**_yarn(text)),
            vision_config=vision,
            spatial_merge_size=1,
        )
        model = transformers.Mistral3ForConditionalGeneration(config)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    if tokenizer_dir is not None:
        for name in TOKENIZER_FILES:
            source, target = tokenizer_dir / name, out / name
            if source.is_file() and not (target.exists() and source.samefile(target)):
                shutil.copyfile(source, target)
    return out
