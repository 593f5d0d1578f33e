"""``python -m tuneforge_worker train --spec run_spec.json``: LoRA / QLoRA training.

tuneforge (Rust) has already rendered, tokenized, labelled and packed the data; this module
runs the forward/backward pass with TRL's ``SFTTrainer`` in padding-free mode
(ARCHITECTURE.md, "Packed training": ``position_ids`` restart per document, no attention mask, no cache) and
reports JSON Lines events on stdout (see :mod:`tuneforge_worker.events`).

Checkpoints are Hugging Face Trainer checkpoints (adapter, optimizer, scheduler, RNG state,
trainer state with the data position) in ``output_dir/checkpoints/checkpoint-<step>``, so
``resume`` continues bit for bit where the run stopped. The final adapter goes to
``output_dir/adapter``.

Exit codes: 0 finished, 1 internal, 2 config, 3 out of memory, 4 data, 130 interrupted.
"""

from __future__ import annotations

import re
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuneforge_worker.events import Events
from tuneforge_worker.spec import RunSpec, WorkerError, config_error

EXIT_CODES = {"internal": 1, "config": 2, "oom": 3, "data": 4, "interrupted": 130}
# Stored in each training log entry of trainer_state.json, so a resumed run continues the count.
TOKENS_LOG_KEY = "tuneforge_tokens"
_PAD_TOKEN = "<tuneforge-pad>"
_NEVER = 10**12  # save_steps when only the end saves a checkpoint


@dataclass
class Progress:
    """What the callbacks, the trainer and the signal handler share during one run."""

    step: int | None = None  # the optimizer step in progress (or the last one finished)
    training: bool = False  # inside the training loop: Ctrl-C stops after the step
    stop_requested: bool = False
    stopped_at: int | None = None  # the step after which a requested stop was carried out
    tokens: int = 0  # non-pad input tokens on this process, the whole run (resumes included)
    session_tokens: int = 0  # the same since this process began training
    session_start: float = 0.0


@dataclass
class Outcome:
    """How :func:`train` ended, and the trainer (its model is the trained one)."""

    trainer: Any
    interrupted: bool
    step: int
    train_loss: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


# --- backend, model, LoRA ---------------------------------------------------------------


def choose_backend(requested: str) -> str:
    """``auto`` is Unsloth when it imports and CUDA is available, else TRL."""
    import torch

    if requested == "trl":
        return "trl"
    cuda = torch.cuda.is_available()
    if requested == "unsloth" and not cuda:
        raise config_error("backend 'unsloth' needs a CUDA GPU; use 'trl' or 'auto'")
    if not cuda:
        return "trl"
    try:
        # Unsloth patches transformers/TRL/PEFT: it must be imported before them.
        import unsloth  # noqa: F401
    except Exception as error:  # noqa: BLE001 - any import failure means "not available"
        if requested == "unsloth":
            raise config_error(f"backend 'unsloth' is not available: {error}") from error
        return "trl"
    return "unsloth"


def lora_targets(spec: RunSpec) -> list[str] | str:
    """PEFT ``target_modules``: the names as given, or a regex confined to the language model.

    With ``language_model_prefix`` (e.g. Mistral3's ``model.language_model``) only modules
    whose full name starts with the prefix get LoRA, never a vision tower or projector.
    """
    if spec.language_model_prefix is None:
        return list(spec.lora.target_modules)
    names = "|".join(re.escape(name) for name in spec.lora.target_modules)
    return rf"{re.escape(spec.language_model_prefix)}\..*\.(?:{names})"


def _lora_config(spec: RunSpec):
    from peft import LoraConfig

    return LoraConfig(
        r=spec.lora.r,
        lora_alpha=spec.lora.alpha,
        lora_dropout=spec.lora.dropout,
        target_modules=lora_targets(spec),
        bias="none",
        task_type="CAUSAL_LM",
    )


def _model_class(config: Any) -> Any:
    """The class named in config.json (e.g. Mistral3ForConditionalGeneration), else AutoModelForCausalLM."""
    import transformers

    for name in getattr(config, "architectures", None) or []:
        cls = getattr(transformers, name, None)
        if cls is not None:
            return cls
    return transformers.AutoModelForCausalLM


def _load_trl_model(spec: RunSpec, config: Any, cuda: bool) -> Any:
    """The base model (4-bit NF4 for QLoRA) wrapped with a fresh LoRA adapter."""
    import torch
    from peft import get_peft_model, prepare_model_for_kbit_training
    from transformers import BitsAndBytesConfig

    dtype = torch.bfloat16 if spec.bf16 else torch.float32
    kwargs: dict[str, Any] = {"dtype": dtype, "attn_implementation": "sdpa"}
    if spec.load_in_4bit:
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
        )
        if cuda:
            from accelerate import PartialState

            kwargs["device_map"] = {"": PartialState().local_process_index}
    model = _model_class(config).from_pretrained(str(spec.model_dir), **kwargs)
    model.config.use_cache = False
    if spec.load_in_4bit:
        model = prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=spec.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    try:
        return get_peft_model(model, _lora_config(spec))
    except ValueError as error:  # e.g. no module matches target_modules
        raise config_error(f"LoRA: {error}") from error


def _load_unsloth_model(spec: RunSpec, max_seq_length: int) -> Any:
    """UNTESTED here (needs a CUDA GPU): the same LoRA settings through Unsloth."""
    import torch
    from unsloth import FastLanguageModel

    model, _tokenizer = FastLanguageModel.from_pretrained(
        model_name=str(spec.model_dir),
        max_seq_length=max_seq_length,
        dtype=torch.bfloat16 if spec.bf16 else None,
        load_in_4bit=spec.load_in_4bit,
    )
    return FastLanguageModel.get_peft_model(
        model,
        r=spec.lora.r,
        lora_alpha=spec.lora.alpha,
        lora_dropout=spec.lora.dropout,
        target_modules=lora_targets(spec),
        bias="none",
        use_gradient_checkpointing="unsloth" if spec.gradient_checkpointing else False,
        random_state=spec.seed,
    )


def _pad_tokenizer(pad_token_id: int) -> Any:
    """A stand-in tokenizer whose only token is the pad id.

    SFTTrainer insists on a tokenizer to find the pad id for its collator, but the worker
    never tokenizes (the data is token ids already) and a model directory need not hold a
    tokenizer. It is dropped after the trainer is built, so checkpoints never contain it.
    """
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel({_PAD_TOKEN: pad_token_id}, unk_token=None))
    return PreTrainedTokenizerFast(tokenizer_object=backend, pad_token=_PAD_TOKEN)


# --- checkpoints ---------------------------------------------------------------------------

_CHECKPOINT = re.compile(r"checkpoint-(\d+)")
_CHECKPOINT_FILES = ("trainer_state.json", "adapter_model.safetensors", "optimizer.pt", "scheduler.pt")


def newest_checkpoint(checkpoints: Path) -> Path | None:
    """The complete checkpoint with the highest step, if any."""
    found = []
    if checkpoints.is_dir():
        for path in checkpoints.iterdir():
            match = _CHECKPOINT.fullmatch(path.name)
            if match and all((path / name).is_file() for name in _CHECKPOINT_FILES):
                found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


# --- trainer -------------------------------------------------------------------------------


def _is_oom(error: BaseException) -> bool:
    import torch

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, torch.OutOfMemoryError):
            return True
        if isinstance(seen, RuntimeError) and "out of memory" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _trainer_class() -> type:
    import torch
    from trl import SFTTrainer

    class TuneforgeTrainer(SFTTrainer):
        """SFTTrainer that counts input tokens, carries the count in the logs, and can inject an OOM."""

        def __init__(self, *args: Any, progress: Progress, oom_at_step: int | None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.tuneforge_progress = progress
            self.tuneforge_oom_at_step = oom_at_step

        def training_step(self, model: Any, inputs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            step = self.state.global_step + 1
            if self.tuneforge_oom_at_step == step and self.args.per_device_train_batch_size > 1:
                raise torch.OutOfMemoryError(f"out of memory (tuneforge test hook test.oom_at_step={step})")
            if "attention_mask" in inputs:
                tokens = int(inputs["attention_mask"].sum())
            else:  # padding-free: one sequence with no padding
                tokens = int(inputs["input_ids"].numel())
            loss = super().training_step(model, inputs, *args, **kwargs)
            self.tuneforge_progress.tokens += tokens
            self.tuneforge_progress.session_tokens += tokens
            return loss

        def log(self, logs: dict[str, float], start_time: float | None = None) -> None:
            if "loss" in logs:
                logs[TOKENS_LOG_KEY] = self.tuneforge_progress.tokens
            super().log(logs, start_time)

    return TuneforgeTrainer


def _events_callback(events: Events, progress: Progress, spec: RunSpec, started: dict[str, Any]) -> Any:
    from transformers import TrainerCallback

    class EventsCallback(TrainerCallback):
        """Turns the trainer's progress into events; carries out a requested stop."""

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            for entry in reversed(state.log_history):
                if TOKENS_LOG_KEY in entry:
                    progress.tokens = int(entry[TOKENS_LOG_KEY])
                    break
            progress.step = state.global_step
            progress.session_start = time.time()
            progress.training = True
            events.emit("started", total_steps=int(state.max_steps), world_size=int(args.world_size), **started)

        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            progress.step = state.global_step + 1

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            progress.step = state.global_step
            hook = spec.test.stop_after_step == state.global_step
            if (progress.stop_requested or hook) and state.global_step < state.max_steps:
                control.should_save = True
                control.should_training_stop = True
                progress.stopped_at = state.global_step

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any) -> None:
            logs = logs or {}
            if "loss" in logs:
                loss = float(logs["loss"])
                if loss != loss or loss in (float("inf"), float("-inf")):
                    raise WorkerError("internal", f"the training loss is not finite ({loss}) at step {state.global_step}")
                elapsed = max(time.time() - progress.session_start, 1e-9)
                grad_norm = logs.get("grad_norm")
                events.emit(
                    "step",
                    step=int(state.global_step),
                    epoch=float(logs.get("epoch", state.epoch or 0.0)),
                    loss=loss,
                    learning_rate=float(logs["learning_rate"]),
                    grad_norm=None if grad_norm is None else float(grad_norm),
                    tokens=int(progress.tokens),
                    tokens_per_second=progress.session_tokens / elapsed,
                )
            if "eval_loss" in logs:
                eval_loss = float(logs["eval_loss"])
                if eval_loss == eval_loss and abs(eval_loss) != float("inf"):
                    events.emit("eval", step=int(state.global_step), eval_loss=eval_loss)
                else:
                    print(f"tuneforge: eval loss {eval_loss} at step {state.global_step} not reported", file=sys.stderr)

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
            events.emit("checkpoint", step=int(state.global_step), path=str(path))

    return EventsCallback()


def _sft_config(spec: RunSpec, evaluate: bool, cuda: bool) -> Any:
    from trl import SFTConfig

    try:
        return SFTConfig(
            output_dir=str(spec.checkpoints_dir),
            # The data is packed already (ARCHITECTURE.md, "Packed training"); TRL must not re-pack or re-tokenize.
            padding_free=True,
            packing=False,
            max_length=None,
            dataset_kwargs={"skip_prepare_dataset": True},
            per_device_train_batch_size=spec.micro_batch,
            per_device_eval_batch_size=spec.micro_batch,
            gradient_accumulation_steps=spec.grad_accum,
            num_train_epochs=spec.epochs,
            max_steps=spec.max_steps if spec.max_steps is not None else -1,
            learning_rate=spec.learning_rate,
            lr_scheduler_type=spec.lr_scheduler,
            warmup_steps=spec.warmup_ratio,  # < 1: a ratio of the total steps (transformers 5)
            # SFTConfig defaults both to True: set them from the spec. (transformers 5 renamed
            # gradient_checkpointing to activation_checkpointing.)
            bf16=spec.bf16,
            activation_checkpointing=spec.gradient_checkpointing,
            activation_checkpointing_kwargs={"use_reentrant": False} if spec.gradient_checkpointing else None,
            logging_strategy="steps",
            logging_steps=1,
            eval_strategy="steps" if evaluate else "no",
            eval_steps=spec.eval_every if evaluate else None,
            prediction_loss_only=True,
            save_strategy="steps",
            save_steps=spec.save_every or _NEVER,
            save_only_model=False,
            seed=spec.seed,
            data_seed=spec.seed,
            report_to="none",
            disable_tqdm=True,
            log_level="warning",
            dataloader_pin_memory=cuda,
            use_cpu=not cuda,
            # Several processes (torchrun sets WORLD_SIZE): gloo between CPU processes; on
            # GPUs the default (NCCL). Set for one process, it asks for a process group.
            ddp_backend="gloo" if not cuda and int(os.environ.get("WORLD_SIZE", "1")) > 1 else None,
        )
    except ValueError as error:
        raise config_error(f"training arguments: {error}") from error


def build_trainer(spec: RunSpec, events: Events, progress: Progress) -> tuple[Any, Path | None]:
    """Load data and model and build the trainer; returns it and the checkpoint to resume from."""
    backend = choose_backend(spec.backend)  # before transformers: Unsloth must patch it first
    import torch
    import transformers
    from transformers import AutoConfig, PrinterCallback

    transformers.utils.logging.disable_progress_bar()
    import datasets

    datasets.disable_progress_bars()

    from tuneforge_worker.data import load_split, max_row_length

    cuda = torch.cuda.is_available()
    try:
        config = AutoConfig.from_pretrained(str(spec.model_dir))
    except (OSError, ValueError) as error:
        raise config_error(f"cannot read the model config in {spec.model_dir}: {error}") from error
    vocab_size = config.get_text_config().vocab_size
    train_rows = load_split(spec.train_data, vocab_size=vocab_size)
    valid_rows = load_split(spec.valid_data, vocab_size=vocab_size) if spec.valid_data is not None else None
    evaluate = valid_rows is not None and spec.eval_every > 0

    args = _sft_config(spec, evaluate, cuda)  # a wrong setting fails before the model loads
    transformers.set_seed(spec.seed)  # the LoRA initialization draws from it
    if backend == "unsloth":
        model = _load_unsloth_model(spec, max_row_length(train_rows))
    else:
        model = _load_trl_model(spec, config, cuda)
    trainable, total = model.get_nb_trainable_parameters()

    resume_from = newest_checkpoint(spec.checkpoints_dir) if spec.resume else None
    started = {
        "backend": backend,
        "device": "cuda" if cuda else "cpu",
        "trainable_params": int(trainable),
        "total_params": int(total),
        "resumed_from_step": None,
    }
    if resume_from is not None:
        started["resumed_from_step"] = int(_CHECKPOINT.fullmatch(resume_from.name).group(1))

    trainer = _trainer_class()(
        model=model,
        args=args,
        train_dataset=train_rows,
        eval_dataset=valid_rows if evaluate else None,
        processing_class=_pad_tokenizer(spec.pad_token_id),
        callbacks=[_events_callback(events, progress, spec, started)],
        progress=progress,
        oom_at_step=spec.test.oom_at_step,
    )
    assert trainer.data_collator.pad_token_id == spec.pad_token_id
    trainer.remove_callback(PrinterCallback)  # it prints every log dict to stdout
    trainer.processing_class = None  # the stand-in tokenizer stays out of checkpoints
    if spec.load_in_4bit and not spec.bf16:
        # TRL casts QLoRA adapters to bf16 (the QLoRA paper's choice for bf16 training); with
        # float32 compute keep them float32, like the rest of the trainable path.
        for parameter in model.parameters():
            if parameter.requires_grad:
                parameter.data = parameter.data.float()
    return trainer, resume_from


def train(spec: RunSpec, events: Events, progress: Progress | None = None) -> Outcome:
    """Run the training the spec describes; raises on failure (see :func:`execute`)."""
    progress = progress or Progress()
    began = time.time()
    trainer, resume_from = build_trainer(spec, events, progress)
    try:
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from is not None else None)
    finally:
        progress.training = False
    state = trainer.state
    if progress.stopped_at is not None:
        return Outcome(trainer=trainer, interrupted=True, step=progress.stopped_at, events=events.emitted)
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    train_loss = sum(losses) / len(losses) if losses else float("nan")
    trainer.save_model(str(spec.adapter_dir))
    events.emit(
        "finished",
        step=int(state.global_step),
        train_loss=float(train_loss),
        adapter_dir=str(spec.adapter_dir),
        runtime_seconds=time.time() - began,
    )
    return Outcome(
        trainer=trainer, interrupted=False, step=int(state.global_step), train_loss=train_loss, events=events.emitted
    )


# --- the command ---------------------------------------------------------------------------


def _install_signal_handlers(progress: Progress) -> dict[int, Any]:
    """Ctrl-C (or SIGTERM) during training: finish the step, checkpoint, stop. A second one,
    or one before training begins, interrupts at once."""

    def handler(signum: int, frame: Any) -> None:
        if not progress.training or progress.stop_requested:
            raise KeyboardInterrupt
        progress.stop_requested = True
        print("tuneforge: stopping after this step (interrupt again to stop now)", file=sys.stderr)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous


def execute(spec: RunSpec | Path, events: Events, *, handle_signals: bool = True) -> tuple[int, Outcome | None]:
    """Run and report: every failure becomes one ``error`` event; returns (exit code, outcome)."""
    progress = Progress()
    previous = _install_signal_handlers(progress) if handle_signals else {}

    def fail(kind: str, message: str, step: int | None) -> tuple[int, None]:
        events.emit("error", kind=kind, message=message, step=step)
        return EXIT_CODES[kind], None

    try:
        if isinstance(spec, Path):
            from tuneforge_worker.spec import load

            spec = load(spec)
        outcome = train(spec, events, progress)
        if outcome.interrupted:
            events.emit(
                "error",
                kind="interrupted",
                message=f"stopped after step {outcome.step}; the checkpoint there resumes the run",
                step=outcome.step,
            )
            return EXIT_CODES["interrupted"], outcome
        return 0, outcome
    except WorkerError as error:
        print(f"tuneforge: {error.kind} error: {error.message}", file=sys.stderr)
        return fail(error.kind, error.message, progress.step)
    except KeyboardInterrupt:
        return fail("interrupted", "interrupted before a checkpoint could be saved", progress.step)
    except Exception as error:  # noqa: BLE001 - reported as an event, with the traceback on stderr
        traceback.print_exc(file=sys.stderr)
        kind = "oom" if _is_oom(error) else "internal"
        return fail(kind, f"{type(error).__name__}: {error}", progress.step)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(spec_path: Path) -> int:
    """The ``train`` command: events on the real stdout, everything else on stderr."""
    from tuneforge_worker.events import claim_stdout

    events = Events(claim_stdout())
    code, _ = execute(spec_path, events)
    return code
