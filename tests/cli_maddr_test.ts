/**
 * `nlkit maddr add|del` against `ip maddr` in the same namespace: the static
 * entries each adds are the ones the other lists and removes, and the
 * refusals (bad address, missing dev, missing entry or device) are ip's.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nlkit, ok } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { multicastIfreq } from "../src/route/link/maddr_change.ts";
import { InvalidArgumentError } from "../src/errors.ts";

function ipRun(ns: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const statics = (ns: string, dev: string) =>
  ip(ns, "maddr", "show", "dev", dev).split("\n").filter((l) => l.includes("static")).map((l) => l.trim());

test("maddr add|del change what ip maddr shows, and ip's changes are nlkit's", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ok(ns, "maddr", "add", "33:33:00:00:00:07", "dev", "v0");
    ok(ns, "maddr", "add", "address", "33:33:00:00:00:08", "dev", "v0");
    ip(ns, "maddr", "add", "33:33:00:00:00:09", "dev", "v0");
    assert.deepEqual(statics(ns, "v0"), [
      "link  33:33:00:00:00:07 static",
      "link  33:33:00:00:00:08 static",
      "link  33:33:00:00:00:09 static",
    ]);
    assert.deepEqual(statics(ns, "v1"), [], "only the named link changed");
    assert.equal(ok(ns, "maddr", "show", "dev", "v0"), ip(ns, "maddr", "show", "dev", "v0"));
    ok(ns, "maddr", "del", "33:33:00:00:00:09", "dev", "v0");
    ip(ns, "maddr", "del", "33:33:00:00:00:07", "dev", "v0");
    assert.deepEqual(statics(ns, "v0"), ["link  33:33:00:00:00:08 static"]);
  });
});

test("maddr add|del refuse what ip refuses, with ip's words", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    for (
      const args of [
        ["maddr", "del", "33:33:00:00:00:07", "dev", "v0"], // no such entry: ENOENT
        ["maddr", "add", "33:33:00:00:00:07", "dev", "nosuch"], // ENODEV
        ["maddr", "add", "zz", "dev", "v0"],
        ["maddr", "add", "224.1.1.1", "dev", "v0"],
        ["maddr", "add", "33:33:00:00:00:07"],
        ["maddr", "add", "33:33:00:00:00:07", "33:33:00:00:00:08", "dev", "v0"],
        ["maddr", "add", "33:33:00:00:00:07", "dev", "v0", "dev", "v1"],
      ]
    ) {
      const theirs = ipRun(ns, args);
      const ours = nlkit(["-n", ns, ...args]);
      assert.notEqual(theirs.code, 0, args.join(" "));
      // A failed ioctl exits 1 in both; bad input is nlkit's usage error (2) where ip exits 1 or 255.
      const want = theirs.stderr.startsWith("ioctl") ? 1 : 2;
      assert.equal(ours.code, want, `${args.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stderr.trim(), theirs.stderr.trim(), args.join(" "));
    }
    assert.deepEqual(statics(ns, "v0"), [], "nothing was added by a refused command");
  });
});

test("maddr ifreq: name, AF_UNSPEC, then the six address bytes; other lengths refused", () => {
  const ifr = multicastIfreq("v0", "33:33:00:00:00:07");
  assert.equal(ifr.length, 40);
  assert.deepEqual([...ifr.subarray(0, 3)], [0x76, 0x30, 0]);
  assert.deepEqual([...ifr.subarray(16, 24)], [0, 0, 0x33, 0x33, 0, 0, 0, 7]);
  assert.throws(() => multicastIfreq("v0", "33:33:00:00:07"), /Invalid address length 5/);
  assert.throws(() => multicastIfreq("v0", "zz"), InvalidArgumentError);
  assert.throws(() => multicastIfreq("a-name-that-is-too-long", "33:33:00:00:00:07"), /Invalid/);
});
