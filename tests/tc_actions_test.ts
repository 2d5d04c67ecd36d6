/**
 * Shared actions (`tc actions`): created by nlkit or by tc, bound to a
 * filter by index, listed and fetched with statistics identically by both,
 * and deleted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { have, ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { nlkit } from "./_cli.ts";
import { maskCounters, words } from "./_tc.ts";
import { getAction, listActions, modifyActions } from "../src/route/tc/actions.ts";
import type { MirredOptions } from "../src/route/tc/action/mirred.ts";

const skip = NEEDS_ROOT || (have("tc") ? false : "needs tc (iproute2)");

function ours(ns: string, ...args: string[]): string {
  const r = nlkit(["-n", ns, ...args]);
  assert.equal(r.code, 0, `nlkit -n ${ns} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const SHOWS = [
  ["actions", "ls", "action", "mirred"],
  ["actions", "get", "action", "mirred", "index", "5"],
  ["actions", "get", "action", "mirred", "index", "6"],
];

function compare(ns: string, what: string): void {
  for (const show of SHOWS) {
    for (const flags of [["-j", "-s"], ["-j"], ["-s"], []]) {
      const theirs = run("tc", ["-n", ns, ...flags, ...show]);
      const mine = ours(ns, ...flags, "tc", "action", ...show.slice(1));
      assert.equal(maskCounters(mine), maskCounters(theirs), `${what}: ${flags.join(" ")} ${show.join(" ")}`);
    }
  }
}

test("shared actions: nlkit and tc create, list and get them alike", { skip }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    run("tc", ["-n", ns, ...words("actions add action mirred egress redirect dev v1 index 5")]);
    ours(ns, ...words("tc action add action mirred egress mirror dev v1 index 6"));
    run("tc", ["-n", ns, ...words("qdisc add dev v0 clsact")]);
    ours(ns, ...words("tc filter add dev v0 ingress protocol all prio 1 u32 match u32 0 0 action mirred index 5"));
    compare(ns, "after binding");
    const all = await listActions("mirred", { netns: ns });
    assert.deepEqual(all.map((a) => (a.options as MirredOptions).index), [5, 6]);
    const five = await getAction("mirred", 5, { netns: ns });
    assert.equal((five.options as MirredOptions).bindcnt, 1, "the filter holds index 5");
    // Deleting a bound action is refused; an unbound one goes.
    await assert.rejects(modifyActions("delete", [{ kind: "mirred", index: 5 }], { netns: ns }));
    ours(ns, ...words("tc action del action mirred index 6"));
    assert.deepEqual((await listActions("mirred", { netns: ns })).map((a) => (a.options as MirredOptions).index), [5]);
    const r = nlkit(["-n", ns, "tc", "action", "get", "action", "mirred", "index", "6"]);
    assert.equal(r.code, 1);
  });
});
