"""``python -m tuneforge_worker score --spec score_spec.json``: a model's loss on a token file.

The mean cross-entropy (nats per token) and perplexity of a base model, with or without a
LoRA adapter, over the trained tokens of a token file that tuneforge wrote (the Rust side is
``score()`` in crates/tuneforge-train/src/generate.rs; field names are ``ScoreSpec``'s).

What is counted, precisely: each document (``seq_lengths``) is scored on its own, as the
padding-free training sees it (no attention across documents). Position ``i`` of a document
is predicted from positions ``0..i-1`` of the same document, so a scored token is a position
``i >= 1`` whose label is not -100; the label of a document's first position, if any, is
never scored (nothing in the document predicts it). ``tokens`` counts the scored tokens,
``documents`` the documents with at least one, and ``loss`` is the sum of their
cross-entropies divided by ``tokens`` (a token-weighted mean over the whole file, so it does
not depend on the batch size or on how documents are grouped).

Events on stdout: one ``scored``, or one ``error``. Exit codes are train's (``EXIT_CODES``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneforge_worker.data import IGNORE_INDEX, load_split
from tuneforge_worker.events import Events
from tuneforge_worker.spec import WorkerError, _bool, _int, _keys, _path, config_error
from tuneforge_worker.inference import execute as execute_reported
from tuneforge_worker.inference import check_protocol, load_model, read_config, read_spec

_SPEC = {"protocol", "model_dir", "adapter_dir", "data", "batch_size", "pad_token_id", "bf16", "load_in_4bit"}

Document = tuple[Any, Any]  # (input_ids, labels), 1-D int64 numpy arrays


@dataclass(frozen=True)
class ScoreSpec:
    model_dir: Path
    adapter_dir: Path | None
    data: Path
    batch_size: int
    pad_token_id: int
    bf16: bool
    load_in_4bit: bool


@dataclass(frozen=True)
class Score:
    documents: int
    tokens: int
    loss: float
    perplexity: float


def parse_spec(document: Any) -> ScoreSpec:
    """Check a decoded ``score_spec.json``; raises ``WorkerError(kind="config")``."""
    check_protocol(document, "score spec")
    top = _keys("score spec", document, _SPEC)
    return ScoreSpec(
        model_dir=_path("model_dir", top["model_dir"]),
        adapter_dir=_path("adapter_dir", top["adapter_dir"], nullable=True),
        data=_path("data", top["data"]),
        batch_size=_int("batch_size", top["batch_size"], minimum=1),
        pad_token_id=_int("pad_token_id", top["pad_token_id"]),
        bf16=_bool("bf16", top["bf16"]),
        load_in_4bit=_bool("load_in_4bit", top["load_in_4bit"]),
    )


def load_spec(path: Path) -> ScoreSpec:
    return parse_spec(read_spec(path, "score spec"))


# --- data ----------------------------------------------------------------------------------


def documents(path: Path, vocab_size: int) -> list[Document]:
    """The file's documents that have at least one scored token, in file order.

    ``load_split`` checks the file (a bad one is a ``data`` error naming it). Rows end on
    document boundaries, so the documents are simply ``seq_lengths`` over the concatenation
    of all rows, read back from its Arrow columns without a Python list per token.
    """
    import numpy as np
    import pyarrow.compute as pc

    table = load_split(path, vocab_size=vocab_size).data
    ids, labels, lengths = (
        pc.list_flatten(table.column(name)).to_numpy() for name in ("input_ids", "labels", "seq_lengths")
    )
    ends = np.cumsum(lengths)
    docs = [(ids[end - n : end], labels[end - n : end]) for n, end in zip(lengths.tolist(), ends.tolist())]
    scored = [doc for doc in docs if (doc[1][1:] != IGNORE_INDEX).any()]
    if not scored:
        raise WorkerError("data", f"{path}: no document has a labelled token after its first position")
    return scored


def batches(docs: list[Document], batch_size: int) -> list[list[Document]]:
    """Longest documents first (stable sort, so deterministic): little padding per batch, and
    the largest batch runs first, so an out-of-memory batch size fails at once."""
    ordered = sorted(docs, key=lambda doc: -len(doc[0]))
    return [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]


# --- the model -----------------------------------------------------------------------------


def loss_sum(model: Any, batch: list[Document], pad_token_id: int) -> tuple[float, int]:
    """One forward pass over right-padded documents: (sum of scored token losses, their count).

    Right padding keeps each document's positions at 0..n-1 and, with causal attention, no
    real token sees a pad, so each row is scored as if it were alone.
    """
    import torch
    import torch.nn.functional as F

    width = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (doc_ids, doc_labels) in enumerate(batch):
        ids[row, : len(doc_ids)] = torch.tensor(doc_ids)
        labels[row, : len(doc_ids)] = torch.tensor(doc_labels)
        mask[row, : len(doc_ids)] = 1
    device = model.device
    logits = model(input_ids=ids.to(device), attention_mask=mask.to(device), use_cache=False).logits
    targets = labels[:, 1:].to(device)  # the causal shift: position i predicts token i + 1
    keep = targets != IGNORE_INDEX
    # Only the scored positions are upcast (a bf16 model's full logits in float32 would double
    # their memory); float64 for the sum, so thousands of batches add up without drift.
    losses = F.cross_entropy(logits[:, :-1][keep].float(), targets[keep], reduction="none")
    return float(losses.double().sum()), int(keep.sum())


# --- the command ---------------------------------------------------------------------------


def run(spec: ScoreSpec) -> Score:
    import torch

    config = read_config(spec.model_dir)
    vocab_size = config.get_text_config().vocab_size
    if spec.pad_token_id >= vocab_size:  # padding is embedded too (then masked)
        raise config_error(f"pad_token_id {spec.pad_token_id} >= vocab size {vocab_size}")
    docs = documents(spec.data, vocab_size)  # a bad file fails before the model loads
    model = load_model(
        spec.model_dir,
        spec.adapter_dir,
        config=config,
        bf16=spec.bf16,
        load_in_4bit=spec.load_in_4bit,
        cuda=torch.cuda.is_available(),
    )
    total, tokens = 0.0, 0  # a Python float is float64
    with torch.inference_mode():
        for batch in batches(docs, spec.batch_size):
            batch_sum, batch_tokens = loss_sum(model, batch, spec.pad_token_id)
            total += batch_sum
            tokens += batch_tokens
    loss = total / tokens
    # JSON has no NaN or infinity (the event would carry null, which the Rust side refuses).
    if not math.isfinite(loss) or loss > 700.0:  # exp(700) is near float64's limit
        raise WorkerError("internal", f"the loss {loss} has no finite perplexity")
    return Score(documents=len(docs), tokens=tokens, loss=loss, perplexity=math.exp(loss))


def execute(spec: ScoreSpec | Path, events: Events) -> int:
    """Run and report: one ``scored`` event, or one ``error``; returns the exit code."""

    def work() -> None:
        score = run(load_spec(spec) if isinstance(spec, Path) else spec)
        events.emit(
            "scored", documents=score.documents, tokens=score.tokens, loss=score.loss, perplexity=score.perplexity
        )

    return execute_reported(events, work, "interrupted before the score was complete")


def main(spec_path: Path) -> int:
    """The ``score`` command: events on the real stdout, everything else on stderr."""
    from tuneforge_worker.events import claim_stdout

    return execute(spec_path, Events(claim_stdout()))
