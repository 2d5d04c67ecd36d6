/**
 * Bulk conntrack inserts against the kernel: `createConntrackMany` asks for
 * one ack per window only, so a refusal must still come back with the index
 * of its spec, and every other entry must exist (compared with `conntrack -L`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import { createConntrack } from "../src/netfilter/conntrack/ops.ts";
import type { ConntrackSpec } from "../src/netfilter/conntrack/spec.ts";

const spec = (i: number): ConntrackSpec => ({
  proto: i % 2 ? "udp" : "tcp",
  orig: {
    src: i % 4 < 2 ? "10.9.0.1" : "fd00::1",
    dst: i % 4 < 2 ? "10.9.0.2" : "fd00::2",
    sport: 2000 + i,
    dport: 80,
  },
  timeout: 300,
});

test(
  "createConntrackMany reports each refusal with its spec's index and creates all the others",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const taken = [0, 5, 63, 64, 199]; // first, inside, last of a window, first of the next, last of all
      for (const i of taken) await createConntrack(spec(i), { netns: ns });
      const specs = Array.from({ length: 200 }, (_, i) => spec(i));
      const r = await createConntrackMany(specs, { window: 64 }, { netns: ns });
      assert.deepEqual(r.failed.map((f) => f.index), taken);
      for (const f of r.failed) assert.ok(f.error instanceof NetlinkError && f.error.errno === 17, String(f.error));
      assert.equal(r.created, 200 - taken.length);
      const lines = run("ip", ["netns", "exec", ns, "conntrack", "-L"]).trim().split("\n");
      const ports = lines.map((l) => Number(/sport=(\d+)/.exec(l)![1]) - 2000).sort((a, b) => a - b);
      assert.deepEqual(ports, specs.map((_, i) => i));
    });
  },
);
