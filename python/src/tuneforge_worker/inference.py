"""What ``generate`` and ``score`` share: loading a base model the way training does (class,
dtype, 4-bit NF4, SDPA), putting a PEFT adapter on it strictly, and turning every failure
into one ``error`` event with train's exit codes."""

from __future__ import annotations

import json
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable

from tuneforge_worker.events import Events
from tuneforge_worker.spec import PROTOCOL, WorkerError, config_error
from tuneforge_worker.train import EXIT_CODES, _is_oom, _model_class


def read_spec(path: Path, what: str) -> Any:
    """The decoded JSON of a spec file (``what``: "generate spec", "score spec"); an
    unreadable file or one that is not JSON is a config error."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise config_error(f"cannot read the {what} {path}: {error}") from error
    except json.JSONDecodeError as error:
        raise config_error(f"the {what} {path} is not JSON: {error}") from error
    return document


def check_protocol(document: Any, what: str) -> None:
    """A spec of another protocol is refused before its fields are read."""
    if isinstance(document, dict) and document.get("protocol") != PROTOCOL:
        raise config_error(f"unsupported {what} protocol {document.get('protocol')!r}; this worker speaks {PROTOCOL}")


def read_config(model_dir: Path) -> Any:
    """The model's ``AutoConfig``; a missing or unreadable one is a config error."""
    from transformers import AutoConfig

    # Checked here: from_pretrained would take a missing directory for a Hub id and go online.
    if not (model_dir / "config.json").is_file():
        raise config_error(f"no model in {model_dir} (no config.json)")
    try:
        return AutoConfig.from_pretrained(str(model_dir))
    except (OSError, ValueError) as error:
        raise config_error(f"cannot read the model config in {model_dir}: {error}") from error


def load_model(
    model_dir: Path,
    adapter_dir: Path | None,
    *,
    config: Any,
    bf16: bool,
    load_in_4bit: bool,
    cuda: bool,
    prepare: Callable[[Any], None] | None = None,
) -> Any:
    """The base model as train.py loads it, ``prepare``d, with the adapter, in eval mode."""
    import torch
    import transformers
    from transformers import BitsAndBytesConfig

    transformers.utils.logging.disable_progress_bar()
    dtype = torch.bfloat16 if bf16 else torch.float32
    kwargs: dict[str, Any] = {"dtype": dtype, "attn_implementation": "sdpa", "device_map": "cuda" if cuda else "cpu"}
    if load_in_4bit:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
    try:
        model = _model_class(config).from_pretrained(str(model_dir), **kwargs)
    except (OSError, ValueError) as error:
        raise config_error(f"cannot load the model in {model_dir}: {error}") from error
    if prepare is not None:
        # Before the adapter wraps it: PeftModel.generate reads the base model's settings.
        prepare(model)
    if adapter_dir is not None:
        model = with_adapter(model, adapter_dir, model_dir)
    return model.eval()


def with_adapter(model: Any, adapter_dir: Path, model_dir: Path) -> Any:
    """``model`` with the PEFT adapter in ``adapter_dir``; one that does not fit is a config error."""
    from peft import PeftModel

    # Checked here: from_pretrained would take a missing directory for a Hub id.
    if not (adapter_dir / "adapter_config.json").is_file():
        raise config_error(f"no adapter in {adapter_dir} (no adapter_config.json)")
    where = f"the adapter {adapter_dir} does not fit the model {model_dir}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = PeftModel.from_pretrained(model, str(adapter_dir))
        except (OSError, ValueError, RuntimeError, KeyError) as error:  # shape mismatch, no target module
            raise config_error(f"{where}: {first_lines(str(error))}") from error
    for warning in caught:
        # PEFT only warns when adapter weights have no place in the model; they would be silently
        # left at their initial values, so the results would not be the adapter's.
        if "missing adapter keys" in str(warning.message):
            raise config_error(f"{where}: {first_lines(str(warning.message))}")
        warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    return model


def first_lines(text: str, count: int = 3, chars: int = 600) -> str:
    """PEFT's messages list every weight (a shape mismatch, missing keys): the first few tell what is wrong."""
    lines = text.splitlines()
    short = "\n".join(lines[:count] + ([f"... ({len(lines) - count} more lines)"] if len(lines) > count else []))
    return short if len(short) <= chars else short[:chars] + " ..."


def execute(events: Events, work: Callable[[], None], interrupted: str) -> int:
    """Run ``work`` (which emits its own success event); every failure becomes one ``error``
    event. Returns the exit code."""

    def fail(kind: str, message: str) -> int:
        events.emit("error", kind=kind, message=message, step=None)
        return EXIT_CODES[kind]

    try:
        work()
        return 0
    except WorkerError as error:
        print(f"tuneforge: {error.kind} error: {error.message}", file=sys.stderr)
        return fail(error.kind, error.message)
    except KeyboardInterrupt:
        return fail("interrupted", interrupted)
    except Exception as error:  # noqa: BLE001 - reported as an event, with the traceback on stderr
        traceback.print_exc(file=sys.stderr)
        return fail("oom" if _is_oom(error) else "internal", f"{type(error).__name__}: {error}")
