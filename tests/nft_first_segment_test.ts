/**
 * nft's first segment: an interval end at key 0 that nft adds ahead of an
 * interval set's lowest range when it thinks the set empty (anonymous,
 * declared with its elements, or holding none yet), and the size nft gives
 * an anonymous set (every element it sends). Against nft in twin
 * namespaces: the kernel's elements, as `nft --debug=netlink list ruleset`
 * dumps them, and the sets' sizes are the same.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { applyBothWays, nft, NFT_SKIP } from "./_nft.ts";
import { listSets } from "../src/netfilter/nftables/list.ts";

/** The kernel's elements of every set, as nft's netlink debug dumps them (the rbtree's own order). */
function elementDump(ns: string): string[] {
  return nft(ns, ["--debug=netlink", "list", "ruleset"]).split("\n").filter((l) => /^\s*element |^\S+ \S+ @/.test(l));
}

/** Each step applied with `nft -f -` in one namespace and `nlkit nft -f -` in the other. */
async function bothApply(
  steps: string[],
  check: (nftNs: string, nlkitNs: string) => Promise<void> | void,
): Promise<void> {
  await withTempNetns((a) =>
    withTempNetns(async (b) => {
      for (const s of steps) {
        nft(a, ["-f", "-"], s);
        const r = nlkit(["-n", b, "nft", "-f", "-"], {}, s);
        assert.equal(r.code, 0, r.stderr);
      }
      assert.deepEqual(elementDump(b), elementDump(a));
      await check(a, b);
    })
  );
}

const DECLARED = `table ip t {
	set s { type inet_service; flags interval; elements = { 10-20, 30-40 }; }
	set z { type inet_service; flags interval; elements = { 0-20, 30-40 }; }
	set m { type mark; flags interval; elements = { 5-10 }; }
	set i { type ifname; flags interval; elements = { "eth*", "lo" }; }
	set c { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/8 . 10-20 }; }
	map v { type ipv4_addr : verdict; flags interval; elements = { 10.0.0.0/8 : accept, 192.168.0.1-192.168.0.9 : drop }; }
	chain c {
		tcp dport { 100-200, 300 } accept
		meta mark { 0-5, 7 } accept
		tcp dport { 1-128, 1, 200-300 } accept
		ip saddr . tcp dport { 10.0.0.0/8 . 10-20, 1.1.1.1 . 5 } accept
		tcp dport vmap { 10-20 : accept, 30 : drop }
		tcp dport { 1, 2, 3 } accept
	}
}
`;

test("sets declared with ranges and anonymous ranges hold nft's first segment, and anonymous sets nft's size", {
  skip: NFT_SKIP,
}, async () => {
  await bothApply([DECLARED], async (a, b) => {
    // Without the first segment nlkit's sets would hold one element less each (a range from 0 has none).
    assert.ok(elementDump(b).filter((l) => l.includes("element 00000000  : 1 [end]")).length >= 6);
    const sizes = async (ns: string) =>
      (await listSets({ family: "ip", table: "t" }, { netns: ns })).map((s) => `${s.name} ${s.desc?.size}`).sort();
    assert.deepEqual(await sizes(b), await sizes(a));
  });
});

test("elements added to an interval set get the first segment only while the set holds none, as with nft", {
  skip: NFT_SKIP,
}, async () => {
  // A set declared empty then filled in one batch; a kernel set that is empty; one that holds elements; one
  // whose elements were all deleted (its first segment stays); an auto-merge set.
  await bothApply([
    "add table ip t\nadd set ip t g { type inet_service; flags interval; }\n" +
    "add element ip t g { 10-20 }\nadd element ip t g { 30-40 }\n",
    "add set ip t e { type inet_service; flags interval; }\n" +
    "add set ip t f { type ipv4_addr; flags interval; auto-merge; }\n",
    "add element ip t e { 30-40 }\nadd element ip t f { 10.0.0.0/8 }\n",
    "add element ip t e { 50-60 }\nadd element ip t f { 11.0.0.0/8 }\n",
    "delete element ip t e { 30-40, 50-60 }\n",
    "add element ip t e { 70-80 }\nadd map ip t m { type inet_service : verdict; flags interval; }\n" +
    "add element ip t m { 10-20 : accept }\n",
  ], () => {});
});

test("nft's JSON of interval sets, applied into an empty namespace, holds nft's first segment", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns(async (src) => {
    nft(src, ["-f", "-"], DECLARED);
    const want = elementDump(src);
    await applyBothWays(JSON.parse(nft(src, ["-j", "list", "ruleset"])), (dst) => {
      assert.deepEqual(elementDump(dst), want);
    });
  });
});
