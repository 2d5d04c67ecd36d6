/**
 * `nlkit ntable` against `ip ntable` (6.1) in a throwaway namespace with a
 * veth pair: listings in text, `-o` and `-j`, each filter on a table where
 * ignoring it lists more, changes seen by ip, and ip's refusals.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { nlkit } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { EXIT } from "./_ip_parity.ts";

// The kernel re-randomises each device's reachable time now and then; -s adds host-wide counters and clocks.
const steady = (text: string) =>
  text.replace(/reachable \d+|"reachable": ?\d+/g, "reachable N").replace(/last_rand [\d-]+ [\d:]+/g, "");

/** Compares with ip; `code` overrides the mapped exit status (nlkit exits 1 for a missing device, ip 1 too). */
function same(ns: string, args: string[], code?: number): string {
  const theirs = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  const ours = nlkit(["-n", ns, ...args]);
  const what = `ip ${args.join(" ")}`;
  assert.equal(steady(ours.stdout), steady(theirs.stdout), `${what}: stdout`);
  assert.equal(ours.stderr, theirs.stderr, `${what}: stderr`);
  assert.equal(ours.code, code ?? EXIT[theirs.status!], `${what}: exit ${ours.code}, ip ${theirs.status}`);
  return ours.stdout;
}

const entries = (text: string) => text.split("\n\n").filter((e) => e.trim()).length;

test("ntable show prints what ip ntable show prints; each filter lists less", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    const all = same(ns, ["ntable", "show"]);
    assert.equal(entries(all), 8); // ARP and NDP: the defaults, lo, t0, t1
    for (const flags of [[], ["-j"], ["-o"], ["-4"], ["-6", "-j"], ["-j", "-p"]]) {
      for (
        const cmd of [
          ["ntable"],
          ["ntable", "show", "dev", "t0"],
          ["ntbl", "list", "dev", "none"],
          ["ntable", "show", "name", "ndisc_cache"],
          ["ntable", "sh", "dev", "t1", "name", "arp_cache"],
        ]
      ) {
        const out = same(ns, [...flags, ...cmd]);
        if (cmd.length > 1 && !flags.includes("-j") && !flags.includes("-o")) assert.ok(entries(out) < entries(all));
      }
    }
    assert.equal(entries(same(ns, ["ntable", "show", "dev", "t0"])), 2);
    assert.equal(entries(same(ns, ["-6", "ntable", "show", "dev", "t0"])), 1);
    assert.equal(entries(same(ns, ["ntable", "show", "dev", "none"])), 2);
    assert.equal(entries(same(ns, ["ntable", "show", "dev", "t1", "name", "arp_cache"])), 1);
    // -s adds the configuration and counters of the defaults (host-wide numbers: only the shape is compared).
    const stats = nlkit(["-n", ns, "-s", "ntable", "show", "dev", "none", "name", "arp_cache"]).stdout;
    assert.match(stats, /^ {4}config key_len 4 entry_size \d+ entries \d+ \n {8}last_flush /m);
    assert.match(stats, /hash_mask [0-9a-f]{8} /);
    assert.match(stats, /^ {4}stats allocs \d+ destroys \d+ hash_grows \d+ \n/m);
    assert.match(stats, /^ {4}table_fulls \d+ \n\n$/m);
    const json = JSON.parse(nlkit(["-n", ns, "-j", "-s", "ntable", "show", "dev", "none", "name", "arp_cache"]).stdout);
    assert.deepEqual(Object.keys(json[0]).slice(0, 8), [
      "family",
      "name",
      "thresh1",
      "thresh2",
      "thresh3",
      "gc_interval",
      "key_length",
      "entry_size",
    ]);
    assert.match(json[0].hash_mask, /^0x[0-9a-f]+$/);
  });
});

test(
  "ntable change sets a device's parameters as ip does, and is refused as ip refuses",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns((ns) => {
      ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
      const r = nlkit([
        "-n",
        ns,
        "ntable",
        "change",
        "name",
        "arp_cache",
        "dev",
        "t0",
        "queue",
        "17",
        "retrans",
        "0x200",
      ]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""]);
      const t0 = ip(ns, "ntable", "show", "dev", "t0", "name", "arp_cache");
      assert.match(t0, /retrans 512 /);
      assert.match(t0, /queue 17 /);
      assert.doesNotMatch(ip(ns, "ntable", "show", "dev", "t1"), /queue 17 /);
      same(ns, ["ntable", "show", "dev", "t0"]);
      for (
        const args of [
          ["ntable", "change", "queue", "5"], // no name
          ["ntable", "change", "name", "arp_cache"], // nothing to change
          ["ntable", "change", "name", "arp_cache", "queue", "x"],
          ["ntable", "change", "name", "arp_cache", "queue", "4294967296"],
          ["ntable", "change", "name", "arp_cache", "name", "x", "queue", "4"],
          ["ntable", "change", "name", "arp_cache", "bogus", "1"],
          ["ntable", "change", "name", "arp_cache", "dev", "nosuch", "queue", "5"],
          ["ntable", "change", "name", "arp_cache", "thresh1", "10"], // the kernel: initial namespace only
          ["ntable", "change", "name", "nosuch", "queue", "5"],
          ["-6", "ntable", "change", "name", "arp_cache", "queue", "5"], // no IPv6 table of that name
          ["ntable", "show", "dev", "nosuch"],
          ["ntable", "show", "bogus"],
        ]
      ) {
        same(ns, args, args.includes("change") && args.includes("dev") ? 1 : undefined);
      }
    });
  },
);
