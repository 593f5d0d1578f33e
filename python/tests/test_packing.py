"""Packed rows without cross-contamination (ARCHITECTURE.md, "Packed training"), through the worker's own path:
its token file reader, its trainer's data loader and collator, and TRL's loss."""

from __future__ import annotations

from pathlib import Path

import torch

from conftest import make_spec, write_tokens

DOCS = [[7, 5, 9], [6, 8]]  # document lengths of the two rows


def _rows() -> list[list[tuple[list[int], list[int]]]]:
    token = iter(range(1, 1000))
    rows = []
    for lengths in DOCS:
        row = []
        for length in lengths:
            ids = [next(token) % 90 + 1 for _ in range(length)]
            row.append((ids, [-100] + ids[1:]))
        rows.append(row)
    return rows


def _trainer(tmp_path: Path, model_dir: Path):
    from tuneforge_worker.events import Events
    from tuneforge_worker.spec import parse
    from tuneforge_worker.train import Progress, build_trainer
    import io

    tokens = write_tokens(tmp_path / "train.safetensors", _rows())
    spec = parse(make_spec(tmp_path / "run", model_dir, (tokens, None), micro_batch=2, grad_accum=1))
    trainer, _ = build_trainer(spec, Events(io.StringIO()), Progress())
    return trainer


def _segments(position_ids: torch.Tensor) -> list[tuple[int, int]]:
    starts = (position_ids == 0).nonzero().flatten().tolist()
    ends = starts[1:] + [position_ids.numel()]
    return list(zip(starts, ends))


def test_documents_in_a_packed_batch_do_not_see_each_other(tmp_path: Path, tiny_qwen2: Path) -> None:
    trainer = _trainer(tmp_path, tiny_qwen2)
    batch = next(iter(trainer.get_train_dataloader()))

    # The layout the model gets: one flat sequence, no attention mask, positions per document.
    assert "attention_mask" not in batch
    ids, positions, labels = batch["input_ids"], batch["position_ids"], batch["labels"]
    assert ids.shape[0] == 1 and ids.shape == positions.shape == labels.shape
    segments = _segments(positions[0])
    lengths = [end - start for start, end in segments]
    assert lengths in (DOCS[0] + DOCS[1], DOCS[1] + DOCS[0])
    for start, end in segments:
        assert positions[0, start:end].tolist() == list(range(end - start))
        assert labels[0, start] == -100  # no document predicts its first token from the previous one

    model = trainer.model.eval()
    with torch.no_grad():
        packed = model(input_ids=ids, position_ids=positions, use_cache=False).logits[0]
        for start, end in segments:
            alone = model(input_ids=ids[:, start:end], use_cache=False).logits[0]
            assert (packed[start:end] - alone).abs().max().item() <= 1e-5

        # Changing the first document leaves every other document's logits as they were.
        changed = ids.clone()
        first_start, first_end = segments[0]
        changed[0, first_start:first_end] = (changed[0, first_start:first_end] + 3) % 90 + 1
        perturbed = model(input_ids=changed, position_ids=positions, use_cache=False).logits[0]
        assert (perturbed[first_end:] - packed[first_end:]).abs().max().item() <= 1e-6
        assert (perturbed[first_start:first_end] - packed[first_start:first_end]).abs().max().item() > 1e-3

        # The check can fail: with a cache (transformers' default) documents do attend to each other.
        leaky = model(input_ids=ids, position_ids=positions, use_cache=True).logits[0]
        assert (leaky - packed).abs().max().item() > 1e-3


def test_the_packed_training_loss_equals_per_document_training(tmp_path: Path, tiny_qwen2: Path) -> None:
    trainer = _trainer(tmp_path, tiny_qwen2)
    batch = next(iter(trainer.get_train_dataloader()))
    model = trainer.model.eval()
    segments = _segments(batch["position_ids"][0])
    with torch.no_grad():
        packed = trainer.compute_loss(model, dict(batch)).item()
        total, count = 0.0, 0
        for start, end in segments:
            ids = batch["input_ids"][0, start:end].tolist()
            labels = batch["labels"][0, start:end].tolist()
            alone = trainer.data_collator([{"input_ids": ids, "labels": labels, "seq_lengths": [len(ids)]}])
            trained = int((alone["labels"] != -100).sum())
            total += trainer.compute_loss(model, dict(alone)).item() * trained
            count += trained
    assert abs(packed - total / count) <= 1e-5
