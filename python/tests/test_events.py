"""The one event writer: envelope, exact fields, JSON without NaN, rank 0 only."""

from __future__ import annotations

import io
import json

import pytest

from conftest import parse_stdout
from tuneforge_worker.events import Events


def test_events_are_one_json_object_per_line_with_the_envelope() -> None:
    stream = io.StringIO()
    events = Events(stream)
    events.emit("eval", step=3, eval_loss=1.5)
    events.emit(
        "step", step=4, epoch=0.5, loss=1.25, learning_rate=1e-4, grad_norm=float("nan"), tokens=10,
        tokens_per_second=2.0,
    )  # fmt: skip
    events.emit("error", kind="config", message="bad", step=None)
    lines = parse_stdout(stream.getvalue())
    assert [line["event"] for line in lines] == ["eval", "step", "error"]
    assert all(line["v"] == 1 and isinstance(line["time"], float) for line in lines)
    assert lines[1]["grad_norm"] is None  # JSON has no NaN
    assert events.emitted == lines


def test_fields_must_be_exactly_the_protocols() -> None:
    events = Events(io.StringIO())
    with pytest.raises(ValueError):
        events.emit("eval", step=3)
    with pytest.raises(ValueError):
        events.emit("eval", step=3, eval_loss=1.0, extra=1)
    with pytest.raises(ValueError):
        events.emit("error", kind="disk", message="x", step=None)
    with pytest.raises(ValueError):
        events.emit("progress", step=1)


def test_only_rank_zero_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setenv("RANK", "1")
    Events(stream).emit("checkpoint", step=1, path="/x")
    assert stream.getvalue() == ""
    monkeypatch.setenv("RANK", "0")
    Events(stream).emit("checkpoint", step=1, path="/x")
    assert json.loads(stream.getvalue())["path"] == "/x"
