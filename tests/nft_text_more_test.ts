/**
 * nft's statement, element and declaration language as nft 1.0.6 reads it
 * (the forms of its own shell tests): each script is loaded by nft in one
 * fresh namespace and by `nlkit nft -f -` in another, and nft lists both
 * the same; what nft refuses (priority names out of their place, nat ports
 * without a transport protocol) nlkit refuses too.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

/** Each test makes namespaces per script: more than Bun's 5 s default on a busy machine. */
const OPTS = { skip: NFT_SKIP, timeout: 60_000 };

/** Loads `script` (then `words` commands, each `nft WORDS...`) by nft and by nlkit; both list the same. */
async function sameAsNft(script: string, commands: string[][] = []): Promise<void> {
  await withTempNetns(async (a) => {
    nft(a, ["-f", "-"], script);
    for (const c of commands) nft(a, c);
    const want = nft(a, ["list", "ruleset"]);
    await withTempNetns((b) => {
      const r = nlkit(["-n", b, "nft", "-f", "-"], {}, script);
      assert.equal(r.code, 0, r.stderr);
      for (const c of commands) {
        const x = nlkit(["-n", b, "nft", ...c]);
        assert.equal(x.code, 0, `nft ${c.join(" ")}: ${x.stderr}`);
      }
      assert.equal(nft(b, ["list", "ruleset"]), want);
    });
  });
}

/** nft and nlkit both refuse each script (two namespaces, left empty by each refusal). */
async function bothRefuse(...scripts: string[]): Promise<void> {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      for (const script of scripts) {
        assert.throws(() => nft(a, ["-f", "-"], script));
        const r = nlkit(["-n", b, "nft", "-f", "-"], {}, script);
        assert.notEqual(r.code, 0, `nlkit took: ${script}`);
        assert.equal(nft(b, ["list", "ruleset"]), "");
      }
    });
  });
}

test("elements: key:data without spaces, ranges with spaces, type a:b", OPTS, async () => {
  await sameAsNft(
    `table ip t {
  map m { type inet_service:verdict; }
  map c { type ipv4_addr . inet_proto . inet_service: verdict; flags interval; }
  map n { type ipv4_addr : ipv4_addr; }
  chain c {
    udp sport vmap {1111:accept, 2222:drop}
    ip daddr set numgen inc mod 16 map { 0-7 : 10.0.1.1, 8- 15 : 10.0.1.2 }
  }
}
add element ip t m {10080:drop}
add element ip t n {1.1.1.1: 2.2.2.2}
add element ip t c { 10.0.0.1 . tcp . 8081: accept }
`,
    [["add", "element", "ip", "t", "n", "{3.3.3.3:", "4.4.4.4}"]],
  );
});

test("nat: snat EXPR map without to, addr . port, prefix", OPTS, async () => {
  await sameAsNft(`table ip t {
  map m { type ipv4_addr : ipv4_addr; elements = { 1.1.1.1 : 2.2.2.2 } }
  map y { type ipv4_addr : ipv4_addr . inet_service; }
  chain p { type nat hook postrouting priority srcnat;
    snat ip saddr map @m
    snat to ip saddr map { 1.1.1.1 : 2.2.2.2 }
    snat ip prefix to ip saddr map { 10.141.11.0/24 : 192.168.2.0/24 }
  }
  chain d { type nat hook prerouting priority dstnat;
    meta l4proto tcp dnat ip addr . port to ip saddr map @y
    dnat ip addr . port to ip saddr . tcp dport map { 1.1.1.1 . 80 : 2.2.2.2 . 8080 }
  }
}
`);
  // A port needs a transport protocol match first.
  await bothRefuse(`table ip t {
  map y { type ipv4_addr : ipv4_addr . inet_service; }
  chain d { type nat hook prerouting priority dstnat; dnat to ip daddr map @y; }
}`);
  await bothRefuse(
    "table ip t { chain d { type nat hook prerouting priority dstnat; ip saddr 10.1.1.2 dnat to 10.2.3.4:4242; } }",
    // A map's key of the other family, or data that is no address.
    `table inet t {
  map x4 { type ipv4_addr : ipv4_addr; }
  chain d { type nat hook prerouting priority dstnat; dnat to ip6 daddr map @x4; }
}`,
    `table inet t {
  map a { type ipv4_addr : inet_service; }
  chain d { type nat hook prerouting priority dstnat; meta l4proto tcp dnat ip to ip saddr map @a; }
}`,
  );
});

test("a map's element is deleted by its key alone", OPTS, async () => {
  await sameAsNft(
    `table ip t {
  map m { type ipv4_addr : mark; flags interval; elements = { 127.0.0.2 : 0x2, 127.0.0.3 : 0x3, 10.0.0.0/8 : 0x4 } }
}`,
    [["delete", "element", "t", "m", "{ 127.0.0.2 }"], ["delete", "element", "t", "m", "{ 10.0.0.0/8 }"]],
  );
});

test("set statements: shifts and parentheses, map updates with data", OPTS, async () => {
  await sameAsNft(`table ip t {
  map s { typeof ip saddr : meta mark; flags dynamic,timeout; timeout 1h; }
  map p { typeof ip daddr . tcp dport : ip daddr . tcp dport; flags dynamic,timeout; }
  chain c { type filter hook output priority mangle;
    oif lo ct mark set (meta mark | 0x10) << 8
    ct mark & 0xff == 0x10 meta mark set ct mark >> 8
    update @s { ip saddr : 0x2 }
    update @s { ip saddr timeout 1m30s : meta mark }
    meta l4proto tcp update @p { ip saddr . ct original proto-dst timeout 1m30s : ip daddr . tcp dport }
  }
}`);
});

test("chain priorities: names where nft takes them, offsets as written", OPTS, async () => {
  await sameAsNft(`table ip t {
  chain a { type filter hook prerouting priority raw -10; }
  chain b { type filter hook prerouting priority raw +10; }
  chain c { type filter hook prerouting priority raw - 11; }
  chain d { type nat hook prerouting priority dstnat; }
  chain e { type nat hook postrouting priority srcnat + 1; }
}
table bridge b {
  chain a { type filter hook prerouting priority dstnat; }
  chain o { type filter hook output priority out; }
  chain f { type filter hook forward priority filter; }
}
table arp a { chain i { type filter hook input priority filter; }; }
`);
});

test("chain priorities: names out of their family or hook refused as nft refuses them", OPTS, async () => {
  await bothRefuse(
    "table ip t { chain c { type filter hook input priority srcnat; } }",
    "table inet t { chain c { type filter hook prerouting priority srcnat; } }",
    "table ip6 t { chain c { type filter hook output priority dstnat; } }",
    "table arp t { chain c { type filter hook input priority raw; } }",
    "table netdev t { chain c { type filter hook ingress device lo priority mangle; } }",
    "table bridge t { chain c { type filter hook input priority out; } }",
    "table bridge t { chain c { type filter hook forward priority srcnat; } }",
    "table bridge t { chain c { type filter hook output priority dstnat; } }",
  );
});

test("objects by map, service names, constant key fields in set statements", OPTS, async () => {
  await sameAsNft(`table inet t {
  ct helper h { type "sip" protocol udp; l3proto ip; }
  set s { type ipv4_addr . inet_service; size 65536; flags dynamic,timeout; elements = { 192.168.7.1 . 22 } }
  set n { type inet_service . ifname; elements = { "ssh" . "eth0", http . "lo" } }
  chain c {
    type filter hook input priority filter;
    ct helper set ip protocol . th dport map { udp . 10000-20000 : "h" }
    tcp dport 21 add @s { ip saddr . 22 timeout 60s }
    tcp dport { ssh, https } accept
  }
}`);
});

test("nested sets: a defined set inside a set or as a map key", OPTS, async () => {
  await sameAsNft(`define set1 = { 2.2.2.0/24, 3.3.3.0/24, }
define set2 = { $set1, 1.1.1.0/24 }
define one = { 9.9.9.9 }
define ifs = { eth0, eth1 }
define none = {}
table ip x {
  set y { type ipv4_addr; elements = { 4.4.4.4, $one } }
  map z { type ifname : verdict; elements = { $ifs : drop, lo : accept } }
  chain c {
    ip saddr { 5.5.5.0/24, $set2 } accept
    tcp dport { 22, $none } accept
    iifname vmap { lo : accept, $ifs : drop }
  }
}`);
  await bothRefuse(`define EMPTY = {}
table inet filter { chain input { tcp dport {$EMPTY} accept; }; }`);
});

test("meters: named, sized or not, with a timeout", OPTS, async () => {
  await sameAsNft(`add table ip t
add chain ip t c
add rule ip t c tcp dport 80 meter f size 1024 {ip saddr limit rate 10/second}
add rule ip t c tcp dport 81 meter g { ip saddr . tcp dport timeout 10s counter }
`);
});
