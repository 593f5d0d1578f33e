"""Entry point: ``python -m tuneforge_worker <command> [args]``."""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tuneforge_worker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="print what this environment can do, as one JSON object")
    args = parser.parse_args(argv)

    if args.command == "doctor":
        from tuneforge_worker.doctor import probe

        json.dump(probe(), sys.stdout)
        sys.stdout.write("\n")
        return 0
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
