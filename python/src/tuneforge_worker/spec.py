"""The run spec (``run_spec.json``) that tuneforge writes for ``train``, read and checked.

Field names are the protocol (crates/tuneforge-train/src/spec.rs, ``RunSpec``). Every field
is required except ``test``; unknown keys are refused, so a mismatch between the Rust side
and this worker is a clear ``config`` error instead of a silently ignored setting.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

PROTOCOL = 1
BACKENDS = ("auto", "trl", "unsloth")
# A seed must fit NumPy's legacy seeding, which transformers.set_seed uses.
_MAX_SEED = 2**32 - 1


class WorkerError(Exception):
    """A failure with the ``kind`` the ``error`` event reports."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def config_error(message: str) -> WorkerError:
    return WorkerError("config", message)


@dataclass(frozen=True)
class LoraSpec:
    r: int
    alpha: int
    dropout: float
    target_modules: tuple[str, ...]


@dataclass(frozen=True)
class TestHooks:
    """Testing hooks, never set by users.

    ``oom_at_step``: raise a real ``torch.OutOfMemoryError`` inside that optimizer step
    (only while ``micro_batch > 1``, so a retry with a halved micro-batch passes).
    ``stop_after_step`` (worker-only, optional): behave as if Ctrl-C arrived during that
    step: checkpoint, ``error{kind: interrupted}``, exit code 130.
    """

    oom_at_step: int | None = None
    stop_after_step: int | None = None


@dataclass(frozen=True)
class RunSpec:
    protocol: int
    model_dir: Path
    output_dir: Path
    train_data: Path
    valid_data: Path | None
    pad_token_id: int
    language_model_prefix: str | None
    lora: LoraSpec
    load_in_4bit: bool
    bf16: bool
    epochs: float
    max_steps: int | None
    learning_rate: float
    lr_scheduler: str
    warmup_ratio: float
    micro_batch: int
    grad_accum: int
    gradient_checkpointing: bool
    eval_every: int
    save_every: int
    seed: int
    resume: bool
    backend: str
    test: TestHooks

    @property
    def checkpoints_dir(self) -> Path:
        return self.output_dir / "checkpoints"

    @property
    def adapter_dir(self) -> Path:
        return self.output_dir / "adapter"


_TOP = {
    "protocol", "model_dir", "output_dir", "train_data", "valid_data", "pad_token_id",
    "language_model_prefix", "lora", "load_in_4bit", "bf16", "epochs", "max_steps",
    "learning_rate", "lr_scheduler", "warmup_ratio", "micro_batch", "grad_accum",
    "gradient_checkpointing", "eval_every", "save_every", "seed", "resume", "backend",
}  # fmt: skip
_OPTIONAL_TOP = {"test"}
_LORA = {"r", "alpha", "dropout", "target_modules"}
_TEST = {"oom_at_step", "stop_after_step"}


def _keys(where: str, value: Any, required: Collection[str], optional: Collection[str] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise config_error(f"{where} must be a JSON object")
    missing = sorted(set(required) - value.keys())
    unknown = sorted(value.keys() - set(required) - set(optional))
    if missing:
        raise config_error(f"{where}: missing field(s) {', '.join(missing)}")
    if unknown:
        raise config_error(f"{where}: unknown field(s) {', '.join(unknown)}")
    return value


def _int(name: str, value: Any, *, minimum: int = 0, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise config_error(f"{name} must be an integer{' or null' if nullable else ''}, not {value!r}")
    if value < minimum:
        raise config_error(f"{name} must be >= {minimum}, not {value}")
    return value


def _float(name: str, value: Any, *, minimum: float = 0.0, below: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise config_error(f"{name} must be a finite number, not {value!r}")
    if value < minimum or (below is not None and value >= below):
        upper = f" and < {below}" if below is not None else ""
        raise config_error(f"{name} must be >= {minimum}{upper}, not {value}")
    return float(value)


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise config_error(f"{name} must be true or false, not {value!r}")
    return value


def _str(name: str, value: Any, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value:
        raise config_error(f"{name} must be a non-empty string{' or null' if nullable else ''}, not {value!r}")
    return value


def _path(name: str, value: Any, *, nullable: bool = False) -> Path | None:
    text = _str(name, value, nullable=nullable)
    return None if text is None else Path(text)


def parse(document: Any) -> RunSpec:
    """Check a decoded run spec and return it typed; raises ``WorkerError(kind="config")``."""
    if isinstance(document, dict) and document.get("protocol") != PROTOCOL:
        raise config_error(f"unsupported run spec protocol {document.get('protocol')!r}; this worker speaks {PROTOCOL}")
    top = _keys("run spec", document, _TOP, _OPTIONAL_TOP)
    lora = _keys("lora", top["lora"], _LORA)
    test = _keys("test", top.get("test") or {}, set(), _TEST)
    targets = lora["target_modules"]
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) and t for t in targets):
        raise config_error("lora.target_modules must be a non-empty list of module names")
    backend = _str("backend", top["backend"])
    if backend not in BACKENDS:
        raise config_error(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    prefix = _str("language_model_prefix", top["language_model_prefix"], nullable=True)
    spec = RunSpec(
        protocol=PROTOCOL,
        model_dir=_path("model_dir", top["model_dir"]),
        output_dir=_path("output_dir", top["output_dir"]),
        train_data=_path("train_data", top["train_data"]),
        valid_data=_path("valid_data", top["valid_data"], nullable=True),
        pad_token_id=_int("pad_token_id", top["pad_token_id"]),
        language_model_prefix=prefix.rstrip(".") if prefix else None,
        lora=LoraSpec(
            r=_int("lora.r", lora["r"], minimum=1),
            alpha=_int("lora.alpha", lora["alpha"], minimum=1),
            dropout=_float("lora.dropout", lora["dropout"], below=1.0),
            target_modules=tuple(targets),
        ),
        load_in_4bit=_bool("load_in_4bit", top["load_in_4bit"]),
        bf16=_bool("bf16", top["bf16"]),
        epochs=_float("epochs", top["epochs"]),
        max_steps=_int("max_steps", top["max_steps"], minimum=1, nullable=True),
        learning_rate=_float("learning_rate", top["learning_rate"]),
        lr_scheduler=_str("lr_scheduler", top["lr_scheduler"]),
        # transformers 5 takes the ratio as a float warmup_steps < 1.
        warmup_ratio=_float("warmup_ratio", top["warmup_ratio"], below=1.0),
        micro_batch=_int("micro_batch", top["micro_batch"], minimum=1),
        grad_accum=_int("grad_accum", top["grad_accum"], minimum=1),
        gradient_checkpointing=_bool("gradient_checkpointing", top["gradient_checkpointing"]),
        eval_every=_int("eval_every", top["eval_every"]),
        save_every=_int("save_every", top["save_every"]),
        seed=_int("seed", top["seed"]),
        resume=_bool("resume", top["resume"]),
        backend=backend,
        test=TestHooks(
            oom_at_step=_int("test.oom_at_step", test.get("oom_at_step"), minimum=1, nullable=True),
            stop_after_step=_int("test.stop_after_step", test.get("stop_after_step"), minimum=1, nullable=True),
        ),
    )
    if spec.seed > _MAX_SEED:
        raise config_error(f"seed must be < 2^32, not {spec.seed}")
    if spec.max_steps is None and spec.epochs <= 0:
        raise config_error("epochs must be > 0 when max_steps is null")
    return spec


def load(path: Path) -> RunSpec:
    """Read and check ``run_spec.json``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise config_error(f"cannot read the run spec {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise config_error(f"the run spec {path} is not JSON: {error}") from error
    return parse(document)
