/**
 * Values a JS number cannot hold: `ct bytes` and `ct packets` (8 bytes,
 * host order) and 64-bit raw payloads past 2^53. nft prints one that fits
 * 64 bits as an exact, signed JSON number (0xfffffffffffffff1 is -15), and
 * as unsigned decimal (or hex, for a raw payload) in its text; nlkit lists
 * them so and reads them back exactly, from nft's text and from its JSON.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { parseNftJson } from "../src/netfilter/nftables/json/big_int.ts";
import { parseValue, renderValue } from "../src/netfilter/nftables/json/value_codec.ts";
import { typeByName } from "../src/netfilter/nftables/json/types.ts";

/** Rules and sets that nft's JSON can carry (nft 1.0.6 reads no typeof from JSON). */
const RULES = `table ip t {
	chain c {
		ct original bytes 72442887246253793 accept
		ct original bytes > 5000000000 accept
		ct original bytes { 5, 72442887246253793 } accept
		ct original packets 72442887246253793-72442887246253799 accept
		ct original bytes . ip saddr { 72442887246253793 . 1.2.3.5 } accept
		ct original bytes != 9007199254740993 accept
		ct original bytes & 18446744073709486080 == 72442887246249984 accept
		ct reply packets < 18446744073709551615 accept
		@th,64,64 0x1015e6c10d10ee1 accept
		@th,64,64 0xfffffffffffffff1 drop
		@th,0,128 0x1015e6c10d10ee1 accept
		@th,0,64 0x2bdc545d6b4b87 accept
	}
}
`;

/** Named sets and maps typed by `typeof`, whose integers only their user data sizes. */
const TYPEOF = `table ip u {
	map m {
		typeof ct original bytes : meta mark
		elements = { 9 : 0x00000007, 72442887246253793 : 0x00000005 }
	}

	set s {
		typeof ct original bytes
		elements = { 5000000000, 72442887246253793, 18446744073709551601 }
	}

	set c2 {
		typeof ct original bytes . ip saddr
		elements = { 72442887246253793 . 1.2.3.4 }
	}

	chain c {
		meta mark set ct original bytes map @m
		ct original bytes @s accept
		ct original bytes . ip saddr @c2 accept
	}
}
`;

/** The objects of an `nft -j` document, as text past its metainfo (exact digits, not parsed numbers). */
function objectsText(doc: string): string {
  return doc.replace(/^\{"nftables": \[\{"metainfo": \{[^}]*\}\}, /, "");
}

test("nft: 64-bit values list as nft lists them, in its text and its JSON", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], RULES + TYPEOF);
    assert.equal(ok(ns, "nft", "list", "ruleset"), nft(ns, ["list", "ruleset"]));
    const json = objectsText(nft(ns, ["-j", "list", "ruleset"]));
    assert.match(json, /"right": -15\}/); // signed, as nft's JSON holds it
    assert.equal(objectsText(ok(ns, "-j", "nft", "list", "ruleset")), json);
    // `-s` rebuilds each rule's statements without counters: the values stay exact numbers.
    assert.equal(
      objectsText(ok(ns, "-j", "nft", "-s", "list", "ruleset")),
      objectsText(nft(ns, ["-j", "-s", "list", "ruleset"])),
    );
  });
});

test("nft: 64-bit values read exactly from nft's text", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], RULES + TYPEOF);
    const listed = nft(ns, ["list", "ruleset"]);
    nft(ns, ["flush", "ruleset"]);
    const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, RULES + TYPEOF);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(nft(ns, ["list", "ruleset"]), listed);
  });
});

test("nft: 64-bit values read exactly from nft's JSON, a negative one as unsigned", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (src) => {
    nft(src, ["-f", "-"], RULES);
    const doc = nft(src, ["-j", "list", "ruleset"]);
    await withTempNetns((dst) => {
      const r = nlkit(["-n", dst, "nft", "-j", "-f", "-"], {}, doc);
      assert.equal(r.code, 0, r.stderr);
      // nft itself reads -15 back as 0xf and -1 as 1; the values listed are the ones written.
      assert.equal(nft(dst, ["list", "ruleset"]), RULES);
    });
  });
});

/** Unsigned 32-bit fields nft's JSON packs as a C int: past 2^31 they print negative there, unsigned in its text. */
const C_INTS = `table ip t {
	chain c {
		meta mark set numgen inc mod 4294967295
		meta mark set numgen random mod 10 offset 3000000000
		meta mark set jhash ip saddr mod 4294967295 seed 0xffffffff
		meta mark set jhash ip saddr mod 2 seed 0xffffffff offset 3000000000
		meta mark set symhash mod 3000000000
		ct count over 4294967295 drop
		ct count 3000000000 drop
		tcp dport 22 meter m size 2147483648 { ip saddr limit rate 10/second } accept
	}
}
`;

test(
  "nft: u32 fields nft's JSON holds as a C int list as nft lists them, and read back",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns(async (src) => {
      nft(src, ["-f", "-"], C_INTS);
      assert.equal(ok(src, "nft", "list", "ruleset"), nft(src, ["list", "ruleset"]));
      const json = objectsText(nft(src, ["-j", "list", "ruleset"]));
      for (
        const v of ['"mod": -1,', '"offset": -1294967296', '"mod": -1294967296', '"val": -1,', '"size": -2147483648']
      ) {
        assert.ok(json.includes(v), v);
      }
      assert.equal(objectsText(ok(src, "-j", "nft", "list", "ruleset")), json);
      await withTempNetns((dst) => {
        const r = nlkit(["-n", dst, "nft", "-j", "-f", "-"], {}, nft(src, ["-j", "list", "ruleset"]));
        assert.equal(r.code, 0, r.stderr);
        assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
      });
      // Past a C int's and a u32's range, or not whole: refused before anything is sent (nft wraps or refuses).
      const doc = nft(src, ["-j", "list", "ruleset"]);
      const bad = [['"mod": -1,', '"mod": 1.5,'], ['"val": -1,', '"val": -5000000000,'], [
        '"size": -2147483648',
        '"size": 4294967296',
      ]];
      for (const [from, to] of bad) {
        await withTempNetns((dst) => {
          const r = nlkit(["-n", dst, "nft", "-j", "-f", "-"], {}, doc.replace(from, to));
          assert.equal(r.code, 1);
          assert.match(r.stderr, /Cannot use (1\.5|-5000000000|4294967296) as .*: expected an unsigned 32-bit number/);
          assert.equal(nft(dst, ["list", "ruleset"]), "");
        });
      }
    });
  },
);

test("nft JSON: an integer past 2^53 is read as its digits, others as numbers", () => {
  const doc = parseNftJson('{"a": [72442887246253793, -15, 9007199254740991, 1.5e300, "72442887246253793"]}');
  assert.equal(JSON.stringify(doc), '{"a":[72442887246253793,-15,9007199254740991,1.5e+300,"72442887246253793"]}');
  const big = (doc as { a: unknown[] }).a[0] as never;
  const bytes = { ...typeByName("integer"), size: 8 };
  assert.deepEqual(parseValue(bytes, big), new Uint8Array([0xe1, 0x0e, 0xd1, 0x10, 0x6c, 0x5e, 0x01, 0x01]));
  assert.equal(JSON.stringify(renderValue(bytes, parseValue(bytes, big))), "72442887246253793");
  // A 64-bit value past 2^63: listed signed, read back unsigned.
  assert.equal(JSON.stringify(renderValue(bytes, new Uint8Array(8).fill(0xff))), "-1");
  assert.deepEqual(parseValue(bytes, -1), new Uint8Array(8).fill(0xff));
  assert.throws(() => parseValue(typeByName("integer"), -1), /Cannot use -1 as integer/);
  assert.throws(() => parseValue(typeByName("integer"), big), /expected an unsigned 32-bit number/);
});
