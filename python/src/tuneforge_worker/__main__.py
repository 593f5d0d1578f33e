"""Entry point: ``python -m tuneforge_worker <command> [args]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tuneforge_worker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="print what this environment can do, as one JSON object")
    commands.add_parser("versions", help="print the versions of the training stack, as one JSON object (no imports)")
    tiny = commands.add_parser("tiny", help="build a tiny model from a config (tests, quickstart)")
    tiny.add_argument("--arch", required=True)
    tiny.add_argument("--out", required=True, type=Path)
    tiny.add_argument("--vocab-size", type=int, default=256)
    tiny.add_argument("--tokenizer", type=Path, default=None, help="a directory with tokenizer.json")
    tiny.add_argument("--seed", type=int, default=0)
    train = commands.add_parser("train", help="train a LoRA adapter; JSON Lines events on stdout")
    train.add_argument("--spec", required=True, type=Path, help="run_spec.json written by tuneforge")
    generate = commands.add_parser("generate", help="answer tokenized prompts; JSON Lines events on stdout")
    generate.add_argument("--spec", required=True, type=Path, help="generate_spec.json written by tuneforge")
    score = commands.add_parser("score", help="mean loss and perplexity over a token file; JSON Lines events on stdout")
    score.add_argument("--spec", required=True, type=Path, help="score_spec.json written by tuneforge")
    args = parser.parse_args(argv)

    if args.command == "train":
        from tuneforge_worker.train import main as train_main

        return train_main(args.spec)
    if args.command == "generate":
        from tuneforge_worker.generate import main as generate_main

        return generate_main(args.spec)
    if args.command == "score":
        from tuneforge_worker.score import main as score_main

        return score_main(args.spec)

    if args.command == "versions":
        from tuneforge_worker.doctor import package_versions

        json.dump(package_versions(), sys.stdout)
        sys.stdout.write("\n")
        return 0
    if args.command == "tiny":
        from tuneforge_worker.tiny import build

        build(args.arch, args.out, vocab_size=args.vocab_size, tokenizer_dir=args.tokenizer, seed=args.seed)
        return 0

    if args.command == "doctor":
        from tuneforge_worker.doctor import probe

        json.dump(probe(), sys.stdout)
        sys.stdout.write("\n")
        return 0
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
