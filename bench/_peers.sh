# Shared setup of the whole-process listing benches (sourced, from the tree's
# root): a private build of ../shared/bench-peers in $peers and a throwaway
# namespace name in $ns, both removed on exit.
# Usage: . bench/_peers.sh NS_PREFIX MAKE_TARGET...
peers=$(mktemp -d)
ns="$1-$$"
shift
cleanup() {
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$peers"
}
trap cleanup EXIT
cp -r "${BENCH_PEERS:-../shared/bench-peers}/." "$peers/" # BENCH_PEERS: from a worktree elsewhere
chmod -R u+w "$peers"
(cd "$peers" && make "$@" >/dev/null)

. bench/best_of.sh

# Queues the rows of a listing: the C floor and nlkit's API (bench/peer_count.ts)
# counting WHAT, then the kernel tool and nlkit's CLI (this tree, $OLD's when
# set, and dist/nlkit of each when built) printing into a pipe; PREFIX runs each CLI
# command (in the namespace, say).
# Usage: peer_rows WHAT TOOL_LABEL TOOL_CMD CLI_LABEL CLI_ARGS [PREFIX]
peer_rows() {
  local what=$1 cli_label=$4 cli_args=$5 pre=${6:-} tree name dir
  add "c-libmnl floor (counts)" "$peers/build/nldump $ns $what"
  add "$2 | pipe" "$3 | cat >/dev/null"
  for tree in "nlkit:$here" ${OLD:+"old:$OLD"}; do
    name=${tree%%:*} dir=${tree#*:}
    add "$name deno API (counts)" "$here/node_modules/.bin/deno run -A $dir/bench/peer_count.ts $ns $what"
    add "$name bun API (counts)" "$here/node_modules/.bin/bun $dir/bench/peer_count.ts $ns $what"
    add "$name deno $cli_label | pipe" "$pre$here/node_modules/.bin/deno run -A $dir/cli.ts $cli_args | cat >/dev/null"
    add "$name bun $cli_label | pipe" "$pre$here/node_modules/.bin/bun $dir/cli.ts $cli_args | cat >/dev/null"
  done
  if [ -x dist/nlkit ]; then add "nlkit binary $cli_label | pipe" "$pre$here/dist/nlkit $cli_args | cat >/dev/null"; fi
  if [ -n "${OLD:-}" ] && [ -x "$OLD/dist/nlkit" ]; then
    add "old binary $cli_label | pipe" "$pre$OLD/dist/nlkit $cli_args | cat >/dev/null"
  fi
}
