"""The worker's answer: JSON Lines events on stdout (crates/tuneforge-train/src/events.rs).

Every event goes through :meth:`Events.emit`, which adds the envelope (``v``, ``event``,
``time``), refuses fields the protocol does not have, writes one line and flushes. Only the
process of rank 0 writes when training runs distributed.

stdout belongs to the events alone: :func:`claim_stdout` moves file descriptor 1 to stderr
for everything else (Python prints, C libraries, progress bars) and hands back a private
stream on the original stdout.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import Any, TextIO

VERSION = 1

FIELDS: dict[str, frozenset[str]] = {
    "started": frozenset(
        {"backend", "device", "total_steps", "trainable_params", "total_params", "resumed_from_step", "world_size"}
    ),
    "step": frozenset({"step", "epoch", "loss", "learning_rate", "grad_norm", "tokens", "tokens_per_second"}),
    "eval": frozenset({"step", "eval_loss"}),
    "checkpoint": frozenset({"step", "path"}),
    "finished": frozenset({"step", "train_loss", "adapter_dir", "runtime_seconds"}),
    # generate (crates/tuneforge-train/src/generate.rs)
    "generation_started": frozenset({"device", "total"}),
    "generated": frozenset({"done", "total", "new_tokens", "tokens_per_second"}),
    "generation_finished": frozenset({"generated", "runtime_seconds"}),
    # score (crates/tuneforge-train/src/generate.rs)
    "scored": frozenset({"documents", "tokens", "loss", "perplexity"}),
    "error": frozenset({"kind", "message", "step"}),
}
ERROR_KINDS = ("oom", "interrupted", "config", "data", "internal")


def rank() -> int:
    """This process's rank: torch.distributed's when initialized, else the launcher's RANK."""
    distributed = sys.modules.get("torch.distributed")
    if distributed is not None and distributed.is_available() and distributed.is_initialized():
        return int(distributed.get_rank())
    return int(os.environ.get("RANK", "0"))


def claim_stdout() -> TextIO:
    """Reserve the real stdout for events; everything else written to fd 1 goes to stderr."""
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", encoding="utf-8", buffering=1)


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: a non-finite float becomes null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Events:
    """Writes events to ``stream`` (one JSON object per line, flushed) from rank 0 only."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.emitted: list[dict[str, Any]] = []  # what this process wrote, for tests

    def emit(self, event: str, **fields: Any) -> None:
        expected = FIELDS.get(event)
        if expected is None:
            raise ValueError(f"unknown event {event!r}")
        if set(fields) != expected:
            raise ValueError(f"event {event!r} takes {sorted(expected)}, got {sorted(fields)}")
        if event == "error" and fields["kind"] not in ERROR_KINDS:
            raise ValueError(f"unknown error kind {fields['kind']!r}")
        if rank() != 0:
            return
        record = {"v": VERSION, "event": event, "time": time.time()}
        record.update({key: _finite(value) for key, value in fields.items()})
        self._stream.write(json.dumps(record, allow_nan=False, ensure_ascii=False) + "\n")
        self._stream.flush()
        self.emitted.append(record)
