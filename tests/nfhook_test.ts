/**
 * The netfilter hook subsystem (`NFNL_SUBSYS_HOOK`) and `nlkit nft list
 * hooks`: the request as nft 1.0.6 sends it (captured with strace), replies
 * hand-encoded from the uapi header `linux/netfilter/nfnetlink_hook.h`,
 * nft's layout of them (its `print_hooks`), bad bytes, and the listing
 * against nft in a namespace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { unhex } from "./_vectors.ts";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { loadRuleset, nft, NFT_SKIP } from "./_nft.ts";
import { type NlMsg, readMessage } from "../src/wire/message.ts";
import { hookRequest } from "../src/netfilter/nfhook/dump.ts";
import { parseHookMessage } from "../src/netfilter/nfhook/table.ts";
import { hookPlan, hooksText } from "../src/cli/nft_hooks.ts";

function msg(hex: string): NlMsg {
  const b = unhex(hex);
  return readMessage(b, new DataView(b.buffer), 0, b.length);
}

/** ip input, priority -200: conntrack's function, its module named. */
const CONNTRACK = "50000000 000c 0200 00000000 00000000 02000000" +
  "08000100 00000001 08000200 ffffff38" +
  "16000400 697076345f636f6e6e747261636b5f696e00 0000" +
  "11000500 6e665f636f6e6e747261636b00 000000";
/** ip input, priority 0: the base chain ip t c. */
const CHAIN = "64000000 000c 0200 00000000 00000000 02000000" +
  "08000100 00000001 08000200 00000000" +
  "16000400 6e66745f646f5f636861696e5f6970763400 0000" +
  "28000680 1c000180 06000100 74000000 05000200 02000000 06000300 63000000 08000200 00000001";
/** netdev ingress, priority 10: the base chain netdev x y. */
const INGRESS = "64000000 000c 0200 00000000 00000000 05000000" +
  "08000100 00000000 08000200 0000000a" +
  "18000400 6e66745f646f5f636861696e5f6e657464657600" +
  "28000680 1c000180 06000100 78000000 05000200 05000000 06000300 79000000 08000200 00000001";

test("hook replies parse as the uapi lays them out", () => {
  assert.deepEqual(parseHookMessage(msg(CONNTRACK)), {
    family: "ip",
    hooknum: 1,
    priority: -200,
    functionName: "ipv4_conntrack_in",
    moduleName: "nf_conntrack",
  });
  const c = parseHookMessage(msg(CHAIN));
  assert.deepEqual(c.chainInfo, { desc: { table: "t", family: 2, name: "c" }, type: 1 });
  assert.equal(parseHookMessage(msg(INGRESS)).family, "netdev");
});

test("the hook dump request is nft 1.0.6's", () => {
  // strace -xx of `nft list hooks ip`: type 0x0c00, family AF_INET, NFNLA_HOOK_HOOKNUM 0.
  const req = hookRequest({ family: "ip", hooknum: 0 });
  assert.deepEqual([...req.subarray(4, 6)], [0x00, 0x0c]);
  assert.deepEqual(req.subarray(16), unhex("02000000 08000100 00000000"));
  const dev = hookRequest({ family: "netdev", hooknum: 0, device: "lo" });
  assert.equal(dev[16], 5);
  assert.ok(Buffer.from(dev).includes(Buffer.from("lo\0")));
});

test("hooks print in nft's layout: ingress first, then each hook by priority", () => {
  const [ct, chain, ingress] = [CONNTRACK, CHAIN, INGRESS].map((h) => parseHookMessage(msg(h)));
  const { asked, printed } = hookPlan("ip");
  assert.deepEqual(asked[0].queries.map((q) => [q.family, q.hooknum]), [
    ["netdev", 0],
    ["ip", 0],
    ["ip", 1],
    ["ip", 2],
    ["ip", 3],
    ["ip", 4],
  ]);
  const replies = [[ingress], [], [ct, chain], [], [], []];
  assert.equal(
    hooksText([{ family: "ip", replies }], printed),
    "family ip {\n\thook ingress {\n\t\t+0000000010 chain netdev x y\n\t}\n" +
      "\thook input {\n\t\t-0000000200 ipv4_conntrack_in [nf_conntrack]\n\t\t 0000000000 chain ip t c\n\t}\n}\n",
  );
  // A family with no hooks prints nothing; without a family nft asks for ip, ip6, bridge and prints arp too.
  assert.equal(hooksText([{ family: "ip6", replies: [[], [], [], [], [], []] }], ["ip6"]), "");
  assert.deepEqual(hookPlan(undefined).printed, ["ip", "ip6", "bridge", "arp"]);
  assert.deepEqual(hookPlan("inet").asked.map((a) => a.family), ["ip", "ip6"]);
  assert.deepEqual(hookPlan("arp").asked[0].queries.map((q) => q.hooknum), [0, 0, 1]);
});

test("bad hook replies give typed errors, never a crash or a hang", () => {
  assertOnlyTypedErrors([CONNTRACK, CHAIN, INGRESS].map(unhex), [parseHookMessage], {
    numRuns: 300,
    maxLength: 160,
    maxEdits: 6,
  });
});

test("nft list hooks: as nft where the kernel has the subsystem, else a clear error", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, "table ip t {\n\tchain c { type filter hook input priority 0; }\n}\n");
    const theirs = nft(ns, ["list", "hooks", "ip"]);
    const mine = nlkit(["-n", ns, "nft", "list", "hooks", "ip"]);
    if (theirs === "") {
      // nft 1.0.6 hides the kernel's EINVAL (no NFNL_SUBSYS_HOOK) and prints nothing; nlkit says so.
      assert.equal(mine.code, 1);
      assert.match(mine.stderr, /no netfilter hook subsystem/);
    } else {
      assert.equal(mine.code, 0, mine.stderr);
      assert.equal(mine.stdout, theirs);
      assert.match(mine.stdout, /chain ip t c/);
    }
    const j = nlkit(["-n", ns, "-j", "nft", "list", "hooks"]);
    assert.equal(j.code, 1);
    assert.match(j.stderr, /no JSON for hooks/);
  });
});
