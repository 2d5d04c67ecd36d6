#!/usr/bin/env bash
# Listing COUNT conntrack entries, whole process: nlkit through the public
# API (bench/peer_count.ts, counted, not printed) against the C libmnl floor
# of ../shared/bench-peers (build/nldump), and `nlkit ct -L` against
# `conntrack -L`, both printing into a pipe, all in the same run and the same
# throwaway namespace (filled by the harness's build/ctinsert).
#
# Usage (as root): bash bench/conntrack_list.sh [COUNT] [RUNS]
#   OLD=/path/to/another/nlkit/tree adds that tree's peers (before/after).
# Prints, per peer, the best wall time and the best CPU time (user+sys) of
# RUNS runs, and both as a ratio to the first row (the floor). The "empty
# table" rows run the same commands in a second, empty namespace: start-up,
# module loading and socket set-up, which no faster per-entry path can save.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
count=${1:-100000}
runs=${2:-3}
peers=$(mktemp -d)
ns="nlkit-bench-ctlist-$$"
empty="nlkit-bench-ctempty-$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$empty" 2>/dev/null || true
  rm -rf "$peers"
}
trap cleanup EXIT
cp -r ../shared/bench-peers/. "$peers/"
chmod -R u+w "$peers"
(cd "$peers" && make build/nldump build/ctinsert >/dev/null)
ip netns add "$ns"
ip netns add "$empty"
modprobe nf_conntrack 2>/dev/null || true

"$peers/build/ctinsert" -n "$ns" "$count" >/dev/null
have=$(ip netns exec "$ns" conntrack -C)
echo "entries: $have; best of $runs runs; ratios to the first row"

. bench/best_of.sh
add "c-libmnl floor (counts)" "$peers/build/nldump $ns ct"
tree() { # NAME DIR
  add "$1 deno API (counts)" "$here/node_modules/.bin/deno run -A $2/bench/peer_count.ts $ns ct"
  add "$1 bun API (counts)" "$here/node_modules/.bin/bun $2/bench/peer_count.ts $ns ct"
  add "$1 deno ct -L | pipe" "ip netns exec $ns $here/node_modules/.bin/deno run -A $2/cli.ts ct -L 2>/dev/null | cat >/dev/null"
  add "$1 bun ct -L | pipe" "ip netns exec $ns $here/node_modules/.bin/bun $2/cli.ts ct -L 2>/dev/null | cat >/dev/null"
}
add "conntrack -L | pipe" "ip netns exec $ns conntrack -L 2>/dev/null | cat >/dev/null"
tree nlkit "$here"
[ -n "${OLD:-}" ] && tree "old" "$OLD"
add "conntrack -L, empty table" "ip netns exec $empty conntrack -L 2>/dev/null | cat >/dev/null"
add "deno API, empty table" "$here/node_modules/.bin/deno run -A $here/bench/peer_count.ts $empty ct"
add "bun API, empty table" "$here/node_modules/.bin/bun $here/bench/peer_count.ts $empty ct"
add "deno ct -L, empty table" "ip netns exec $empty $here/node_modules/.bin/deno run -A $here/cli.ts ct -L 2>/dev/null | cat >/dev/null"
add "bun ct -L, empty table" "ip netns exec $empty $here/node_modules/.bin/bun $here/cli.ts ct -L 2>/dev/null | cat >/dev/null"
[ -x dist/nlkit ] && add "nlkit binary ct -L | pipe" "ip netns exec $ns $here/dist/nlkit ct -L 2>/dev/null | cat >/dev/null"

best_of "$runs"
