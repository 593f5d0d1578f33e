"""The transformers side of bench/prep_bench.sh: render and tokenize a dataset's samples as a
transformers user would, timed, and (untimed) compare the result with `tuneforge prepare`.

    prep_transformers.py MODEL_DIR TRAIN_JSONL [--check TOKENS_DIR] [--batch 1000]

Two timed passes over the same samples, after the imports, the tokenizer load and reading
the JSONL (all three timed and reported separately):

* "template+tokenize": `tok.apply_chat_template(messages, tokenize=False)` per sample, then
  `tok(texts, add_special_tokens=False)` on batches of `--batch` texts (the fast tokenizer's
  batch call, as `datasets.map(batched=True)` would feed it; 1000 is map's default).
  This does less than `tuneforge prepare`: no loss labels.
* "with labels": the same, plus the labels tuneforge builds, the way a transformers user
  gets them for a template without `{% generation %}` tags (Qwen2.5's): for each trained
  assistant message i (all of them, or the last for `train_on: last_assistant`), render
  messages[:i] with `add_generation_prompt=True` and messages[:i+1] without; the text the
  second adds to the first, right-stripped, is the trained span (the answer and
  `<|im_end|>`). Tokenize with `return_offsets_mapping=True`; a token is trained when its
  character range overlaps a span, else its label is -100 (numpy per sample).

Neither pass packs rows or writes a file, and both run in one Python process (the batch
tokenizer call itself uses the tokenizers library's threads). `tuneforge prepare` also
packs, writes safetensors and a manifest, and is timed as a whole process, start-up included.

With --check, after the timing, every sample's (input_ids, labels) from the labels pass is
compared with the documents in TOKENS_DIR/train.safetensors (as multisets: tuneforge packs
documents longest first). Samples longer than the manifest's max_seq_len are left out, as
tuneforge drops them. Any difference exits with status 1.

Prints one JSON object on stdout.
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import collections  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

IGNORE_INDEX = -100


def trained_spans(tok, messages, train_on):
    """Character spans of the trained assistant turns in the full render (see the header)."""
    assistants = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    if train_on == "last_assistant":
        assistants = assistants[-1:]
    spans = []
    for i in assistants:
        prompt = tok.apply_chat_template(messages[:i], tokenize=False, add_generation_prompt=True)
        through = tok.apply_chat_template(messages[: i + 1], tokenize=False)
        if not through.startswith(prompt):
            raise SystemExit(f"the template is not prefix-stable at message {i}")
        turn = through[len(prompt) :].rstrip()
        spans.append((len(prompt), len(prompt) + len(turn)))
    return spans


def doc_key(ids, labels):
    return hashlib.blake2b(
        np.ascontiguousarray(ids, dtype=np.int64).tobytes() + b"|" + np.ascontiguousarray(labels, dtype=np.int64).tobytes(),
        digest_size=16,
    ).digest()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("train_jsonl")
    ap.add_argument("--check", metavar="TOKENS_DIR")
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    import_s = time.perf_counter() - T_START

    t0 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(args.model)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    with open(args.train_jsonl, encoding="utf-8") as f:
        samples = [json.loads(line) for line in f if line.strip()]
    convs = [[{"role": m["role"], "content": m["content"]} for m in s["messages"]] for s in samples]
    train_on = [s.get("train_on", "all_assistant") for s in samples]
    read_s = time.perf_counter() - t0

    # Pass 1: template + tokenize.
    plain_tokens = 0
    plain_lengths = []
    t0 = time.perf_counter()
    for start in range(0, len(convs), args.batch):
        texts = [tok.apply_chat_template(c, tokenize=False) for c in convs[start : start + args.batch]]
        ids = tok(texts, add_special_tokens=False).input_ids
        plain_lengths.extend(len(x) for x in ids)
    plain_s = time.perf_counter() - t0
    plain_tokens = sum(plain_lengths)

    # Pass 2: template + tokenize + labels. Only the timed part is summed; the check's
    # hashing runs between batches with the clock stopped.
    labels_s = 0.0
    trained = 0
    lengths = []
    keys = []
    for start in range(0, len(convs), args.batch):
        t0 = time.perf_counter()
        chunk = convs[start : start + args.batch]
        texts = [tok.apply_chat_template(c, tokenize=False) for c in chunk]
        spans = [trained_spans(tok, c, t) for c, t in zip(chunk, train_on[start : start + args.batch])]
        enc = tok(texts, add_special_tokens=False, return_offsets_mapping=True)
        batch = []
        for ids, offsets, sp in zip(enc.input_ids, enc.offset_mapping, spans):
            ids = np.asarray(ids, dtype=np.int64)
            offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
            mask = np.zeros(len(ids), dtype=bool)
            for s, e in sp:
                mask |= (offsets[:, 0] < e) & (offsets[:, 1] > s)
            batch.append((ids, np.where(mask, ids, IGNORE_INDEX)))
        labels_s += time.perf_counter() - t0
        for ids, labels in batch:
            lengths.append(len(ids))
            trained += int((labels != IGNORE_INDEX).sum())
            if args.check:
                keys.append(doc_key(ids, labels))
    if lengths != plain_lengths:
        print("the two passes tokenized differently", file=sys.stderr)
        return 1

    result = {
        "samples": len(samples),
        "import_s": import_s,
        "tokenizer_load_s": load_s,
        "read_s": read_s,
        "tokens": plain_tokens,
        "trained_tokens": trained,
        "template_tokenize_s": plain_s,
        "with_labels_s": labels_s,
        "batch": args.batch,
    }

    if args.check:
        from safetensors.numpy import load_file

        manifest = json.load(open(f"{args.check}/tokens.json", encoding="utf-8"))
        max_len = manifest["max_seq_len"]
        split = next(s for s in manifest["splits"] if s["name"] == "train")
        t = load_file(f"{args.check}/train.safetensors")
        bounds = np.cumsum(t["seq_lengths"])[:-1]
        theirs = collections.Counter(
            doc_key(i, l) for i, l in zip(np.split(t["input_ids"], bounds), np.split(t["labels"], bounds))
        )
        kept = [(k, n) for k, n in zip(keys, lengths) if n <= max_len]
        ours = collections.Counter(k for k, _ in kept)
        kept_tokens = sum(n for _, n in kept)
        problems = []
        if kept_tokens != split["tokens"]:
            problems.append(f"tokens: transformers {kept_tokens}, tuneforge {split['tokens']}")
        if len(kept) != split["encoded"]:
            problems.append(f"samples: transformers {len(kept)}, tuneforge {split['encoded']} encoded")
        differ = sum((ours - theirs).values()) + sum((theirs - ours).values())
        if differ:
            problems.append(f"{differ} documents differ in input_ids or labels")
        result["check"] = {
            "documents_compared": len(kept),
            "dropped_over_length": len(keys) - len(kept),
            "identical": not problems,
        }
        if problems:
            print("MISMATCH between transformers and tuneforge: " + "; ".join(problems), file=sys.stderr)
            print(json.dumps(result))
            return 1

    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
