#!/usr/bin/env bash
# Listing 1,000 links (PAIRS veth pairs, both ends up, plus lo), whole
# process: the C libmnl floor of ../shared/bench-peers (build/nldump, counts),
# nlkit through the public API (bench/peer_count.ts links, counted, not
# printed), and `nlkit -j link show` against `ip -j link show`, both printing
# into a pipe; then the list alone, in process (bench/link_list.ts: best of
# several `listLinks` calls, start-up excluded). All in the same run and the
# same throwaway namespace.
#
# Usage (as root): bash bench/link_list.sh [PAIRS] [RUNS]   (default 500 pairs, 5 runs)
#   OLD=/path/to/another/nlkit/tree adds that tree's peers (before/after).
# Prints, per peer, the best wall time and the best CPU time (user+sys) of
# RUNS runs, and both as a ratio to the first row (the floor).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
pairs=${1:-500}
runs=${2:-5}
. bench/_peers.sh peerbench-nlkit-links build/nldump
(cd "$peers" && NS="$ns" ROUTES=0 ROUTES6=0 LINKS="$pairs" CT=0 ./setup.sh >/dev/null 2>&1)
echo "links: $(ip -n "$ns" -o link show | wc -l); best of $runs runs; ratios to the first row"

peer_rows links "ip -j link show" "ip -n $ns -j link show" "-j link" "-n $ns -j link show"
best_of "$runs"
echo "in process (listLinks alone, best of 10 calls):"
"$here/node_modules/.bin/deno" run -A "$here/bench/link_list.ts" "$ns"
"$here/node_modules/.bin/bun" "$here/bench/link_list.ts" "$ns"
