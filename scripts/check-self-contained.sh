#!/usr/bin/env bash
# Fails when a tracked file refers to a path outside the repository: a user's clone has only
# the repository, so a test, bench, script or doc that reaches above it breaks for them.
# Caught: the sibling folder of reference material beside the checkout and its documents,
# a path joined onto a crate's directory that climbs out of the repository (three `../`
# from crates/<name>), and a script that leaves the repository root with `cd ..`.
set -euo pipefail
cd "$(dirname "$0")/.."

patterns=(
  -e '\.\./shared'
  -e 'shared/(fixtures|bench|hooks)'
  -e '(DESIGN|VERIFIED|CRATES)\.md'
  -e 'join\("(\.\./){3}'
  -e 'cd \.\. &&'
)
# This script names the patterns it looks for; Cargo.lock holds only package data.
if hits=$(git grep -n -I -E "${patterns[@]}" -- . ':!scripts/check-self-contained.sh' ':!Cargo.lock'); then
  echo "tracked files refer to paths outside the repository (a fresh clone does not have them):" >&2
  echo "$hits" >&2
  echo "copy the data into the repository (fixtures/, or the crate's tests/) and refer to it there" >&2
  exit 1
fi
