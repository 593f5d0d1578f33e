#!/usr/bin/env bash
# Discovery and acquisition against loopback servers, each against a plain reference in
# the same run: the listing and metadata URLs fetched with curl | xargs -P, and the same
# repositories cloned with `git clone --depth 1` | xargs -P, at the same concurrency.
#
#   bench/sources_bench.sh            10,000 projects, 200 repositories (release build)
#   bench/sources_bench.sh --smoke    300 projects, 5 repositories (debug build; CI)
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=0
[[ "${1:-}" == "--smoke" ]] && smoke=1
# Where cargo puts binaries: CARGO_TARGET_DIR or build.target-dir, as cargo itself decides.
target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
if (( smoke )); then
  projects=${PROJECTS:-300}; kept=${KEPT:-5}
  cargo build --quiet -p tuneforge
  cargo build --quiet -p tuneforge-sources --example fixture_server
  bin=$target_dir/debug/tuneforge; server_bin=$target_dir/debug/examples/fixture_server
else
  projects=${PROJECTS:-10000}; kept=${KEPT:-200}
  cargo build --quiet --release -p tuneforge
  cargo build --quiet --release -p tuneforge-sources --example fixture_server
  bin=$target_dir/release/tuneforge; server_bin=$target_dir/release/examples/fixture_server
fi
fixtures="$PWD/fixtures/drupal"
concurrency=8     # per host, for tuneforge's HTTP client and for curl
git_jobs=$(nproc) # acquire fetches one repository per core

work=$(mktemp -d "${TMPDIR:-/tmp}/tuneforge-sources-bench.XXXXXX")
server_pid=
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# $kept repositories, each with a few files and the tag the metadata names.
mkdir -p "$work/git" "$work/src"
for i in $(seq 0 $((kept - 1))); do
  name=$(printf 'm%05d' "$i")
  src="$work/src/$name"
  mkdir -p "$src/src"
  printf 'name: %s\ncore_version_requirement: ^11\n' "$name" > "$src/$name.info.yml"
  for f in $(seq 1 20); do printf '<?php\n// %s file %s\nfinal class C%s {}\n' "$name" "$f" "$f" > "$src/src/C$f.php"; done
  git -C "$src" init -q
  git -C "$src" add .
  git -C "$src" -c user.name=b -c user.email=b@example.com commit -q -m init
  git -C "$src" tag 1.0.0
  git clone -q --bare "$src" "$work/git/$name.git"
done

"$server_bin" "$fixtures" "$work/git" "$projects" "$kept" > "$work/server.url" &
server_pid=$!
for _ in $(seq 1 100); do [[ -s "$work/server.url" ]] && break; sleep 0.1; done
base=$(head -1 "$work/server.url")

ws="$work/ws"
"$bin" --no-progress init --preset interactions "$ws" >/dev/null
python3 - "$ws/pipeline.yaml" "$base" "$concurrency" <<'PY'
import sys
path, base, conc = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path).read()
text = text.replace("sources: []", f"sources:\n  - {{type: drupal-contrib, api_url: {base}/api-d7, packages_url: {base}/8, min_usage: 1000}}")
text = text.replace("per_host_concurrency: 2", f"per_host_concurrency: {conc}")
text = text.replace("per_host_interval_ms: 250", "per_host_interval_ms: 0")
open(path, "w").write(text)
PY

now() { date +%s.%N; }
t0=$(now); "$bin" --no-progress --workspace "$ws" discover >/dev/null; t1=$(now)
t2=$(now); "$bin" --no-progress --workspace "$ws" acquire >/dev/null; t3=$(now)
fetched=$(find "$ws/raw/code" -mindepth 1 -maxdepth 1 -type d | wc -l)

# The same page and metadata URLs with curl, the same repositories with git clone.
pages=$(( (projects + 99) / 100 ))
{
  echo "$base/8/packages.json"
  for p in $(seq 0 $((pages - 1))); do
    echo "$base/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page=$p"
  done
  for i in $(seq 0 $((kept - 1))); do printf '%s/files/packages/8/p2/drupal/m%05d.json\n' "$base" "$i"; done
} > "$work/urls"
t4=$(now); xargs -P "$concurrency" -n 1 curl -sS -o /dev/null < "$work/urls"; t5=$(now)
mkdir -p "$work/clones"
t6=$(now)
for i in $(seq 0 $((kept - 1))); do printf '%s/git/m%05d.git\n' "$base" "$i"; done \
  | xargs -P "$git_jobs" -I{} sh -c 'git clone -q --depth 1 --branch 1.0.0 "$1" "$2/$(basename "$1" .git)" 2>/dev/null' _ {} "$work/clones"
t7=$(now)

python3 - "$projects" "$kept" "$fetched" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$t6" "$t7" <<'PY'
import sys
projects, kept, fetched = map(int, sys.argv[1:4])
t = list(map(float, sys.argv[4:]))
discover, acquire, curl, clone = t[1] - t[0], t[3] - t[2], t[5] - t[4], t[7] - t[6]
print(f"projects listed: {projects}, kept with a Drupal 11 release: {kept}, repositories fetched: {fetched}")
print(f"{'':<28}{'seconds':>10}{'reference':>12}{'ratio':>8}")
print(f"{'discover (pages + p2)':<28}{discover:>10.2f}{curl:>12.2f}{discover / curl:>8.2f}   reference: curl | xargs -P")
print(f"{'acquire (shallow fetches)':<28}{acquire:>10.2f}{clone:>12.2f}{acquire / clone:>8.2f}   reference: git clone --depth 1 | xargs -P")
PY
