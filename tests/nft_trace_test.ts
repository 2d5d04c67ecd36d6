/**
 * `nlkit nft monitor trace` against `nft monitor trace`: both follow one
 * namespace while packets marked `meta nftrace set 1` cross ip, ip6, inet,
 * netdev, bridge and arp chains (ICMP, ICMPv6, TCP, UDP, ARP, over a veth
 * with ethernet headers), and each trace prints the same lines: the packet,
 * each rule with its verdict, the policy and the mark. A rule added after
 * the start is an unknown handle to both.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { CLI, nlkit } from "./_cli.ts";
import { run, withTempNetns } from "./_helpers.ts";
import { watch } from "./_monitor.ts";
import { nft, NFT_SKIP } from "./_nft.ts";

const OPTS = { skip: NFT_SKIP, timeout: 90_000 };

const RULESET = `table ip t {
  chain pre { type filter hook prerouting priority 0; meta nftrace set 1; }
  chain in {
    type filter hook input priority 0; policy accept;
    tcp dport 80 counter drop comment "no web"
    udp dport 53 meta mark set 0x10 accept
  }
}
table ip6 t6 {
  chain pre { type filter hook prerouting priority 0; meta nftrace set 1; }
  chain in { type filter hook input priority 0; policy accept; icmpv6 type echo-request counter accept; }
}
table inet i {
  chain in { type filter hook input priority 10; policy accept; ip protocol icmp jump sub; udp dport 53 return; }
  chain sub { counter; }
}
table arp a {
  chain in { type filter hook input priority 0; meta nftrace set 1; }
}
table netdev n {
  chain ing { type filter hook ingress device "br0" priority 0; meta nftrace set 1; ether type arp accept; }
}
table bridge b {
  chain pre { type filter hook prerouting priority 0; meta nftrace set 1; }
}
`;

/** Each trace's lines by its id (a packet can be seen by one of the two before the other listens). */
function byTrace(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of out.split("\n").filter(Boolean)) {
    const id = /^trace id (\w+) /.exec(line)?.[1] ?? "";
    m.set(id, [...(m.get(id) ?? []), line]);
  }
  return m;
}

/** A namespace B behind a bridge, reached from namespace A over a veth, with the ruleset loaded in B. */
async function withPair(fn: (a: string, b: string) => Promise<void>): Promise<void> {
  await withTempNetns((a) =>
    withTempNetns(async (b) => {
      const sh = (ns: string, cmd: string) => run("ip", ["-n", ns, ...cmd.split(" ")]);
      run("ip", ["-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b]);
      sh(b, "link add br0 type bridge");
      sh(b, "link set vb master br0");
      for (const [ns, dev, n] of [[a, "va", 1], [b, "br0", 2]] as const) {
        sh(ns, `addr add 10.9.0.${n}/24 dev ${dev}`);
        sh(ns, `addr add fd00::${n}/64 dev ${dev} nodad`);
        sh(ns, `link set ${dev} up`);
      }
      sh(b, "link set vb up");
      nft(b, ["-f", "-"], RULESET);
      await fn(a, b);
    })
  );
}

/** Packets from A to B: ICMP, ICMPv6, a TCP SYN to a dropped port, UDP; then a rule nft did not see at its start. */
function traffic(a: string, b: string): () => void {
  return () => {
    // Whether a packet is answered does not matter (the SYN is dropped): its trace is what counts.
    const exec = (...args: string[]) => spawnSync("ip", ["netns", "exec", a, "timeout", "3", ...args]);
    exec("ping", "-c1", "-W2", "10.9.0.2");
    exec("ping", "-6", "-c1", "-W2", "fd00::2");
    nft(b, ["insert", "rule", "ip", "t", "in", "counter"]);
    for (const target of ["/dev/tcp/10.9.0.2/80", "/dev/udp/10.9.0.2/53", "/dev/udp/fd00::2/53"]) {
      exec("timeout", "1", "bash", "-c", `echo hi > ${target}`);
    }
  };
}

for (const flags of [["monitor", "trace"], ["-a", "monitor", "trace"], ["-s", "monitor"]]) {
  test(`nft ${flags.join(" ")}: nlkit prints each packet's trace as nft does`, OPTS, async () => {
    await withPair(async (a, b) => {
      const [theirs, mine] = await watch(b, [
        // nft ignores SIGINT out of the foreground; timeout passes the watcher's SIGINT on as SIGTERM.
        ["ip", ["netns", "exec", b, "timeout", "60", "nft", ...flags]],
        [CLI[0], [...CLI[1], "-n", b, "nft", ...flags]],
      ], traffic(a, b));
      assert.equal(mine.err, "");
      const want = byTrace(theirs.out), got = byTrace(mine.out);
      const both = [...want.keys()].filter((id) => id && got.has(id));
      for (const id of both) assert.deepEqual(got.get(id), want.get(id), `trace ${id}`);
      const all = [...both].flatMap((id) => want.get(id)!).join("\n");
      // What the traffic must have shown in both: each protocol, a rule's verdict, a policy, a mark, a late rule.
      for (
        const seen of [
          /ip t pre packet: iif "br0" ether saddr \S+ ether daddr \S+ ip saddr 10\.9\.0\.1 .* ip id \d+ ip length 84 icmp type echo-request/,
          /ip6 t6 pre packet: .* ip6 flowlabel \d+ ip6 length 64 icmpv6 type echo-request/,
          /inet i in packet: .* ip protocol icmp ip length 84 icmp type echo-request/,
          /tcp flags == syn tcp window \d+ $/m,
          /ip t in rule tcp dport 80 counter( packets 0 bytes 0)? drop comment "no web"( # handle \d+)? \(verdict drop\)/,
          /inet i in policy accept meta mark 0x00000010 $/m,
          /ip t in unknown rule handle \d+ \(verdict continue\)/,
          /arp a in packet: iif "br0" ether saddr \S+ ether daddr \S+ arp operation (request|reply) $/m,
          /bridge b pre packet: iif "vb" ether saddr/,
          /netdev n ing rule ether type arp accept( # handle \d+)? \(verdict accept\)/,
        ]
      ) assert.match(all, seen);
      // A plain monitor shows the changes too, as nft's does.
      assert.deepEqual(got.get(""), want.get(""));
      if (flags[0] === "-s") assert.match(mine.out, /^insert rule ip t in counter$/m);
    });
  });
}

test("nft monitor trace: refused as JSON, and with new or destroy", { skip: NFT_SKIP }, async () => {
  await withTempNetns((ns) => {
    for (
      const [args, code, said] of [
        [["-j", "monitor", "trace"], 2, /Cannot monitor trace as JSON/],
        [["monitor", "trace", "json"], 2, /Cannot monitor trace as JSON/],
        [["monitor", "new", "trace"], 2, /Cannot monitor new trace/],
        [["monitor", "destroy", "trace"], 2, /Cannot monitor destroy trace/],
      ] as const
    ) {
      const r = nlkit(["-n", ns, "nft", ...args]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, said);
    }
  });
});
