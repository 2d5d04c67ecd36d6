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
# RUNS runs, and both as a ratio to the first row (the floor).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
count=${1:-100000}
runs=${2:-3}
peers=$(mktemp -d)
ns="nlkit-bench-ctlist-$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$peers"
}
trap cleanup EXIT
cp -r ../shared/bench-peers/. "$peers/"
chmod -R u+w "$peers"
(cd "$peers" && make build/nldump build/ctinsert >/dev/null)
ip netns add "$ns"
modprobe nf_conntrack 2>/dev/null || true

"$peers/build/ctinsert" -n "$ns" "$count" >/dev/null
have=$(ip netns exec "$ns" conntrack -C)
echo "entries: $have; best of $runs runs; ratios to the first row"

declare -a names cmds
add() { names+=("$1"); cmds+=("$2"); }
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
[ -x dist/nlkit ] && add "nlkit binary ct -L | pipe" "ip netns exec $ns $here/dist/nlkit ct -L 2>/dev/null | cat >/dev/null"

declare -a wall cpu
for i in "${!cmds[@]}"; do
  wall[i]=999999
  cpu[i]=999999
done
# Interleaved rounds, so load changes hit every peer alike.
for _ in $(seq "$runs"); do
  for i in "${!cmds[@]}"; do
    /usr/bin/time -o "$peers/t" -f '%e %U %S' bash -c "${cmds[i]}" >/dev/null 2>&1
    read -r e u s <"$peers/t"
    c=$(echo "$u + $s" | bc)
    [ "$(echo "$e < ${wall[i]}" | bc)" = 1 ] && wall[i]=$e
    [ "$(echo "$c < ${cpu[i]}" | bc)" = 1 ] && cpu[i]=$c
  done
done
printf '%-32s %8s %6s %8s %6s\n' peer wall_s ratio cpu_s ratio
for i in "${!cmds[@]}"; do
  printf '%-32s %8.2f %6.2f %8.2f %6.2f\n' "${names[i]}" "${wall[i]}" \
    "$(echo "${wall[i]} / ${wall[0]}" | bc -l)" "${cpu[i]}" "$(echo "${cpu[i]} / ${cpu[0]}" | bc -l)"
done
