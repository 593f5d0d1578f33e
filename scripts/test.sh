#!/usr/bin/env bash
# Every check CI runs: formatting, lints, all tests, and the benchmark's smoke mode.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
bench/process_bench.sh --smoke
