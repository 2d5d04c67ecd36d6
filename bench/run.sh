#!/usr/bin/env bash
# Runs the benchmarks under Deno and Bun, each next to its oracle (ip,
# conntrack) in the same run. As root: every bench creates a throwaway
# network namespace and deletes it. Usage: bash bench/run.sh [NAME...]
# where NAME is import, raw_dump, route_objects, conntrack, nexthop, nft, tc, nfqueue, socket_requests,
# socket_bulk, codegen, build_requests, mroute, cli or startup (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=node_modules/.bin
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(import raw_dump route_objects conntrack nexthop mroute nft tc nfqueue socket_requests socket_bulk codegen build_requests cli startup)

for name in "${names[@]}"; do
  bench="bench/$name.ts"
  if [ "$name" = cli ] || [ "$name" = startup ]; then
    # One run covers deno run, bun run and the compiled binary (build it first).
    [ -x dist/nlkit ] || bash scripts/build_binary.sh
    echo "== $bench"
    "$BIN/deno" run -A "$bench"
    continue
  fi
  echo "== $bench (deno)"
  "$BIN/deno" run -A --v8-flags=--expose-gc "$bench"
  echo "== $bench (bun)"
  "$BIN/bun" "$bench"
done
