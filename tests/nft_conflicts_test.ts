/**
 * Rules whose protocols rule each other out, which nft 1.0.6 refuses and
 * the kernel would take (from the `;fail` lines of nftables' `tests/py`
 * corpus): a vlan field after the ether type said ip, a tcp field after
 * `meta l4proto { tcp, udp }`, an address of the other family, `meta
 * nfproto` outside inet, `reject with tcp reset` after udp, nat and tproxy
 * of the other family or without one in inet, tproxy without a transport
 * match, a nexthop that will not match, `ct saddr` as a map key. Each has
 * a twin nft takes, which nlkit takes too, with the same listing.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { InvalidArgumentError } from "../src/errors.ts";
import { ruleExpressions } from "../src/netfilter/nftables/json/linearize.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { NftTransaction } from "../src/netfilter/nftables/transaction.ts";

const OPTS = { skip: NFT_SKIP, timeout: 120_000 };

const SETUP = `
table inet t {
  chain f { type filter hook prerouting priority 0; }
  chain n { type nat hook prerouting priority 0; }
  chain p { type nat hook postrouting priority 0; }
}
table ip t {
  chain f { type filter hook prerouting priority 0; }
  chain p { type nat hook postrouting priority 0; }
}
table ip6 t {
  chain f { type filter hook prerouting priority 0; }
}
table bridge t {
  chain f { type filter hook input priority 0; }
}
table netdev t {
  chain f { type filter hook ingress device "lo" priority 0; }
}
`;

/** `family chain`, then rules nft refuses and rules it takes. */
const CASES: [string, string[], string[]][] = [
  ["bridge f", [
    "ether type ip vlan id 1",
    "ip saddr 1.1.1.1 vlan id 1",
    "meta protocol ip vlan id 1",
    "ether type arp reject",
    "meta nfproto ipv4",
  ], ["vlan id 1 ip saddr 1.1.1.1", "ether type vlan vlan id 1", "ether saddr 1:2:3:4:5:6 vlan id 1"]],
  ["netdev f", ["ether type ip vlan id 1", "meta l4proto udp reject with tcp reset"], [
    "meta l4proto tcp reject with tcp reset",
  ]],
  ["ip f", [
    "ether type ip vlan id 1",
    "meta nfproto ipv4",
    "ip saddr ::1",
    "reject with icmpv6 no-route",
    "reject with icmpx port-unreachable",
    "rt ip6 nexthop fd00::1",
    "tproxy to 192.0.2.1",
    "tproxy to :50080",
    "meta l4proto tcp tproxy ip6 to [2001:db8::1]",
    "meta mark set ct original daddr map { 1.1.1.1 : 0x11 }",
    "ct original saddr . meta mark { 1.1.1.1 . 0x14 }",
    "ip protocol udp icmp type echo-request",
  ], [
    "ip saddr 1.1.1.1 vlan id 1",
    "reject with icmp host-unreachable",
    "rt ip nexthop 1.1.1.1",
    "meta l4proto tcp tproxy to 192.0.2.1",
    "meta l4proto tcp tproxy to :50080",
    "meta mark set ct original ip daddr map { 1.1.1.1 : 0x11 }",
    "ct original saddr 1.2.3.4",
  ]],
  ["ip6 f", [
    "ip6 saddr 1.2.3.4",
    "rt nexthop 192.168.0.1",
    "reject with icmp host-unreachable",
    "ct original ip saddr 1.2.3.4",
  ], ["rt nexthop fd00::1", "reject with icmpv6 no-route", "ct original ip6 saddr ::1"]],
  ["inet f", [
    "meta nfproto ipv6 ct original ip saddr 1.2.3.4",
    "ip saddr 1.1.1.1 vlan id 1",
    "meta l4proto { tcp, udp } tcp dport 20",
    "ip protocol { tcp, udp } udp dport 20",
    "meta l4proto tcp udp dport 20",
    "meta l4proto tcp meta l4proto udp udp dport 1",
    "tcp dport 20 udp dport 20",
    "icmp type echo-request icmpv6 type echo-request",
    "meta l4proto udp reject with tcp reset",
    "meta l4proto { tcp, udp } reject with tcp reset",
    "ip6 saddr ::1 reject with icmp host-unreachable",
    "ip protocol 6 tproxy ip6 to [2001:db8::1]",
    "ip6 nexthdr 6 tproxy ip to 192.0.2.1",
    "meta l4proto tcp tproxy to 192.0.2.1",
    "ip protocol tcp tproxy to 1.1.1.1",
  ], [
    "meta nfproto ipv4 ct original ip saddr 1.2.3.4",
    "vlan id 1",
    "meta l4proto { tcp, udp } th dport 20",
    "tcp dport 20 th dport 20",
    "meta l4proto { udp, tcp } reject with tcp reset",
    "meta l4proto tcp reject with tcp reset",
    "ip6 saddr ::1 reject with icmpv6 no-route",
    "ip protocol 6 tproxy ip to 192.0.2.1",
  ]],
  ["inet n", [
    "dnat to 1.2.3.4",
    "ip6 daddr dead::beef dnat to 10.1.2.3",
    "ip saddr 1.1.1.1 dnat ip6 to dead::1",
    "dnat to :80",
    "meta l4proto { tcp, udp } tcp dport 20 dnat ip to 1.1.1.1:80",
  ], [
    "ip saddr 1.1.1.1 dnat to 1.2.3.4",
    "dnat ip to 1.2.3.4",
    "tcp dport 1 dnat to :80",
    "meta l4proto { tcp, udp } dnat ip to 1.1.1.1:80",
  ]],
  ["inet p", ["snat to 192.168.3.2", "snat ip to dead::beef"], ["snat ip6 to dead::beef", "masquerade"]],
  ["ip p", [
    "snat ip to ip saddr . th dport map { 10.141.11.4 . 20 : 192.168.2.3 . 80 }",
    "snat ip6 to ::1",
  ], [
    "meta l4proto { 6, 17 } snat ip to ip saddr . th dport map { 10.141.11.4 . 20 : 192.168.2.3 . 80 }",
    "snat ip to ip saddr . ip protocol . th dport map { 10.141.11.4 . tcp . 20 : 192.168.2.3 . 80 }",
  ]],
];

test("nft: rules whose protocols conflict are refused before anything is sent, as nft refuses them", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], SETUP);
    const empty = nft(ns, ["list", "ruleset"]);
    for (const [where, refused, taken] of CASES) {
      const [family, chain] = where.split(" ");
      const add = ["add", "rule", family, "t", chain];
      for (const rule of refused) {
        assert.equal(nftResult(ns, [...add, rule]).code, 1, `nft takes ${where}: ${rule}`);
        const r = nlkit(["-n", ns, "nft", ...add, rule]);
        assert.equal(r.code, 1, `${where}: ${rule}: ${r.stdout}`);
        assert.match(r.stderr, /^Error: Cannot /, `${where}: ${rule}`);
        assert.equal(nft(ns, ["list", "ruleset"]), empty, `${where}: ${rule}`);
      }
      for (const rule of taken) {
        nft(ns, [...add, rule]);
        const want = nft(ns, ["list", "ruleset"]);
        nft(ns, ["flush", "chain", family, "t", chain]);
        const r = nlkit(["-n", ns, "nft", ...add, rule]);
        assert.equal(r.code, 0, `${where}: ${rule}: ${r.stderr}`);
        assert.equal(nft(ns, ["list", "ruleset"]), want, `${where}: ${rule}`);
        nft(ns, ["flush", "chain", family, "t", chain]);
      }
    }
  });
});

test("nft JSON: a conflict is refused in nft's JSON too, naming both protocols", OPTS, async () => {
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], SETUP);
    const rule = (right: unknown) =>
      JSON.stringify({
        nftables: [{
          add: {
            rule: {
              family: "inet",
              table: "t",
              chain: "f",
              expr: [
                { match: { op: "==", left: { meta: { key: "l4proto" } }, right } },
                { match: { op: "==", left: { payload: { protocol: "tcp", field: "dport" } }, right: 20 } },
              ],
            },
          },
        }],
      });
    const r = nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, rule({ set: ["tcp", "udp"] }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Cannot match tcp: conflicting protocols specified: udp vs\. tcp/);
    assert.equal(nft(ns, ["list", "chain", "inet", "t", "f"]).includes("dport"), false);
    assert.equal(nlkit(["-n", ns, "nft", "-j", "-f", "-"], {}, rule("tcp")).code, 0);
    assert.match(nft(ns, ["list", "chain", "inet", "t", "f"]), /tcp dport 20/);
  });
});

test("nft JSON: statements nft's evaluator refuses for their family or their form are refused", () => {
  const tcp = { match: { op: "==", left: { meta: { key: "l4proto" } }, right: "tcp" } };
  const cases: [string, Json[], RegExp][] = [
    ["ip", [tcp, { tproxy: {} }], /either must be specified/],
    ["ip", [tcp, { tproxy: { addr: { range: ["192.0.2.1", "192.0.2.3"] } } }], /Address ranges are not supported/],
    ["ip", [tcp, { tproxy: { addr: { prefix: { addr: "192.0.2.0", len: 24 } } } }], /Address ranges/],
    ["ip", [tcp, { tproxy: { port: { range: [1, 2] } } }], /Port ranges are not supported/],
    ["bridge", [tcp, { tproxy: { port: 1 } }], /only supported for IPv4\/IPv6\/INET/],
    ["arp", [{ reject: null }], /Cannot use reject with arp/],
    ["bridge", [{ snat: { addr: "1.2.3.4" } }], /NAT is only supported for IPv4\/IPv6/],
    ["inet", [{ snat: { family: "arp", addr: "1.2.3.4" } }], /expected ip or ip6/],
  ];
  for (const [family, stmts, pattern] of cases) {
    assert.throws(
      () => ruleExpressions(stmts, { family, table: "t", tx: new NftTransaction() }),
      (e: Error) => e instanceof InvalidArgumentError && pattern.test(e.message),
      JSON.stringify(stmts),
    );
  }
  // The same statements in their own form are taken.
  for (
    const [family, stmts] of [
      ["ip", [tcp, { tproxy: { addr: "192.0.2.1" } }]],
      ["ip", [tcp, { tproxy: { port: 1 } }]],
      ["ip", [{ snat: { addr: "1.2.3.4" } }]],
    ] as [string, Json[]][]
  ) {
    assert.ok(ruleExpressions(stmts, { family, table: "t", tx: new NftTransaction() }).length);
  }
});
