#!/usr/bin/env bash
# Runs the whole test suite on Deno, then on Bun, and prints one closing
# line with the totals. Usage: scripts/test.sh [deno|bun]
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
which=${1:-both}
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ "$which" = both ] || [ "$which" = deno ]; then
  echo "== deno test"
  NO_COLOR=1 "$bin/deno" test -A tests/ 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
if [ "$which" = both ] || [ "$which" = bun ]; then
  echo "== bun test"
  NO_COLOR=1 "$bin/bun" test --timeout 120000 tests/ 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi
# Deno closes with "ok | N passed | N failed [| N ignored]"; Bun with " N pass", " N skip", " N fail".
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^(ok|FAILED) \| [0-9]+ passed/ {
    for (i = 1; i <= NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i
      if ($(i+1) ~ /^failed/) f += $i
      if ($(i+1) ~ /^ignored/) s += $i
    }
  }
  /^ [0-9]+ pass$/ { p += $1 }
  /^ [0-9]+ fail$/ { f += $1 }
  /^ [0-9]+ skip$/ { s += $1 }
  END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
