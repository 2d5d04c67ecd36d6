/**
 * Anonymous sets and maps nft 1.0.6's own tests write (tests/py): concatenations
 * with raw payloads (which nft can list only with the key's typeof user data),
 * flag values of several bits, concatenations in nft's order, and NAT maps to
 * ranges, prefixes and `address . port`; meters. Against nft in fresh namespaces:
 * listed as nft lists them, and nft's JSON applied into an empty namespace
 * gives nft the same ruleset; the typeof bytes are nft's own (strace).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ok } from "./_cli.ts";
import { run, withTempNetns } from "./_helpers.ts";
import { applyBothWays, jsonObjects, loadRuleset, nft, NFT_SKIP, nftJson, withNftDocument } from "./_nft.ts";
import { unhex } from "./_vectors.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { listRuleset } from "../src/netfilter/nftables/list.ts";
import { applyJson } from "../src/netfilter/nftables/json/apply.ts";
import { rulesetObjects } from "../src/netfilter/nftables/json/ruleset_json.ts";
import { anonSetTypeof } from "../src/netfilter/nftables/json/set_typeof.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";

const RULESET = `table inet f {
	chain c {
		type filter hook input priority 0;
		ip saddr . @ih,32,32 { 1.1.1.1 . 0x14, 2.2.2.2 . 0x1e }
		udp length . @th,160,128 vmap { 47-63 . 0xe373135363130333131303735353203 : accept }
		tcp flags { syn, syn | ack }
		tcp flags & (fin | syn | rst | psh | ack | urg) == { fin, ack, psh | ack, fin | psh | ack }
		ct state . ct mark { new . 0x12345678, new . 0x34127856, established . 0x12785634 }
		ct state . ct mark vmap { new . 0x12345678 : drop, established . 0x87654321 : accept }
		ip saddr . tcp dport { 1.1.1.2 . 80, 1.1.1.1 . 81 }
		meta mark . tcp dport { 0x0000000a-0x00000014 . 80-90, 0x00100000-0x00100123 . 100-120 }
		ip saddr . meta mark { 1.2.3.4 . 0x00000100, 1.2.3.6-1.2.3.8 . 0x00000200-0x00000300 }
		meter m1 size 8192 { ip saddr timeout 30s counter }
		meter m2 { ip saddr . tcp dport counter }
	}
	chain n {
		type nat hook prerouting priority 0;
		meta l4proto tcp dnat to :80
		meta l4proto tcp dnat ip to 1.2.3.4:80
	}
}
table ip t {
	chain post {
		type nat hook postrouting priority 0;
		snat ip to ip saddr map { 10.141.11.4 : 192.168.2.2-192.168.2.4 }
		snat ip to ip saddr map { 10.141.12.14 : 192.168.2.0/24 }
		snat ip prefix to ip saddr map { 10.141.11.0/24 : 192.168.2.0/24 }
		meta l4proto 17 snat ip to ip saddr map { 10.141.11.4 : 192.168.2.3 . 80 }
		snat to 192.168.3.0-192.168.3.255
	}
	chain pre {
		type nat hook prerouting priority 0;
		dnat ip to ip saddr . tcp dport map { 192.168.1.2 . 80 : 10.141.10.0/24 . 8888-8999 }
		dnat ip to ip saddr . tcp dport map { 192.168.1.2 . 80 : 10.141.10.2 . 8888-8999 }
		dnat ip to ip saddr . tcp dport map { 192.168.1.2 . 80 : 10.141.10.0/24 . 80 }
		ip daddr 192.168.0.1 dnat ip to tcp dport map { 443 : 10.141.10.4 . 8443, 80 : 10.141.10.4 . 8080 }
	}
	chain out {
		type nat hook output priority 0;
		ip protocol 6 redirect to :tcp dport map { 22 : 8000, 80 : 8080 }
	}
}
table ip6 t6 {
	chain in {
		type filter hook input priority 0;
		meter acct_out size 4096 { meta iif . ip6 saddr timeout 600s counter }
	}
	chain pre {
		type nat hook prerouting priority 0;
		dnat to [2001:838:35f:1::]/64
	}
}
`;

test("anonymous sets and NAT maps of nft's tests list as nft lists them", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    loadRuleset(ns, RULESET);
    const theirs = nftJson(ns, "ruleset");
    // The oracle shows what is under test: nft's own order and forms.
    const text = JSON.stringify(theirs);
    const forms = [
      '{"|":["syn","ack"]},"syn"',
      '"0xe373135363130333131303735353203"',
      '"type_flags":"prefix"',
      '"meter"',
    ];
    for (const s of forms) {
      assert.ok(text.includes(s), s);
    }
    assert.deepEqual(rulesetObjects(await listRuleset({}, { netns: ns })), theirs);
    assert.deepEqual(jsonObjects(ok(ns, "-j", "nft", "list", "ruleset")), theirs);
    assert.equal(ok(ns, "nft", "list", "ruleset"), nft(ns, ["list", "ruleset"]));
  });
});

test("nft's JSON of those, applied into an empty namespace, gives nft the same ruleset", {
  skip: NFT_SKIP,
}, async () => {
  await withNftDocument(RULESET, async (src, doc) => {
    const want = nft(src, ["list", "ruleset"]);
    // nft 1.0.6 aborts listing a raw payload concatenation written without its typeof: this lists at all.
    await applyBothWays(doc, (dst) => assert.equal(nft(dst, ["list", "ruleset"]), want));
  });
});

test("a concatenation with a vlan id, applied from nft's JSON, is one nft can list (its typeof)", {
  skip: NFT_SKIP,
}, async () => {
  const ruleset = `table bridge b {
	chain c {
		type filter hook input priority 0;
		ether saddr . vlan id { 0a:0b:0c:0d:0e:0f . 42, 0a:0b:0c:0d:0e:0f . 4095 }
	}
}
`;
  await withNftDocument(ruleset, async (src, doc) => {
    await withTempNetns(async (dst) => {
      await applyJson(doc, { netns: dst });
      assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
    });
  });
});

test("maps of counters, quotas and ct helpers list as nft lists them (JSON and text)", { skip: NFT_SKIP }, async () => {
  const ruleset = `table ip t {
	counter cnt1 { }
	counter cnt2 { }
	quota qt1 { over 25 mbytes }
	quota qt2 { over 1 kbytes }
	ct helper cthelp1 { type "ftp" protocol tcp; }
	chain c {
		type filter hook output priority 0;
		counter name tcp dport map { 443 : "cnt1", 80 : "cnt2", 22 : "cnt1" }
		quota name tcp dport map { 443 : "qt1", 80 : "qt2", 22 : "qt1" }
		ct helper set tcp dport map { 21 : "cthelp1", 2121 : "cthelp1" }
	}
}
`;
  await withTempNetns(async (ns) => {
    loadRuleset(ns, ruleset);
    const theirs = nftJson(ns, "ruleset");
    assert.equal(
      theirs.filter((o) => o.rule?.expr.some((x: Record<string, { map?: unknown }>) => x.counter?.map)).length,
      1,
    );
    assert.deepEqual(rulesetObjects(await listRuleset({}, { netns: ns })), theirs);
    assert.equal(ok(ns, "nft", "list", "ruleset"), nft(ns, ["list", "ruleset"]));
  });
});

test("the typeof user data of a raw payload concatenation is nft's own bytes", () => {
  // strace -xx -e trace=sendmsg nft -f (nft 1.0.6): NFTA_SET_USERDATA's KEY_TYPEOF (3) and DATA_TYPEOF (4) values.
  const saddrIh = unhex(
    "00040d000000013e" + "0014" + "000407000000010c00040c00000001040b000000" +
      "0126" + "000407000000011e000400000000010400000000020404000000030420000000040420000000",
  );
  const key: Json = {
    concat: [{ payload: { protocol: "ip", field: "saddr" } }, { payload: { base: "ih", offset: 32, len: 32 } }],
  };
  assert.deepEqual(anonSetTypeof(key, false), { keyTypeof: saddrIh });
  const udpTh = unhex(
    "00040d0000000144" + "001a" + "0004070000000112000406000000010403000000040410000000" +
      "0126" + "000407000000011e0004000000000104000000000204030000000304a0000000040480000000",
  );
  const vkey: Json = {
    concat: [{ payload: { protocol: "udp", field: "length" } }, { payload: { base: "th", offset: 160, len: 128 } }],
  };
  assert.deepEqual(anonSetTypeof(vkey, true), { keyTypeof: udpTh, dataTypeof: unhex("0004010000000100") });
  // `ct original bytes . ip saddr`: the ct key (15) and direction (0), which size its 8-byte integer.
  const ctBytes = unhex(
    "00040d000000012c" + "0014" + "00040c000000010c00040f000000010400000000" +
      "0114" + "000407000000010c00040c00000001040b000000",
  );
  const ckey: Json = {
    concat: [{ ct: { key: "bytes", dir: "original" } }, { payload: { protocol: "ip", field: "saddr" } }],
  };
  assert.deepEqual(anonSetTypeof(ckey, false), { keyTypeof: ctBytes });
  // A single key gets none, and neither does a field not encoded here.
  assert.equal(anonSetTypeof({ payload: { protocol: "ip", field: "saddr" } }, false), undefined);
  assert.equal(
    anonSetTypeof({ concat: [{ socket: { key: "mark" } }, { payload: { base: "th", offset: 0, len: 8 } }] }, false),
    undefined,
  );
});

test("nat type_flags other than prefix are refused before anything is sent", { skip: NFT_SKIP }, async () => {
  await withTempNetns(async (ns) => {
    const doc = {
      nftables: [
        { add: { table: { family: "ip", name: "t" } } },
        { add: { chain: { family: "ip", table: "t", name: "c", type: "nat", hook: "postrouting", prio: 0 } } },
        {
          add: {
            rule: { family: "ip", table: "t", chain: "c", expr: [{ snat: { addr: "1.2.3.4", type_flags: "concat" } }] },
          },
        },
      ],
    };
    await assert.rejects(applyJson(doc, { netns: ns }), (e) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /Cannot use snat type_flags "concat": expected prefix/);
      return true;
    });
    assert.deepEqual(nftJson(ns, "ruleset"), []);
  });
});

test("named and anonymous maps of objects list as nft's, and nft's JSON of them applies as nft applies it", {
  skip: NFT_SKIP,
}, async () => {
  const ruleset = `table ip t {
	counter cnt1 { }
	counter cnt2 { }
	quota qt1 { over 25 mbytes }
	limit lim1 { rate 400/minute }
	map m { type ipv4_addr : counter; elements = { 1.2.3.4 : "cnt1", 5.6.7.8 : "cnt2" } }
	map q { type ipv4_addr : quota; elements = { 1.2.3.4 : "qt1" } }
	map l { type ipv4_addr : limit; elements = { 1.2.3.4 : "lim1" } }
	chain c {
		type filter hook output priority 0;
		counter name ip saddr map @m
		quota name ip saddr map @q
		limit name ip saddr map @l
		counter name tcp dport map { 443 : "cnt1", 80 : "cnt2" }
	}
}
table inet i {
	counter c1 { }
	ct helper h1 { type "ftp" protocol tcp; }
	chain c {
		type filter hook prerouting priority 0;
		counter name ip saddr . tcp dport map { 1.1.1.1 . 22 : "c1" }
		ct helper set tcp dport map { 21 : "h1", 2121 : "h1" }
	}
}
`;
  await withTempNetns(async (src) => {
    loadRuleset(src, ruleset);
    const theirs = nftJson(src, "ruleset");
    assert.deepEqual(theirs.filter((o) => o.map?.map === "counter").map((o) => o.map.elem), [[["1.2.3.4", "cnt1"], [
      "5.6.7.8",
      "cnt2",
    ]]]);
    assert.deepEqual(rulesetObjects(await listRuleset({}, { netns: src })), theirs);
    assert.equal(ok(src, "nft", "list", "ruleset"), nft(src, ["list", "ruleset"]));
    const doc = JSON.parse(nft(src, ["-j", "list", "ruleset"]));
    await withTempNetns(async (dst) => {
      await applyJson(doc, { netns: dst });
      assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
    });
  });
});

test(
  "interfaces in named sets and in map data are named, listed and applied as nft does",
  { skip: NFT_SKIP },
  async () => {
    // A regular chain: nft 1.0.6's JSON leaves out a netdev base chain's device, so it could not be applied back.
    const ruleset = `table netdev n {
	map m { type mark : iface_index; elements = { 1 : "d0", 2 : "lo" } }
	set s { type iface_index; elements = { "d0" } }
	chain c {
		fwd to meta mark map @m
		dup to meta mark map { 0x00000001 : "d0", 0x00000002 : "lo" }
		meta iif @s counter
	}
}
table netdev e {
	set s { type iface_index; elements = { "d0" } }
}
`;
    const veth = (ns: string) => run("ip", ["-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1"]);
    await withTempNetns(async (src) => {
      veth(src);
      loadRuleset(src, ruleset);
      const theirs = nftJson(src, "ruleset");
      assert.ok(JSON.stringify(theirs).includes('[1,"d0"]'));
      assert.deepEqual(jsonObjects(ok(src, "-j", "nft", "list", "ruleset")), theirs);
      // A table of sets and no rules names them too, in JSON and in text.
      assert.deepEqual(
        jsonObjects(ok(src, "-j", "nft", "list", "table", "netdev", "e")),
        nftJson(src, "table", "netdev", "e"),
      );
      assert.equal(ok(src, "nft", "list", "table", "netdev", "e"), nft(src, ["list", "table", "netdev", "e"]));
      assert.equal(ok(src, "nft", "list", "ruleset"), nft(src, ["list", "ruleset"]));
      const doc = JSON.parse(nft(src, ["-j", "list", "ruleset"]));
      await withTempNetns(async (dst) => {
        veth(dst);
        await applyJson(doc, { netns: dst });
        assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
      });
    });
  },
);

/** The expressions of a namespace's rules as nft prints them (`--debug=netlink`): byte code, not text. */
function bytecode(ns: string): string {
  return nft(ns, ["--debug=netlink", "list", "ruleset"]).split("\n").filter((l) => l.startsWith("  [")).join("\n");
}

test("named interval concatenations list in the kernel's order and in network order, and apply as nft's", {
  skip: NFT_SKIP,
}, async () => {
  const ruleset = `table inet t {
	set s3 { type ipv4_addr . inet_service; flags interval; elements = { 9.9.9.9 . 1, 1.2.3.4 . 80 } }
	set s4 { type mark . inet_service; flags interval; elements = { 0x10-0x20 . 80-90, 0x1 . 22 } }
	map v { type mark . ipv4_addr : verdict; flags interval; elements = { 0x5 . 10.0.0.0/8 : accept } }
	chain c {
		type filter hook input priority 0;
		ip saddr . tcp dport @s3
		meta mark . tcp dport @s4
		meta mark . ip saddr vmap @v
	}
}
`;
  await withTempNetns(async (src) => {
    loadRuleset(src, ruleset);
    // Not sorted: 10.0.0.0/8 . 10-20 last, the one deleted and added again after it.
    nft(src, ["add", "element", "inet", "t", "s3", "{ 10.0.0.0/8 . 10-20, 5.5.5.5 . 5 }"]);
    nft(src, ["delete", "element", "inet", "t", "s3", "{ 1.2.3.4 . 80 }"]);
    nft(src, ["add", "element", "inet", "t", "s3", "{ 1.2.3.4 . 80 }"]);
    const theirs = nftJson(src, "ruleset");
    const s3 = theirs.find((o) => o.set?.name === "s3").set.elem;
    assert.deepEqual(s3.map((e: { concat: unknown[] }) => e.concat[1]), [1, { range: [10, 20] }, 5, 80]);
    assert.deepEqual(theirs.find((o) => o.set?.name === "s4").set.elem[1], { concat: [1, 22] });
    assert.deepEqual(jsonObjects(ok(src, "-j", "nft", "list", "ruleset")), theirs);
    assert.equal(ok(src, "nft", "list", "ruleset"), nft(src, ["list", "ruleset"]));
    const doc = JSON.parse(nft(src, ["-j", "list", "ruleset"]));
    await withTempNetns(async (dst) => {
      await applyJson(doc, { netns: dst });
      assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
      // The rules convert meta mark to network order before the lookup, as nft's do.
      assert.match(bytecode(dst), /byteorder reg 1 = hton\(reg 1, 4, 4\)/);
      assert.equal(bytecode(dst), bytecode(src));
    });
  });
});

test("a named NAT map to ipv6_addr . inet_service puts the port where nft puts it", { skip: NFT_SKIP }, async () => {
  const ruleset = `table ip6 n {
	map m6 { type ipv6_addr : ipv6_addr . inet_service; elements = { 2001:db8::1 : 2001:db8::2 . 8080 } }
	chain p {
		type nat hook prerouting priority 0;
		meta l4proto tcp dnat ip6 to ip6 daddr map @m6
		meta l4proto tcp dnat ip6 to ip6 daddr map { 2001:db8::5 : 2001:db8::6 . 99 }
	}
}
table ip n4 {
	map m4 { type ipv4_addr : ipv4_addr . inet_service; elements = { 10.0.0.1 : 10.0.0.2 . 8080 } }
	chain p {
		type nat hook prerouting priority 0;
		meta l4proto tcp dnat ip to ip daddr map @m4
	}
}
`;
  await withTempNetns(async (src) => {
    loadRuleset(src, ruleset);
    assert.deepEqual(jsonObjects(ok(src, "-j", "nft", "list", "ruleset")), nftJson(src, "ruleset"));
    const doc = JSON.parse(nft(src, ["-j", "list", "ruleset"]));
    await withTempNetns(async (dst) => {
      await applyJson(doc, { netns: dst });
      assert.equal(nft(dst, ["list", "ruleset"]), nft(src, ["list", "ruleset"]));
      // addr in register 1, the port in register 2 (16 bytes on) for IPv6; 9 (4 bytes on) for IPv4.
      assert.match(bytecode(dst), /nat dnat ip6 addr_min reg 1 addr_max reg 1 proto_min reg 2 proto_max reg 2/);
      assert.equal(bytecode(dst), bytecode(src));
    });
  });
});

test("named sets and maps declared with typeof list as nft's (integer fields sized by the typeof)", {
  skip: NFT_SKIP,
}, async () => {
  const typed = `table inet t {
	set s1 { typeof ip saddr . tcp dport; elements = { 1.1.1.1 . 22, 2.2.2.2 . 80 } }
	set s2 { typeof ct mark; elements = { 1, 2 } }
	map m1 { typeof ip saddr : ct mark; elements = { 1.1.1.1 : 5 } }
	map m2 { typeof meta mark . ip daddr : verdict; elements = { 1 . 1.1.1.1 : accept } }
	set s5 { typeof iifname . ip6 saddr; flags interval; elements = { "eth0" . 2001:db8::/32 } }
	chain c {
		type filter hook input priority 0;
		ip saddr . tcp dport @s1
		ct mark set ip saddr map @m1
	}
}
`;
  const raw = `table inet r {
	set s6 { typeof udp length . @th,160,128; elements = { 47 . 0xe373135363130333131303735353203 } }
}
`;
  await withTempNetns(async (src) => {
    loadRuleset(src, typed + raw);
    const theirs = nftJson(src, "ruleset");
    assert.deepEqual(theirs.find((o) => o.set?.name === "s6").set.elem, [
      { concat: [47, "0xe373135363130333131303735353203"] },
    ]);
    assert.deepEqual(jsonObjects(ok(src, "-j", "nft", "list", "ruleset")), theirs);
    const text = nft(src, ["list", "ruleset"]);
    assert.match(text, /typeof udp length \. @th,160,128/);
    assert.equal(ok(src, "nft", "list", "ruleset"), text);
    // nft's JSON has no typeof: applied, the sets are declared by type, as nft -j -f declares them.
    const doc = JSON.parse(nft(src, ["-j", "list", "table", "inet", "t"]));
    await withTempNetns(async (dst) => {
      await withTempNetns(async (oracle) => {
        nft(oracle, ["-j", "-f", "-"], JSON.stringify(doc));
        await applyJson(doc, { netns: dst });
        assert.equal(nft(dst, ["list", "ruleset"]), nft(oracle, ["list", "ruleset"]));
      });
    });
    // An integer in a concatenation has no size without its typeof: refused, as nft -j -f refuses it.
    const rawDoc = JSON.parse(nft(src, ["-j", "list", "table", "inet", "r"]));
    await withTempNetns(async (dst) => {
      assert.throws(() => nft(dst, ["-j", "-f", "-"], JSON.stringify(rawDoc)), /variable sized data types/);
      await assert.rejects(applyJson(rawDoc, { netns: dst }), /Cannot declare set s6 of integer \. integer/);
      assert.deepEqual(nftJson(dst, "ruleset"), []);
    });
  });
});
