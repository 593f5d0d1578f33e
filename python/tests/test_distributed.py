"""Several processes through torchrun: DDP with the gloo backend on CPU (how ``tuneforge
train --gpus N`` runs on a machine without CUDA). Only rank 0 speaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import make_spec, of, parse_stdout, worker_env, write_spec


def test_two_cpu_processes_train_one_adapter(tmp_path: Path, tiny_qwen2: Path, token_files: tuple[Path, Path]) -> None:
    spec = make_spec(tmp_path / "run", tiny_qwen2, token_files, max_steps=4, micro_batch=2, eval_every=0)
    spec_path = write_spec(tmp_path / "spec.json", spec)
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        "-m",
        "tuneforge_worker",
        "train",
        "--spec",
        str(spec_path),
    ]
    done = subprocess.run(command, env=worker_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    events = parse_stdout(done.stdout)
    started = of(events, "started")
    assert len(started) == 1, "rank 1 stays silent"
    assert started[0]["world_size"] == 2
    assert [e["step"] for e in of(events, "step")] == [1, 2, 3, 4]
    finished = of(events, "finished")
    assert len(finished) == 1
    adapter = Path(finished[0]["adapter_dir"])
    assert (adapter / "adapter_model.safetensors").is_file()
