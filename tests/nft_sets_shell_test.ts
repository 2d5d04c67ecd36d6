/**
 * Sets and maps as nft 1.0.6's shell tests (tests/shell/testcases/sets, maps)
 * use them: each case runs the same scripts with nft in one fresh namespace
 * and with nlkit (`applyScript`, what `nlkit nft -f` and its command line
 * run) in another; each script must succeed or fail alike and nft must list
 * the same ruleset afterwards.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { applyScript } from "../src/netfilter/nftables/text/script.ts";

/** Runs `scripts` by nft and by nlkit, each into its own namespace; compares outcomes and `nft list ruleset`. */
async function sameAsNft(scripts: string[]): Promise<string> {
  const theirs = await withTempNetns((ns) => {
    const codes = scripts.map((s) =>
      spawnSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], { encoding: "utf8", input: s }).status === 0
    );
    return { codes, ruleset: nft(ns, ["list", "ruleset"]) };
  });
  const mine = await withTempNetns(async (ns) => {
    const codes: boolean[] = [];
    for (const s of scripts) {
      codes.push(await applyScript(s, "-", { netns: ns }).then(() => true, () => false));
    }
    return { codes, ruleset: nft(ns, ["list", "ruleset"]) };
  });
  assert.deepEqual(mine.codes, theirs.codes, "scripts that succeeded");
  assert.equal(mine.ruleset, theirs.ruleset);
  return mine.ruleset;
}

test(
  "an auto-merge set flushed then given elements holds only those (sets/0052overlap_0)",
  { skip: NFT_SKIP },
  async () => {
    const listed = await sameAsNft([
      `add table ip filter
add set ip filter w_all {type ipv4_addr; flags interval; auto-merge}
add element ip filter w_all {10.10.10.10, 10.10.10.11}`,
      `flush set ip filter w_all
add element ip filter w_all {10.10.10.10, 10.10.10.253}`,
    ]);
    assert.match(listed, /elements = \{ 10\.10\.10\.10, 10\.10\.10\.253 \}/);
  },
);

test("a set a rule updates is made dynamic only when the kernel does not hold it (sets/dynset_missing)", {
  skip: NFT_SKIP,
}, async () => {
  const dump = `table ip test {
	set dlist {
		type ipv4_addr
		size 65535
	}
	chain output {
		type filter hook output priority filter; policy accept;
		udp dport 1234 update @dlist { ip daddr } counter
	}
}`;
  const created = [
    "table ip test { chain output { type filter hook output priority 0; }; }",
    "add set ip test dlist {type ipv4_addr; }",
    "add rule ip test output udp dport 1234 update @dlist { ip daddr } counter",
  ];
  // Held without the flag: declared again unchanged (a changed set would be EEXIST).
  assert.doesNotMatch(await sameAsNft([...created, dump]), /flags dynamic/);
  // Not held (or flushed in the same document): created dynamic.
  assert.match(await sameAsNft([dump]), /flags dynamic/);
  assert.match(await sameAsNft([...created, `flush ruleset\n${dump}`]), /flags dynamic/);
});
