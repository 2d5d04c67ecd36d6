#!/usr/bin/env bash
# Runs ../shared/bench-peers (the C libmnl floor, Go's vishvananda, pyroute2,
# ip and conntrack) with nlkit on Deno and on Bun as extra peers, in the
# same run. As root; installs the harness's Debian packages first.
# Usage: bash bench/peers.sh [small]   (small: sizes divided by 10)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
work=$(mktemp -d)
trap 'bash "$work/teardown.sh" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
cp -r ../shared/bench-peers/. "$work/"
chmod -R u+w "$work"
(cd "$work" && bash install-deps.sh >/dev/null && make >/dev/null)
deno="$here/node_modules/.bin/deno run -A $here/bench/peer_count.ts"
bun="$here/node_modules/.bin/bun $here/bench/peer_count.ts"
sizes=()
[ "${1:-}" = small ] && sizes=(NS=peerbench-small ROUTES=10000 ROUTES6=2000 LINKS=50 CT=10000)
cd "$work"
env "${sizes[@]}" \
  EXTRA_PEER_NAME=nlkit-deno \
  EXTRA_ROUTES_CMD="$deno \$NS routes4" EXTRA_ROUTES6_CMD="$deno \$NS routes6" \
  EXTRA_LINKS_CMD="$deno \$NS links" EXTRA_CT_CMD="$deno \$NS ct" \
  EXTRA2_PEER_NAME=nlkit-bun \
  EXTRA2_ROUTES_CMD="$bun \$NS routes4" EXTRA2_ROUTES6_CMD="$bun \$NS routes6" \
  EXTRA2_LINKS_CMD="$bun \$NS links" EXTRA2_CT_CMD="$bun \$NS ct" \
  bash bench.sh
