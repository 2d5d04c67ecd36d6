/**
 * `nlkit tc` where the kernel's tc test suite (tdc, tests/tdc_suite.ts)
 * found it parting from tc: tc's own options after `tc`, `tc actions flush`,
 * deleting several actions in one command, and mirred's `index` before
 * `dev`. Each is compared with tc in a fresh namespace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { have, ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

function tc(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("tc", args, { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("tc's options after `tc` (-s -d -j -p -n NS) list as tc lists with them", { skip }, async () => {
  await withTempNetns((ns) => {
    // A device left down: its counters cannot move between the two listings.
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    assert.equal(tc("-n", ns, "qdisc", "add", "dev", "t0", "handle", "1:", "root", "pfifo_fast").code, 0);
    for (const opts of [["-s"], ["-statistics", "-d"], ["-j", "-p"], ["-s", "-j"]]) {
      const want = tc(...opts, "-n", ns, "qdisc", "show", "dev", "t0");
      const got = nlkit(["tc", ...opts, "-netns", ns, "qdisc", "show", "dev", "t0"]);
      assert.equal(want.code, 0, want.stderr);
      assert.deepEqual([got.code, got.stdout, got.stderr], [0, want.stdout, ""], opts.join(" "));
    }
    assert.match(nlkit(["tc", "-s", "-n", ns, "qdisc", "show", "dev", "t0"]).stdout, /Sent 0 bytes 0 pkt/);
  });
});

test("tc options tc has and nlkit tc does not apply, unknown ones and missing values exit 2", () => {
  const cases: [string[], RegExp][] = [
    [["tc", "-raw", "qdisc"], /Option "-raw" is not supported by nlkit tc/],
    [["tc", "-b", "file"], /Option "-batch" is not supported by nlkit tc/],
    [["tc", "-zz", "qdisc"], /Option "-zz" is unknown, try "tc -help"/],
    [["tc", "-n"], /Missing value after "-n"/],
  ];
  for (const [args, message] of cases) {
    const r = nlkit(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
  }
});

/** Adds mirred actions with these indexes with tc, mirroring to lo. */
function mirrors(ns: string, ...indexes: number[]): void {
  for (const i of indexes) {
    const r = tc("-n", ns, "actions", "add", "action", "mirred", "egress", "mirror", "dev", "lo", "index", String(i));
    assert.equal(r.code, 0, r.stderr);
  }
}

const indexes = (ns: string): number[] =>
  JSON.parse(tc("-j", "-n", ns, "actions", "list", "action", "mirred").stdout)
    .flatMap((m: { actions?: { index: number }[] }) => m.actions ?? []).map((a: { index: number }) => a.index)
    .sort((a: number, b: number) => a - b);

test("tc actions flush deletes every action of the kind, as tc's does", { skip }, async () => {
  await withTempNetns((ns) => {
    mirrors(ns, 1, 2, 3);
    assert.deepEqual(indexes(ns), [1, 2, 3]);
    const r = nlkit(["tc", "-n", ns, "actions", "flush", "action", "mirred"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""]);
    assert.deepEqual(indexes(ns), []);
    assert.equal(nlkit(["tc", "-n", ns, "actions", "flush", "action", "mirred", "index", "1"]).code, 2);
  });
});

test("tc actions del deletes several actions in one command, and only those", { skip }, async () => {
  await withTempNetns((ns) => {
    mirrors(ns, 1, 2, 3, 4);
    const r = nlkit([
      "tc",
      "-n",
      ns,
      "actions",
      "del",
      "action",
      "mirred",
      "index",
      "1",
      "action",
      "mirred",
      "index",
      "3",
    ]);
    assert.deepEqual([r.code, r.stderr], [0, ""]);
    assert.deepEqual(indexes(ns), [2, 4]);
    const missing = nlkit(["tc", "-n", ns, "actions", "del", "action", "mirred", "index", "2", "action", "mirred"]);
    assert.equal(missing.code, 2);
    assert.deepEqual(indexes(ns), [2, 4]);
  });
});

test("mirred takes its index before dev, and refuses a second one, as tc does", { skip }, async () => {
  await withTempNetns(async (a) => {
    await withTempNetns((b) => {
      const add = ["actions", "add", "action", "mirred", "egress", "redirect", "index", "7", "dev", "lo"];
      assert.equal(tc("-n", a, ...add).code, 0);
      assert.equal(nlkit(["tc", "-n", b, ...add]).code, 0);
      const get = ["actions", "get", "action", "mirred", "index", "7"];
      assert.equal(tc("-n", b, ...get).stdout, tc("-n", a, ...get).stdout);
      assert.match(tc("-n", b, ...get).stdout, /mirred \(Egress Redirect to device lo\) stolen\s+index 7 ref/);
      const twice = ["actions", "add", "action", "mirred", "egress", "mirror", "index", "8", "dev", "lo", "index", "9"];
      assert.notEqual(tc("-n", a, ...twice).code, 0);
      const r = nlkit(["tc", "-n", b, ...twice]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /mirred: Illegal double index/);
      assert.deepEqual(indexes(b), [7]);
    });
  });
});

test(
  "without root or parent, tc's parent 0: a filter goes on the root qdisc, a qdisc is found by handle",
  { skip },
  async () => {
    await withTempNetns((ns) => {
      ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
      const setup = [
        ["qdisc", "add", "dev", "t0", "root", "handle", "1:", "htb", "default", "10"],
        ["class", "add", "dev", "t0", "parent", "1:", "classid", "1:10", "htb", "rate", "10mbit"],
        ["qdisc", "add", "dev", "t0", "parent", "1:10", "handle", "10:", "pfifo"],
      ];
      for (const args of setup) assert.equal(tc("-n", ns, ...args).code, 0, args.join(" "));
      const filter = ["dev", "t0", "protocol", "ip", "prio", "3", "u32", "match", "ip", "dport", "81", "0xffff"];
      const added = nlkit(["-n", ns, "tc", "filter", "add", ...filter, "flowid", "1:10"]);
      assert.deepEqual([added.code, added.stderr], [0, ""]);
      assert.match(tc("-n", ns, "filter", "show", "dev", "t0", "parent", "1:").stdout, /pref 3 u32 .*flowid 1:10/);
      const deleted = nlkit(["-n", ns, "tc", "filter", "del", "dev", "t0", "prio", "3"]);
      assert.deepEqual([deleted.code, deleted.stderr], [0, ""]);
      assert.equal(tc("-n", ns, "filter", "show", "dev", "t0", "parent", "1:").stdout, "");
      // A qdisc without root or parent: the kernel's answers to tc's parent 0, never the root's.
      for (
        const args of [
          ["qdisc", "add", "dev", "t0", "handle", "5:", "pfifo"],
          ["qdisc", "del", "dev", "t0", "handle", "10:"],
          ["qdisc", "del", "dev", "t0", "handle", "99:"],
          ["qdisc", "del", "dev", "t0", "handle", "1:"],
        ]
      ) {
        const want = tc("-n", ns, ...args);
        const got = nlkit(["-n", ns, "tc", ...args]);
        assert.notEqual(want.code, 0, args.join(" "));
        assert.deepEqual([got.code, got.stderr], [
          1,
          want.stderr.replace("We have an error talking to the kernel\n", ""),
        ]);
      }
      assert.match(tc("-n", ns, "qdisc", "show", "dev", "t0").stdout, /qdisc htb 1: root/);
    });
  },
);
