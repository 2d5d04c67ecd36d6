#!/usr/bin/env bash
# Listing COUNT IPv4 routes of the main table, whole process: nlkit through
# the public API (bench/peer_count.ts routes4, counted, not printed) against
# the C libmnl floor of ../shared/bench-peers (build/nldump), and
# `nlkit -j route show` against `ip -j route show`, both printing into a
# pipe, all in the same run and the same throwaway namespace (filled by the
# harness's setup.sh: its mix of devices, gateways, metrics and protocols).
#
# Usage (as root): bash bench/route_list.sh [COUNT] [RUNS]
#   OLD=/path/to/another/nlkit/tree adds that tree's peers (before/after).
# Prints, per peer, the best wall time and the best CPU time (user+sys) of
# RUNS runs, and both as a ratio to the first row (the floor).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
count=${1:-100000}
runs=${2:-3}
peers=$(mktemp -d)
ns="peerbench-nlkit-rtlist-$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$peers"
}
trap cleanup EXIT
cp -r ../shared/bench-peers/. "$peers/"
chmod -R u+w "$peers"
(cd "$peers" && make build/nldump >/dev/null)
(cd "$peers" && NS="$ns" ROUTES="$count" ROUTES6=0 LINKS=0 CT=0 ./setup.sh >/dev/null 2>&1)
echo "routes: $(ip -n "$ns" -4 route show | wc -l); best of $runs runs; ratios to the first row"

. bench/best_of.sh
add "c-libmnl floor (counts)" "$peers/build/nldump $ns routes4"
tree() { # NAME DIR
  add "$1 deno API (counts)" "$here/node_modules/.bin/deno run -A $2/bench/peer_count.ts $ns routes4"
  add "$1 bun API (counts)" "$here/node_modules/.bin/bun $2/bench/peer_count.ts $ns routes4"
  add "$1 deno -j route | pipe" "$here/node_modules/.bin/deno run -A $2/cli.ts -n $ns -4 -j route show | cat >/dev/null"
  add "$1 bun -j route | pipe" "$here/node_modules/.bin/bun $2/cli.ts -n $ns -4 -j route show | cat >/dev/null"
}
add "ip -j route show | pipe" "ip -n $ns -4 -j route show | cat >/dev/null"
tree nlkit "$here"
[ -n "${OLD:-}" ] && tree "old" "$OLD"
[ -x dist/nlkit ] && add "nlkit binary -j route | pipe" "$here/dist/nlkit -n $ns -4 -j route show | cat >/dev/null"

best_of "$runs"
