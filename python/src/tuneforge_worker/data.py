"""Token data written by tuneforge (``<split>.safetensors``), read into a ``datasets.Dataset``.

The file holds four 1-D integer tensors:

* ``input_ids``: every row's tokens, concatenated;
* ``labels``: aligned with ``input_ids``, -100 where there is no loss;
* ``row_lengths``: tokens per row (a row is one packed training sequence);
* ``seq_lengths``: tokens per document, row after row; a row's documents are the next
  lengths that add up to the row's length.

The dataset has one row per packed row with the columns TRL's padding-free collator reads:
``input_ids``, ``labels`` and ``seq_lengths`` (ARCHITECTURE.md, "Packed training"). It is built from Arrow list
arrays over the loaded buffers, without a Python list per token.
"""

from __future__ import annotations

from pathlib import Path

from tuneforge_worker.spec import WorkerError

IGNORE_INDEX = -100
TENSORS = ("input_ids", "labels", "row_lengths", "seq_lengths")


def _error(path: Path, message: str) -> WorkerError:
    return WorkerError("data", f"{path}: {message}")


def load_split(path: Path, *, vocab_size: int | None = None):  # -> datasets.Dataset
    """Read and check one split; ``vocab_size`` bounds the token ids when given."""
    import numpy as np
    import pyarrow as pa
    import datasets
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(path))
    except (OSError, SafetensorError) as error:
        raise _error(path, f"cannot read the token file: {error}") from error
    missing = [name for name in TENSORS if name not in tensors]
    if missing:
        raise _error(path, f"missing tensor(s) {', '.join(missing)}")
    arrays = {}
    for name in TENSORS:
        tensor = tensors[name]
        if tensor.dim() != 1 or tensor.dtype.is_floating_point or tensor.dtype.is_complex:
            raise _error(path, f"{name} must be a 1-D integer tensor, got {tensor.dtype} {tuple(tensor.shape)}")
        arrays[name] = tensor.numpy().astype(np.int64, copy=False)
    ids, labels, rows, docs = (arrays[name] for name in TENSORS)

    if rows.size == 0:
        raise _error(path, "no rows")
    if (rows <= 0).any() or (docs <= 0).any():
        raise _error(path, "row and document lengths must be positive")
    if len(labels) != len(ids):
        raise _error(path, f"labels has {len(labels)} tokens, input_ids {len(ids)}")
    if int(rows.sum()) != len(ids):
        raise _error(path, f"row_lengths add up to {int(rows.sum())} tokens, input_ids has {len(ids)}")
    if int(docs.sum()) != len(ids):
        raise _error(path, f"seq_lengths add up to {int(docs.sum())} tokens, input_ids has {len(ids)}")
    # Every row must end exactly on a document boundary.
    row_ends = np.cumsum(rows)
    doc_ends = np.cumsum(docs)
    doc_offsets = np.searchsorted(doc_ends, row_ends, side="left")
    if not np.array_equal(doc_ends[doc_offsets], row_ends):
        raise _error(path, "seq_lengths do not split at the row boundaries given by row_lengths")
    if ids.min() < 0 or (vocab_size is not None and ids.max() >= vocab_size):
        raise _error(path, f"token ids must be in [0, {vocab_size}), found [{ids.min()}, {ids.max()}]")
    trained = labels[labels != IGNORE_INDEX]
    if trained.size == 0:
        raise _error(path, "no token has a loss label (all labels are -100)")
    if trained.min() < 0 or (vocab_size is not None and trained.max() >= vocab_size):
        raise _error(path, f"labels must be -100 or token ids in [0, {vocab_size})")

    token_offsets = pa.array(np.concatenate([[0], row_ends]), type=pa.int64())
    seq_offsets = pa.array(np.concatenate([[0], doc_offsets + 1]), type=pa.int64())
    table = pa.table(
        {
            "input_ids": pa.LargeListArray.from_arrays(token_offsets, pa.array(ids)),
            "labels": pa.LargeListArray.from_arrays(token_offsets, pa.array(labels)),
            "seq_lengths": pa.LargeListArray.from_arrays(seq_offsets, pa.array(docs)),
        }
    )
    return datasets.Dataset(table)


def max_row_length(dataset) -> int:  # dataset: datasets.Dataset from load_split
    """The longest packed row, in tokens (read from the Arrow offsets, no Python lists)."""
    import pyarrow.compute as pc

    lengths = pc.list_value_length(dataset.data.column("input_ids"))
    return int(pc.max(lengths).as_py())
