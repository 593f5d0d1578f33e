#!/usr/bin/env bash
# Every check CI runs: formatting, lints, all tests, and the benchmark's smoke mode.
set -euo pipefail
cd "$(dirname "$0")/.."

# composer/semver (Debian's `composer` package) cross-checks the constraint parser; the
# test that uses it must run here, not skip.
if [[ ! -f /usr/share/php/Composer/Semver/autoload.php ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -q composer >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q composer >/dev/null; }
  else
    echo "note: install Debian's composer package (sudo apt-get install composer) to cross-check constraints" >&2
  fi
fi
if [[ -f /usr/share/php/Composer/Semver/autoload.php ]]; then
  export TUNEFORGE_REQUIRE_COMPOSER=1
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
bench/process_bench.sh --smoke
bench/sources_bench.sh --smoke
bench/dedup_bench.sh --smoke
