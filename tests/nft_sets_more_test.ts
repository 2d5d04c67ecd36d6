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
import { withTempNetns } from "./_helpers.ts";
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
  // A single key gets none, and neither does a field not encoded here.
  assert.equal(anonSetTypeof({ payload: { protocol: "ip", field: "saddr" } }, false), undefined);
  assert.equal(
    anonSetTypeof({ concat: [{ ct: { key: "mark" } }, { payload: { base: "th", offset: 0, len: 8 } }] }, false),
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
