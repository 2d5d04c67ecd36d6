/**
 * Rules iptables-nft and ebtables-nft add (Docker's, kube-proxy's, a
 * router's, a bridge's) keep some matches and targets as nft_compat
 * expressions. nft 1.0.6 lists them
 * through libxtables' translators; nlkit's text listing must equal nft's
 * line for line, and its JSON (which has no translation) nft's JSON.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { have, run, withTempNetns } from "./_helpers.ts";
import { nft, NFT_SKIP, nftResult } from "./_nft.ts";
import { xtText } from "../src/netfilter/nftables/text/xt_xlate.ts";

const SKIP = NFT_SKIP || (!have("iptables") && "iptables (iptables-nft) is not installed");

/** xt_conntrack_mtinfo3 with only `--ctstate` set to `states`. */
function ctstate(states: number, invert = false): Uint8Array {
  const b = new Uint8Array(164);
  const v = new DataView(b.buffer);
  v.setUint16(146, 1, true); // match_flags: XT_CONNTRACK_STATE
  v.setUint16(148, invert ? 1 : 0, true);
  v.setUint16(150, states, true);
  return b;
}

test("xtText: libxtables' translations from the extensions' structs", () => {
  const x = { type: "match", name: "conntrack", rev: 3, family: "ip" };
  assert.equal(xtText({ ...x, info: ctstate(2 | 4) }), "ct state related,established");
  assert.equal(xtText({ ...x, info: ctstate(1, true) }), "ct state ! invalid");
  assert.equal(xtText({ ...x, info: ctstate(0x100 | 8) }), "ct state new,untracked");
  // Another revision's struct, a short struct, an unknown extension, another family: no translation.
  assert.equal(xtText({ ...x, rev: 1, info: ctstate(8) }), undefined);
  assert.equal(xtText({ ...x, info: new Uint8Array(8) }), undefined);
  assert.equal(xtText({ ...x, name: "hashlimit", info: new Uint8Array(200) }), undefined);
  assert.equal(xtText({ ...x, family: "inet", info: ctstate(8) }), undefined);
  // The comment match translates to nothing: libxtables keeps the comment apart.
  assert.equal(xtText({ type: "match", name: "comment", rev: 0, family: "ip", info: new Uint8Array(256) }), "");
  const queue = new Uint8Array([2, 0, 4, 0, 3, 0]);
  assert.equal(
    xtText({ type: "target", name: "NFQUEUE", rev: 3, family: "ip", info: queue }),
    "queue num 2-5 bypass,fanout",
  );
  const mark = new Uint8Array([0x00, 0x40, 0, 0, 0x00, 0x40, 0, 0]);
  assert.equal(
    xtText({ type: "target", name: "MARK", rev: 2, family: "ip", info: mark }),
    "meta mark set mark or 0x4000",
  );
});

test("xtText: any bytes give a text or none, never a throw", () => {
  const names: [string, string[]][] = [
    ["match", ["conntrack", "addrtype", "comment", "statistic", "multiport", "connmark", "icmp", "iprange", "mac"]],
    ["match", ["pkttype", "length", "ttl", "dscp", "helper", "esp", "ah", "ipcomp", "cpu", "quota", "policy"]],
    ["match", ["owner", "time", "realm", "devgroup", "cgroup"]],
    ["target", ["MARK", "CONNMARK", "LOG", "REJECT", "NFQUEUE", "TCPMSS", "SNAT", "DNAT", "MASQUERADE", "REDIRECT"]],
    ["target", ["CT", "DSCP", "TOS", "CLASSIFY", "AUDIT"]],
    ["match", ["ip", "mark_m", "vlan"]],
    ["target", ["log", "nflog", "mark", "dnat", "snat", "redirect"]],
    ["watcher", ["log", "nflog"]],
  ];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 40; round++) {
    for (const [type, list] of names) {
      for (const name of list) {
        for (const family of ["ip", "ip6", "bridge"]) {
          const len = round < 20 ? Math.floor(rand() * 400) : Math.floor(rand() * 4200);
          const info = new Uint8Array(len).map(() => Math.floor(rand() * 256));
          const rev = Math.floor(rand() * 4);
          const text = xtText({ type, name, rev, info, family, proto: rand() < 0.5 ? "tcp" : undefined });
          assert.ok(text === undefined || typeof text === "string", `${type} ${name}`);
        }
      }
    }
  }
});

const IPV4 = [
  "iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "iptables -A FORWARD -m conntrack --ctstate NEW,UNTRACKED --ctproto 6 -j ACCEPT",
  "iptables -A FORWARD -m conntrack ! --ctstate INVALID -j DROP",
  "iptables -A FORWARD -m conntrack --ctstatus ASSURED,SEEN_REPLY -j ACCEPT",
  "iptables -A FORWARD -m conntrack --ctstate SNAT -j ACCEPT",
  "iptables -A FORWARD -m conntrack --ctdir REPLY -j ACCEPT",
  "iptables -A FORWARD -m conntrack --ctorigsrc 10.0.0.0/8 --ctorigdst 1.2.3.4 -j ACCEPT",
  "iptables -A FORWARD -m conntrack --ctexpire 10:20 --ctorigsrcport 80 --ctorigdstport 1000:2000 -j ACCEPT",
  "iptables -A FORWARD -m state --state NEW -j ACCEPT",
  "iptables -A FORWARD -m addrtype --dst-type LOCAL -j RETURN",
  "iptables -A FORWARD -m addrtype --src-type LOCAL,BROADCAST ! --dst-type UNICAST -j RETURN",
  "iptables -A FORWARD -m addrtype --src-type LOCAL --limit-iface-out -j RETURN",
  "iptables -A FORWARD -m comment --comment kube-svc -j ACCEPT",
  "iptables -A FORWARD -m statistic --mode random --probability 0.5 -j ACCEPT",
  "iptables -A FORWARD -m statistic --mode nth --every 3 --packet 1 -j ACCEPT",
  "iptables -A FORWARD -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT",
  "iptables -A FORWARD -p udp -m multiport --sports 53,67:68 -j ACCEPT",
  "iptables -A FORWARD -p tcp -m multiport ! --dports 22 -j ACCEPT",
  "iptables -A FORWARD -p tcp -m multiport --ports 80,443 -j ACCEPT",
  "iptables -A FORWARD -m connmark --mark 0x10/0xf0 -j ACCEPT",
  "iptables -A FORWARD -m connmark ! --mark 0x5 -j ACCEPT",
  "iptables -A FORWARD -j MARK --set-xmark 0x4000/0x4000",
  "iptables -A FORWARD -j MARK --set-mark 0x1",
  "iptables -A FORWARD -j MARK --and-mark 0xff",
  "iptables -A FORWARD -j MARK --xor-mark 0x3",
  "iptables -A FORWARD -j MARK --set-xmark 0x3/0xf",
  "iptables -A FORWARD -j CONNMARK --set-xmark 0x5/0xff",
  "iptables -A FORWARD -j CONNMARK --save-mark --mask 0xff",
  "iptables -A FORWARD -j CONNMARK --restore-mark",
  "iptables -A FORWARD -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0",
  "iptables -A FORWARD -j LOG --log-prefix drop: --log-level 4",
  "iptables -A FORWARD -j LOG --log-level debug --log-tcp-sequence --log-tcp-options --log-uid",
  "iptables -A FORWARD -j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode",
  "iptables -A FORWARD -j REJECT",
  "iptables -A FORWARD -p tcp -j REJECT --reject-with tcp-reset",
  "iptables -A FORWARD -j REJECT --reject-with icmp-host-prohibited",
  "iptables -A FORWARD -j NFQUEUE --queue-num 3",
  "iptables -A FORWARD -j NFQUEUE --queue-balance 0:3 --queue-bypass --queue-cpu-fanout",
  "iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
  "iptables -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400",
  "iptables -t nat -N DOCKER",
  "iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
  "iptables -t nat -A DOCKER ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80",
  "iptables -t nat -A DOCKER -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90 --random --persistent",
  "iptables -t nat -A DOCKER -p tcp -j REDIRECT --to-ports 8080",
  "iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE",
  "iptables -t nat -A POSTROUTING -j MASQUERADE --random-fully",
  "iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4:5000 --persistent",
  "ip6tables -A INPUT -m conntrack --ctorigsrc 2001:db8::/32 -j ACCEPT",
  "ip6tables -A INPUT -j REJECT --reject-with icmp6-adm-prohibited",
  "ip6tables -A INPUT -p tcp -j REJECT --reject-with tcp-reset",
  "ip6tables -A INPUT -p tcp -m multiport --dports 22,80 -j ACCEPT",
];

// What iptables 1.8.9's nft backend still keeps as extensions beyond the common ones.
const MORE = [
  "iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
  "iptables -A INPUT -p icmp --icmp-type any -j ACCEPT",
  "iptables -A INPUT -p icmp --icmp-type network-unreachable -j ACCEPT",
  "iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.2 -j ACCEPT",
  "iptables -A INPUT -m mac ! --mac-source 00:11:22:33:44:55 -j ACCEPT",
  "iptables -A INPUT -m pkttype --pkt-type broadcast -j DROP",
  "iptables -A INPUT -m length ! --length 100:200 -j ACCEPT",
  "iptables -A INPUT -m ttl --ttl-gt 5 -j ACCEPT",
  "iptables -A INPUT -m tos --tos 0x10 -j ACCEPT",
  "iptables -A INPUT -m dscp ! --dscp 10 -j ACCEPT",
  "iptables -A OUTPUT -m owner --uid-owner 0 -j ACCEPT",
  "iptables -A OUTPUT -m owner ! --gid-owner 10-20 -j ACCEPT",
  "iptables -A INPUT -m time --timestart 09:00 --timestop 17:00 --weekdays Mon,Fri -j ACCEPT",
  "iptables -A INPUT -m time --datestart 2024-01-01T00:00:00 --datestop 2025-06-30T12:00:00 -j ACCEPT",
  "iptables -A INPUT -m helper --helper ftp -j ACCEPT",
  "iptables -A FORWARD -m devgroup --src-group 1 ! --dst-group 0 -j ACCEPT",
  "iptables -A INPUT -m cgroup --cgroup 1 -j ACCEPT",
  "iptables -A INPUT -p esp -m esp --espspi 100:200 -j ACCEPT",
  "iptables -A INPUT -p ah -m ah ! --ahspi 100 -j ACCEPT",
  "iptables -A INPUT -p 108 -m ipcomp --ipcompspi 7 -j ACCEPT",
  "iptables -A INPUT -m realm --realm 10/0xff -j ACCEPT",
  "iptables -A INPUT -m cpu ! --cpu 1 -j ACCEPT",
  "iptables -A INPUT -m quota --quota 1000 -j ACCEPT",
  "iptables -A INPUT -m policy --dir in --pol ipsec -j ACCEPT",
  "iptables -A INPUT -m policy --dir in --pol none -j ACCEPT",
  "iptables -A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-name x -j ACCEPT",
  "iptables -t raw -A PREROUTING -j CT --notrack",
  "iptables -t raw -A PREROUTING -j NOTRACK",
  "iptables -t raw -A PREROUTING -j CT --zone 5",
  "iptables -t mangle -A PREROUTING -j DSCP --set-dscp 10",
  "iptables -t mangle -A PREROUTING -j TOS --set-tos 0x10",
  "iptables -t mangle -A PREROUTING -j TOS --and-tos 0x0f",
  "iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10",
  "iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class ffff:ffff",
  "iptables -A INPUT -j AUDIT --type accept",
];

// ebtables-nft's extensions in bridge tables (log and nflog are watchers, which nft's JSON names so).
const BRIDGE = [
  "ebtables-nft -A INPUT -p IPv4 --ip-src 10.0.0.1 -j ACCEPT",
  "ebtables-nft -A INPUT --log --log-prefix br -j ACCEPT",
  "ebtables-nft -A FORWARD --mark 0x5 -j ACCEPT",
  "ebtables-nft -A FORWARD -j mark --mark-set 0x7 --mark-target ACCEPT",
  "ebtables-nft -A FORWARD --nflog-group 3 -j ACCEPT",
  "ebtables-nft -A FORWARD -p 802_1Q --vlan-id 5 -j ACCEPT",
  "ebtables-nft -A FORWARD --pkttype-type broadcast -j DROP",
  "ebtables-nft -A FORWARD -p IPv4 --ip-proto tcp --ip-dport 80:90 --ip-sport 1000 -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 --ip-proto udp ! --ip-dport 53 -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 ! --ip-proto tcp -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 --ip-src 10.0.0.0/8 ! --ip-dst 1.2.3.4 --ip-tos 0x10 -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 --ip-proto icmp --ip-icmp-type echo-request -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 --ip-proto icmp --ip-icmp-type 3/1 -j ACCEPT",
  "ebtables-nft -A FORWARD -p IPv4 --ip-proto igmp --ip-igmp-type 17 -j ACCEPT",
  "ebtables-nft -A FORWARD -p 802_1Q --vlan-prio 3 --vlan-encap 0800 -j ACCEPT",
  "ebtables-nft -A FORWARD --mark 0x5/0xf -j ACCEPT",
  "ebtables-nft -A FORWARD ! --mark 0x5 -j ACCEPT",
  "ebtables-nft -A FORWARD --mark /0x4 -j ACCEPT",
  "ebtables-nft -A FORWARD -j mark --mark-or 0x10 --mark-target CONTINUE",
  "ebtables-nft -A FORWARD -j mark --mark-xor 0x10 --mark-target RETURN",
  "ebtables-nft -A FORWARD --log-level debug --log-ip -j ACCEPT",
  "ebtables-nft -A FORWARD --nflog-group 2 --nflog-prefix x --nflog-range 64 --nflog-threshold 5 -j ACCEPT",
  "ebtables-nft -A FORWARD ! --pkttype-type otherhost -j ACCEPT",
  "ebtables-nft -t nat -A PREROUTING -j dnat --to-dst 00:11:22:33:44:66 --dnat-target ACCEPT",
  "ebtables-nft -t nat -A PREROUTING -j redirect --redirect-target DROP",
  "ebtables-nft -t nat -A POSTROUTING -j snat --to-src 00:11:22:33:44:77 --snat-arp --snat-target DROP",
  "ebtables-nft -t nat -A POSTROUTING -j snat --to-src 00:11:22:33:44:77",
];

// nft 1.0.6 finds IPv6's NAT targets only when it has not loaded IPv4's first: they get a namespace of their own.
const IPV6_NAT = [
  "ip6tables -t nat -A POSTROUTING -j MASQUERADE",
  "ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:80",
  "ip6tables -t nat -A PREROUTING -j DNAT --to-destination 2001:db8::1-2001:db8::9",
  "ip6tables -t nat -A POSTROUTING -p tcp -j SNAT --to-source [2001:db8::2]:100-200",
  "ip6tables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 99",
];

const GROUPS = [
  ["IPv4 and IPv6 filter", IPV4],
  ["more extensions", MORE],
  ["IPv6 nat", IPV6_NAT],
  ["bridge", BRIDGE],
] as const;
for (const [what, rules] of GROUPS) {
  test(`iptables-nft rules (${what}) list as nft lists them`, { skip: SKIP, timeout: 120_000 }, async () => {
    await withTempNetns((ns) => {
      for (const r of rules) {
        const [cmd, ...args] = r.split(" ");
        run("ip", ["netns", "exec", ns, cmd, ...args]);
      }
      const want = nft(ns, ["list", "ruleset"]);
      const text = nlkit(["-n", ns, "nft", "list", "ruleset"]);
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stdout, want);
      // nft's warning for each table iptables-nft owns, on stderr.
      const warned = nftResult(ns, ["list", "ruleset"]).stderr;
      assert.match(warned, /^# Warning: table \S+ \S+ is managed by iptables-nft, do not touch!$/m);
      assert.equal(text.stderr, warned);
      // A chain's listing warns too, where that chain's rules hold extensions.
      for (const words of [["chain", "ip", "filter", "FORWARD"], ["chain", "ip6", "filter", "INPUT"]]) {
        if (what !== "IPv4 and IPv6 filter") break;
        const mine = nlkit(["-n", ns, "nft", "list", ...words]);
        const theirs = nftResult(ns, ["list", ...words]);
        assert.equal(mine.code, theirs.code, words.join(" "));
        assert.equal(mine.stderr, theirs.stderr, words.join(" "));
      }
      // Translated, not left as `xt ...`: a listing that printed every extension bare would fail above, and here.
      assert.ok(!/\bxt (match|target) (conntrack|MASQUERADE|DNAT)\b/.test(want), want);
      const json = nlkit(["-n", ns, "-j", "nft", "list", "ruleset"]);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(
        JSON.parse(json.stdout).nftables.slice(1),
        JSON.parse(nft(ns, ["-j", "list", "ruleset"])).nftables.slice(1),
      );
    });
  });
}
