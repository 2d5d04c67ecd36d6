/**
 * More of nft's statement language, from the rules of nftables' own
 * `tests/py` corpus that nlkit's reader refused or read differently: flag
 * expressions with `|`, `!` and parentheses, folded constants in `set`,
 * `ct count`, `ct original ip saddr`, durations, `jhash`/`symhash`, TCP
 * options by number, `reset tcp option`, `fwd`, user and group names,
 * bracketed IPv6 nat ranges, `:expr` nat ports, and keyword aliases
 * (`vlan`, `comp`, `cfi`, `mld-listener-reduction`). Each script is loaded
 * by nft in one fresh namespace and by `nlkit nft -f -` in another, and nft
 * lists both the same.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { keyDataSplit, tokenize } from "../src/netfilter/nftables/text/tokens.ts";
import { parseStatements } from "../src/netfilter/nftables/text/statement.ts";
import type { Json } from "../src/netfilter/nftables/json/types.ts";
import { InvalidArgumentError } from "../src/errors.ts";

const OPTS = { skip: NFT_SKIP, timeout: 60_000 };

/** Loads `script` by nft and by nlkit, in two namespaces; nft lists both the same. */
async function sameAsNft(script: string): Promise<void> {
  await withTempNetns(async (a) => {
    nft(a, ["-f", "-"], script);
    const want = nft(a, ["list", "ruleset"]);
    await withTempNetns((b) => {
      const r = nlkit(["-n", b, "nft", "-f", "-"], {}, script);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(nft(b, ["list", "ruleset"]), want);
    });
  });
}

test("flags: ! and | in values, parentheses in masks, | in set elements", OPTS, async () => {
  await sameAsNft(`table inet t {
  chain c {
    tcp flags ! fin,rst
    tcp flags & (fin | syn | rst | ack) != (syn | ack)
    tcp flags & (fin | syn | rst | ack) syn
    tcp flags & (fin | syn | rst | psh | ack | urg | ecn | cwr) == fin | syn | rst | psh | ack | urg | ecn | cwr
    tcp flags & (fin | syn | rst | psh | ack | urg) == { fin, ack, psh | ack, fin | psh | ack }
    tcp flags & (syn | ack) == 0
    tcp flags { syn, syn | ack }
    ct status ! dnat
    ct event set new | related | destroy | label
  }
}
`);
});

test("ct: folded set values, count, durations, addresses of a direction, hashes", OPTS, async () => {
  await sameAsNft(`table ip t {
  chain c {
    ct mark set 0x11 xor 0x1331
    ct mark set 0x11333 and 0x11
    meta mark set 0xffffffde or 0x16
    ct count 3
    ct count over 3
    ct expiration 30s
    ct expiration 30000ms
    ct expiration 1m-1h
    ct expiration > 4d23h59m59s
    ct original ip saddr 192.168.0.1
    ct reply ip daddr 192.168.1.0/24
    ct original ip saddr . meta mark { 1.1.1.1 . 0x00000014 }
    meta mark set ct original ip saddr . meta mark map { 1.1.1.1 . 0x00000014 : 0x0000001e }
    ct mark set jhash ip saddr . ip daddr mod 2 seed 0xdeadbeef offset 100
    ct mark set symhash mod 2 offset 100
  }
  chain n {
    type nat hook prerouting priority dstnat;
    dnat to jhash ip saddr mod 2 seed 0xdeadbeef map { 0 : 192.168.20.100, 1 : 192.168.30.100 }
    ip protocol { tcp, udp } dnat ip to 1.1.1.1:80
    dnat ip to ip saddr . tcp dport map { 192.168.1.2 . 80 : 10.141.10.0/24 . 8888 - 8999 }
  }
  chain p {
    type nat hook postrouting priority srcnat;
    ip protocol 6 masquerade to :1024-2048
  }
}
`);
});

test("meta: user and group names, classid ranges, mark prefixes, time, vlan, rt nexthop", OPTS, async () => {
  await sameAsNft(`table ip t {
  chain c {
    meta skuid "root"
    meta skgid != { "bin", "root", "daemon" } accept
    meta priority bcad:dada-bcad:dadc
    meta mark 0xffffff00/24
    time < "2022-07-01 11:00:00" accept
    meta time 12341234 drop
    meta protocol { ip, arp, ip6, vlan }
    ip protocol != { icmp, esp, ah, comp, udp, udplite, tcp, dccp, sctp } accept
    rt nexthop 192.168.0.1
    dup to ip saddr map { 192.168.2.120 : 192.168.2.1 } device "lo"
    limit rate 1 kbytes / second
    limit rate 2 bytes /second
  }
}
table bridge b {
  chain c {
    ether type vlan vlan id 4094 vlan cfi 1
  }
}
`);
});

test("tcp options by number and raw, reset tcp option", OPTS, async () => {
  await sameAsNft(`table inet t {
  chain c {
    tcp option 6 exists
    tcp option 255 missing
    tcp option 2 exists
    tcp option @255,8,8 255
    reset tcp option mptcp
    reset tcp option 2
    reset tcp option 123
  }
}
`);
});

test("ip6: bracketed nat ranges and prefixes, :expr ports, key:verdict after ::, masked map keys", OPTS, async () => {
  await sameAsNft(`table ip6 t {
  chain c {
    ip6 saddr vmap { 1234:1234:1234:1234:1234:1234:aaaa:::accept, ::bbbb : drop }
    mark set ip6 saddr and ::ffff map { ::2 : 0x0000002a, ::ffff : 0x00000017 }
    icmpv6 type mld-listener-reduction accept
    ct original ip6 saddr ::1
    rt nexthop fd00::1
  }
  chain n {
    type nat hook prerouting priority dstnat;
    ip6 nexthdr 6 redirect to :tcp dport map { 22 : 8000, 80 : 8080 }
    dnat to [2001:838:35f:1::]/64
  }
  chain p {
    type nat hook postrouting priority srcnat;
    tcp dport 80-90 snat to [2001:838:35f:1::]-[2001:838:35f:2::]:80-100
  }
}
`);
});

test("fwd: to a device, to an address by a device, to a device from a map", OPTS, async () => {
  await sameAsNft(`table netdev t {
  chain c {
    type filter hook ingress device lo priority 0;
    fwd to "lo"
    fwd ip to 192.168.2.200 device "lo"
    fwd to meta mark map { 0x00000001 : "lo", 0x00000002 : "lo" }
  }
}
`);
});

test("the command line reads the same words: a quoted user name and a flag list", OPTS, async () => {
  await withTempNetns(async (a) => {
    const setup = "add table ip t; add chain ip t c";
    nft(a, [setup]);
    nft(a, ["add", "rule", "ip", "t", "c", 'meta skuid "root" tcp flags & (syn | ack) == syn']);
    const want = nft(a, ["list", "ruleset"]);
    await withTempNetns((b) => {
      nft(b, [setup]);
      const r = nlkit([
        "-n",
        b,
        "nft",
        "add",
        "rule",
        "ip",
        "t",
        "c",
        'meta skuid "root" tcp flags & (syn | ack) == syn',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(nft(b, ["list", "ruleset"]), want);
    });
  });
});

test("reject: ICMP of the rule's network protocol, and its dependency first, as nft places it", OPTS, async () => {
  await sameAsNft(`table inet t {
  chain c {
    meta nfproto ipv4 reject
    meta nfproto ipv6 reject
    mark 12345 reject with tcp reset
    mark 12345 reject with icmp type host-unreachable
    ether saddr aa:bb:cc:dd:ee:ff ip daddr 192.168.0.1 reject
  }
}
table netdev n {
  chain c {
    type filter hook ingress device lo priority 0;
    meta protocol ip reject
    meta protocol ip6 reject with icmpv6 no-route
  }
}
`);
});

test(
  "key:data, ranges and prefixes written with or without spaces, read as nft's scanner reads them",
  OPTS,
  async () => {
    // No token of nft's spans the colon after a number, hex number, IPv4, MAC or IPv6 address; a classid does.
    await sameAsNft(`table ip kd {
	map m1 { type inet_service : mark; elements = { 22:0x1, 80:0x2, 443 : 3 } }
	map m2 { type ipv4_addr : mark; flags interval; elements = { 10.0.0.1:0x1, 10.1.0.0/16:0x2 } }
	map m3 { type ether_addr : mark; elements = { aa:bb:cc:dd:ee:ff:0x5 } }
	map m4 { type mark : classid; elements = { 0x1:1:2, 0x3:4:5 } }
	map m5 { type ipv6_addr : mark; elements = { 1:2:3:4:5:6:7:8:0x1 } }
	map m6 { type classid : classid; elements = { 1:2:3:4, 5:6:7 } }
	chain c {
		meta mark set tcp dport map { 22:0x1, 80-90:0x2 }
		meta priority set meta mark map { 0x1:1:2 }
		tcp dport 22 - 80 accept
		tcp dport 22 -80 accept
		ip saddr 10.0.0.0 /8 accept
		ip saddr 10.0.0.0/ 8 accept
		ip saddr 10.0.0.1 -10.0.0.5 accept
	}
}
add element ip kd m1 { 8080:0x9 }
`);
    // Where nft's scanner reads one token (a classid, an IPv6 address), nlkit refuses as nft does.
    for (const bad of ["tcp dport map { 22:1 }", "ip6 saddr map { 2001:db8::1:0x1 }"]) {
      await withTempNetns((ns) => {
        nft(ns, ["add", "table", "inet", "t"]);
        nft(ns, ["add", "chain", "inet", "t", "c"]);
        const r = nlkit(["-n", ns, "nft", "add", "rule", "inet", "t", "c", `meta mark set ${bad}`]);
        assert.equal(r.code, 1, bad);
        assert.equal(nft(ns, ["list", "chain", "inet", "t", "c"]).includes("map"), false);
      });
    }
  },
);

test("keyDataSplit: the longest token of nft's scanner at a word's start, then a colon", () => {
  const cases: [string, [string, string] | undefined][] = [
    ["22:0x1", ["22", "0x1"]], // a number: the classid `22:0` needs an end, `:` or `-` after it
    ["22:1", undefined], // a classid
    ["22:1:2", ["22:1", "2"]],
    ["0x1:1:2", ["0x1", "1:2"]],
    ["10.0.0.1:0x1", ["10.0.0.1", "0x1"]],
    ["10.0.0.0/8:0x2", ["10.0.0.0/8", "0x2"]],
    ["22-25:0x1", ["22-25", "0x1"]],
    ["22-25:1", undefined], // `25:1` is a classid
    ["1:2:3:4:5:6:7:8:0x1", ["1:2:3:4:5:6:7:8", "0x1"]], // an IPv6 address outlasts the classid `1:2`
    ["1234::1234:1234", undefined], // one IPv6 address
    ["2001:db8::1:0x1", undefined], // the IPv6 address `2001:db8::1:0` runs into `x1`
    ["aa:bb:cc:dd:ee:ff:0x1", ["aa:bb:cc:dd:ee:ff", "0x1"]],
    ["aa:bb:cc:dd:ee:ff", undefined],
    ["1:2:3", ["1:2", "3"]],
    ["22:accept", ["22", "accept"]],
    ["1234::1234:1234:accept", undefined], // the IPv6 address `1234::1234:1234:acce` runs into `pt`
    ["1234::1234:1234:jump", ["1234::1234:1234", "jump"]],
    ["2001:db8::1:accept", undefined],
    ["2001:db8::1:drop", undefined], // `2001:db8::1:d`, then `rop`
    ["2001:db8::1:return", ["2001:db8::1", "return"]],
    ["::1:accept", undefined],
    ["::1:goto", ["::1", "goto"]],
    ["0:1:2:3:4:5:accept", ["0:1:2:3:4:5", "accept"]], // a MAC address of one-digit groups
    ["0:1:2:3:4:accept", undefined], // the MAC address `0:1:2:3:4:ac` runs into `cept`
    ["0:1:2:3:4:5:0x1", ["0:1:2:3:4:5", "0x1"]],
    ["0x1:0x2", ["0x1", "0x2"]], // no classid: `0x1` has an x
    ["1:0x2", ["1", "0x2"]],
    ["10.0.0.0/0x10:0x2", ["10.0.0.0/0x10", "0x2"]], // a prefix length in hex
    ['"a:b"', undefined],
  ];
  for (const [w, want] of cases) assert.deepEqual(keyDataSplit(w), want, w);
});

/**
 * Rules where nft's scanner decides: a prefix length is nft's NUM, decimal
 * or hex (`0x1/0x2` is the prefix 0x1/2, masked to 0x00000000/2); a colon
 * nft's scanner reads as a token of its own outside a map's element is its
 * syntax error (`0x1:0x2` is no classid, `17:00:01` is the classid `17:00`
 * and more); an IPv6 or MAC address that runs on past a key's colon into
 * the verdict (`2001:db8::1:accept` is `2001:db8::1:acce` and `pt`). Each:
 * family, rule, and whether nft 1.0.6 takes it.
 */
const SCANNER_RULES: [string, string, boolean][] = [
  ["ip", "meta mark 0x1/0x2", true],
  ["ip", "meta mark != 0x10/0x1c", true],
  ["ip", "ct mark 0x1 / 0x2", true],
  ["ip", "meta mark { 0x1/0x2 }", true],
  ["ip", "ip saddr 10.0.0.1/0x8", true],
  ["ip", "meta mark 0x1/0x21", false], // prefix length 33
  ["ip", "meta priority 0x1:0x2", false],
  ["ip", "meta priority set 0x1:0x2", false],
  ["ip", "meta priority 1:0x2", false],
  ["ip", "meta priority 0x1:2", false],
  ["ip", "meta priority 12345:1", false],
  ["ip", "meta priority 1:2, 1:0x3", false],
  ["ip", "meta hour 17:00:01", false],
  ["ip", "meta priority 1:2", true],
  ["ip", "meta priority abcd:1234", true],
  ["ip", "meta priority set 1:2", true],
  ["ip", "meta priority 01:02", true],
  ["ip", "meta priority 1:2-3:4", true],
  ["ip", "meta priority 0x87654321", true],
  ["ip", "meta hour 17:00", true],
  ["ip6", "ip6 saddr vmap { 2001:db8::1:accept }", false],
  ["ip6", "ip6 saddr vmap { 2001:db8::1:drop }", false],
  ["ip6", "ip6 saddr vmap { ::1:accept }", false],
  ["ip6", "ip6 saddr vmap { 1234::1234:1234:accept }", false],
  ["ip6", "ip6 saddr . ip6 daddr vmap { ::1 . ::2:accept }", false],
  ["ip6", "ether saddr vmap { 0:1:2:3:4:accept }", false],
  ["ip6", "ip6 saddr vmap { 2001:db8::1:return }", true],
  ["ip6", "ip6 saddr vmap { 2001:db8::1 : accept }", true],
  ["ip6", "ip6 saddr vmap { 2001:db8::2: drop }", true],
  ["ip6", "ip6 saddr vmap { ::1:goto d }", true],
  ["ip6", "ether saddr vmap { 0:1:2:3:4:5:accept }", true],
];

test("scanner: hex prefix lengths, colons of no classid, addresses run into a verdict, read as nft reads them", () => {
  const right = (rule: string): Json | undefined => {
    const [st] = parseStatements(tokenize(rule)).expr as { match?: { right: Json } }[];
    return st.match?.right;
  };
  assert.deepEqual(right("meta mark 0x1/0x2"), { prefix: { addr: 1, len: 2 } });
  assert.deepEqual(right("meta mark 0x1 / 0X2"), { prefix: { addr: 1, len: 2 } });
  assert.deepEqual(right("ip saddr 10.0.0.1/0x8"), { prefix: { addr: "10.0.0.1", len: 8 } });
  assert.deepEqual(right("meta priority 1:2-3:4"), { range: ["1:2", "3:4"] });
  for (const [, rule, takes] of SCANNER_RULES) {
    // Refusals the reader makes itself (a prefix too long is the evaluator's).
    if (takes || rule.includes("/")) assert.doesNotThrow(() => parseStatements(tokenize(rule)), rule);
    else assert.throws(() => parseStatements(tokenize(rule)), InvalidArgumentError, rule);
  }
});

test("scanner: nft and nlkit take and refuse the same rules, and list the taken ones the same", OPTS, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      const setup = "add table ip t; add chain ip t c; add table ip6 t; add chain ip6 t c; add chain ip6 t d";
      for (const ns of [a, b]) nft(ns, [setup]);
      for (const [fam, rule, takes] of SCANNER_RULES) {
        const theirs = nftResult(a, ["add", "rule", fam, "t", "c", rule]);
        assert.equal(theirs.code === 0, takes, `nft ${takes ? "refused" : "took"} ${rule}: ${theirs.stderr}`);
        const ours = nlkit(["-n", b, "nft", "add", "rule", fam, "t", "c", rule]);
        assert.equal(ours.code, takes ? 0 : 1, `nlkit: ${rule}: ${ours.stderr}`);
        if (!takes) assert.match(ours.stderr, /^Error: /, rule);
      }
      const want = nft(a, ["list", "ruleset"]);
      assert.equal(nft(b, ["list", "ruleset"]), want);
      assert.equal(nlkit(["-n", b, "nft", "list", "ruleset"]).stdout, want);
    });
  });
});
