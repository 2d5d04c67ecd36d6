/**
 * Sets and maps as nft 1.0.6's shell tests (tests/shell/testcases/sets, maps)
 * use them: each case runs the same scripts with nft in one fresh namespace
 * and with nlkit (`applyScript`, what `nlkit nft -f` and its command line
 * run) in another; each script must succeed or fail alike and nft must list
 * the same ruleset afterwards.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP } from "./_nft.ts";
import { applyScript } from "../src/netfilter/nftables/text/script.ts";

/**
 * Runs `scripts` by nft and by nlkit, each into its own namespace; compares outcomes and `nft list ruleset`,
 * and the kernel's expressions (`nft --debug=netlink list LIST...`) when `bytesOf` names what to list.
 */
async function sameAsNft(scripts: string[], bytesOf?: string[]): Promise<string> {
  const listed = (ns: string) => ({
    ruleset: nft(ns, ["list", "ruleset"]),
    // Less the interval end at 0 nft sends before a first range that starts above 0 (the kernel needs none).
    bytes: bytesOf && nft(ns, ["--debug=netlink", "list", ...bytesOf]).replace(/\telement [0 ]+ : 1 \[end\]\n/g, ""),
  });
  const theirs = await withTempNetns((ns) => {
    const codes = scripts.map((s) =>
      spawnSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], { encoding: "utf8", input: s }).status === 0
    );
    return { codes, ...listed(ns) };
  });
  const mine = await withTempNetns(async (ns) => {
    const codes: boolean[] = [];
    for (const s of scripts) {
      codes.push(await applyScript(s, "-", { netns: ns }).then(() => true, () => false));
    }
    return { codes, ...listed(ns) };
  });
  assert.deepEqual(mine.codes, theirs.codes, "scripts that succeeded");
  assert.equal(mine.ruleset, theirs.ruleset);
  assert.equal(mine.bytes, theirs.bytes);
  return mine.ruleset;
}

test(
  "an auto-merge set flushed then given elements holds only those (sets/0052overlap_0)",
  { skip: NFT_SKIP },
  async () => {
    const listed = await sameAsNft([
      `add table ip filter
add set ip filter w_all {type ipv4_addr; flags interval; auto-merge}
add element ip filter w_all {10.10.10.10, 10.10.10.11}`,
      `flush set ip filter w_all
add element ip filter w_all {10.10.10.10, 10.10.10.253}`,
    ]);
    assert.match(listed, /elements = \{ 10\.10\.10\.10, 10\.10\.10\.253 \}/);
  },
);

test("a set a rule updates is made dynamic only when the kernel does not hold it (sets/dynset_missing)", {
  skip: NFT_SKIP,
}, async () => {
  const dump = `table ip test {
	set dlist {
		type ipv4_addr
		size 65535
	}
	chain output {
		type filter hook output priority filter; policy accept;
		udp dport 1234 update @dlist { ip daddr } counter
	}
}`;
  const created = [
    "table ip test { chain output { type filter hook output priority 0; }; }",
    "add set ip test dlist {type ipv4_addr; }",
    "add rule ip test output udp dport 1234 update @dlist { ip daddr } counter",
  ];
  // Held without the flag: declared again unchanged (a changed set would be EEXIST).
  assert.doesNotMatch(await sameAsNft([...created, dump]), /flags dynamic/);
  // Not held (or flushed in the same document): created dynamic.
  assert.match(await sameAsNft([dump]), /flags dynamic/);
  assert.match(await sameAsNft([...created, `flush ruleset\n${dump}`]), /flags dynamic/);
});

test("a host-order key of intervals goes in network order (sets/0040get_host_endian_elements_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table ip t {
	set s {
		type mark
		flags interval
		elements = { 0x23-0x42, 0x1337 }
	}
	map m {
		type mark : mark
		flags interval
		elements = { 0x10-0x20 : 0x5, 0x100 : 0x6 }
	}
	chain c {
		meta mark @s
		meta mark set meta mark map @m
		meta mark > 0x10
		meta mark != 0x10-0x20
		meta length 10-20
	}
}`,
  ], ["chain", "ip", "t", "c"]);
  assert.match(listed, /elements = \{ 0x00000023-0x00000042, 0x00001337 \}/);
});

test("wildcard interface names are ranges in sets, maps and concatenations (sets/sets_with_ifnames)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table inet t {
	set wild {
		type ifname
		flags interval
		elements = { "abcdef*", "othername", "ppp0" }
	}
	set concat_wild {
		type ipv4_addr . ifname
		flags interval
		elements = { 10.1.2.2 . "abcdef*", 10.1.2.1 . "bar", 1.1.2.0/24 . "abcdef0", 12.2.2.0/24 . "abcdef*" }
	}
	map map_wild {
		type ifname : verdict
		flags interval
		elements = { "abcdef*" : drop, "eth0" : accept }
	}
	chain c {
		iifname @wild counter
		ip saddr . iifname @concat_wild counter
		iifname { "abcdef*", "eth0" } counter
		ip saddr . iifname { 10.1.2.2 . "abcdef*" } counter
		iifname vmap @map_wild
		iifname "abc*"
	}
}`,
  ], ["chain", "inet", "t", "c"]);
  assert.match(listed, /iifname \{ "abcdef\*", "eth0" \}/);
});

test("get element of interval sets prints the ranges holding what is asked, as nft does (sets/0034get_element_0)", {
  skip: NFT_SKIP,
}, async () => {
  await withTempNetns((ns) => {
    nft(
      ns,
      ["-f", "-"],
      `add table ip t
add set ip t s { type inet_service; flags interval; }
add element ip t s { 10, 20-30, 40, 50-60 }
add set ip t ips { type ipv4_addr; flags interval; }
add element ip t ips { 10.0.0.1, 10.0.0.5-10.0.0.8, 10.0.0.128/25, 10.0.1.0/24 }
add set ip t cs { type ipv4_addr . inet_service; flags interval; }
add element ip t cs { 10.0.0.1 . 22, 10.1.0.0/16 . 1-1024 }
add set ip t marks { type mark; flags interval; elements = { 0x23-0x42, 0x1337 }; }
add set ip t names { type ifname; flags interval; elements = { "abcdef*", "ppp0" }; }
add map ip t m { type inet_service : mark; flags interval; elements = { 20-30 : 5 }; }`,
    );
    for (
      const [set, elems] of [
        ["s", "10"],
        ["s", "11"],
        ["s", "22-24, 26-28, 10"],
        ["s", "10-25"],
        ["ips", "10.0.1.2/31"],
        ["ips", "10.0.0.2"],
        ["cs", "10.1.1.0/24 . 10-20"],
        ["cs", "10.0.0.1 . 23"],
        ["marks", "0x26-0x28"],
        ["marks", "0x26-0x99"],
        ["names", "abcdef1"],
        ["m", "25"],
        ["m", "22-24"],
      ]
    ) {
      const args = ["get", "element", "ip", "t", set, `{ ${elems} }`];
      const theirs = spawnSync("ip", ["netns", "exec", ns, "nft", ...args], { encoding: "utf8" });
      const mine = nlkit(["-n", ns, "nft", ...args]);
      assert.equal(mine.code, theirs.status, `${set} { ${elems} }: ${mine.stderr}`);
      assert.equal(mine.stdout, theirs.stdout, `${set} { ${elems} }`);
    }
  });
});

test(
  "several statements per set update and per element, as written (sets/0059, sets/0060)",
  { skip: NFT_SKIP },
  async () => {
    await sameAsNft([
      `table x {
	set u {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 1h
	}
	chain z {
		type filter hook output priority 0;
		update @u { ip daddr limit rate 1/second counter }
	}
}`,
    ], ["chain", "ip", "x", "z"]);
    // The kernel wants an element's statements to be the set's, in its order: nft sends them as written.
    await sameAsNft([
      `table x {
	set y {
		type ipv4_addr
		limit rate 1/second counter
		elements = { 5.5.5.5 limit rate 1/second counter packets 0 bytes 0 }
	}
}`,
      "add element x y { 1.1.1.1 limit rate 1/second counter }",
      "add element x y { 2.2.2.2 limit rate 1/second }",
      "add element x y { 3.3.3.3 counter limit rate 1/second }",
      "add element x y { 4.4.4.4 }",
    ]);
  },
);

test("an anonymous set's overlapping and adjacent ranges are merged (sets/0061anonymous_automerge_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table ip x {
	chain y {
		ip saddr { 1.1.1.1-1.1.1.2, 1.1.1.1 }
		tcp dport { 10-20, 21-30, 40, 15 }
		ip daddr { 10.0.0.0/8, 10.1.0.0/16, 11.0.0.0/8 }
		meta mark { 0x10-0x20, 0x21 }
	}
}`,
  ], ["ruleset"]);
  assert.match(listed, /tcp dport \{ 10-30, 40 \}/);
});

test("NAT through a named map to ranges and to address . port (sets/0067nat_concat_interval_0)", {
  skip: NFT_SKIP,
}, async () => {
  await sameAsNft([
    `table ip nat {
	map ipportmap {
		type ipv4_addr : interval ipv4_addr . inet_service
		flags interval
		elements = { 192.168.1.2 : 10.141.10.1-10.141.10.3 . 8888-8999 }
	}
	map ipportmap2 {
		type ipv4_addr . ipv4_addr : interval ipv4_addr . inet_service
		flags interval
		elements = { 192.168.1.2 . 192.168.2.2 : 127.0.0.1/8  . 42 - 43 }
	}
	map addrs {
		type ipv4_addr : interval ipv4_addr
		flags interval
		elements = { 10.0.0.1 : 10.1.0.1-10.1.0.9 }
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip protocol tcp dnat ip to ip saddr map @ipportmap
		ip protocol tcp dnat ip to ip saddr . ip daddr map @ipportmap2
		dnat ip to ip saddr map @addrs
	}
}`,
    `add element ip nat ipportmap { 192.168.2.0/24 : 10.141.11.5-10.141.11.20 . 8888-8999 }
add map ip nat fwdtoip_th { type ipv4_addr . inet_service : interval ipv4_addr . inet_service; flags interval; elements = { 1.2.3.4 . 10000-20000 : 192.168.3.4 . 30000-40000 }; }
add rule ip nat prerouting meta l4proto { tcp, udp } dnat to ip daddr . th dport map @fwdtoip_th`,
  ], ["chain", "ip", "nat", "prerouting"]);
  // A map of the other family is refused (maps/nat_addr_port).
  await sameAsNft([
    `table inet f {
	map y4 { type ipv4_addr : ipv4_addr . inet_service; }
	map y6 { type ipv6_addr : ipv6_addr . inet_service; }
	chain c {
		type nat hook prerouting priority dstnat; policy accept;
		meta l4proto tcp dnat ip addr . port to ip saddr map @y4
	}
}`,
    "add rule inet f c meta l4proto tcp dnat to ip daddr map @y6",
    "add rule inet f c meta l4proto tcp dnat to ip6 daddr map @y4",
    "add rule inet f c meta l4proto tcp dnat ip6 addr . port to ip6 saddr map @y6",
  ]);
});

test("ct count (connlimit) in rules, set updates, sets and elements (sets/0062set_connlimit_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table ip x {
	set est-connlimit {
		type ipv4_addr
		size 65535
		flags dynamic
		elements = { 84.245.120.167 ct count over 20 }
	}
	set new-connlimit {
		type ipv4_addr
		size 65535
		flags dynamic
		ct count over 20
		elements = { 84.245.120.167 }
	}
	chain c {
		ct count over 20
		ct count 3 accept
		add @est-connlimit { ip saddr ct count over 20 } drop
	}
}`,
  ], ["ruleset"]);
  assert.match(listed, /elements = \{ 84\.245\.120\.167 ct count over 20 \}/);
});

test("typeof with raw payloads (@ih,32,32) in sets and maps (sets/typeof_raw_0, maps/typeof_raw_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table inet t {
	set y {
		typeof ip daddr . @ih,32,32
		elements = { 1.1.1.1 . 0x14, 2.2.2.2 . 0x20 }
	}
	map m {
		typeof ip saddr . @ih,32,32: verdict
		elements = { 1.1.1.1 . 0x14 : accept, 7.7.7.8 . 0x97 : drop }
	}
	map m1 {
		typeof udp length . @ih,32,32 : verdict
		flags interval
		elements = { 20-80 . 0x14 : accept, 1-10 . 0xa : drop }
	}
	chain y {
		ip daddr . @ih,32,32 @y
		ip saddr . @ih,32,32 vmap @m
		udp length . @ih,32,32 vmap @m1
	}
}`,
  ]);
  assert.match(listed, /typeof ip saddr \. @ih,32,32 : verdict/);
});

test("typeof with a meta key written without meta (typeof vlan id : mark; maps/typeof_maps_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table inet t {
	map m2 {
		typeof vlan id : mark
		elements = { 1 : 0x1, 4095 : 0x4095 }
	}
	set s {
		typeof iifname . skuid
		elements = { "lo" . 0 }
	}
	chain c {
		meta mark set vlan id map @m2
		iifname . skuid @s
	}
}`,
  ]);
  assert.match(listed, /typeof vlan id : meta mark/);
});

test("set update KEY timeout T @SET, nft's older form, with milliseconds listed (sets/0031set_timeout_size_0)", {
  skip: NFT_SKIP,
}, async () => {
  const script = `add table x
add set x y { type ipv4_addr; size 128; timeout 1500ms; flags dynamic; }
add chain x test
add rule x test set update ip saddr timeout 1d2h3m4s10ms @y
add rule x test update @y { ip daddr timeout 100ms }`;
  const listed = await sameAsNft([script], ["chain", "ip", "x", "test"]);
  assert.match(listed, /update @y \{ ip daddr timeout 100ms \}/);
  // nlkit's listing keeps the milliseconds nft's text shows (its JSON counts whole seconds).
  await withTempNetns((ns) => {
    nft(ns, ["-f", "-"], script);
    assert.equal(nlkit(["-n", ns, "nft", "list", "ruleset"]).stdout, nft(ns, ["list", "ruleset"]));
    assert.deepEqual(
      JSON.parse(nlkit(["-n", ns, "nft", "-j", "list", "chain", "ip", "x", "test"]).stdout).nftables.slice(1),
      JSON.parse(nft(ns, ["-j", "list", "chain", "ip", "x", "test"])).nftables.slice(1),
    );
  });
});

test("flags in parentheses, or-ed with 0, go to the kernel in the order written (sets/0055tcpflags_0)", {
  skip: NFT_SKIP,
}, async () => {
  // The kernel lists these in the order they were added, and nft sorts flags that sort alike by that order.
  const listed = await sameAsNft([
    `add table ip test
add set ip test f { type tcp_flag ; flags constant ; elements = {
  ( 0 | 0 | 0 |ack| 0 | 0 ), ( 0 | 0 | 0 |ack| 0 |urg), ( 0 | 0 | 0 |ack|psh| 0 ), (fin| 0 | 0 |ack| 0 | 0 ),
  (fin| 0 | 0 |ack| 0 |urg), (fin| 0 | 0 |ack|psh| 0 ), (fin|0|0|ack|psh|urg), syn|ack, 0 } ; }`,
  ], ["ruleset"]);
  assert.match(
    listed,
    /elements = \{ 0x0, fin \| psh \| ack \| urg, fin \| psh \| ack, fin \| ack \| urg, fin \| ack,/,
  );
});

test("typeof an extension header's, option's, chunk's field or ipsec (sets/typeof_sets_0, maps/typeof_maps_0)", {
  skip: NFT_SKIP,
}, async () => {
  const listed = await sameAsNft([
    `table inet t {
	set s4 {
		typeof frag frag-off
		elements = { 1, 1024 }
	}
	set s5 {
		typeof ip option ra value
		elements = { 1, 1024 }
	}
	set s6 {
		typeof tcp option maxseg size
		elements = { 1, 1024 }
	}
	set s7 {
		typeof sctp chunk init num-inbound-streams
		elements = { 1, 4 }
	}
	set s10 {
		typeof meta iifname . ip saddr . ipsec in reqid
		elements = { "eth0" . 10.1.1.2 . 42 }
	}
	map m5 {
		typeof ipsec out spnum 1 ip daddr . meta iifname : verdict
		elements = { 10.1.1.1 . "eth0" : accept }
	}
	chain c {
		frag frag-off @s4 accept
		ip option ra value @s5 accept
		tcp option maxseg size @s6 accept
		sctp chunk init num-inbound-streams @s7 accept
		meta iifname . ip saddr . ipsec in reqid @s10 accept
		ipsec out spnum 1 ip daddr . meta iifname vmap @m5
	}
}`,
  ], ["ruleset"]);
  assert.match(listed, /typeof iifname \. ip saddr \. ipsec in reqid\n/);
  assert.match(listed, /typeof sctp chunk init num-inbound-streams\n/);
});
