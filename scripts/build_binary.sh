#!/usr/bin/env bash
# Builds the standalone `nlkit` binary into dist/.
#
# Usage: scripts/build_binary.sh [TARGET...]
#   No target: the host only, as dist/nlkit.
#   TARGET is one of bun-linux-x64, bun-linux-arm64, bun-linux-x64-musl, bun-linux-arm64-musl;
#   each becomes dist/nlkit-<target without "bun-">, e.g. dist/nlkit-linux-arm64-musl.
#   Bun fetches the runtime of a cross target from the npm registry on first use.
#   musl builds need libstdc++.so.6 on the device (apk add libstdc++ / opkg install libstdcpp).
#   Neither runtime supports 32-bit ARM or MIPS.
#
# deno compile instead of bun: set DENORT_BIN to a real `denort` binary of the same Deno version
# (deno compile cannot download it here; the full `deno` binary does not work as denort):
#   DENORT_BIN=/path/to/denort scripts/build_binary.sh [bun-linux-x64|bun-linux-arm64]
# Deno has no musl target, so musl targets are refused in that mode.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
mkdir -p dist

deno_target() {
  case "$1" in
    bun-linux-x64) echo x86_64-unknown-linux-gnu ;;
    bun-linux-arm64) echo aarch64-unknown-linux-gnu ;;
    *) echo "deno compile has no target for $1 (musl is bun-only)" >&2; return 1 ;;
  esac
}

build() { # build TARGET OUTFILE (empty TARGET: host)
  local target=$1 out=$2
  if [ -n "${DENORT_BIN:-}" ]; then
    local args=(compile -A --no-check --output "$out")
    if [ -n "$target" ]; then args+=(--target "$(deno_target "$target")"); fi
    "$bin/deno" "${args[@]}" cli.ts
  else
    # --bytecode (ESM needs --format=esm) stores precompiled JavaScriptCore bytecode:
    # `nlkit link show` starts in about a third of the time. A binary on a router reads no
    # .env or bunfig.toml from the working directory (no directory walk at start-up either).
    # JIT tier-up 10 times later: a short command runs interpreted and baseline code, about
    # 3 MB less peak RSS for `link show` (bench/startup.ts). A long listing pays for it (100,000 routes:
    # ~0.05 s more CPU), so `route show`, `ct -L` and `nft list`/`nft -f` restore the normal policy once their work
    # starts (src/sys/jit.ts).
    # --splitting keeps each object's handler (the import() in src/cli/objects.ts) in its own chunks,
    # loaded on use: `link show` no longer loads the bytecode of tc, nft or ct (10 ms CPU, 2 MB less).
    # Measured without gain for `link show` (bench/startup.ts): --compile-exec-argv=--smol, a JIT policy
    # of 100 or 1000, --no-optimize-bytecode; --bytecode-depth=1 costs 1 MB and 8 ms more; nor
    # --min-chunk-size=4096 (32 chunks become 26), BUN_OPTIONS=--smol, GC options (BUN_JSC_numberOfGCMarkers=1,
    # useConcurrentGC=0). What did lower it: no regular expression on the path (the first one compiled
    # costs ~1 MB; BUN_JSC_dumpCompiledRegExpPatterns=1 lists them) and nothing made that is not used.
    local args=(build --compile --splitting --minify --bytecode --format=esm --no-compile-autoload-dotenv
      --no-compile-autoload-bunfig --compile-jit-policy=10 cli.ts --outfile "$out")
    if [ -n "$target" ]; then args+=("--target=$target"); fi
    # Bytecode laid out in the order a run first needs it: start-up touches fewer pages.
    if [ -s "${order%%,*}" ]; then args+=("--bytecode-order=$order"); fi
    "$bin/bun" "${args[@]}"
  fi
  echo "built $out"
}

# The bytecode order comes from the host binary running `--version` and `link show` (read-only);
# without netlink here, the order of `--version` alone is used. First in the order, where unshare
# may make namespaces (root): `-n NS link show` on a veth pair in a private network namespace,
# named under a private /run (nothing on the host changes). Its code for `-n` and veth then sits
# with the rest instead of scattered pages: 0.3 MB less peak RSS for `-n NS link show`.
record_in_netns() { # record_in_netns BINARY ORDER_FILE
  unshare --mount --net sh -c 'mount -t tmpfs nlkit-order /run && mkdir /run/netns &&
    touch /run/netns/order && mount --bind /proc/self/ns/net /run/netns/order &&
    { ip link add v0 type veth peer name v1 || :; } &&
    BUN_BYTECODE_ORDER_OUT="$2" "$1" -n order link show' sh "$1" "$2"
}
order=""
if [ -z "${DENORT_BIN:-}" ]; then
  build "" dist/nlkit >/dev/null
  order=$(mktemp)
  ns_order=$(mktemp)
  trap 'rm -f "$order" "$ns_order"' EXIT
  BUN_BYTECODE_ORDER_OUT="$order" dist/nlkit link show >/dev/null 2>&1 ||
    BUN_BYTECODE_ORDER_OUT="$order" dist/nlkit --version >/dev/null 2>&1 || : >"$order"
  if record_in_netns "$PWD/dist/nlkit" "$ns_order" >/dev/null 2>&1 && [ -s "$ns_order" ]; then
    order="$ns_order,$order"
  fi
fi

if [ $# -eq 0 ]; then
  build "" dist/nlkit
  exit 0
fi
for t in "$@"; do
  case "$t" in
    bun-linux-x64 | bun-linux-arm64 | bun-linux-x64-musl | bun-linux-arm64-musl) build "$t" "dist/nlkit-${t#bun-}" ;;
    *) echo "Unknown target: \"$t\" (bun-linux-x64, bun-linux-arm64, bun-linux-x64-musl, bun-linux-arm64-musl)" >&2; exit 2 ;;
  esac
done
