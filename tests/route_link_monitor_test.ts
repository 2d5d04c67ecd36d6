/**
 * What `monitor` reads besides link events: netconf messages and rtmon
 * dumps (a capture of iproute2's `rtmon` in a fresh namespace), decoded
 * from bytes and fuzzed; netconf events live from the kernel.
 *
 * @module
 */

import { test } from "node:test";
import { isTyped } from "./_fuzz.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { readRtmon } from "../src/route/rtmon.ts";
import { parseNetconfMessage } from "../src/route/netconf.ts";
import { subscribeMonitor, subscribeNetconf } from "../src/route/monitor_events.ts";
import { createLink } from "../src/route/link/change.ts";
import { TruncatedError } from "../src/wire/errors.ts";
import { readMessage } from "../src/wire/message.ts";
import { unhex } from "./_vectors.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { InvalidArgumentError } from "../src/errors.ts";

const DUMP = unhex(
  readFileSync(new URL("./fixtures/rtmon_dump.hex", import.meta.url), "utf8").split("\n").filter((l) =>
    !l.startsWith("#")
  ).join(""),
);

test("rtmon dump: time records, the initial link dump, netconf and link events in order", () => {
  const recs = readRtmon(DUMP);
  const shape = recs.map((r) => r.type === "timestamp" ? "ts" : r.type === "other" ? "other" : `${r.type} ${r.kind}`);
  assert.deepEqual(shape.filter((s) => s !== "ts"), [
    "new link",
    "new netconf",
    "new netconf",
    "new link",
    "new netconf",
    "new netconf",
    "new link",
    "new netconf",
    "del netconf",
    "del netconf",
    "del link",
    "del netconf",
    "del netconf",
    "del link",
  ]);
  // rtmon stamps every live event, not the initial dump.
  assert.equal(shape[0], "ts");
  assert.equal(shape.filter((s) => s === "ts").length, 14);
  const first = recs[0];
  assert.ok(first.type === "timestamp" && first.sec > 1_700_000_000 && first.usec < 1_000_000);
  const lo = recs[1];
  assert.ok(lo.type === "new" && lo.kind === "link" && lo.object.name === "lo");
  const nc = recs.flatMap((r) =>
    r.type !== "timestamp" && r.type !== "other" && r.kind === "netconf" ? [r.object] : []
  );
  assert.deepEqual(nc[0], {
    family: "inet",
    ifindex: 2,
    forwarding: 0,
    rpFilter: 0,
    mcForwarding: 0,
    proxyNeigh: 0,
    ignoreRoutesWithLinkdown: 0,
    bcForwarding: 0,
  });
  // The sysctl change carries only what changed.
  assert.deepEqual(nc.find((c) => c.forwarding === 1), {
    family: "inet",
    ifindex: 3,
    forwarding: 1,
  });
});

test("rtmon dump: a cut or damaged dump gives a typed error, never a hang or a crash", () => {
  assert.throws(() => readRtmon(DUMP.subarray(0, DUMP.length - 3)), TruncatedError);
  assert.deepEqual(readRtmon(new Uint8Array()), []);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(DUMP.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }),
      fc.nat(DUMP.length),
      (edits, cut) => {
        const b = DUMP.slice(0, cut);
        for (const [at, v] of edits) if (at < b.length) b[at] = v;
        try {
          readRtmon(b);
        } catch (e) {
          if (!isTyped(e)) throw e;
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test("netconf: a header shorter than netconfmsg is a TruncatedError", () => {
  const b = unhex("12000000 5000 0000 00000000 00000000 0200");
  assert.throws(() => parseNetconfMessage(readMessage(b, new DataView(b.buffer), 0, b.length)), TruncatedError);
});

test(
  "netconf events: a device's settings when it appears and when a sysctl changes",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      await using events = await subscribeNetconf({ netns: ns, families: ["inet"] });
      await createLink({ kind: "veth", name: "m0", peer: { name: "m1" } }, { netns: ns });
      run("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.m0.forwarding=1"]);
      const index = Number(ip(ns, "-o", "link", "show", "m0").split(":")[0]);
      for await (const ev of events) {
        if (ev.type === "overrun") continue;
        assert.equal(ev.object.family, "inet", "only the family asked for");
        if (ev.object.ifindex === index && ev.object.forwarding === 1) break;
      }
      // Route events and netconf on one socket keep the kernel's order: the netconf of a new link comes first.
      await using both = await subscribeMonitor({ groups: ["link"], netconf: ["inet", "inet6"], nsid: true }, {
        netns: ns,
      });
      await createLink({ kind: "veth", name: "m2", peer: { name: "m3" } }, { netns: ns });
      const kinds: string[] = [];
      for await (const ev of both) {
        if (ev.type === "overrun") continue;
        kinds.push(ev.kind);
        if (ev.kind === "link" && ev.object.name === "m2") break;
      }
      assert.equal(kinds[0], "netconf");
      assert.ok(kinds.includes("link"));
      await assert.rejects(subscribeNetconf({ families: ["ipx" as "inet"] }), InvalidArgumentError);
    });
  },
);
