"""The references for tests/gguf.rs: transformers, PEFT and llama.cpp's own converters.

  gguf_reference.py build OUT ARCH VARIANT
      a tiny fp32 base with a byte-level BPE tokenizer trained here (Qwen2's split), a LoRA
      adapter on every linear layer of its text model (VARIANT plain: alpha/r; patterned:
      rsLoRA with rank and alpha patterns), PEFT's merge_and_unload in OUT/peft-merged, and
      OUT/probs.json: the next-token distribution of the base and of the adapter model at
      every position of fixed token ids.
  gguf_reference.py build-wide OUT
      a tiny Qwen2 of 8 layers whose rows are whole k-quant blocks (for quantization), with
      OUT/probs.json for the base
  gguf_reference.py tokenizer OUT          the trained tokenizer alone (for bench/gguf_bench.sh)
  gguf_reference.py probs MODEL_DIR OUT.json   transformers' next-token probabilities (f32)
  gguf_reference.py convert MODEL_DIR OUT.gguf TYPE      convert_hf_to_gguf.py
  gguf_reference.py lora ADAPTER_DIR BASE_DIR OUT.gguf   convert_lora_to_gguf.py (f32)
  gguf_reference.py dump FILE.gguf OUT.json              metadata and tensors (as f32) via gguf-py
  gguf_reference.py probe MODEL.gguf OUT.json [LORA.gguf]
      llama-server (TUNEFORGE_LLAMA_CPP_BIN) serving the model (with the adapter), asked for
      the next-token probabilities after each prefix of the same ids: the top 10 per position

llama.cpp's source comes from TUNEFORGE_LLAMA_CPP_SRC (scripts/llama-cpp.sh). Run with the
worker venv's python and python/src on PYTHONPATH.
"""

import json
import math
import os
import runpy
import sys
from pathlib import Path

import torch

torch.set_num_threads(1)
IDS = [5, 40, 41, 42, 60, 61, 70, 80, 90, 100, 110, 120]
TEXTS = ["public function build(array $form, FormStateInterface $form_state) {", "Drupal 11 services and hooks", "<?php\nnamespace Drupal\\mymodule;"] * 20


def llama_src() -> Path:
    return Path(os.environ["TUNEFORGE_LLAMA_CPP_SRC"])


def train_tokenizer(out: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    split = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(split), behavior="isolated"), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(TEXTS, trainer)
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    config = {"tokenizer_class": "Qwen2TokenizerFast", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "bos_token": None, "add_prefix_space": False}
    (out / "tokenizer_config.json").write_text(json.dumps(config))
    template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    (out / "chat_template.jinja").write_text(template)


def probs(model) -> list:
    with torch.inference_mode():
        logits = model(torch.tensor([IDS])).logits.float()[0]
    return torch.softmax(logits, dim=-1).tolist()


def build(out: Path, arch: str, variant: str) -> None:
    import transformers
    from peft import LoraConfig, get_peft_model
    from tuneforge_worker.tiny import build as build_tiny

    transformers.utils.logging.disable_progress_bar()
    train_tokenizer(out / "tokenizer")
    base_dir = build_tiny(arch, out / "base", tokenizer_dir=out / "tokenizer", seed=0)
    cls = transformers.AutoModelForImageTextToText if arch == "mistral3" else transformers.AutoModelForCausalLM
    base = cls.from_pretrained(base_dir, dtype=torch.float32)
    # Larger weights than the default init: a distribution far from uniform, so that
    # llama.cpp and transformers are compared on tokens that matter.
    with torch.no_grad():
        for p in base.parameters():
            if p.dim() == 2:
                p.mul_(8.0)
    base.save_pretrained(base_dir)
    result = {"ids": IDS, "base": probs(base)}
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    if arch == "mistral3":
        targets = rf"model\.language_model\..*\.(?:{'|'.join(targets)})"
    extra = {}
    if variant == "patterned":
        extra = {"use_rslora": True, "rank_pattern": {"v_proj": 4}, "alpha_pattern": {"o_proj": 8}}
    config = LoraConfig(r=8, lora_alpha=16, target_modules=targets, init_lora_weights=False, bias="none", **extra)
    torch.manual_seed(1)
    model = get_peft_model(cls.from_pretrained(base_dir, dtype=torch.float32), config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.mul_(4.0)
    model.save_pretrained(out / "adapter")
    result["adapter"] = probs(model)
    merged = model.merge_and_unload()
    merged.save_pretrained(out / "peft-merged")
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (out / "peft-merged" / name).write_bytes((base_dir / name).read_bytes())
    (out / "probs.json").write_text(json.dumps(result))


def build_wide(out: Path) -> None:
    """A Qwen2 whose rows are whole k-quant blocks (256 values) and with enough layers for
    Q4_K_M's per-layer choices, plus the base's probabilities."""
    import transformers

    transformers.utils.logging.disable_progress_bar()
    train_tokenizer(out / "tokenizer")
    tokenizer = json.loads((out / "tokenizer" / "tokenizer.json").read_text())
    vocab = max([*tokenizer["model"]["vocab"].values(), *(t["id"] for t in tokenizer["added_tokens"])]) + 1
    torch.manual_seed(0)
    config = transformers.Qwen2Config(
        vocab_size=vocab, hidden_size=256, intermediate_size=512, num_hidden_layers=8, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=4096, tie_word_embeddings=False, eos_token_id=2,
    )
    model = transformers.Qwen2ForCausalLM(config)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() == 2:
                p.mul_(4.0)
    base = out / "base"
    model.save_pretrained(base)
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        (base / name).write_bytes((out / "tokenizer" / name).read_bytes())
    (out / "probs.json").write_text(json.dumps({"ids": IDS, "base": probs(model)}))


def run_script(script: str, args: list[str]) -> None:
    src = llama_src()
    sys.path.insert(0, str(src / "gguf-py"))
    sys.path.insert(0, str(src))
    sys.argv = [script, *args]
    if script == "convert_hf_to_gguf.py":
        # The converter names a BPE pre-tokenizer by hashing the token ids of a test text,
        # which only the published tokenizers match; this tokenizer has Qwen2's split, so
        # it is Qwen2's pre-tokenizer whatever its vocabulary.
        import conversion.base as base

        # The converter tries a SentencePiece vocabulary first and falls back to BPE when
        # there is no tokenizer.model; the worker venv has no sentencepiece to import, and
        # a module that is never used is what it needs to reach that fallback.
        import types

        sys.modules.setdefault("sentencepiece", types.SimpleNamespace(SentencePieceProcessor=None))

        base.TextModel.get_vocab_base_pre = lambda self, tokenizer: "qwen2"
    runpy.run_path(str(src / script), run_name="__main__")


def dump(path: Path, out: Path) -> None:
    sys.path.insert(0, str(llama_src() / "gguf-py"))
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize

    reader = GGUFReader(path)
    meta = {}
    for field in reader.fields.values():
        if field.name.startswith("GGUF."):
            continue
        value = field.contents()
        meta[field.name] = value
    tensors = {}
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        tensors[t.name] = {"shape": [int(d) for d in reversed(t.shape.tolist())], "type": t.tensor_type.name, "values": values.tolist()}
    out.write_text(json.dumps({"metadata": meta, "tensors": tensors}))


def probe(model: Path, out: Path, lora: Path | None) -> None:
    import socket
    import subprocess
    import time
    import urllib.request

    sys.path.insert(0, str(llama_src() / "gguf-py"))
    from gguf import GGUFReader

    # The server parses what it generates as text, and a lone byte of a UTF-8 sequence
    # fails that parse: every request is biased to generate the plain token "a". The
    # probabilities it reports are the raw logits', before any bias.
    tokens = GGUFReader(model).fields["tokenizer.ggml.tokens"].contents()
    safe = tokens.index("a")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [str(Path(os.environ["TUNEFORGE_LLAMA_CPP_BIN"]) / "llama-server"), "-m", str(model), "--host", "127.0.0.1", "--port", str(port), "-c", "256", "-t", "1", "--no-webui"]
    if lora is not None:
        args += ["--lora", str(lora)]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"llama-server exited: {server.stderr.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise SystemExit("llama-server did not become ready in 60 s")
            time.sleep(0.2)
        positions = []
        for n in range(1, len(IDS) + 1):
            body = {"prompt": IDS[:n], "n_predict": 1, "n_probs": 10, "temperature": 0, "post_sampling_probs": False, "cache_prompt": False, "logit_bias": [[safe, 1000]]}
            request = urllib.request.Request(url + "/completion", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as r:
                answer = json.load(r)
            top = answer["completion_probabilities"][0]["top_logprobs"]
            positions.append([[t["id"], math.exp(t["logprob"])] for t in top])
        out.write_text(json.dumps(positions))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    command = sys.argv[1]
    if command == "build":
        build(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    elif command == "tokenizer":
        train_tokenizer(Path(sys.argv[2]))
    elif command == "probs":
        import transformers

        transformers.utils.logging.disable_progress_bar()
        model = transformers.AutoModelForCausalLM.from_pretrained(sys.argv[2], dtype=torch.float32)
        Path(sys.argv[3]).write_text(json.dumps({"ids": IDS, "base": probs(model)}))
    elif command == "build-wide":
        build_wide(Path(sys.argv[2]))
    elif command == "convert":
        model, out, outtype = sys.argv[2:5]
        run_script("convert_hf_to_gguf.py", [model, "--outfile", out, "--outtype", outtype])
    elif command == "lora":
        adapter, base, out = sys.argv[2:5]
        run_script("convert_lora_to_gguf.py", [adapter, "--base", base, "--outfile", out, "--outtype", "f32"])
    elif command == "probe":
        probe(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif command == "dump":
        dump(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main()
