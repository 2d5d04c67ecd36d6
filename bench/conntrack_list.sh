#!/usr/bin/env bash
# Listing COUNT conntrack entries, whole process: nlkit through the public
# API (bench/peer_count.ts, counted, not printed) against the C libmnl floor
# of ../shared/bench-peers (build/nldump), and `nlkit ct -L` against
# `conntrack -L`, both printing into a pipe, all in the same run and the same
# throwaway namespace (filled by the harness's build/ctinsert).
#
# Usage (as root): bash bench/conntrack_list.sh [COUNT] [RUNS]
#   OLD=/path/to/another/nlkit/tree adds that tree's peers (before/after),
#   its dist/nlkit too when built there.
# Prints, per peer, the best wall time and the best CPU time (user+sys) of
# RUNS runs, and both as a ratio to the first row (the floor). The "empty
# table" rows run the same commands in a second, empty namespace: start-up,
# module loading and socket set-up, which no faster per-entry path can save.
# bench/conntrack_lines.ts gives the in-process cost per entry without them.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
count=${1:-100000}
runs=${2:-3}
. bench/_peers.sh nlkit-bench-ctlist build/nldump build/ctinsert
empty="nlkit-bench-ctempty-$$"
trap 'ip netns del "$empty" 2>/dev/null || true; cleanup' EXIT
ip netns add "$ns"
ip netns add "$empty"
modprobe nf_conntrack 2>/dev/null || true

"$peers/build/ctinsert" -n "$ns" "$count" >/dev/null
have=$(ip netns exec "$ns" conntrack -C)
echo "entries: $have; best of $runs runs; ratios to the first row"

peer_rows ct "conntrack -L" "ip netns exec $ns conntrack -L 2>/dev/null" "ct -L" "ct -L 2>/dev/null" "ip netns exec $ns "
add "conntrack -L, empty table" "ip netns exec $empty conntrack -L 2>/dev/null | cat >/dev/null"
add "deno API, empty table" "$here/node_modules/.bin/deno run -A $here/bench/peer_count.ts $empty ct"
add "bun API, empty table" "$here/node_modules/.bin/bun $here/bench/peer_count.ts $empty ct"
add "deno ct -L, empty table" "ip netns exec $empty $here/node_modules/.bin/deno run -A $here/cli.ts ct -L 2>/dev/null | cat >/dev/null"
add "bun ct -L, empty table" "ip netns exec $empty $here/node_modules/.bin/bun $here/cli.ts ct -L 2>/dev/null | cat >/dev/null"
if [ -x dist/nlkit ]; then add "binary ct -L, empty table" "ip netns exec $empty $here/dist/nlkit ct -L 2>/dev/null | cat >/dev/null"; fi

best_of "$runs"
