/**
 * Rules nft 1.0.6 refuses that the kernel would take, found among the
 * `;fail` lines of nftables' own `tests/py` corpus: a value wider than its
 * field (`vlan id 4096`, which the kernel would store as 0), a range whose
 * start is past its end, an empty name, a burst in the other unit than its
 * rate, `log level audit` with options, a TCP option kind past 255, and a
 * `socket transparent` or `meta day` past its range, and a statement after
 * a terminal one (`masquerade accept`), and a lookup of a value in a named
 * set whose key has another length (`ip6 daddr @v4set`, which the kernel
 * would match on the address's first 4 bytes). nlkit refuses each before
 * anything is sent, and takes the same rules with values that fit.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";

const OPTS = { skip: NFT_SKIP, timeout: 60_000 };

/** Per family: rules nft refuses, and rules that differ only in fitting that nft takes. */
const CASES: Record<string, { refused: string[]; taken: string[] }> = {
  bridge: {
    refused: [
      "vlan id 4096",
      "vlan id 4094 vlan dei 2",
      "vlan id 4094 vlan pcp 8",
      "vlan id { 1, 4096 }",
      "vlan id 1-4096",
    ],
    taken: [
      "vlan id 4095",
      "vlan id 4094 vlan dei 1",
      "vlan id 4094 vlan pcp 7",
      "vlan id { 1, 4095 }",
      "vlan id 1-4095",
    ],
  },
  ip: {
    refused: [
      "ip hdrlength 16",
      "ip dscp 64",
      "@th,16,1 2",
      'ct helper ""',
      'iifname ""',
      "ct expiration 1d-1h",
      "meta mark 0x10-0x5",
      "tcp dport { 80-22 }",
      'log level audit prefix "foo"',
      "limit rate 1023/second burst 10 bytes",
      "limit rate 512 kbytes/second burst 5 packets",
      "tcp option 256 exists",
      "socket transparent 2",
      "meta day 7",
    ],
    taken: [
      "ip hdrlength 15",
      "ip dscp 63",
      "@th,16,1 1",
      'ct helper "ftp"',
      'iifname "eth0"',
      "ct expiration 1h-1d",
      "meta mark 0x5-0x10",
      "tcp dport { 22-80 }",
      "log level audit",
      "limit rate 1023/second burst 10 packets",
      "limit rate 512 kbytes/second burst 5 kbytes",
      "tcp option 255 exists",
      "socket transparent 1",
      "meta day 6",
    ],
  },
  ip6: {
    refused: ['iif "lo" ip6 dscp set 64', 'iif "lo" ip6 ecn set 4', 'iif "lo" ip6 flowlabel set 1048576'],
    taken: ['iif "lo" ip6 dscp set 63', 'iif "lo" ip6 ecn set 3', 'iif "lo" ip6 flowlabel set 1048575'],
  },
};

for (const [family, { refused, taken }] of Object.entries(CASES)) {
  test(`nft ${family}: what nft refuses is refused before anything is sent, what fits is taken`, OPTS, async () => {
    await withTempNetns((ns) => {
      nft(ns, ["add", "table", family, "t"]);
      nft(ns, ["add", "chain", family, "t", "c", "{ type filter hook input priority 0; }"]);
      const empty = nft(ns, ["list", "ruleset"]);
      for (const rule of refused) {
        assert.equal(nftResult(ns, ["add", "rule", family, "t", "c", rule]).code, 1, `nft takes ${rule}`);
        const r = nlkit(["-n", ns, "nft", "add", "rule", family, "t", "c", rule]);
        assert.equal(r.code, 1, `${rule}: ${r.stdout}`);
        assert.match(r.stderr, /^Error: Cannot /, rule);
        assert.equal(nft(ns, ["list", "ruleset"]), empty, rule);
      }
      for (const rule of taken) {
        nft(ns, ["add", "rule", family, "t", "c", rule]);
        const want = nft(ns, ["list", "ruleset"]);
        nft(ns, ["flush", "chain", family, "t", "c"]);
        const r = nlkit(["-n", ns, "nft", "add", "rule", family, "t", "c", rule]);
        assert.equal(r.code, 0, `${rule}: ${r.stderr}`);
        assert.equal(nft(ns, ["list", "ruleset"]), want, rule);
        nft(ns, ["flush", "chain", family, "t", "c"]);
      }
    });
  });
}

test("nft JSON: a value wider than its field is refused too", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["add", "table", "bridge", "t"]);
    nft(ns, ["add", "chain", "bridge", "t", "c"]);
    const rule = (id: number) =>
      JSON.stringify({
        nftables: [{
          add: {
            rule: {
              family: "bridge",
              table: "t",
              chain: "c",
              expr: [{ match: { op: "==", left: { payload: { protocol: "vlan", field: "id" } }, right: id } }],
            },
          },
        }],
      });
    const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, rule(4096));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot use 4096: value exceeds valid range 0-4095/);
    assert.equal(nft(ns, ["list", "chain", "bridge", "t", "c"]).includes("vlan"), false);
    assert.equal(nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, rule(4095)).code, 0);
    assert.match(nft(ns, ["list", "chain", "bridge", "t", "c"]), /vlan id 4095/);
  });
});

test(
  "nft: a statement after a terminal one (a verdict, reject, nat, queue) is refused, as nft refuses it",
  OPTS,
  async () => {
    await withTempNetns((ns) => {
      nft(ns, ["add", "table", "ip", "t"]);
      nft(ns, ["add", "chain", "ip", "t", "n", "{ type nat hook postrouting priority 0; }"]);
      nft(ns, ["add", "chain", "ip", "t", "f", "{ type filter hook input priority 0; }"]);
      const cases: [string, string, boolean][] = [
        ["n", "tcp sport 22 masquerade accept", false],
        ["n", "tcp dport 22 masquerade counter accept", false],
        ["n", "snat to 1.2.3.4 accept", false],
        ["f", "accept counter", false],
        ["f", "tcp dport 22 reject with tcp reset counter", false],
        ["n", "counter masquerade", true],
        ["f", "counter accept", true],
        ["f", "continue counter", true],
        ["f", "tcp dport vmap { 22 : accept } counter", true],
      ];
      for (const [chain, rule, taken] of cases) {
        assert.equal(nftResult(ns, ["add", "rule", "ip", "t", chain, rule]).code, taken ? 0 : 1, `nft: ${rule}`);
        const want = nft(ns, ["list", "ruleset"]);
        nft(ns, ["flush", "chain", "ip", "t", chain]);
        const r = nlkit(["-n", ns, "nft", "add", "rule", "ip", "t", chain, rule]);
        assert.equal(r.code, taken ? 0 : 1, `${rule}: ${r.stderr}`);
        if (!taken) assert.match(r.stderr, /Cannot add .* after .*: it would have no effect/);
        assert.equal(nft(ns, ["list", "ruleset"]), want, rule);
        nft(ns, ["flush", "chain", "ip", "t", chain]);
      }
    });
  },
);

test("nft: a lookup in a named set whose key is wider or narrower than the value is refused", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(
      ns,
      ["-f", "-"],
      "table inet t {\nset s { type ipv4_addr; }\nchain c { type filter hook input priority 0; }\n}\n",
    );
    for (
      const [rule, taken] of [["ip6 daddr @s drop", false], ["tcp dport @s drop", false], [
        "ip daddr @s drop",
        true,
      ]] as const
    ) {
      assert.equal(nftResult(ns, ["add", "rule", "inet", "t", "c", rule]).code, taken ? 0 : 1, `nft: ${rule}`);
      const want = nft(ns, ["list", "ruleset"]);
      nft(ns, ["flush", "chain", "inet", "t", "c"]);
      const r = nlkit(["-n", ns, "nft", "add", "rule", "inet", "t", "c", rule]);
      assert.equal(r.code, taken ? 0 : 1, `${rule}: ${r.stderr}`);
      if (!taken) {
        assert.match(r.stderr, /Cannot look up \d+ bytes of .* in @s: its key is ipv4_addr \(datatype mismatch\)/);
      }
      assert.equal(nft(ns, ["list", "ruleset"]), want, rule);
      nft(ns, ["flush", "chain", "inet", "t", "c"]);
    }
  });
});
