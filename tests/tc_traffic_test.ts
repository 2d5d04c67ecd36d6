/**
 * tc really acts on traffic: an htb tree with a u32 filter shapes a UDP
 * burst between two namespaces, and a mirred redirect moves packets to
 * another device (counted on the target). Everything is set up by nlkit.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { have, ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { words } from "./_tc.ts";

const skip = NEEDS_ROOT || (have("bash") ? false : "needs bash (its /dev/udp sends the traffic)");

function ours(ns: string, ...args: string[]): void {
  const r = nlkit(["-n", ns, ...args]);
  assert.equal(r.code, 0, `nlkit -n ${ns} ${args.join(" ")}: ${r.stderr}`);
}

/** Sends `count` UDP datagrams of 1000 bytes from `ns` to `dst`, as fast as bash opens sockets. */
function blast(ns: string, dst: string, count: number): void {
  run("ip", [
    "netns",
    "exec",
    ns,
    "bash",
    "-c",
    `for ((i=0;i<${count};i++)); do printf '%1000s' x >/dev/udp/${dst}/9; done`,
  ]);
}

function rxPackets(ns: string, dev: string): number {
  return JSON.parse(ip(ns, "-j", "-s", "link", "show", dev))[0].stats64.rx.packets;
}

test("an htb class with a u32 filter shapes traffic between namespaces", { skip }, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      ip(a, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", b);
      ip(a, "addr", "add", "10.9.0.1/24", "dev", "v0");
      ip(b, "addr", "add", "10.9.0.2/24", "dev", "v1");
      ip(a, "link", "set", "v0", "up");
      ip(b, "link", "set", "v1", "up");
      ip(
        a,
        "neigh",
        "add",
        "10.9.0.2",
        "lladdr",
        JSON.parse(ip(b, "-j", "link", "show", "v1"))[0].address,
        "dev",
        "v0",
      );
      // Unshaped first: nearly every datagram arrives.
      let before = rxPackets(b, "v1");
      blast(a, "10.9.0.2", 1000);
      const unshaped = rxPackets(b, "v1") - before;
      assert.ok(unshaped > 900, `unshaped: ${unshaped} of 1000 arrived`);
      // Default class unlimited; only what the filter sends to 1:10 is held to 100kbit.
      ours(a, ...words("tc qdisc add dev v0 root handle 1: htb default 20"));
      ours(a, ...words("tc class add dev v0 parent 1: classid 1:10 htb rate 100kbit burst 2k"));
      ours(a, ...words("tc class add dev v0 parent 1: classid 1:20 htb rate 1gbit"));
      ours(a, ...words("tc qdisc add dev v0 parent 1:10 handle 10: pfifo limit 5"));
      ours(
        a,
        ...words(
          "tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dst 10.9.0.2/32 match ip dport 9 0xffff flowid 1:10",
        ),
      );
      before = rxPackets(b, "v1");
      blast(a, "10.9.0.2", 1000);
      const shaped = rxPackets(b, "v1") - before;
      assert.ok(shaped < unshaped / 2, `shaped: ${shaped} of 1000 arrived (unshaped ${unshaped})`);
      const cls = JSON.parse(nlkit(["-n", a, "-j", "-s", "tc", "class", "show", "dev", "v0"]).stdout);
      const c10 = cls.find((c: { handle: string }) => c.handle === "1:10");
      assert.ok(c10.stats.packets > 0 && c10.stats.packets <= shaped + 5, `class 1:10 sent ${c10.stats.packets}`);
    });
  });
});

test("a mirred redirect moves packets to another device", { skip }, async () => {
  await withTempNetns((a) => {
    ip(a, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(a, "link", "add", "v2", "type", "veth", "peer", "name", "v3");
    for (const d of ["v0", "v1", "v2", "v3"]) ip(a, "link", "set", d, "up");
    ip(a, "addr", "add", "10.8.0.1/24", "dev", "v0");
    ip(a, "neigh", "add", "10.8.0.2", "lladdr", "02:00:00:00:00:02", "dev", "v0");
    ours(a, ...words("tc qdisc add dev v0 clsact"));
    ours(
      a,
      ...words(
        "tc filter add dev v0 egress protocol ip prio 1 u32 match ip dst 10.8.0.2/32 action mirred egress redirect dev v2",
      ),
    );
    const v1 = rxPackets(a, "v1"), v3 = rxPackets(a, "v3");
    blast(a, "10.8.0.2", 50);
    assert.ok(rxPackets(a, "v3") - v3 >= 50, "the target's peer received the redirected packets");
    assert.ok(rxPackets(a, "v1") - v1 < 50, "the original path did not carry them");
    const f = JSON.parse(nlkit(["-n", a, "-j", "-s", "tc", "filter", "show", "dev", "v0", "egress"]).stdout);
    const act = f.find((x: { options?: { actions?: unknown[] } }) => x.options?.actions)?.options.actions[0];
    assert.equal(act.to_dev, "v2");
    assert.ok(act.stats.packets >= 50, `mirred counted ${act.stats.packets}`);
  });
});
