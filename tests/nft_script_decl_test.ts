/**
 * `nlkit nft -f` of what nft's script language says and its JSON cannot:
 * `typeof` sets and maps, flowtables, base chains on several devices,
 * maps to ranges and `auto-merge`, each loaded by nft into one fresh
 * namespace and by nlkit into another, then compared as nft lists them
 * (text and JSON).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { DocumentPlanner } from "../src/netfilter/nftables/json/apply.ts";
import { parseFlowtableMessage } from "../src/netfilter/nftables/flowtable.ts";
import { scriptDocument } from "../src/netfilter/nftables/text/script.ts";
import { readMessage } from "../src/wire/message.ts";

/** `nft list ruleset` in text and JSON, handles left out (assigned anew in each namespace). */
function listings(ns: string): { text: string; json: unknown } {
  const json = JSON.parse(nft(ns, ["-j", "list", "ruleset"]), (k, v) => (k === "handle" ? undefined : v));
  return { text: nft(ns, ["list", "ruleset"]), json };
}

/** Two veth pairs (veth0-veth1, veth2-veth3), for chains and flowtables on devices. */
function veths(ns: string): void {
  ip(ns, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1");
  ip(ns, "link", "add", "veth2", "type", "veth", "peer", "name", "veth3");
}

/** Loads `text` with `nft -f` and with `nlkit nft -f` in two fresh namespaces; asserts they list the same. */
async function sameAsNft(text: string, check?: (listed: string) => void): Promise<void> {
  await withTempNetns(async (a) => {
    veths(a);
    nft(a, ["-f", "-"], text);
    const want = listings(a);
    check?.(want.text);
    await withTempNetns((b) => {
      veths(b);
      const r = nlkit(["-n", b, "nft", "-f", "-"], {}, text);
      assert.equal(r.code, 0, r.stderr);
      const got = listings(b);
      assert.equal(got.text, want.text);
      assert.deepEqual(got.json, want.json);
    });
  });
}

const TYPEOF = `table inet t {
	set payload { typeof ip saddr; elements = { 10.0.0.1 } }
	set concat { typeof ip saddr . tcp dport; elements = { 10.0.0.1 . 22 } }
	set metact { typeof meta mark . ct state; }
	map tomark { typeof ip daddr : meta mark; elements = { 1.2.3.4 : 0x5 } }
	map verdicts { typeof ct original ip saddr . ct zone : verdict; }
	set integer { typeof udp length; elements = { 100 } }
	set ranges { typeof iifname . ip6 daddr; flags interval; }
	set sized { typeof meta length . udp length; }
	map todata { typeof tcp dport : ct mark . meta mark; }
	set others { typeof numgen inc mod 2; }
	set vlans { typeof ether saddr . vlan id; }
	set replies { typeof ct reply proto-dst; }
}
add set ip x s { typeof meta iifname . ip protocol; }
`;

test("nft -f: typeof sets and maps (payload, meta, ct, concatenations) list back as typeof, as nft's own", {
  skip: NFT_SKIP,
}, async () => {
  await sameAsNft(`add table ip x\n${TYPEOF}`, (listed) => {
    assert.match(listed, /typeof ip saddr \. tcp dport$/m);
    assert.match(listed, /typeof ct original ip saddr \. ct zone : verdict$/m);
    assert.match(listed, /typeof udp length$/m);
  });
});

const FLOWTABLES = `table inet t {
	flowtable f {
		hook ingress priority 0; devices = { veth0 }
	}
	flowtable g { hook ingress priority filter + 5; devices = { veth0, veth2 }; counter; }
	chain fw {
		type filter hook forward priority 0; policy accept;
		ip protocol tcp flow add @f
		meta l4proto udp flow offload @g
	}
}
add table ip u
add flowtable ip u h { hook ingress priority -10; devices = { veth2 }; }
delete flowtable ip u h
`;

test("nft -f: flowtables (blocks, add, delete) and flow add, as nft applies them or refuses them", {
  skip: NFT_SKIP,
}, async () => {
  const cmds = scriptDocument(FLOWTABLES, "x").nftables;
  // nft's order: a table's sets, then its flowtables, then the rules that offload to them.
  assert.deepEqual(cmds.map((c) => Object.keys(Object.values(c as object)[0])[0]), [
    "table",
    "chain",
    "flowtable",
    "flowtable",
    "rule",
    "rule",
    "table",
    "flowtable",
    "flowtable",
  ]);
  const tx = await new DocumentPlanner().plan({ nftables: cmds });
  const m = tx.messages()[4];
  const g = parseFlowtableMessage(readMessage(m, new DataView(m.buffer, m.byteOffset, m.byteLength), 0, m.length));
  assert.deepEqual(
    { name: g.name, hook: g.hook, flags: g.flags },
    { name: "g", hook: { num: 0, priority: 5, devs: { name: ["veth0", "veth2"] } }, flags: ["counter"] },
  );
  await withTempNetns(async (a) => {
    veths(a);
    let refused = "";
    try {
      nft(a, ["-f", "-"], FLOWTABLES);
    } catch (e) {
      refused = String(e); // a kernel without nf_flow_table: nlkit must refuse it the same way
    }
    if (!refused) return await sameAsNft(FLOWTABLES);
    assert.match(refused, /No such file or directory/);
    const r = nlkit(["-n", a, "nft", "-f", "-"], {}, FLOWTABLES);
    // Each refused message in nft's words, at its place in the file.
    const t = nftResult(a, ["-f", "-"], FLOWTABLES);
    assert.match(t.stderr, /^\/dev\/stdin:2:12-12: Error: Could not process rule: No such file or directory$/m);
    assert.deepEqual([r.code, r.stderr], [t.code, t.stderr]);
    assert.equal(nft(a, ["list", "ruleset"]), "");
  });
});

test("nft -f: a flowtable's priority names are netdev ingress ones (filter), as nft checks them", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((a) => {
    // nft judges names as for the netdev family's ingress hook, whatever the table's family: raw is refused.
    const raw = "table ip t {\n\tflowtable f { hook ingress priority raw; devices = { lo }; }\n}\n";
    assert.throws(() => nft(a, ["-f", "-"], raw), /invalid priority expression/);
    const r = nlkit(["-n", a, "nft", "-f", "-"], {}, raw);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /'raw' is invalid priority in this context/);
    // filter passes the check: the kernel is asked (and, without flowtables, refuses it as it refuses nft).
    const ok = raw.replace("raw", "filter - 5");
    const n = nlkit(["-n", a, "nft", "-f", "-"], {}, ok);
    assert.doesNotMatch(n.stderr.split("\n")[0], /priority/);
    let nftRc = 0;
    try {
      nft(a, ["-f", "-"], ok);
    } catch {
      nftRc = 1;
    }
    assert.equal(n.code, nftRc);
  });
});

test("nft -f: base chains on several devices (NFTA_HOOK_DEVS) list as nft's own", { skip: NFT_SKIP }, async () => {
  await sameAsNft(
    `table netdev n {
	chain in2 { type filter hook ingress devices = { veth0, veth2 } priority 0; policy accept; counter; }
	chain in1 { type filter hook ingress devices = { veth3 } priority 5; }
	chain eg { type filter hook egress devices = { "veth2", veth1, veth0 } priority 0; }
}
add chain netdev n x { type filter hook ingress devices = { veth1, veth3 } priority -5; }
`,
    (listed) => assert.match(listed, /devices = \{ veth0, veth1, veth2 \}/),
  );
});

test(
  "nft -f: maps to ranges (: interval) and auto-merge sets, merged as nft merges them",
  { skip: NFT_SKIP },
  async () => {
    await sameAsNft(
      `table ip t {
	map m {
		type ipv4_addr : interval ipv4_addr; flags interval
		elements = { 10.0.0.0/24 : 192.168.1.1-192.168.1.10, 10.1.0.1 : 172.16.0.0/16 }
	}
	map n { typeof ip saddr : interval ip daddr; flags interval; }
	set s {
		type ipv4_addr
		flags interval
		auto-merge
		elements = { 10.0.0.0/24, 10.0.1.0/24, 10.0.0.5, 192.168.0.1-192.168.0.10, 192.168.0.5-192.168.0.20,
			     1.1.1.1, 1.1.1.2, 255.255.255.0/24, 255.255.254.255 }
	}
	set p { type inet_service; flags interval; auto-merge; elements = { 1-10, 11, 20-30, 25, 40 } }
}
add element ip t p { 12-19 }
add element ip t n { 10.9.0.0/16 : 10.0.0.1-10.0.0.3 }
`,
      (listed) => {
        assert.match(listed, /elements = \{ 1-30, 40 \}/);
        assert.match(listed, /10\.0\.0\.0\/23/);
        assert.match(listed, /10\.9\.0\.0\/16 : 10\.0\.0\.1-10\.0\.0\.3/);
      },
    );
    // As nft: auto-merge needs intervals.
    await withTempNetns((ns) => {
      const r = nlkit(["-n", ns, "nft", "-f", "-"], {}, "table ip t { set s { type ipv4_addr; auto-merge; }; }\n");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /auto-merge only works with interval sets/);
    });
  },
);

test(
  "nft -j -f: a document that cannot be applied exits 1 as nft does, changing nothing",
  { skip: NFT_SKIP },
  async () => {
    const bad = [
      '{"nftables": [{"add": {"bogus": {}}}]}',
      '{"nftables": 5}',
      "[1, 2]",
      '{"foo": 1}',
      '{"nftables": [{"add": {"table": {"family": "ip", "name": "x"}}}, {"add": {"table": {"family": "ip", "name": 5}}}]}',
      '{"nftables": [',
    ];
    const dir = mkdtempSync("/tmp/nftjson-bad-");
    try {
      await withTempNetns((ns) => {
        for (const [i, doc] of bad.entries()) {
          // A file, not stdin: nft 1.0.6 exits 0 on some bad text read from a pipe.
          const file = `${dir}/${i}.json`;
          writeFileSync(file, doc);
          assert.throws(() => nft(ns, ["-j", "-f", file]), /Error: /, doc); // nft exits 1 on each
          const r = nlkit(["-n", ns, "nft", "-j", "-f", file]);
          assert.equal(r.code, 1, `${doc}: ${r.stderr}`);
          assert.match(r.stderr, /Error: /);
        }
        assert.equal(nft(ns, ["list", "ruleset"]), "");
      });
    } finally {
      rmSync(dir, { recursive: true });
    }
  },
);

test(
  "nft -f: elements added to an auto-merge set merge with the ranges the kernel holds",
  { skip: NFT_SKIP },
  async () => {
    const before = `table ip t {
	set p { type inet_service; flags interval; auto-merge; elements = { 1-10, 11, 20-30, 25, 40 } }
	set s { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/23, 192.168.0.1-192.168.0.20 } }
}
`;
    const add = "add element ip t p { 12-19, 50 }\nadd element ip t p { 51-60 }\n" +
      "add element ip t s { 10.0.2.0/24, 192.168.0.21, 0.0.0.0 }\n";
    // Declared again, as a script run twice: its elements merge with the kernel's too (a separate run: nft
    // 1.0.6 fails to purge what the same batch added).
    const again = "table ip t {\n set p {\n  type inet_service; flags interval; auto-merge\n" +
      "  elements = { 31-39, 61 }\n }\n}\n";
    await withTempNetns(async (a) => {
      nft(a, ["-f", "-"], before);
      nft(a, ["-f", "-"], add);
      nft(a, ["-f", "-"], again);
      const want = listings(a);
      assert.match(want.text, /elements = \{ 1-40, 50-61 \}/);
      await withTempNetns((b) => {
        nft(b, ["-f", "-"], before);
        for (const text of [add, again]) {
          const r = nlkit(["-n", b, "nft", "-f", "-"], {}, text);
          assert.equal(r.code, 0, r.stderr);
        }
        const got = listings(b);
        assert.equal(got.text, want.text);
        assert.deepEqual(got.json, want.json);
      });
    });
  },
);
