/**
 * `nlkit genl` against iproute2's `genl ctrl` in the same namespace.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { nlkit, ok } from "./_cli.ts";
import { NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

test("genl list and get print what genl ctrl prints", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const genl = (...args: string[]) => run("ip", ["netns", "exec", ns, "genl", ...args]);
    assert.equal(ok(ns, "genl", "ctrl", "list"), genl("ctrl", "list"));
    assert.equal(ok(ns, "genl", "list"), genl("ctrl", "list"));
    assert.equal(ok(ns, "genl", "ctrl", "ls"), genl("ctrl", "list"));
    assert.equal(ok(ns, "genl", "ctrl", "get", "name", "nlctrl"), genl("ctrl", "get", "name", "nlctrl"));
    assert.equal(ok(ns, "genl", "ctrl", "get", "id", "0x10"), genl("ctrl", "get", "id", "0x10"));
    const j = JSON.parse(ok(ns, "-j", "genl", "list"));
    const ctrl = j.find((f: { name: string }) => f.name === "nlctrl");
    assert.equal(ctrl.id, 16);
    assert.deepEqual(ctrl.mcast_groups, [{ name: "notify", id: 16 }]);
  });
});

test("genl usage errors exit 2, an unknown family exits 1", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const cases: [string[], number, RegExp][] = [
      [["genl", "ctrl", "frob"], 2, /"frob"/],
      [["genl", "ctrl", "get", "nick", "x"], 2, /"nick"/],
      [["genl", "ctrl", "get", "id", "abc"], 2, /family id/],
      [["genl", "ctrl", "list", "extra"], 2, /"extra"/],
      [["genl", "ctrl", "monitor"], 2, /monitor/],
      [["genl", "ctrl", "get", "name", "nosuchfamily"], 1, /.+/],
    ];
    for (const [args, code, re] of cases) {
      const r = nlkit(["-n", ns, ...args]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re, args.join(" "));
    }
  });
});
