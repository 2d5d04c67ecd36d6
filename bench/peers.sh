#!/usr/bin/env bash
# Runs ../shared/bench-peers (the C libmnl floor, Go's vishvananda, pyroute2,
# ip and conntrack) with nlkit on Deno and on Bun as extra peers, in the
# same run. As root; installs the harness's Debian packages first.
# The CLI (`nlkit -j route show`, `-j link show`) runs as two more peers,
# printing JSON to a pipe that is counted as ip's is.
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
# The CLI printing JSON to a pipe, counted as the harness counts ip's JSON.
cli_deno="$here/node_modules/.bin/deno run -A $here/cli.ts -n \$NS -j"
cli_bun="$here/node_modules/.bin/bun $here/cli.ts -n \$NS -j"
count_dst="| tr , '\\n' | grep -c '\"dst\":'"
count_links="| tr , '\\n' | grep -c '\"ifindex\":'"
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
  EXTRA3_PEER_NAME=nlkit-cli-deno \
  EXTRA3_ROUTES_CMD="$cli_deno -4 route show $count_dst" EXTRA3_ROUTES6_CMD="$cli_deno -6 route show $count_dst" \
  EXTRA3_LINKS_CMD="$cli_deno link show $count_links" \
  EXTRA4_PEER_NAME=nlkit-cli-bun \
  EXTRA4_ROUTES_CMD="$cli_bun -4 route show $count_dst" EXTRA4_ROUTES6_CMD="$cli_bun -6 route show $count_dst" \
  EXTRA4_LINKS_CMD="$cli_bun link show $count_links" \
  bash bench.sh
