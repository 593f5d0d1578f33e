"""The reference for bench/teacher_bench.sh: a plain asyncio client (httpx) sending the same
prompts to the same OpenAI-compatible endpoint (bench/eval_bench.sh uses it too) at the same concurrency, with the same
sampling parameters. Prints wall time and tokens as JSON."""

import asyncio
import json
import sys
import time

import httpx


async def main(url: str, model: str, concurrency: int, max_tokens: int, prompts_path: str) -> None:
    with open(prompts_path, encoding="utf-8") as f:
        # A .jsonl file holds one JSON string per line (prompts with newlines); any other
        # file one prompt per line.
        if prompts_path.endswith(".jsonl"):
            prompts = [json.loads(line) for line in f if line.strip()]
        else:
            prompts = [line.rstrip("\n") for line in f if line.strip()]
    gate = asyncio.Semaphore(concurrency)
    tokens = 0
    failed = 0

    async with httpx.AsyncClient(timeout=600) as client:

        async def one(prompt: str) -> None:
            nonlocal tokens, failed
            async with gate:
                body = {
                    "model": model,
                    "messages": [{"role": "user", "content": prompt}],
                    "temperature": 0.0,
                    "max_tokens": max_tokens,
                    "seed": 42,
                    "stream": False,
                }
                r = await client.post(f"{url.rstrip('/')}/chat/completions", json=body)
                if r.status_code != 200:
                    failed += 1
                    return
                tokens += r.json().get("usage", {}).get("completion_tokens", 0)

        start = time.perf_counter()
        await asyncio.gather(*(one(p) for p in prompts))
        seconds = time.perf_counter() - start
    print(json.dumps({"requests": len(prompts), "failed": failed, "seconds": seconds, "completion_tokens": tokens}))


if __name__ == "__main__":
    url, model, concurrency, max_tokens, prompts = sys.argv[1:6]
    asyncio.run(main(url, model, int(concurrency), int(max_tokens), prompts))
