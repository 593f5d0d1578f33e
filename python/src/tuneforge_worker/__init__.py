"""tuneforge's training worker.

tuneforge (Rust) prepares everything the model sees: token ids, loss labels, packed
sequence lengths and a run spec. This package runs only the model compute and answers with
JSON Lines events on stdout. It is started as ``<venv>/bin/python -m tuneforge_worker``.
"""

__version__ = "0.1.0"
