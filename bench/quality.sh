#!/usr/bin/env bash
# Data quality on real Drupal code: the pipeline with default settings on a drupal/core
# checkout, then the dataset's statistics and the defect counts issue by issue, one
# `key: value` per line so two commits' outputs diff cleanly.
#
#   bench/quality.sh CORE=/path/to/drupal/core [BRANCH=11.x] [KEEP=dir]
#   bench/quality.sh --smoke      the built-in sample corpus (CI)
#
# CORE is a git checkout or mirror of drupal/core (the branch defaults to its HEAD's).
# KEEP keeps the workspace there for reading samples afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0 core= branch= keep=
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    CORE=*) core=${arg#CORE=} ;;
    BRANCH=*) branch=${arg#BRANCH=} ;;
    KEEP=*) keep=${arg#KEEP=} ;;
    *) echo "usage: bench/quality.sh CORE=<drupal core checkout> [BRANCH=…] [KEEP=dir] | --smoke" >&2; exit 2 ;;
  esac
done
if (( ! smoke )) && [[ -z "$core" ]]; then
  echo "bench/quality.sh: name a drupal/core checkout with CORE=<dir> (or run --smoke)" >&2
  exit 2
fi

target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
cargo build --quiet -p tuneforge
bin=$target_dir/debug/tuneforge

if [[ -n "$keep" ]]; then
  rm -rf "$keep"; mkdir -p "$(dirname "$keep")"; ws=$keep; work=
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-quality.XXXXXX"); ws=$work/ws
  trap 'rm -rf "$work"' EXIT
fi

start=$(date +%s)
if (( smoke )); then
  "$bin" --no-progress quickstart --no-train "$ws" > "$ws.log" 2>&1 || { cat "$ws.log"; exit 1; }
else
  core=$(cd "$core" && pwd)
  if [[ -z "$branch" ]]; then
    branch=$(git -C "$core" symbolic-ref --short HEAD)
  fi
  "$bin" --no-progress init --preset drupal11 "$ws" > /dev/null
  python3 - "$ws/pipeline.yaml" "$core" "$branch" <<'PY'
import re, sys
path, core, branch = sys.argv[1:]
text = open(path).read()
sources = f"sources:\n  - type: drupal-core\n    url: {core}\n    branch: {branch}\n"
text, n = re.subn(r"(?ms)^sources:\n.*?(?=^\S)", sources, text, count=1)
assert n == 1, "pipeline.yaml has no sources: section"
open(path, "w").write(text)
PY
  (cd "$ws" && "$bin" --no-progress run) > "$ws.log" 2>&1 || { tail -40 "$ws.log"; exit 1; }
fi
seconds=$(( $(date +%s) - start ))

(cd "$ws" && "$bin" --json stats) > "$ws.stats.json"
python3 - "$ws" "$ws.stats.json" "$seconds" <<'PY'
import json, sys
ws, stats_path, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
s = json.load(open(stats_path))
manifest = json.load(open(f"{ws}/dataset/v1/manifest.json"))
gate = json.load(open(f"{ws}/quality/report.json"))
n = s["samples"] or 1
gen = s["by_generator"]
pct = lambda k: 100.0 * k / n
lint = s["lint"]
comp = manifest.get("package", {}).get("composition", {"removed": {}})
rows = [
    ("pipeline_seconds", seconds),
    ("samples", s["samples"]),
    ("explain_class_share_pct", round(pct(gen.get("template:explain-class", 0)), 1)),
    ("test_code_share_pct", round(pct(s["test_code"]), 1)),
    ("prompt_lint_flagged_pct", round(100.0 * lint["flagged"] / max(lint["prompts"], 1), 1)),
    ("identifier_redactions_high_entropy", s["placeholders"].get("high_entropy", 0)),
    ("answers_over_4k", s["answer_length"]["over_4k"]),
    ("answers_over_8k", s["answer_length"]["over_8k"]),
    ("answer_tokens_p50_p90_p99_max", "/".join(str(s["answer_length"][k]) for k in ("p50", "p90", "p99", "max"))),
    ("gate_rejected_invented_imports", gate["rejected_by_rule"].get("import-unknown-class", 0)),
    ("gate_rejected_deprecated_class", gate["rejected_by_rule"].get("deprecated-class", 0)),
    ("component_samples", gen.get("template:component", 0)),
    ("injection_refactors", gen.get("refactor:injection", 0)),
    ("annotation_refactors", gen.get("refactor:annotation", 0)),
    ("busiest_file_samples", (s.get("busiest_file") or [None, 0])[1]),
]
for check, hits in sorted(lint["by_check"].items()):
    rows.append((f"lint_{check}", hits["count"]))
for name, count in sorted(gen.items()):
    rows.append((f"generator[{name}]", count))
for reason, count in sorted(comp["removed"].items()):
    rows.append((f"policy_removed[{reason}]", count))
width = max(len(k) for k, _ in rows)
for k, v in rows:
    print(f"{k:<{width}}  {v}")
PY
