/**
 * Set element timeouts and expiry as nft 1.0.6 lists them: its text keeps
 * the milliseconds (`timeout 1s500ms expires 1s472ms`, nft's time_print),
 * its JSON whole seconds, `-s` drops the expiry from the text only and `-T`
 * prints whole seconds. Expiry counts down between two listings: values are
 * compared within a few seconds, the rest exactly.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { jsonObjects, loadRuleset, nft, NFT_SKIP, nftJson, stable } from "./_nft.ts";

const RULESET = `table ip t {
	set s {
		type ipv4_addr
		flags timeout
		timeout 1m30s
		elements = { 1.1.1.1 timeout 10s, 1.1.1.2, 1.1.1.3 timeout 30s500ms, 1.1.1.4 timeout 1h2m3s4ms, 1.1.1.5 timeout 2d }
	}
	map m {
		type ipv4_addr : mark
		flags timeout
		elements = { 2.2.2.2 timeout 20s250ms : 1 }
	}
}
`;

/** Milliseconds of an nft duration (`1d23h59m59s972ms`). */
function ms(text: string): number {
  const units: Record<string, number> = { d: 86400000, h: 3600000, m: 60000, s: 1000, ms: 1 };
  let n = 0;
  for (const [, v, u] of text.matchAll(/(\d+)(ms|d|h|m|s)/g)) n += Number(v) * units[u];
  return n;
}

/** Expiry taken out of nft's text, and what it was, in order. */
function expiry(text: string): [string, number[]] {
  const seen: number[] = [];
  return [text.replace(/ expires ([0-9dhms]+)/g, (_, d) => (seen.push(ms(d)), " expires X")), seen];
}

/** Asserts nlkit's expiries are nft's, or up to `slack` ms less (nlkit listed second). */
function closeBelow(mine: number[], theirs: number[], slack: number): void {
  assert.equal(mine.length, theirs.length);
  mine.forEach((m, i) => assert.ok(m <= theirs[i] && theirs[i] - m < slack, `${m} vs ${theirs[i]}`));
}

test("element timeouts and expiry list with nft's milliseconds in text and whole seconds in JSON", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, RULESET);
    const [theirs, theirExpiry] = expiry(nft(ns, ["list", "ruleset"]));
    const [mine, myExpiry] = expiry(ok(ns, "nft", "list", "ruleset"));
    assert.equal(mine, theirs);
    assert.match(mine, /1\.1\.1\.3 timeout 30s500ms expires X, 1\.1\.1\.4 timeout 1h2m3s4ms expires X/);
    closeBelow(myExpiry, theirExpiry, 5000);
    // Below a whole second: the milliseconds nft shows (a listing takes far less than 10s - 9s).
    assert.ok(myExpiry.some((x) => x % 1000 !== 0));
    const [setText, setExpiry] = expiry(ok(ns, "nft", "list", "set", "ip", "t", "s"));
    assert.equal(setText, expiry(nft(ns, ["list", "set", "ip", "t", "s"]))[0]);
    assert.equal(setExpiry.length, 5);

    const theirJson = nftJson(ns, "ruleset");
    const myJson = jsonObjects(ok(ns, "-j", "nft", "list", "ruleset"));
    assert.deepEqual(stable(myJson), stable(theirJson));
    const elems = (doc: { set?: { elem: { elem: { timeout?: number; expires: number } }[] } }[]) =>
      doc.find((o) => o.set)!.set!.elem.map((e) => e.elem);
    assert.deepEqual(elems(myJson).map((e) => e.timeout), [10, undefined, 30, 3723, 172800]);
    const [a, b] = [elems(myJson).map((e) => e.expires), elems(theirJson).map((e) => e.expires)];
    assert.ok(a.every((x) => Number.isInteger(x)));
    closeBelow(a.map((x) => x * 1000), b.map((x) => x * 1000), 6000);
  });
});

test("-s lists element timeouts without expiry in text only; -T in whole seconds", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    loadRuleset(ns, RULESET);
    for (const what of [["ruleset"], ["set", "ip", "t", "s"], ["map", "ip", "t", "m"]]) {
      assert.equal(ok(ns, "nft", "-s", "list", ...what), nft(ns, ["-s", "list", ...what]));
      assert.deepEqual(
        stable(jsonObjects(ok(ns, "nft", "-s", "-j", "list", ...what))),
        stable(jsonObjects(nft(ns, ["-s", "-j", "list", ...what]))),
      );
    }
    assert.match(nft(ns, ["-s", "list", "ruleset"]), /1\.1\.1\.3 timeout 30s500ms, /);
    assert.match(ok(ns, "nft", "-s", "-j", "list", "ruleset"), /"expires": /);
    // nft first: closeBelow takes nlkit's listing to be the later one.
    const [theirs, theirExpiry] = expiry(nft(ns, ["-T", "list", "ruleset"]));
    const [mine, myExpiry] = expiry(ok(ns, "nft", "-T", "list", "ruleset"));
    assert.equal(mine, theirs);
    assert.match(mine, /1\.1\.1\.4 timeout 3723s expires X/);
    closeBelow(myExpiry, theirExpiry, 6000);
  });
});
