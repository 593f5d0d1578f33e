"""``score``: the loss of the tiny Qwen2 (with and without an adapter) over a token file,
checked against a plain per-document forward loop; batch-size invariance; errors."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import PAD, of, parse_stdout, synthetic_rows, worker_env, write_spec, write_tokens
from tuneforge_worker.events import Events
from tuneforge_worker.score import execute, parse_spec

Rows = list[list[tuple[list[int], list[int]]]]


@pytest.fixture(scope="module")
def rows() -> Rows:
    """Packed rows of scored documents, plus a row of documents that count for nothing: one
    without labels, one whose only label is on its first position (nothing predicts it), and
    a one-token document."""
    extra = [([5, 6, 7, 8, 9], [-100] * 5), ([3, 4, 5], [3, -100, -100]), ([11], [11])]
    return synthetic_rows(5, seed=3) + [extra]


@pytest.fixture(scope="module")
def data_file(tmp_path_factory: pytest.TempPathFactory, rows: Rows) -> Path:
    return write_tokens(tmp_path_factory.mktemp("score") / "valid.safetensors", rows)


@pytest.fixture(scope="module")
def adapter_dir(tmp_path_factory: pytest.TempPathFactory, tiny_qwen2: Path) -> Path:
    """A LoRA adapter with random (not zero) B matrices, so it changes the model's output."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(str(tiny_qwen2), dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    out = tmp_path_factory.mktemp("adapter")
    get_peft_model(base, config).save_pretrained(str(out))
    return out


def spec(model_dir: Path, data: Path, **overrides: Any) -> dict[str, Any]:
    return {
        "protocol": 1,
        "model_dir": str(model_dir),
        "adapter_dir": None,
        "data": str(data),
        "batch_size": 3,
        "pad_token_id": PAD,
        "bf16": False,
        "load_in_4bit": False,
        **overrides,
    }


def score_in_process(document: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    stream = io.StringIO()
    code = execute(parse_spec(document), Events(stream))
    return code, parse_stdout(stream.getvalue())


def expected(model_dir: Path, rows: Rows, adapter_dir: Path | None = None) -> tuple[float, int, int]:
    """(loss, tokens, documents) by hand: one unpadded forward per document, float64 log-softmax."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    total, tokens, documents = 0.0, 0, 0
    with torch.no_grad():
        for row in rows:
            for ids, labels in row:
                targets = torch.tensor(labels[1:])
                keep = targets != -100
                if not keep.any():
                    continue
                log_probs = torch.log_softmax(model(torch.tensor([ids])).logits[0, :-1].double(), dim=-1)
                total -= float(log_probs[keep].gather(1, targets[keep, None]).sum())
                tokens += int(keep.sum())
                documents += 1
    return total / tokens, tokens, documents


def test_the_command_matches_a_per_document_forward_loop(
    tmp_path: Path, tiny_qwen2: Path, data_file: Path, rows: Rows
) -> None:
    spec_path = write_spec(tmp_path / "score_spec.json", spec(tiny_qwen2, data_file))
    command = [sys.executable, "-m", "tuneforge_worker", "score", "--spec", str(spec_path)]
    result = subprocess.run(command, env=worker_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    events = parse_stdout(result.stdout)  # every stdout line is a valid event
    assert [e["event"] for e in events] == ["scored"]
    scored = events[0]
    loss, tokens, documents = expected(tiny_qwen2, rows)
    assert abs(scored["loss"] - loss) < 1e-5
    assert (scored["tokens"], scored["documents"]) == (tokens, documents)
    # The extra row adds no document and no token: its only labels cannot be predicted.
    assert documents == sum(len(row) for row in rows[:-1])
    assert tokens == sum(len(labels) - 4 for row in rows[:-1] for _, labels in row)
    assert scored["perplexity"] == pytest.approx(math.exp(scored["loss"]), rel=1e-12)


def test_the_batch_size_does_not_change_the_score(tiny_qwen2: Path, data_file: Path) -> None:
    scores = []
    for batch_size in (1, 4):
        code, events = score_in_process(spec(tiny_qwen2, data_file, batch_size=batch_size))
        assert code == 0
        scores.append(of(events, "scored")[0])
    one, four = scores
    assert abs(one["loss"] - four["loss"]) < 1e-5
    assert (one["tokens"], one["documents"]) == (four["tokens"], four["documents"])


def test_an_adapter_changes_the_loss(tiny_qwen2: Path, data_file: Path, rows: Rows, adapter_dir: Path) -> None:
    _, base = score_in_process(spec(tiny_qwen2, data_file))
    code, adapted = score_in_process(spec(tiny_qwen2, data_file, adapter_dir=str(adapter_dir)))
    assert code == 0
    base_loss, adapted_loss = base[0]["loss"], adapted[0]["loss"]
    assert abs(adapted_loss - base_loss) > 1e-3
    assert abs(adapted_loss - expected(tiny_qwen2, rows, adapter_dir)[0]) < 1e-5


def test_errors_have_their_kind_and_exit_code(tmp_path: Path, tiny_qwen2: Path, data_file: Path) -> None:
    unknown = spec(tiny_qwen2, data_file, max_length=128)
    not_tokens = tmp_path / "notes.safetensors"
    not_tokens.write_text("not a token file", encoding="utf-8")
    cases = [
        (unknown, "config", 2, "max_length"),
        (spec(tiny_qwen2, data_file, protocol=2), "config", 2, "protocol"),
        (spec(tiny_qwen2, data_file, batch_size=0), "config", 2, "batch_size"),
        (spec(tiny_qwen2, not_tokens), "data", 4, str(not_tokens)),
    ]
    for document, kind, exit_code, named in cases:
        stream = io.StringIO()
        # Through the spec file, as the command reads it: a bad spec is reported, not raised.
        code = execute(write_spec(tmp_path / "score_spec.json", document), Events(stream))
        events = parse_stdout(stream.getvalue())
        assert [e["event"] for e in events] == ["error"], document
        assert (events[0]["kind"], code, events[0]["step"]) == (kind, exit_code, None)
        assert named in events[0]["message"]

