"""The doctor's probe: the shape ``tuneforge doctor`` parses (doctor.rs, WorkerProbe)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tuneforge_worker.doctor import probe


def test_probe_reports_the_locked_stack_and_no_gpu_here() -> None:
    report = probe()
    assert report["python"].startswith("3.")
    assert report["packages"]["torch"] == "2.15.0"
    assert report["packages"]["transformers"] == "5.23.0"
    assert report["torch_error"] is None
    assert report["cuda"] is not None
    if not report["cuda"]["available"]:
        assert report["gpus"] == []
    assert report["bitsandbytes_error"] is None
    # Unsloth is GPU-only: not in this environment, so no import is attempted.
    assert report["packages"]["unsloth"] is None
    assert report["unsloth_error"] is None


def test_the_command_prints_one_json_object() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tuneforge_worker", "doctor"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    document = json.loads(out.stdout)
    assert set(document) == {
        "python",
        "python_executable",
        "packages",
        "torch_error",
        "cuda",
        "gpus",
        "bitsandbytes_error",
        "unsloth_error",
    }


def test_versions_come_from_metadata_alone() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tuneforge_worker", "versions"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    versions = json.loads(out.stdout)
    assert versions["torch"] == "2.15.0" and versions["peft"] == "0.21.2"
    assert versions["unsloth"] is None
    assert versions["python"].startswith("3.")
