"""Stopping and resuming: checkpoints continue a run exactly; Ctrl-C and OOM from a real
worker process (exit codes, events, nothing but events on stdout)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
import torch

from conftest import check_events, make_spec, of, parse_stdout, run_in_process, run_worker, worker_command
from conftest import QLORA_QWEN2_CPU, worker_env, write_spec

def _adapter(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(str(directory / "adapter_model.safetensors"))


def _max_abs_diff(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max((a[key].float() - b[key].float()).abs().max().item() for key in a)


@pytest.mark.parametrize(
    ("qlora", "tolerance"),
    [(False, 1e-6), pytest.param(True, 1e-5, marks=QLORA_QWEN2_CPU)],
    ids=["lora", "qlora"],
)
def test_a_resumed_run_ends_with_the_same_adapter(
    tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path], qlora: bool, tolerance: float
) -> None:
    # 6 optimizer steps per epoch: step 10 is in the middle of the second epoch. LoRA dropout
    # makes the result depend on the restored RNG state too.
    common = {"max_steps": 20, "load_in_4bit": qlora, "lora": {"dropout": 0.1}, "save_every": 10, "eval_every": 10}
    code, _, straight = run_in_process(make_spec(tmp_path / "a", tiny_qwen2, token_files, **common))
    assert code == 0

    code, _, first = run_in_process(
        make_spec(tmp_path / "b", tiny_qwen2, token_files, test={"stop_after_step": 10}, **common)
    )
    assert code == 130
    assert [(e["event"], e.get("step")) for e in first[-2:]] == [("checkpoint", 10), ("error", 10)]
    assert first[-1]["kind"] == "interrupted" and not of(first, "finished")
    code, _, second = run_in_process(make_spec(tmp_path / "b", tiny_qwen2, token_files, resume=True, **common))
    assert code == 0
    assert of(second, "started")[0]["resumed_from_step"] == 10

    resumed_steps = of(second, "step")
    assert [e["step"] for e in resumed_steps] == list(range(11, 21))
    for resumed, original in zip(resumed_steps, of(straight, "step")[10:]):
        assert resumed["loss"] == pytest.approx(original["loss"], abs=tolerance)
        assert resumed["tokens"] == original["tokens"]  # the count continues across the resume
    assert of(second, "finished")[0]["train_loss"] == pytest.approx(of(straight, "finished")[0]["train_loss"])

    diff = _max_abs_diff(_adapter(tmp_path / "a" / "adapter"), _adapter(tmp_path / "b" / "adapter"))
    print(f"resume max abs diff, {'QLoRA' if qlora else 'LoRA'}: {diff:.3g}")  # shown with -s
    assert diff <= tolerance


def test_ctrl_c_saves_a_loadable_checkpoint_and_the_run_resumes(
    tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]
) -> None:
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    spec = make_spec(tmp_path / "run", tiny_qwen2, token_files, max_steps=60, grad_accum=4, save_every=0, eval_every=0)
    path = write_spec(tmp_path / "spec.json", spec)
    with open(tmp_path / "stderr.txt", "w") as stderr:
        worker = subprocess.Popen(
            worker_command(path), env=worker_env(), stdout=subprocess.PIPE, stderr=stderr, text=True
        )
        try:
            lines = []
            assert worker.stdout is not None
            for line in worker.stdout:
                lines.append(line)
                if '"event": "step"' in line:
                    worker.send_signal(signal.SIGINT)
                    break
            lines += worker.stdout.readlines()
            code = worker.wait(timeout=120)
        finally:
            if worker.poll() is None:
                worker.kill()
    events = parse_stdout("".join(lines))
    assert code == 130, (tmp_path / "stderr.txt").read_text()
    checkpoint, error = events[-2:]
    assert error["event"] == "error" and error["kind"] == "interrupted"
    assert checkpoint["event"] == "checkpoint" and checkpoint["step"] == error["step"]
    assert 1 <= error["step"] < 60 and not of(events, "finished")
    assert of(events, "step")[-1]["step"] == error["step"]

    base = AutoModelForCausalLM.from_pretrained(tiny_qwen2, dtype=torch.float32)
    loaded = PeftModel.from_pretrained(base, checkpoint["path"])
    assert any("lora_A" in name for name, _ in loaded.named_parameters())

    code, _, resumed = run_in_process({**spec, "resume": True})
    assert code == 0
    assert of(resumed, "started")[0]["resumed_from_step"] == error["step"]
    assert of(resumed, "step")[0]["step"] == error["step"] + 1
    assert resumed[-1]["event"] == "finished" and resumed[-1]["step"] == 60


def test_out_of_memory_is_reported_with_exit_code_3(
    tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]
) -> None:
    spec = make_spec(tmp_path / "run", tiny_qwen2, token_files, max_steps=10, test={"oom_at_step": 3})
    result = run_worker(write_spec(tmp_path / "spec.json", spec))
    events = parse_stdout(result.stdout)
    assert result.returncode == 3, result.stderr[-3000:]
    assert [e["event"] for e in events] == ["started", "step", "step", "error"]
    assert events[-1]["kind"] == "oom" and events[-1]["step"] == 3
    assert "out of memory" in events[-1]["message"]
    check_events(events)
