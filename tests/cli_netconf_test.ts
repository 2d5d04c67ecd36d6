/**
 * `nlkit netconf show` against `ip netconf show` (6.1) in a throwaway
 * namespace whose devices differ in their settings, and the library's
 * `listNetconf` filters, each on a table where ignoring it selects more.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { HAS_MROUTE6 } from "./_kernel.ts";
import { sameAsIp } from "./_ip_parity.ts";
import { execFileSync } from "node:child_process";
import { InvalidArgumentError, listNetconf, NotFoundError } from "../mod.ts";

function setup(ns: string): void {
  ip(ns, "link", "add", "c0", "type", "veth", "peer", "name", "c1");
  const sysctl = (key: string) => execFileSync("ip", ["netns", "exec", ns, "sysctl", "-qw", key]);
  sysctl("net.ipv4.conf.c0.forwarding=1");
  sysctl("net.ipv4.conf.c1.rp_filter=2");
  sysctl("net.ipv6.conf.c1.forwarding=1");
}

test("netconf show prints what ip netconf show prints, text and JSON, per family and device", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    for (const flags of [[], ["-4"], ["-6"], ["-j"], ["-j", "-p"], ["-6", "-j"]]) {
      for (
        const cmd of [["netconf"], ["netconf", "show"], ["netconf", "list", "dev", "c1"], [
          "netconf",
          "sh",
          "dev",
          "c0",
        ]]
      ) {
        // ip 6.1 prints text for -j with a family and a device (its single-request path opens no JSON): nlkit prints JSON.
        if (flags.includes("-j") && flags.includes("-6") && cmd.includes("dev")) continue;
        sameAsIp(ns, [...flags, ...cmd]);
      }
    }
    const r = nlkit(["-n", ns, "netconf", "show", "dev", "c0"]);
    assert.match(r.stdout, /^inet c0 forwarding on rp_filter off /m);
    assert.doesNotMatch(r.stdout, /c1|all|default/);
  });
});

test(
  "netconf show refuses what ip would skip, and names a missing device as ip does",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns((ns) => {
      const bad = nlkit(["-n", ns, "netconf", "show", "forwarding"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"forwarding"/);
      const missing = nlkit(["-n", ns, "netconf", "show", "dev", "nosuch"]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Device "nosuch" does not exist.\n');
      assert.equal(nlkit(["-n", ns, "-0", "netconf", "show"]).code, 2);
    });
  },
);

test("listNetconf: family and dev each select fewer; bad filters are refused before sending", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (ns) => {
    setup(ns);
    const all = await listNetconf({}, { netns: ns });
    const families = new Set(all.map((c) => c.family));
    assert.ok(families.has("inet") && families.has("inet6"), [...families].join());
    const inet = await listNetconf({ family: "inet" }, { netns: ns });
    assert.ok(inet.length > 0 && inet.length < all.length);
    assert.ok(inet.every((c) => c.family === "inet"));
    const c1 = await listNetconf({ dev: "c1" }, { netns: ns });
    assert.deepEqual(c1.map((c) => c.family), ["inet", "inet6"]);
    assert.equal(c1[0].rpFilter, 2);
    assert.equal(c1[1].forwarding, 1);
    const both = await listNetconf({ family: "inet6", dev: "c1" }, { netns: ns });
    assert.equal(both.length, 1);
    await assert.rejects(listNetconf({ dev: "nosuch" }, { netns: ns }), NotFoundError);
    // deno-lint-ignore no-explicit-any
    await assert.rejects(listNetconf({ family: "link" as any }, { netns: ns }), InvalidArgumentError);
    // deno-lint-ignore no-explicit-any
    await assert.rejects(listNetconf({ device: "c1" } as any, { netns: ns }), InvalidArgumentError);
  });
});

test("netconf -6 -j show dev prints JSON (where ip 6.1 prints text)", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    setup(ns);
    const r = nlkit(["-n", ns, "-6", "-j", "netconf", "show", "dev", "c1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [{
      family: "inet6",
      interface: "c1",
      forwarding: true,
      // The kernel reports it only with IPv6 multicast routing.
      ...(HAS_MROUTE6 ? { mc_forwarding: false } : {}),
      proxy_neigh: false,
      ignore_routes_with_linkdown: false,
    }]);
  });
});
