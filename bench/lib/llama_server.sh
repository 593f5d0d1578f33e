# Sourced by the benchmarks that need a real llama.cpp server: the test Python from
# scripts/python-env.sh (llama-cpp-python built once, then cached) serving the SmolLM2-135M
# GGUF on a free loopback port. Sets $url (up to /v1) and $server (its pid); the caller's
# EXIT trap kills $server. Needs $work (a scratch directory) to be set.

env_lines=$(scripts/python-env.sh)
while IFS='=' read -r name value; do export "$name=$value"; done <<<"$env_lines"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TUNEFORGE_TEST_PYTHON" -m llama_cpp.server --host 127.0.0.1 --port "$port" --n_ctx 4096 \
  --model "$TUNEFORGE_LLAMA_GGUF" >"$work/server.log" 2>&1 &
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
