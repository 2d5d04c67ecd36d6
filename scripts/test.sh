#!/usr/bin/env bash
# Runs the whole test suite on Deno, then on Bun. Usage: scripts/test.sh [deno|bun]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
which=${1:-both}
status=0
if [ "$which" = both ] || [ "$which" = deno ]; then
  echo "== deno test"
  "$bin/deno" test -A --no-check=remote tests/ || status=1
fi
if [ "$which" = both ] || [ "$which" = bun ]; then
  echo "== bun test"
  "$bin/bun" test --timeout 120000 tests/ || status=1
fi
exit $status
