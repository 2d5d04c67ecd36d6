#!/usr/bin/env bash
# Runs iproute2's own testsuite (testsuite/tests/**/*.t) with $IP = nlkit and $TC = `nlkit tc`, then with
# the installed ip/tc, each test in a throwaway network and mount namespace (`unshare -n -m`, a private
# tmpfs on /run so `netns add` never reaches the host), and prints one line per test: PASS, FAILED or
# SKIPPED for each tool, as iproute2's testsuite/Makefile decides (an .err file means FAILED, exit 127 skips).
#
# Usage: scripts/iproute2_suite.sh [-t nlkit|ip|both] [-k] [TEST...]
#   TEST: a path under testsuite/tests, e.g. ip/route/add_default_route.t (default: every .t).
#   -t: which tool runs (default both).  -k: keep the results directory and print its path.
# Environment:
#   IPROUTE2_REPO  a git dir holding iproute2 (default /work/.mirror/iproute2+iproute2/repo), read at HEAD;
#   IPROUTE2_SRC   or an iproute2 source tree (takes precedence);
#   NLKIT_BIN      a compiled nlkit (dist/nlkit) instead of the sources;  RUNTIME=deno|bun (default deno).
# Adaptations (printed with the results): this kernel has no `dummy`, so `type dummy` becomes `type veth`;
# `bridge` stays the installed one (nlkit has no bridge grammar); tests/ip/link/dev_wo_vf_rate.nl, which
# the suite builds with its C helper tools/generate_nlmsg, is written from the same bytes here.
# Exit status: 1 when a test passes with ip but not with nlkit, else 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
which=both keep=0
while getopts "t:k" o; do
  case $o in
    t) which=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n '2,18p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

work=$(mktemp -d /tmp/nlkit-iproute2.XXXXXX)
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
if [ -n "${IPROUTE2_SRC:-}" ]; then
  cp -r "$IPROUTE2_SRC/testsuite" "$work/"
else
  git -C "${IPROUTE2_REPO:-/work/.mirror/iproute2+iproute2/repo}" archive HEAD testsuite | tar -x -C "$work"
fi
suite=$work/testsuite
grep -rl 'type dummy' "$suite/tests" | xargs -r sed -i 's/type dummy/type veth/g'

# struct ifinfomsg RTM_NEWLINK for eth0 with two VFs and no VF rate, as generate_nlmsg.c fills it.
nl=600100001000000000000000000000000000010001000000431001000000000009000300657468300000000008000d00102700000500100006000000050011000000000008000400282300000800
nl+=1b000000000008001e000000000008001f000800000008002000080000000500210001000000070006006d7100000a00010000266cffb5c000000a000200ffffffffffff0000080015000200
nl+=0000c400160060000100280001000000000000266cffb5c00000000000000000000000000000000000000000000000000000100002000000000000000000000000000c0003000000000000000000
nl+=0c00040000000000010000000c000500000000000000000060000100280001000100000000266cffb5c000000000000000000000000000000000000000000000000000001000020001000000000000
nl+=00000000000c00030001000000000000000c00040001000000010000000c0005000100000000000000
printf "$(sed 's/../\\x&/g' <<<"$nl")" >"$suite/tests/ip/link/dev_wo_vf_rate.nl"

# The nlkit wrappers: ip's grammar as $IP, `nlkit tc` as $TC.
if [ -n "${NLKIT_BIN:-}" ]; then
  run="$(cd "$root" && realpath "$NLKIT_BIN")"
elif [ "${RUNTIME:-deno}" = bun ]; then
  run="$root/node_modules/.bin/bun $root/cli.ts"
else
  run="$root/node_modules/.bin/deno run -A --config $root/deno.json $root/cli.ts"
fi
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$run" >"$work/bin/nlkit-ip"
printf '#!/bin/sh\nexec %s tc "$@"\n' "$run" >"$work/bin/nlkit-tc"
chmod +x "$work/bin/"*

if [ $# -eq 0 ]; then
  mapfile -t tests < <(cd "$suite/tests" && find . -name '*.t' | sed 's|^\./||' | sort)
else
  tests=("$@")
fi

# run_one TOOL TEST: prints PASS, FAILED or SKIPPED; keeps the output in $work/results.
run_one() {
  local tool=$1 t=$2 ip tc out err
  if [ "$tool" = nlkit ]; then ip=$work/bin/nlkit-ip tc=$work/bin/nlkit-tc; else ip=$(command -v ip) tc=$(command -v tc); fi
  out=$work/results/$t.$tool.out err=$work/results/$t.$tool.err
  mkdir -p "$(dirname "$out")"
  rm -f "$err"
  (cd "$suite" && STD_OUT=$(mktemp) STD_ERR=$(mktemp) IP=$ip TC=$tc SS=$(command -v ss) \
    BRIDGE=$(command -v bridge) DEV=lo IPVER=$t SNAME=$tool ERRF=$err \
    unshare -n -m --propagation private sh -c 'mount -t tmpfs nlkit-suite /run && exec sh "tests/$IPVER"' >"$out" 2>&1)
  local rc=$?
  if [ "$rc" = 127 ]; then echo SKIPPED; elif [ -e "$err" ]; then echo FAILED; else echo PASS; fi
}

status=0
printf '%-36s %-8s %-8s\n' TEST nlkit ip
for t in "${tests[@]}"; do
  n=- i=-
  [ "$which" = ip ] || n=$(run_one nlkit "$t")
  [ "$which" = nlkit ] || i=$(run_one ip "$t")
  printf '%-36s %-8s %-8s\n' "$t" "$n" "$i"
  if [ "$i" = PASS ] && [ "$n" != PASS ] && [ "$n" != - ]; then status=1; fi
done
echo "(type dummy -> type veth; results in $work/results$([ "$keep" = 1 ] || echo ', removed on exit; -k keeps them'))"
exit $status
