/**
 * Expressions nft names by context, against nft 1.0.6 in fresh namespaces:
 * ICMP(v6) fields that share offsets and are named by the message type the
 * rule matched (`icmp mtu`, `icmp gateway`, `icmpv6 max-delay`), sub-byte
 * fields compared with ranges (`frag frag-off 33-45`), raw payloads (link
 * layer without an ether context, inner header, wider than 64 bits, not on
 * byte boundaries), raw TCP option presence, realm names. Each is listed as
 * `nft -j list ruleset` lists it, and nft's JSON (or a JSON document nft
 * accepts but never prints) applied by the library gives nft what `nft -j -f`
 * gives.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { withTempNetns } from "./_helpers.ts";
import { loadRuleset, nft, NFT_SKIP, nftJson, stable, withNftDocument } from "./_nft.ts";
import { interfaceNames } from "../src/netfilter/nftables/ifnames.ts";
import { listRuleset } from "../src/netfilter/nftables/list.ts";
import { rulesetObjects } from "../src/netfilter/nftables/json/ruleset_json.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";
import { typeByName } from "../src/netfilter/nftables/json/types.ts";
import { parseValue, renderValue } from "../src/netfilter/nftables/json/value_codec.ts";
import { parseRealms } from "../src/netfilter/nftables/json/realms.ts";
import { InvalidArgumentError } from "../src/errors.ts";

const RULESET = `
table ip icmpf {
  chain c {
    icmp id 1 icmp sequence 2
    icmp mtu 33
    icmp mtu != { 33, 55 }
    icmp gateway 22
    icmp gateway 33-45
    icmp type destination-unreachable icmp code 3 icmp mtu 44
    icmp type echo-request icmp id 1
    icmp type { echo-reply, echo-request } icmp sequence 7
    icmp type redirect icmp code 1
    rt classid cosmos
  }
}
table ip6 icmp6f {
  chain c {
    mark set ip6 saddr and ::ffff map { ::2 : 0x0000002a, ::ffff : 0x00000017 }
    icmpv6 mtu 1280
    icmpv6 type packet-too-big icmpv6 mtu != 1280
    icmpv6 max-delay 33-45
    icmpv6 max-delay { 33, 55 }
    icmpv6 id 1 icmpv6 sequence 2
    frag frag-off 33-45
    frag frag-off != 33-45
    ip6 dscp 3-5
    hbh nexthdr ip
    hbh nexthdr != { ip, tcp }
  }
}
table ip exprs {
  chain pre {
    type filter hook prerouting priority 0;
    fib saddr . iif oif ne 0
  }
  chain forw {
    type filter hook forward priority 0;
    ipsec out spi 1-561
    ipsec in ip6 daddr dead::beef
  }
  chain in {
    type filter hook input priority 0;
    meta rtclassid "cosmos"
    meta sdif "lo" accept
    meta sdifname != "vrf1" accept
    ct original ip saddr 192.168.1.0/24
    mark 0x80000000 reject with tcp reset
    synproxy
    tcp flags & (fin | syn | rst | psh | ack | urg | ecn | cwr) == fin | syn | rst | psh | ack | urg | ecn | cwr
    tcp flags { syn, syn | ack }
    tcp flags & (fin | syn | rst | psh | ack | urg) == { fin, ack, psh | ack, fin | psh | ack }
    tcp flags & (syn | ack) != syn
    udp length . @th,160,128 vmap { 47-63 . 0xe373135363130333131303735353203 : accept }
  }
}
table bridge vlans {
  chain c {
    ether type vlan ip protocol 1 accept
    ether type 8021ad vlan id 1 ip protocol 6 accept
    ether type 8021ad vlan id 1 vlan type 8021q vlan id 2 vlan type ip counter
    ether type 8021ad vlan id 1 vlan type 8021q vlan id 2 vlan type ip ip protocol 6
    vlan id 2 ether saddr 0:1:2:3:4:6
  }
}
table inet raw {
  chain c {
    @ll,0,1 1
    @ll,0,8 & 0x80 == 0x80
    @ll,0,128 0xfedcba987654321001234567890abcde
    @ih,32,32 0x14000000
    @nh,8,16 0x1234
    @th,13,11 5-9
    ether saddr 00:11:22:33:44:55
    tcp option 6 exists
    tcp option 255 missing
    tcp option @255,8,8 255
    meta nfproto ipv4 icmpv6 type echo-request
    meta nfproto ipv6 icmp type echo-request
    meta nfproto ipv4 counter ip saddr 1.2.3.4
    meta nfproto ipv4 ct original saddr 1.2.3.4
    tcp dport 22 iiftype ether ip daddr 1.2.3.4 ether saddr 00:0f:54:0c:11:4 accept
  }
}
`;

/** nft JSON objects without handles (assigned anew) nor expiry (counts down). */
// deno-lint-ignore no-explicit-any
function comparable(objs: any[]): string[] {
  return objs.map((o) => JSON.stringify(o, (k, v) => (k === "handle" || k === "expires" ? undefined : v)));
}

test(
  "ICMP fields, sub-byte ranges and raw payloads are listed as nft -j list ruleset",
  { skip: NFT_SKIP },
  async () => {
    await withTempNetns(async (ns) => {
      loadRuleset(ns, RULESET);
      const r = await listRuleset({}, { netns: ns });
      const mine = rulesetObjects(r, { ifnames: await interfaceNames({ netns: ns }) });
      const theirs = nftJson(ns, "ruleset");
      assert.equal(theirs.filter((o) => o.rule).length, 55);
      assert.equal(mine.length, theirs.length);
      for (let i = 0; i < theirs.length; i++) assert.deepEqual(stable(mine[i]), stable(theirs[i]), `object ${i}`);
      // What nft drops and names by context, spelled out (a listing that ignored the context would differ).
      const rules = theirs.filter((o) => o.rule).map((o) => JSON.stringify(o.rule.expr));
      assert.ok(
        rules.includes('[{"match":{"op":"==","left":{"payload":{"protocol":"icmp","field":"mtu"}},"right":33}}]'),
      );
      assert.ok(
        rules.some((s) => s.includes('"field":"id"}},"right":1}') && s.includes('"field":"sequence"}},"right":2}')),
      );
    });
  },
);

test("nft's JSON of the same rules applied by the library gives nft what nft -j -f gives", {
  skip: NFT_SKIP,
}, async () => {
  await withNftDocument(RULESET, async (_src, doc) => {
    // nft lists `meta nfproto ipv4 ct original saddr` without its nfproto, and cannot apply that back (the
    // library can: see the ct saddr test below), so nft -j -f is no oracle for it here.
    const unfamilied = (o: { rule?: unknown }) => JSON.stringify(o.rule ?? null).includes('{"ct":{"key":"saddr"');
    const bad = doc.nftables.filter(unfamilied);
    assert.equal(bad.length, 1);
    // Not yet: an anonymous map keyed by a raw payload concatenation needs the key's typeof in the set's
    // user data for nft to print its elements (nft -j -f writes it; the library does not).
    const rawMap = (o: { rule?: unknown }) => JSON.stringify(o.rule ?? null).includes('"offset":160,"len":128');
    // Sets of flag values: nft -j -f inserts their elements in the JSON's order, which nft's listing does not
    // keep; the library's order is nft's listed one (tested by the set tests), so these two differ by design.
    const flagSet = (o: { rule?: unknown }) => {
      const r = JSON.stringify(o.rule ?? null);
      return r.includes('"field":"flags"') && r.includes('"set":[');
    };
    const rest = {
      nftables: doc.nftables.filter((o: { rule?: unknown }) => !unfamilied(o) && !rawMap(o) && !flagSet(o)),
    };
    await withTempNetns(async (theirs) => {
      nft(theirs, ["-j", "-f", "-"], JSON.stringify(rest));
      const want = comparable(nftJson(theirs, "ruleset"));
      assert.equal(want.length, rest.nftables.length - 1); // all but metainfo
      await withTempNetns(async (dst) => {
        await applyJson(rest, { netns: dst });
        assert.deepEqual(comparable(nftJson(dst, "ruleset")), want);
      });
    });
  });
});

/** A document adding table `t` of `family`, chain `c`, and one rule per statement list. */
// deno-lint-ignore no-explicit-any
function doc(family: string, rules: any[][]): { nftables: any[] } {
  return {
    nftables: [
      { add: { table: { family, name: "t" } } },
      { add: { chain: { family, table: "t", name: "c" } } },
      ...rules.map((expr) => ({ add: { rule: { family, table: "t", chain: "c", expr } } })),
    ],
  };
}

// deno-lint-ignore no-explicit-any
const match = (left: any, right: any, op = "==") => ({ match: { op, left, right } });
const pl = (protocol: string, field: string) => ({ payload: { protocol, field } });
const raw = (base: string, offset: number, len: number) => ({ payload: { base, offset, len } });

/** Documents nft accepts but does not print this way: the library must apply them as `nft -j -f` does. */
const DOCS = {
  "ICMP fields without their message type match (nft adds it)": doc("ip", [
    [match(pl("icmp", "gateway"), 22)],
    [match(pl("icmp", "mtu"), { range: [22, 33] })],
    [match(pl("icmp", "id"), 1)],
    [match(pl("icmp", "type"), "echo-reply"), match(pl("icmp", "sequence"), 9)],
    [match(pl("icmp", "type"), { set: ["echo-reply", "echo-request"] }), match(pl("icmp", "id"), 3)],
    [match(pl("icmp", "code"), 3), match(pl("icmp", "mtu"), 44)],
  ]),
  "ICMPv6 fields without their message type match": doc("ip6", [
    [match(pl("icmpv6", "mtu"), 1280)],
    [match(pl("icmpv6", "parameter-problem"), 35)],
    [match(pl("icmpv6", "max-delay"), { set: [1, 2] })],
    [match(pl("icmpv6", "type"), "echo-reply"), match(pl("icmpv6", "id"), 4)],
    [match({ exthdr: { name: "hbh", field: "nexthdr" } }, "hopopt")],
  ]),
  "raw payloads off byte boundaries, wide values and raw option presence": doc("inet", [
    [match(raw("nh", 1, 3), 5)],
    [match(raw("th", 13, 11), { range: [5, 9] })],
    [match(raw("ll", 4, 4), { set: [1, 2] })],
    [match(raw("nh", 0, 128), "0xfedcba987654321001234567890abcde")],
    [match({ "tcp option": { base: 6, offset: 0, len: 8 } }, true)],
    [match({ "tcp option": { base: 255, offset: 0, len: 8 } }, false)],
  ]),
};

for (const [name, d] of Object.entries(DOCS)) {
  test(`${name}: applied by the library as by nft -j -f`, { skip: NFT_SKIP }, async () => {
    await withTempNetns(async (theirs) => {
      nft(theirs, ["-j", "-f", "-"], JSON.stringify(d));
      const want = comparable(nftJson(theirs, "ruleset"));
      await withTempNetns(async (mine) => {
        await applyJson(d, { netns: mine });
        assert.deepEqual(comparable(nftJson(mine, "ruleset")), want);
      });
    });
  });
}

test("an ICMP field of another message type than the rule matched is refused, as nft refuses it", {
  skip: NFT_SKIP,
}, async () => {
  const bad = [
    doc("ip", [[match(pl("icmp", "type"), "echo-request"), match(pl("icmp", "mtu"), 33)]]),
    doc("ip6", [[
      match(pl("icmpv6", "type"), { set: ["echo-request", "packet-too-big"] }),
      match(pl("icmpv6", "id"), 1),
    ]]),
  ];
  await withTempNetns(async (ns) => {
    for (const d of bad) {
      assert.throws(() => nft(ns, ["-j", "-f", "-"], JSON.stringify(d)), /incompatible icmp match/);
      await assert.rejects(applyJson(d, { netns: ns }), (e: Error) => {
        assert.ok(e instanceof InvalidArgumentError, String(e));
        assert.match(e.message, /^Cannot match icmp(v6)? (mtu|id) in a rule about icmp(v6)? type /);
        return true;
      });
    }
    assert.deepEqual(nftJson(ns, "ruleset"), []); // nothing was sent
  });
});

test("raw payload offsets and lengths that are not whole bits are refused before sending", async () => {
  for (const [offset, len] of [[1.5, 8], [0, 0], [0, 129], [-8, 8]]) {
    await assert.rejects(
      applyJson(doc("inet", [[match(raw("nh", offset, len), 1)]]), { netns: "nlkit-never-created" }),
      (e: Error) => e instanceof InvalidArgumentError && /^Cannot use raw payload offset/.test(e.message),
    );
  }
});

test("integers wider than 64 bits print as nft's 0x text and parse back to the same bytes", () => {
  const t = { ...typeByName("integer"), host: false, size: 16 };
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      const v = renderValue(t, b);
      assert.equal(typeof v === "string", b.subarray(0, 8).some((x) => x !== 0));
      assert.deepEqual(parseValue(t, v, 16), b);
    }),
  );
  assert.equal(
    renderValue(t, parseValue(t, "0xfedcba987654321001234567890abcde", 16)),
    "0xfedcba987654321001234567890abcde",
  );
  assert.throws(() => parseValue(t, `0x1${"0".repeat(32)}`, 16), InvalidArgumentError);
});

test("realm names come from rt_realms text; protocol 0 prints as ip and parses from hopopt too", () => {
  const m = parseRealms("# c\n0\tcosmos\n0x10 ten # x\n12 twelve\n12 dup\nbad\n");
  assert.deepEqual([...m], [[0, "cosmos"], [16, "ten"], [12, "twelve"]]);
  const p = typeByName("inet_proto");
  assert.equal(renderValue(p, new Uint8Array([0])), "ip");
  assert.deepEqual(parseValue(p, "hopopt"), new Uint8Array([0]));
  assert.deepEqual(parseValue(p, "ip"), new Uint8Array([0]));
});

test("ct saddr of an inet rule, which nft 1.0.6 lists without its meta nfproto, applies with it again", {
  skip: NFT_SKIP,
}, async () => {
  const ruleset = `table inet t {
	chain c {
		meta nfproto ipv4 ct original saddr 1.2.3.4
		meta nfproto ipv6 ct reply daddr 2001:db8::1
	}
}
`;
  await withTempNetns(async (src) => {
    loadRuleset(src, ruleset);
    const doc = JSON.parse(nft(src, ["-j", "list", "ruleset"]));
    // What makes it hard: nft's JSON lost the protocol, and nft -j -f refuses it.
    assert.ok(!JSON.stringify(doc).includes("nfproto"));
    await withTempNetns(async (dst) => {
      assert.throws(() => nft(dst, ["-j", "-f", "-"], JSON.stringify(doc)), /cannot determine ip protocol version/);
      await applyJson(doc, { netns: dst });
      const rules = (s: string) => nft(s, ["--debug=netlink", "list", "ruleset"]);
      assert.equal(rules(dst), rules(src));
    });
  });
});
