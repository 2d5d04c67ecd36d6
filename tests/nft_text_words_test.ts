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
import { nft, NFT_SKIP } from "./_nft.ts";

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
