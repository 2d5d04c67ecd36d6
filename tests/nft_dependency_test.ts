/**
 * Redundant protocol matches in the ip and ip6 families, against nft in
 * fresh namespaces: nft's evaluation drops a `meta protocol` of the
 * family's own protocol that a statement follows (the kernel gets the
 * same bytecode from nlkit), and its listing hides an `ether type` or
 * `meta protocol` of that protocol once `meta l4proto` follows.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

const RULESET = `table ip foo {
	chain bar {
		meta protocol ip
		meta protocol ip accept
		meta protocol ip ip saddr 1.1.1.1
		meta protocol ip udp dport 67
		meta protocol ip6 tcp dport 1
		meta protocol != ip accept
		meta protocol { ip } accept
		meta protocol 0x0800 counter
		ip saddr 1.1.1.1 meta protocol ip
		ether type ip
		ether type ip udp dport 67
		ether type ip meta l4proto tcp
		ether type ip accept
		ether type ip6 tcp dport 1
	}
}
table ip6 foo {
	chain bar {
		meta protocol ip6 udp dport 67
		ether type ip6 udp dport 67
		ether type ip udp dport 67
	}
}
table inet foo {
	chain bar {
		meta protocol ip udp dport 67
		ether type ip udp dport 67
	}
}
`;

test("the family's own protocol: dropped and hidden as nft does", { skip: NFT_SKIP }, async () => {
  let want = "", bytecode = "";
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], RULESET);
    want = nft(ns, ["list", "ruleset"]);
    bytecode = nft(ns, ["--debug=netlink", "list", "ruleset"]);
    // nlkit lists nft's rules as nft does.
    const r = nlkit(["-n", ns, "nft", "list", "ruleset"]);
    assert.equal(r.stdout, want, r.stderr);
  });
  assert.match(want, /\n\t\tudp dport 67\n\t\tmeta protocol ip6 tcp dport 1\n/);
  await withTempNetns((ns) => {
    const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, RULESET);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(nft(ns, ["--debug=netlink", "list", "ruleset"]), bytecode);
  });
});
