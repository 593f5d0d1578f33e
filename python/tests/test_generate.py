"""``generate``: answers from a tiny Qwen2 with a real (byte-level BPE) tokenizer, checked
against plain unbatched ``model.generate``; resume, adapters, stop strings, errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from conftest import of, parse_stdout, worker_env

PAD, EOS = 0, 1
PROMPTS = [
    "the quick brown fox",
    "hello",
    "stop strings cut the answer",
    "a tiny model",
    "jumps over the lazy dog, twice",
    "tests",
    "the end",
]


# --- fixtures ------------------------------------------------------------------------------


def write_tokenizer(out: Path) -> Path:
    """A byte-level BPE over printable ASCII with a few merges, <pad> = 0 and </s> = 1 (EOS).
    Built from an explicit vocabulary, not trained, so it is the same in every run."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    chars = ["Ġ"] + [chr(b) for b in range(33, 127)]  # ByteLevel shows the space byte as Ġ
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("o", "u"), ("e", "r")]
    vocab = {"<pad>": PAD, "</s>": EOS}
    for token in chars + ["".join(pair) for pair in merges]:
        vocab[token] = len(vocab)
    backend = Tokenizer(models.BPE(vocab=vocab, merges=merges))
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>")
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from safetensors.torch import load_file, save_file

    from tuneforge_worker.tiny import build

    root = tmp_path_factory.mktemp("generate")
    out = build("qwen2", root / "model", tokenizer_dir=write_tokenizer(root / "tokenizer"), seed=0)
    # The random model never picks EOS for these prompts: tripling EOS's output row makes it
    # end some answers (after 2 to 8 tokens) and not others, so both finish reasons occur.
    weights = load_file(str(out / "model.safetensors"))
    weights["lm_head.weight"][EOS] *= 3
    save_file(weights, str(out / "model.safetensors"), metadata={"format": "pt"})
    return out


@pytest.fixture(scope="module")
def tokenizer(model_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(model_dir))


def requests(tokenizer: Any, **overrides: Any) -> list[dict[str, Any]]:
    """Two (seed, max_new_tokens) groups, prompts of different lengths (so left padding matters)."""
    out = []
    for i, prompt in enumerate(PROMPTS):
        ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        out.append({"id": f"r{i}", "input_ids": ids, "max_new_tokens": 16 if i % 2 else 10, "stop": [], "seed": i % 2})
        out[-1].update(overrides)
    return out


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def make_spec(tmp_path: Path, model: Path, rows: list[dict[str, Any]], **overrides: Any) -> Path:
    spec = {
        "protocol": 1,
        "model_dir": str(model),
        "adapter_dir": None,
        "requests": str(write_jsonl(tmp_path / "requests.jsonl", rows)),
        "output": str(tmp_path / "answers.jsonl"),
        "batch_size": 3,
        "temperature": 0.0,
        "top_p": 1.0,
        "pad_token_id": PAD,
        "bf16": False,
        "load_in_4bit": False,
        **overrides,
    }
    path = tmp_path / "generate_spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def run_in_process(spec_path: Path) -> tuple[int, list[dict[str, Any]]]:
    from tuneforge_worker.events import Events
    from tuneforge_worker.generate import execute

    stream = io.StringIO()
    code = execute(spec_path, Events(stream))
    return code, parse_stdout(stream.getvalue())


def run_subprocess(spec_path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tuneforge_worker", "generate", "--spec", str(spec_path)]
    return subprocess.run(command, env=worker_env(), capture_output=True, text=True, timeout=300)


def answers_from(lines: list[str]) -> dict[str, dict[str, Any]]:
    """The answers by id; every line must parse and no id may repeat."""
    rows = [json.loads(line) for line in lines]
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == len(rows)
    return by_id


def answers(path: Path) -> dict[str, dict[str, Any]]:
    return answers_from(path.read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def base(model_dir: Path, tokenizer: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The greedy answers of the base model, generated once in this process."""
    tmp = tmp_path_factory.mktemp("base")
    code, events = run_in_process(make_spec(tmp, model_dir, requests(tokenizer)))
    assert code == 0, events
    return tmp / "answers.jsonl"


# --- tests ---------------------------------------------------------------------------------


def test_greedy_answers_match_unbatched_generate_and_are_deterministic(
    tmp_path: Path, model_dir: Path, tokenizer: Any, base: Path
) -> None:
    from transformers import AutoModelForCausalLM

    rows = requests(tokenizer)
    result = run_subprocess(make_spec(tmp_path, model_dir, rows))
    assert result.returncode == 0, result.stderr[-3000:]
    events = parse_stdout(result.stdout)  # nothing but valid events on stdout
    generated = of(events, "generated")
    assert [e["event"] for e in events] == ["generation_started"] + ["generated"] * 3 + ["generation_finished"]
    assert events[0]["device"] == "cpu" and events[0]["total"] == len(rows)
    # Groups (seed 0, 10 tokens) x4 and (seed 1, 16 tokens) x3 in batches of 3: 3 + 1 + 3.
    assert [(e["done"], e["total"]) for e in generated] == [(3, 7), (4, 7), (7, 7)]
    assert events[-1]["generated"] == len(rows)
    # Another process, the same bytes.
    assert (tmp_path / "answers.jsonl").read_bytes() == base.read_bytes()

    got = answers(base)
    assert sorted(got) == sorted(r["id"] for r in rows)
    assert generated[-1]["new_tokens"] == sum(a["new_tokens"] for a in got.values())
    # Each answer is what plain, unbatched, unpadded greedy generate gives for its prompt.
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    for request in rows:
        answer = got[request["id"]]
        ids = torch.tensor([request["input_ids"]])
        with torch.inference_mode():
            out = model.generate(
                ids, attention_mask=torch.ones_like(ids), max_new_tokens=request["max_new_tokens"], do_sample=False,
                eos_token_id=EOS, pad_token_id=PAD,
            )[0, ids.shape[1] :].tolist()  # fmt: skip
        if EOS in out:
            expected, reason = out[: out.index(EOS) + 1], "stop"
        else:
            expected, reason = out, "length"
            assert len(out) == request["max_new_tokens"]
        assert answer == {
            "id": request["id"],
            "text": tokenizer.decode(expected, skip_special_tokens=True),
            "new_tokens": len(expected),
            "finish_reason": reason,
        }
    # The fixed tiny model ends some answers with EOS and runs others to the limit: both paths are covered.
    assert {a["finish_reason"] for a in got.values()} == {"stop", "length"}, got


def test_resume_skips_answered_ids_and_survives_a_torn_line(
    tmp_path: Path, model_dir: Path, tokenizer: Any, base: Path
) -> None:
    rows = requests(tokenizer)
    output = tmp_path / "answers.jsonl"
    seeded = {"id": "r3", "text": "from an earlier run", "new_tokens": 2, "finish_reason": "stop"}
    # A run killed mid-write: one answer made it, the next line is torn (no newline).
    output.write_text(json.dumps(seeded) + "\n" + '{"id": "r5", "text": "ha', encoding="utf-8")
    code, events = run_in_process(make_spec(tmp_path, model_dir, rows))
    assert code == 0, events
    assert events[0]["event"] == "generation_started" and events[0]["total"] == len(rows) - 1
    assert events[-1] == {**events[-1], "event": "generation_finished", "generated": len(rows) - 1}

    lines = output.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == [json.dumps(seeded), '{"id": "r5", "text": "ha'] and lines[-1] == ""
    got = answers_from(lines[2:-1])
    expected = answers(base)
    assert got == {id_: answer for id_, answer in expected.items() if id_ != "r3"}  # r5 again, r3 not

    # Everything answered: nothing to do, the model is not even loaded.
    before = output.read_bytes()
    code, events = run_in_process(make_spec(tmp_path, model_dir, rows))
    assert code == 0 and [(e["event"], e.get("total")) for e in events] == [
        ("generation_started", 0),
        ("generation_finished", None),
    ]
    assert output.read_bytes() == before


def test_an_adapter_changes_the_answers(tmp_path: Path, model_dir: Path, tokenizer: Any, base: Path) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    # init_lora_weights=False: lora_B is random too, so the adapter is not the identity.
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(model, config).save_pretrained(str(tmp_path / "adapter"))

    spec = make_spec(tmp_path, model_dir, requests(tokenizer), adapter_dir=str(tmp_path / "adapter"))
    code, events = run_in_process(spec)
    assert code == 0, events
    with_adapter, without = answers(tmp_path / "answers.jsonl"), answers(base)
    assert with_adapter.keys() == without.keys()
    changed = [id_ for id_ in without if with_adapter[id_]["text"] != without[id_]["text"]]
    assert len(changed) >= len(without) // 2, (with_adapter, without)


def test_stop_strings_cut_the_text_and_end_generation_early(
    tmp_path: Path, model_dir: Path, tokenizer: Any, base: Path
) -> None:
    expected = answers(base)
    rows = requests(tokenizer)
    # A request that ran to its limit, and a stop string from the middle of its greedy text.
    ran_out = [r for r in rows if expected[r["id"]]["finish_reason"] == "length"]
    target = next(r for r in ran_out if len(expected[r["id"]]["text"]) > 8)
    full = expected[target["id"]]["text"]
    stop = full[len(full) // 2 : len(full) // 2 + 2]
    target["stop"] = ["not in the text", stop]
    code, events = run_in_process(make_spec(tmp_path, model_dir, rows))
    assert code == 0, events

    got = answers(tmp_path / "answers.jsonl")
    answer = got[target["id"]]
    assert answer["text"] == full[: full.index(stop)] and stop not in answer["text"]
    assert answer["finish_reason"] == "stop"
    # Generation stopped once the stop string was there, not at max_new_tokens.
    assert answer["new_tokens"] < expected[target["id"]]["new_tokens"] == target["max_new_tokens"]
    # Stop strings are per request: the others (some in the same batch) are unchanged.
    others = [id_ for id_ in expected if id_ != target["id"]]
    assert [got[id_] for id_ in others] == [expected[id_] for id_ in others]


def test_sampling_is_reproducible_from_the_seed(tmp_path: Path, model_dir: Path, tokenizer: Any, base: Path) -> None:
    runs = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        (tmp_path / name).mkdir()
        spec = make_spec(tmp_path / name, model_dir, requests(tokenizer, seed=seed), temperature=1.5, top_p=0.95)
        code, events = run_in_process(spec)
        assert code == 0, events
        runs.append(answers(tmp_path / name / "answers.jsonl"))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2] and runs[0] != answers(base)


def test_a_spec_with_an_unknown_key_is_a_config_error(tmp_path: Path, model_dir: Path, tokenizer: Any) -> None:
    result = run_subprocess(make_spec(tmp_path, model_dir, requests(tokenizer), max_tokens=5))
    assert result.returncode == 2, result.stderr[-3000:]
    events = parse_stdout(result.stdout)
    assert [(e["event"], e["kind"], e["step"]) for e in events] == [("error", "config", None)]
    assert "unknown field(s) max_tokens" in events[0]["message"]


def test_a_request_line_that_is_not_json_is_a_data_error(tmp_path: Path, model_dir: Path, tokenizer: Any) -> None:
    spec = make_spec(tmp_path, model_dir, requests(tokenizer))
    path = tmp_path / "requests.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:2] + ['{"id": "r9", "input_ids": [3, 4'] + lines[2:]) + "\n", encoding="utf-8")
    result = run_subprocess(spec)
    assert result.returncode == 4, result.stderr[-3000:]
    events = parse_stdout(result.stdout)
    assert [(e["event"], e["kind"]) for e in events] == [("error", "data")]
    assert f"{path}:3:" in events[0]["message"] and "not JSON" in events[0]["message"]
    assert not (tmp_path / "answers.jsonl").exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"protocol": 2}, "protocol"),
        ({"batch_size": 0}, "batch_size"),
        ({"temperature": "0.7"}, "temperature"),
        ({"top_p": 0.0}, "top_p"),
        ({"bf16": 1}, "bf16"),
        ({"adapter_dir": 3}, "adapter_dir"),
        ({"model_dir": "/nonexistent/model"}, "no model in /nonexistent/model"),
        ({"adapter_dir": "/nonexistent/adapter"}, "no adapter in /nonexistent/adapter"),
    ],
)
def test_a_wrong_spec_is_a_config_error(
    tmp_path: Path, model_dir: Path, tokenizer: Any, change: dict[str, Any], expected: str
) -> None:
    code, events = run_in_process(make_spec(tmp_path, model_dir, requests(tokenizer), **change))
    assert code == 2
    assert [(e["event"], e["kind"]) for e in events] == [("error", "config")] and expected in events[0]["message"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"stop": "x"}, "stop"),
        ({"input_ids": []}, "input_ids"),
        ({"input_ids": [1, -2]}, "input_ids"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
        ({"seed": 2**64}, "seed"),
        ({"temperature": 1.0}, "unknown field(s) temperature"),
        ({"id": "r0"}, "duplicate request id"),
        ({"input_ids": [3, 100000]}, "token id 100000 >= vocab size"),
    ],
)
def test_a_wrong_request_is_a_data_error_naming_the_line(
    tmp_path: Path, model_dir: Path, tokenizer: Any, change: dict[str, Any], expected: str
) -> None:
    rows = requests(tokenizer)
    rows[4].update(change)
    code, events = run_in_process(make_spec(tmp_path, model_dir, rows))
    assert code == 4
    assert [(e["event"], e["kind"]) for e in events] == [("error", "data")]
    assert "requests.jsonl:5: " in events[0]["message"] and expected in events[0]["message"], events[0]["message"]


def test_an_adapter_for_another_base_is_a_config_error(tmp_path: Path, model_dir: Path, tokenizer: Any) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import Qwen2Config, Qwen2ForCausalLM

    # The same architecture at half the width: every LoRA matrix has the wrong shape.
    other = Qwen2ForCausalLM(
        Qwen2Config(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                    num_key_value_heads=2, head_dim=8, vocab_size=len(tokenizer))
    )  # fmt: skip
    get_peft_model(other, LoraConfig(r=4, target_modules=["q_proj"])).save_pretrained(str(tmp_path / "adapter"))
    spec = make_spec(tmp_path, model_dir, requests(tokenizer), adapter_dir=str(tmp_path / "adapter"))
    code, events = run_in_process(spec)
    assert code == 2
    assert [(e["event"], e["kind"]) for e in events] == [("error", "config")]
    assert "does not fit the model" in events[0]["message"] and "size mismatch" in events[0]["message"]
    assert not (tmp_path / "answers.jsonl").exists()
