"""``python -m tuneforge_worker generate --spec generate_spec.json``: answers from a model.

tuneforge (Rust, crates/tuneforge-train/src/generate.rs) has already rendered and tokenized
the prompts; this module runs a base model, with or without a LoRA adapter, on them and
appends one answer per request to a JSON Lines file, batch by batch (flushed and synced),
so a run stopped halfway continues where it was: ids already answered are skipped.

Field names are the protocol (``GenerateSpec``, ``GenerateRequest``, ``GeneratedAnswer``).
Events on stdout: ``generation_started``, ``generated`` after each batch,
``generation_finished``, or one ``error``. Exit codes are train's (``EXIT_CODES``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuneforge_worker.events import Events
from tuneforge_worker.spec import WorkerError, _bool, _float, _int, _keys, _path, _str, config_error
from tuneforge_worker.inference import execute as execute_reported
from tuneforge_worker.inference import check_protocol, load_model, read_config, read_spec

_SPEC = {
    "protocol", "model_dir", "adapter_dir", "requests", "output", "batch_size", "temperature", "top_p",
    "pad_token_id", "bf16", "load_in_4bit",
}  # fmt: skip
_REQUEST = {"id", "input_ids", "max_new_tokens", "stop", "seed"}
# What makes an output line an answer: the fields Rust's GeneratedAnswer needs, so both
# sides agree on which requests are done.
_ANSWER = {"id": str, "text": str, "new_tokens": int, "finish_reason": str}
_MAX_SEED = 2**64 - 1  # the request seed is a u64; torch.manual_seed takes all of them


@dataclass(frozen=True)
class GenerateSpec:
    model_dir: Path
    adapter_dir: Path | None
    requests: Path
    output: Path
    batch_size: int
    temperature: float
    top_p: float
    pad_token_id: int
    bf16: bool
    load_in_4bit: bool


@dataclass(frozen=True)
class Request:
    id: str
    input_ids: tuple[int, ...]
    max_new_tokens: int
    stop: tuple[str, ...]
    seed: int
    line: int  # 1-based, for data errors found after parsing (token ids out of the vocabulary)


# --- the files -----------------------------------------------------------------------------


def parse_spec(document: Any) -> GenerateSpec:
    """Check a decoded ``generate_spec.json``; raises ``WorkerError(kind="config")``."""
    check_protocol(document, "generate spec")
    top = _keys("generate spec", document, _SPEC)
    top_p = _float("top_p", top["top_p"])
    if not 0.0 < top_p <= 1.0:
        raise config_error(f"top_p must be > 0 and <= 1, not {top_p}")
    return GenerateSpec(
        model_dir=_path("model_dir", top["model_dir"]),
        adapter_dir=_path("adapter_dir", top["adapter_dir"], nullable=True),
        requests=_path("requests", top["requests"]),
        output=_path("output", top["output"]),
        batch_size=_int("batch_size", top["batch_size"], minimum=1),
        temperature=_float("temperature", top["temperature"]),
        top_p=top_p,
        pad_token_id=_int("pad_token_id", top["pad_token_id"]),
        bf16=_bool("bf16", top["bf16"]),
        load_in_4bit=_bool("load_in_4bit", top["load_in_4bit"]),
    )


def load_spec(path: Path) -> GenerateSpec:
    return parse_spec(read_spec(path, "generate spec"))


def _parse_request(document: Any, line: int) -> Request:
    # spec.py's checks raise config errors; the caller turns them into data errors.
    fields = _keys("request", document, _REQUEST)
    ids, stop = fields["input_ids"], fields["stop"]
    if not isinstance(ids, list) or not ids or not all(type(i) is int and i >= 0 for i in ids):
        raise config_error("input_ids must be a non-empty list of token ids (integers >= 0)")
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
        raise config_error("stop must be a list of non-empty strings")
    seed = _int("seed", fields["seed"])
    if seed > _MAX_SEED:
        raise config_error(f"seed must be < 2^64, not {seed}")
    return Request(
        id=_str("id", fields["id"]),
        input_ids=tuple(ids),
        max_new_tokens=_int("max_new_tokens", fields["max_new_tokens"], minimum=1),
        stop=tuple(stop),
        seed=seed,
        line=line,
    )


def read_requests(path: Path) -> list[Request]:
    """Every request line, checked; a bad line is a ``data`` error naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise WorkerError("data", f"cannot read the requests {path}: {error}") from error
    requests: list[Request] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            request = _parse_request(json.loads(line), number)
        except json.JSONDecodeError as error:
            raise WorkerError("data", f"{path}:{number}: not JSON: {error}") from error
        except WorkerError as error:
            raise WorkerError("data", f"{path}:{number}: {error.message}") from error
        if request.id in seen:  # two answers with one id would be ambiguous to the reader
            raise WorkerError("data", f"{path}:{number}: duplicate request id {request.id!r}")
        seen.add(request.id)
        requests.append(request)
    return requests


def answered_ids(path: Path) -> set[str]:
    """The ids of the answers in ``path`` that parse; a torn line (a kill mid-write) is ignored."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return set()
    ids = set()
    for line in raw.decode("utf-8", errors="replace").split("\n"):
        try:
            answer = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(answer, dict) and all(type(answer.get(k)) is t for k, t in _ANSWER.items()):
            ids.add(answer["id"])
    return ids


def open_output(path: Path) -> Any:
    """The output for appending, starting on a fresh line even after a torn last line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "a+b")  # noqa: SIM115 - closed by the caller
    if stream.seek(0, os.SEEK_END) > 0:
        stream.seek(-1, os.SEEK_END)
        if stream.read(1) != b"\n":
            stream.write(b"\n")  # the torn line stays unparseable; its request is pending again
    return stream


def batches(requests: list[Request], batch_size: int) -> list[list[Request]]:
    """Requests grouped by (seed, max_new_tokens), since one generate call takes one of each,
    sorted by length within a group (stable, so deterministic) to waste little padding."""
    groups: dict[tuple[int, int], list[Request]] = {}
    for request in requests:
        groups.setdefault((request.seed, request.max_new_tokens), []).append(request)
    out = []
    for group in groups.values():
        group = sorted(group, key=lambda r: len(r.input_ids))
        out += [group[i : i + batch_size] for i in range(0, len(group), batch_size)]
    return out


# --- the model -----------------------------------------------------------------------------


def _load(spec: GenerateSpec, cuda: bool) -> tuple[Any, Any, int, set[int]]:
    """Model (with the adapter, in eval mode), tokenizer, text vocabulary size, EOS ids."""
    import transformers
    from transformers import AutoTokenizer

    config = read_config(spec.model_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(spec.model_dir))
    except (OSError, ValueError) as error:
        raise config_error(f"cannot load the tokenizer in {spec.model_dir}: {error}") from error
    eos: list[int] = []

    def decode_only_as_asked(model: Any) -> None:
        # Decoding is what the spec says and nothing else: the model's suggested sampling
        # settings (top_k, repetition_penalty, ...) in generation_config.json are dropped,
        # its ids kept.
        eos.extend(_eos_ids(model, tokenizer))
        model.generation_config = transformers.GenerationConfig(
            eos_token_id=eos or None, pad_token_id=spec.pad_token_id, bos_token_id=model.generation_config.bos_token_id
        )

    model = load_model(
        spec.model_dir,
        spec.adapter_dir,
        config=config,
        bf16=spec.bf16,
        load_in_4bit=spec.load_in_4bit,
        cuda=cuda,
        prepare=decode_only_as_asked,
    )
    return model, tokenizer, config.get_text_config().vocab_size, set(eos)


def _eos_ids(model: Any, tokenizer: Any) -> list[int]:
    """End of sequence: the model's generation_config ids (a chat model may list several)
    plus the tokenizer's."""
    found = model.generation_config.eos_token_id
    ids = [found] if isinstance(found, int) else list(found or [])
    if tokenizer.eos_token_id is not None and tokenizer.eos_token_id not in ids:
        ids.append(tokenizer.eos_token_id)
    return ids


def _stop_criteria(prompt_length: int, batch: list[Request], eos: set[int], tokenizer: Any) -> Any:
    """Per-row stopping for generate: a row is done at its first EOS or once its text holds
    one of its own stop strings (generate's ``stop_strings`` would apply every row's strings
    to every row). Records how many new tokens each row had when it finished."""
    import torch
    from transformers import StoppingCriteria

    class StopCriteria(StoppingCriteria):
        def __init__(self) -> None:
            self.lengths: list[int | None] = [None] * len(batch)
            self.seen = 0  # new tokens already checked for EOS
            longest = max((len(s.encode()) for r in batch for s in r.stop), default=0)
            # A token decodes to >= 1 byte (byte-level BPE, byte fallback), so this many tail
            # tokens hold a stop string the last token completed; the full text confirms a hit.
            # A miss (e.g. skipped special tokens in the tail) only costs generating on to
            # max_new_tokens: the answer is still cut at the stop string.
            self.window = longest + 8

        def _stopped(self, ids: Any, stops: tuple[str, ...]) -> bool:
            # Decoding only the tail keeps each step cheap however long the answer grows.
            tail = tokenizer.decode(ids[-self.window :].tolist(), skip_special_tokens=True)
            if not any(s in tail for s in stops):
                return False
            text = tokenizer.decode(ids.tolist(), skip_special_tokens=True)
            return any(s in text for s in stops)

        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            count = input_ids.shape[1] - prompt_length
            fresh = input_ids[:, prompt_length + self.seen :].tolist()  # usually one token per row
            for row, request in enumerate(batch):
                if self.lengths[row] is not None:
                    continue  # finished rows only get pad tokens now
                at_eos = next((i for i, token in enumerate(fresh[row]) if token in eos), None)
                if at_eos is not None:
                    self.lengths[row] = self.seen + at_eos + 1
                elif request.stop and self._stopped(input_ids[row, prompt_length:], request.stop):
                    self.lengths[row] = count
            self.seen = count
            return torch.tensor([n is not None for n in self.lengths], device=input_ids.device)

    return StopCriteria()


def generate_batch(model: Any, tokenizer: Any, batch: list[Request], spec: GenerateSpec, eos: set[int]) -> list[dict]:
    """One generate call: left padding (new tokens line up at the right), one seed."""
    import torch
    from transformers import StoppingCriteriaList

    width = max(len(r.input_ids) for r in batch)
    ids = [[spec.pad_token_id] * (width - len(r.input_ids)) + list(r.input_ids) for r in batch]
    mask = [[0] * (width - len(r.input_ids)) + [1] * len(r.input_ids) for r in batch]
    device = model.device
    stop = _stop_criteria(width, batch, eos, tokenizer)
    sampling: dict[str, Any] = {"do_sample": False}  # greedy: no temperature/top_p, no warning
    if spec.temperature > 0:
        # top_k=0: no top-k cut (transformers' default is 50); the spec only has temperature and top_p.
        sampling = {"do_sample": True, "temperature": spec.temperature, "top_p": spec.top_p, "top_k": 0}
    torch.manual_seed(batch[0].seed)
    output = model.generate(
        input_ids=torch.tensor(ids, device=device),
        attention_mask=torch.tensor(mask, device=device),
        max_new_tokens=batch[0].max_new_tokens,
        stopping_criteria=StoppingCriteriaList([stop]),
        **sampling,
    )
    new = output[:, width:].tolist()
    answers = []
    for row, request in enumerate(batch):
        length = stop.lengths[row] if stop.lengths[row] is not None else len(new[row])
        tokens = new[row][:length]
        text = tokenizer.decode(tokens, skip_special_tokens=True)
        cut = min((text.find(s) for s in request.stop if s in text), default=-1)
        if cut >= 0:
            text, reason = text[:cut], "stop"
        else:
            reason = "stop" if tokens and tokens[-1] in eos else "length"
        answers.append({"id": request.id, "text": text, "new_tokens": len(tokens), "finish_reason": reason})
    return answers


# --- the command ---------------------------------------------------------------------------


def run(spec: GenerateSpec, events: Events) -> int:
    """Answer every request not answered yet; returns how many were generated."""
    began = time.time()
    requests = read_requests(spec.requests)  # a bad line fails before the model loads
    done_ids = answered_ids(spec.output)
    pending = [r for r in requests if r.id not in done_ids]
    import torch

    cuda = torch.cuda.is_available()
    if not pending:  # nothing to do: no need to load the model
        events.emit("generation_started", device="cuda" if cuda else "cpu", total=0)
        events.emit("generation_finished", generated=0, runtime_seconds=time.time() - began)
        return 0
    model, tokenizer, vocab_size, eos = _load(spec, cuda)
    if spec.pad_token_id >= vocab_size:  # padding is embedded too (then masked)
        raise config_error(f"pad_token_id {spec.pad_token_id} >= vocab size {vocab_size}")
    for request in pending:
        if max(request.input_ids) >= vocab_size:
            raise WorkerError(
                "data", f"{spec.requests}:{request.line}: token id {max(request.input_ids)} >= vocab size {vocab_size}"
            )
    events.emit("generation_started", device="cuda" if cuda else "cpu", total=len(pending))
    done = new_tokens = 0
    started = time.time()
    with open_output(spec.output) as out, torch.inference_mode():
        for batch in batches(pending, spec.batch_size):
            answers = generate_batch(model, tokenizer, batch, spec, eos)
            out.write("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())  # an answer reported done survives a crash of the machine
            done += len(answers)
            new_tokens += sum(a["new_tokens"] for a in answers)
            events.emit(
                "generated",
                done=done,
                total=len(pending),
                new_tokens=new_tokens,
                tokens_per_second=new_tokens / max(time.time() - started, 1e-9),
            )
    events.emit("generation_finished", generated=done, runtime_seconds=time.time() - began)
    return done


def execute(spec: GenerateSpec | Path, events: Events) -> int:
    """Run and report: every failure becomes one ``error`` event; returns the exit code."""

    def work() -> None:
        run(load_spec(spec) if isinstance(spec, Path) else spec, events)

    return execute_reported(events, work, "interrupted; the answers written so far are kept and a rerun continues")


def main(spec_path: Path) -> int:
    """The ``generate`` command: events on the real stdout, everything else on stderr."""
    from tuneforge_worker.events import claim_stdout

    return execute(spec_path, Events(claim_stdout()))
