"""``train``: LoRA and QLoRA on tiny models, in this process (one import of the stack)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from conftest import QLORA_QWEN2_CPU, build_tiny, check_events, make_spec, of, run_in_process, write_spec, write_tokens

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _assert_learned(events: list[dict]) -> None:
    losses = [event["loss"] for event in of(events, "step")]
    assert len(losses) == 30
    first, last = _mean(losses[:5]), _mean(losses[-5:])
    assert first - last > 0.4, (first, last)


def test_lora_trains_and_the_saved_adapter_reproduces_the_trained_model(
    tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]
) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    spec = make_spec(
        tmp_path / "run", tiny_qwen2, token_files, max_steps=30, learning_rate=1e-2, lora={"target_modules": ALL_LINEAR}
    )
    code, outcome, events = run_in_process(spec)
    assert code == 0

    assert [e["event"] for e in events][0] == "started"
    started = of(events, "started")[0]
    assert started["backend"] == "trl" and started["device"] == "cpu"
    assert started["total_steps"] == 30 and started["resumed_from_step"] is None and started["world_size"] == 1
    assert 0 < started["trainable_params"] < started["total_params"]
    steps = of(events, "step")
    assert [e["step"] for e in steps] == list(range(1, 31))
    tokens = [e["tokens"] for e in steps]
    assert all(b > a for a, b in zip(tokens, tokens[1:]))
    assert [e["step"] for e in of(events, "eval")] == [10, 20, 30]
    assert [e["step"] for e in of(events, "checkpoint")] == [10, 20, 30]
    for event in of(events, "checkpoint"):
        assert (Path(event["path"]) / "adapter_model.safetensors").is_file()
    _assert_learned(events)
    finished = events[-1]
    assert finished["event"] == "finished" and finished["step"] == 30
    assert finished["train_loss"] == pytest.approx(_mean([e["loss"] for e in steps]))
    adapter = Path(finished["adapter_dir"])
    assert adapter == tmp_path / "run" / "adapter"
    assert (adapter / "adapter_config.json").is_file() and (adapter / "adapter_model.safetensors").is_file()

    # The adapter on disk, on a fresh base model, is the model that was trained.
    trained = outcome.trainer.model.eval()
    ids = torch.tensor([[1, 5, 9, 3, 14, 2, 7, 7, 11, 4]])
    with torch.no_grad():
        expected = trained(input_ids=ids, use_cache=False).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.float32)
        loaded = PeftModel.from_pretrained(base, adapter).eval()
        got = loaded(input_ids=ids, use_cache=False).logits
        untrained = AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.float32)(input_ids=ids).logits
    assert (got - expected).abs().max().item() <= 1e-5
    assert (untrained - expected).abs().max().item() > 1e-2  # the adapter does change the model


@QLORA_QWEN2_CPU
def test_qlora_4bit_trains(tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]) -> None:
    import bitsandbytes as bnb

    spec = make_spec(
        tmp_path / "run",
        tiny_qwen2,
        token_files,
        max_steps=30,
        learning_rate=1e-2,
        lora={"target_modules": ALL_LINEAR},
        load_in_4bit=True,
        save_every=0,
    )
    code, outcome, events = run_in_process(spec)
    assert code == 0
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in outcome.trainer.model.modules())
    _assert_learned(events)
    assert [e["step"] for e in of(events, "checkpoint")] == [30]  # save_every 0: only at the end
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").is_file()


def test_mistral3_lora_stays_in_the_language_model(tmp_path: Path, token_files: tuple[Path, Path]) -> None:
    model_dir = build_tiny("mistral3", tmp_path / "mistral3")
    spec = make_spec(
        tmp_path / "run", model_dir, token_files, max_steps=2, eval_every=0, language_model_prefix="model.language_model"
    )
    code, outcome, events = run_in_process(spec)
    assert code == 0 and events[-1]["event"] == "finished"
    names = [name for name, _ in outcome.trainer.model.named_modules()]
    inside = "base_model.model.model.language_model."
    # The vision tower has q_proj/k_proj/v_proj/o_proj too: the prefix is what keeps LoRA out.
    assert any(n.startswith("base_model.model.model.vision_tower.") and n.endswith(".q_proj") for n in names)
    lora = [name for name in names if name.endswith(".lora_A")]
    assert lora and all(name.startswith(inside) for name in lora), lora
    assert len(lora) == 2 * 4  # 2 layers x 4 projections


def test_oom_hook_is_off_at_micro_batch_one(tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]) -> None:
    spec = make_spec(
        tmp_path / "run", tiny_qwen2, token_files, max_steps=3, micro_batch=1, eval_every=0, test={"oom_at_step": 2}
    )
    code, _, events = run_in_process(spec)
    assert code == 0 and events[-1]["event"] == "finished"


def test_an_unknown_protocol_is_a_config_error(tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]) -> None:
    import io

    from tuneforge_worker.events import Events
    from tuneforge_worker.train import execute

    spec = make_spec(tmp_path / "run", tiny_qwen2, token_files, protocol=2)
    stream = io.StringIO()
    code, _ = execute(write_spec(tmp_path / "spec.json", spec), Events(stream), handle_signals=False)
    events = check_events(json.loads(line) for line in stream.getvalue().splitlines())
    assert code == 2
    assert [(e["event"], e["kind"], e["step"]) for e in events] == [("error", "config", None)]
    assert "protocol" in events[0]["message"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"lora": {"r": 0}}, "lora.r"),
        ({"backend": "vllm"}, "backend"),
        ({"micro_batch": "4"}, "micro_batch"),
        ({"extra": 1}, "unknown field"),
        ({"lr_scheduler": "no-such-schedule"}, "training arguments"),
        ({"lora": {"target_modules": ["no_such_proj"]}}, "LoRA"),
    ],
)
def test_a_wrong_spec_is_a_config_error(
    tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path], change: dict, expected: str
) -> None:
    code, _, events = run_in_process_or_parse_error(make_spec(tmp_path / "run", tiny_qwen2, token_files, **change))
    assert code == 2
    assert events[-1]["event"] == "error" and events[-1]["kind"] == "config"
    assert expected in events[-1]["message"]


def test_inconsistent_tokens_are_a_data_error(tmp_path: Path, tiny_qwen2: Path) -> None:
    from safetensors.torch import load_file, save_file

    # A document that crosses a row boundary.
    crossing = write_tokens(tmp_path / "crossing.safetensors", [[([1, 2, 3], [1, 2, 3])], [([4, 5], [4, 5])]])
    tensors = load_file(str(crossing))
    tensors["seq_lengths"] = torch.tensor([2, 3])
    save_file(tensors, str(crossing))
    code, _, events = run_in_process_or_parse_error(make_spec(tmp_path / "run", tiny_qwen2, (crossing, None)))
    assert code == 4 and events[-1]["kind"] == "data" and "row boundaries" in events[-1]["message"]

    out_of_vocab = write_tokens(tmp_path / "oov.safetensors", [[([1, 500], [1, 500])]])
    code, _, events = run_in_process_or_parse_error(make_spec(tmp_path / "run", tiny_qwen2, (out_of_vocab, None)))
    assert code == 4 and events[-1]["kind"] == "data" and "token ids" in events[-1]["message"]


def run_in_process_or_parse_error(spec: dict) -> tuple[int, object, list[dict]]:
    """Like run_in_process, but a spec the parser refuses is reported too (through execute)."""
    import io

    from tuneforge_worker.events import Events
    from tuneforge_worker.train import execute

    path = Path(spec["output_dir"]).parent / "spec.json"
    write_spec(path, spec)
    stream = io.StringIO()
    code, outcome = execute(path, Events(stream), handle_signals=False)
    return code, outcome, check_events(json.loads(line) for line in stream.getvalue().splitlines())


@pytest.mark.parametrize(
    "settings",
    [
        {"bf16": True},
        {"gradient_checkpointing": True},
        pytest.param({"load_in_4bit": True, "gradient_checkpointing": True}, marks=QLORA_QWEN2_CPU),
        pytest.param({"load_in_4bit": True, "bf16": True}, marks=QLORA_QWEN2_CPU),
        {"epochs": 0.5, "max_steps": None, "lr_scheduler": "linear", "warmup_ratio": 0.0},
    ],
    ids=["bf16", "checkpointing", "qlora-checkpointing", "qlora-bf16", "epochs"],
)
def test_other_settings_run(tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path], settings: dict) -> None:
    spec = make_spec(tmp_path / "run", tiny_qwen2, token_files, max_steps=3, eval_every=2, save_every=0)
    code, _, events = run_in_process({**spec, **settings})
    assert code == 0, events[-1]
    assert events[-1]["event"] == "finished"
    assert all(e["loss"] == e["loss"] for e in of(events, "step"))
    assert of(events, "eval")


@pytest.mark.parametrize(("arch", "load_in_4bit"), [("ministral3", False), ("ministral3", True), ("mistral", True)])
def test_mistral_family_causal_lms_learn_with_lora_and_qlora(
    tmp_path: Path, token_files: tuple[Path, Path], arch: str, load_in_4bit: bool
) -> None:
    model_dir = build_tiny(arch, tmp_path / arch)
    spec = make_spec(
        tmp_path / "run",
        model_dir,
        token_files,
        max_steps=30,
        learning_rate=1e-2,
        lora={"target_modules": ALL_LINEAR},
        load_in_4bit=load_in_4bit,
        save_every=0,
        eval_every=0,
    )
    code, outcome, events = run_in_process(spec)
    assert code == 0
    if load_in_4bit:
        import bitsandbytes as bnb

        assert any(isinstance(m, bnb.nn.Linear4bit) for m in outcome.trainer.model.modules())
    _assert_learned(events)
