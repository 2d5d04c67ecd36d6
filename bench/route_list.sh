#!/usr/bin/env bash
# Listing COUNT IPv4 routes of the main table, whole process: nlkit through
# the public API (bench/peer_count.ts routes4, counted, not printed) against
# the C libmnl floor of ../shared/bench-peers (build/nldump), and
# `nlkit -j route show` against `ip -j route show` and `nlkit route show`
# against `ip route show`, all printing into a pipe, all in the same run and
# the same throwaway namespace (filled by the harness's setup.sh: its mix of
# devices, gateways, metrics and protocols).
#
# Usage (as root): bash bench/route_list.sh [COUNT] [RUNS]
#   OLD=/path/to/another/nlkit/tree adds that tree's peers (before/after).
# Prints, per peer, the best wall time and the best CPU time (user+sys) of
# RUNS runs, and both as a ratio to the first row (the floor). The CPU of a
# "| pipe" row is the whole pipeline's (bash, the tool and cat): `ip -j route
# show` writes each route with its own write() (100,002 for 100,000 routes,
# strace -c), so more than half of its row is the pipe (ip alone into /dev/null
# takes ~0.27 s of CPU, its row ~0.6 s); nlkit writes ~165 times.
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
count=${1:-100000}
runs=${2:-3}
. bench/_peers.sh peerbench-nlkit-rtlist build/nldump
(cd "$peers" && NS="$ns" ROUTES="$count" ROUTES6=0 LINKS=0 CT=0 ./setup.sh >/dev/null 2>&1)
echo "routes: $(ip -n "$ns" -4 route show | wc -l); best of $runs runs; ratios to the first row"

peer_rows routes4 "ip -j route show" "ip -n $ns -4 -j route show" "-j route" "-n $ns -4 -j route show"
# Plain text too: `ip route show` against nlkit's, each printing into a pipe.
add "ip route show | pipe" "ip -n $ns -4 route show | cat >/dev/null"
add "nlkit deno route | pipe" "$here/node_modules/.bin/deno run -A $here/cli.ts -n $ns -4 route show | cat >/dev/null"
add "nlkit bun route | pipe" "$here/node_modules/.bin/bun $here/cli.ts -n $ns -4 route show | cat >/dev/null"
if [ -x dist/nlkit ]; then add "nlkit binary route | pipe" "$here/dist/nlkit -n $ns -4 route show | cat >/dev/null"; fi
if [ -x "${OLD:-}/dist/nlkit" ]; then add "old binary route | pipe" "$OLD/dist/nlkit -n $ns -4 route show | cat >/dev/null"; fi
best_of "$runs"
