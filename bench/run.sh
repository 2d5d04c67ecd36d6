#!/usr/bin/env bash
# Runs the benchmarks under Deno and Bun (as root: they create a throwaway
# network namespace). Usage: bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin

for bench in bench/route_objects.ts; do
  echo "== $bench (deno)"
  "$BIN/deno" run -A "$bench"
  echo "== $bench (bun)"
  "$BIN/bun" "$bench"
done
