"""What this Python environment can do for training, as plain data for ``tuneforge doctor``.

Every probe is guarded: a missing or broken package is reported, never raised, because the
point of the doctor is to explain a broken environment.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import sys
from typing import Any


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


PACKAGES = (
    "torch",
    "transformers",
    "trl",
    "peft",
    "accelerate",
    "datasets",
    "bitsandbytes",
    "safetensors",
    "unsloth",
)


def package_versions() -> dict[str, str | None]:
    """Installed versions (None when absent), read from metadata: nothing is imported."""
    return {"python": platform.python_version(), **{name: _version(name) for name in PACKAGES}}


def _import_error(module: str) -> str | None:
    """None when ``module`` imports, else the error it raised (one line)."""
    try:
        importlib.import_module(module)
    except Exception as error:  # noqa: BLE001 - any import failure is the answer
        text = str(error).strip().splitlines()
        return f"{type(error).__name__}: {text[0] if text else ''}".strip()
    return None


def _gpus(torch: Any) -> list[dict[str, Any]]:
    gpus = []
    for index in range(torch.cuda.device_count()):
        properties = torch.cuda.get_device_properties(index)
        major, minor = torch.cuda.get_device_capability(index)
        gpus.append(
            {
                "index": index,
                "name": properties.name,
                "vram_bytes": int(properties.total_memory),
                "compute_capability": f"{major}.{minor}",
                # bf16 needs Ampere (8.0) or newer.
                "bf16": major >= 8,
            }
        )
    return gpus


def probe() -> dict[str, Any]:
    report: dict[str, Any] = {
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "packages": {name: _version(name) for name in PACKAGES},
        "torch_error": None,
        "cuda": None,
        "gpus": [],
        "bitsandbytes_error": None,
        "unsloth_error": None,
    }
    torch_error = _import_error("torch")
    report["torch_error"] = torch_error
    if torch_error is None:
        import torch

        report["cuda"] = {
            "built_with": torch.version.cuda,
            "available": bool(torch.cuda.is_available()),
        }
        if torch.cuda.is_available():
            report["gpus"] = _gpus(torch)
    if report["packages"]["bitsandbytes"] is not None:
        report["bitsandbytes_error"] = _import_error("bitsandbytes")
    if report["packages"]["unsloth"] is not None:
        report["unsloth_error"] = _import_error("unsloth")
    return report
