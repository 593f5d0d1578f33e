#!/usr/bin/env python3
"""Write N captured interactions in the raw/interactions.jsonl shape, derived from the
bundled sample: every line gets a unique query suffix, id and timestamp; about 2% are
exact duplicates of an earlier line (whitespace changed) so dedup has work to do; the
sample's pasted secrets recur, so redaction does too."""
import json
import sys

def main() -> None:
    sample_path, out_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sample = [json.loads(l) for l in open(sample_path, encoding="utf-8")]
    base_ms = 1_772_000_000_000
    with open(out_path, "w", encoding="utf-8") as out:
        for i in range(n):
            rec = json.loads(json.dumps(sample[i % len(sample)]))
            if i % 50 == 49 and i >= len(sample):
                # The same interaction as an earlier line, re-captured with extra spaces.
                variant = i - len(sample)
                rec["messages"][0]["content"] += f"  (variant {variant}) "
            else:
                rec["messages"][0]["content"] += f" (variant {i})"
            ms = base_ms + i * 1000
            rec["metadata"]["interaction_id"] = f"int_{ms}_{i:08x}"
            rec["metadata"]["timestamp"] = f"2026-02-25T00:00:00.{i % 1000:03d}Z"
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")

if __name__ == "__main__":
    main()
