/**
 * Conntrack events: captured NFNLGRP_CONNTRACK_* messages classified,
 * group selection, fuzzing of the parser, and live events from conntrack -I/-U/-D.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";
import {
  type ConntrackEvent,
  conntrackEventGroups,
  parseConntrackEvent,
  subscribeConntrack,
} from "../src/netfilter/conntrack/events.ts";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import { createExpect, deleteExpect } from "../src/netfilter/conntrack/expect_ops.ts";
import { createConntrack, deleteConntrack, updateConntrack } from "../src/netfilter/conntrack/ops.ts";
import { spawn } from "node:child_process";
import { formatConntrack } from "../src/netfilter/conntrack/format.ts";
import { NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";
import { assertOnlyTypedErrors } from "./_fuzz.ts";
import { hexMessage, unhex } from "./_vectors.ts";

// Events captured from Linux 6.18 (NFNLGRP_CONNTRACK_*): an entry created
// (NLM_F_CREATE|NLM_F_EXCL), then its mark changed, then it was deleted.
const EV_NEW =
  "f400000000010006000000009c37af80020000003400018014000180080001000a000001080002000a0000021c00028005000100" +
  "06000000060002009c40000006000300001500003400028014000180080001000a000002080002000a0000011c00028005000100" +
  "060000000600020000150000060003009c40000008000c0089d3ccd40800030000002008080007000000012c300004802c000180" +
  "050001000300000005000200000000000500030000000000060004000000000006000500000000000c0005800800010066747000" +
  "1c0018800800010000000000080002000000000008000300000000000800080000000000";
const EV_DESTROY =
  "ac00000002010000000000009c37af80020000003400018014000180080001000a000001080002000a0000021c00028005000100" +
  "06000000060002009c40000006000300001500003400028014000180080001000a000002080002000a0000011c00028005000100" +
  "060000000600020000150000060003009c40000008000c0089d3ccd40800030000002208080007000000012b100004800c000180" +
  "05000100030000000800080000000005";
const EV_EXP_DESTROY =
  "d800000002020000000000009c37af80020000003400028014000180080001000a000002080002000a0000011c00028005000100" +
  "06000000060002000000000006000300c3500000340003801400018008000100ffffffff08000200ffffffff1c00028005000100" +
  "06000000060002000000000006000300ffff00003400018014000180080001000a000001080002000a0000021c00028005000100" +
  "06000000060002009c4000000600030000150000080004000000012c08000500eda64ef008000800000000000800090000000000" +
  "0800060066747000";

test("classifies captured events: NEW with CREATE|EXCL is new, without is update", () => {
  const created = parseConntrackEvent(hexMessage(EV_NEW));
  assert.equal(created?.type, "new");
  assert.ok(created && "entry" in created);
  assert.deepEqual(created.entry.orig, { src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 21 });
  assert.equal(created.entry.helper, "ftp");

  const updated = parseConntrackEvent(hexMessage(EV_NEW, 0));
  assert.equal(updated?.type, "update");

  const destroyed = parseConntrackEvent(hexMessage(EV_DESTROY));
  assert.equal(destroyed?.type, "destroy");
  assert.ok(destroyed && "entry" in destroyed);
  assert.equal(destroyed.entry.mark, 5);

  const exp = parseConntrackEvent(hexMessage(EV_EXP_DESTROY));
  assert.equal(exp?.type, "expect-destroy");
  assert.ok(exp && "expect" in exp);
  assert.equal(exp.expect.tuple.dport, 50000);
  assert.equal(
    parseConntrackEvent(hexMessage(EV_EXP_DESTROY.slice(0, 8) + "0002" + EV_EXP_DESTROY.slice(12), 0x600))?.type,
    "expect-new",
  );

  // Another nfnetlink subsystem (here NFQUEUE) is not a conntrack event.
  assert.equal(parseConntrackEvent(hexMessage(EV_NEW.slice(0, 8) + "0003" + EV_NEW.slice(12))), undefined);
});

test("event groups follow the selection; bad selections throw", async () => {
  assert.deepEqual(conntrackEventGroups(), [1, 2, 3]);
  assert.deepEqual(conntrackEventGroups({ events: ["destroy"] }), [3]);
  assert.deepEqual(conntrackEventGroups({ events: ["new", "destroy"], expectations: true }), [1, 4, 3, 6]);
  assert.throws(() => conntrackEventGroups({ events: [] }), InvalidArgumentError);
  await assert.rejects(subscribeConntrack({ events: ["created" as "new"] }), /Unknown conntrack event: "created"/);
  await assert.rejects(subscribeConntrack({ receiveBuffer: -1 }), InvalidArgumentError);
  await assert.rejects(subscribeConntrack({ netns: "x" } as never), /netns is an option/);
  await assert.rejects(subscribeConntrack({}, { nets: "x" } as never), /did you mean "netns"/);
});

test("parseConntrackEvent throws only typed errors on random and mutated bytes", () => {
  const seeds = [EV_NEW, EV_DESTROY, EV_EXP_DESTROY].map(unhex);
  assertOnlyTypedErrors(seeds, [parseConntrackEvent], {
    numRuns: 5000,
    maxLength: 300,
    maxEdits: 8,
    typed: [TruncatedError, MalformedError, TypeError],
  });
});

function conntrack(ns: string, ...args: string[]): void {
  run("ip", ["netns", "exec", ns, "conntrack", ...args]);
}

/** Collects events until `until` says stop (or a deadline passes). */
async function collect(
  sub: AsyncIterable<ConntrackEvent>,
  ac: AbortController,
  until: (got: ConntrackEvent[]) => boolean,
): Promise<ConntrackEvent[]> {
  const got: ConntrackEvent[] = [];
  const timer = setTimeout(() => ac.abort(), 3000);
  try {
    for await (const ev of sub) {
      got.push(ev);
      if (until(got)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

test("events arrive once each for conntrack -I, -U and -D", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const ac = new AbortController();
    const sub = await subscribeConntrack({ signal: ac.signal }, { netns: ns });
    const t = ["-p", "udp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "4000", "--dport", "53"];
    conntrack(ns, "-I", ...t, "-t", "60");
    conntrack(ns, "-U", ...t, "-m", "42");
    conntrack(ns, "-D", ...t);
    // A sentinel after the three: everything before it has been delivered.
    await createConntrack(
      { proto: "tcp", orig: { src: "10.7.0.9", dst: "10.7.0.8", sport: 1, dport: 2 }, timeout: 5 },
      { netns: ns },
    );
    const got = await collect(sub, ac, (g) => g.some((e) => "entry" in e && e.entry.orig.src === "10.7.0.9"));
    const mine = got.filter((e) => "entry" in e && e.entry.orig.src === "10.7.0.1");
    assert.deepEqual(mine.map((e) => e.type), ["new", "update", "destroy"]);
    const [n, u, d] = mine.map((e) => (e as { entry: { mark?: number; status: string[]; orig: object } }).entry);
    assert.deepEqual(n.orig, { src: "10.7.0.1", dst: "10.7.0.2", sport: 4000, dport: 53 });
    assert.equal(u.mark, 42);
    assert.ok(d.status.includes("DYING"));
    assert.equal(got.filter((e) => e.type === "overrun").length, 0);
  });
});

test("only the selected events arrive, and expectation events when asked", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const ac = new AbortController();
    await using sub = await subscribeConntrack({ events: ["new", "destroy"], expectations: true, signal: ac.signal }, {
      netns: ns,
    });
    const master = { src: "10.0.0.1", dst: "10.0.0.2", sport: 40000, dport: 21 };
    await createConntrack({ proto: "tcp", orig: master, timeout: 300, tcpState: "ESTABLISHED", helper: "ftp" }, {
      netns: ns,
    });
    conntrack(
      ns,
      "-U",
      "-p",
      "tcp",
      "-s",
      "10.0.0.1",
      "-d",
      "10.0.0.2",
      "--sport",
      "40000",
      "--dport",
      "21",
      "-m",
      "1",
    );
    const tuple = { src: "10.0.0.2", dst: "10.0.0.1", sport: 0, dport: 50000 };
    await createExpect({ proto: "tcp", master, tuple, timeout: 60 }, { netns: ns });
    await deleteExpect({ proto: "tcp", tuple }, { netns: ns });
    conntrack(ns, "-D", "-p", "tcp", "-s", "10.0.0.1");
    const got = await collect(sub, ac, (g) => g.some((e) => e.type === "destroy"));
    assert.deepEqual(got.map((e) => e.type), ["new", "expect-new", "expect-destroy", "destroy"]);
    const x = got[1] as { expect: { tuple: object; master: object } };
    assert.deepEqual(x.expect.tuple, tuple);
    assert.deepEqual(x.expect.master, master);
  });
});

test("a tiny receive buffer reports an overrun, and the stream goes on", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const ac = new AbortController();
    const sub = await subscribeConntrack({ events: ["new"], receiveBuffer: 4096, signal: ac.signal }, { netns: ns });
    const specs = Array.from({ length: 500 }, (_, i) => ({
      proto: "udp",
      orig: { src: "10.8.0.1", dst: "10.8.0.2", sport: 1000 + i, dport: 53 },
      timeout: 60,
    }));
    const r = await createConntrackMany(specs, {}, { netns: ns });
    assert.equal(r.created, 500);
    const it = sub[Symbol.asyncIterator]();
    let news = 0;
    for (;;) {
      const { value, done } = await it.next();
      assert.ok(!done, "an overrun item before the stream ends");
      if (value.type === "overrun") break;
      news++;
    }
    // Drain what was queued (until the stream is idle), then show that later events still arrive.
    let pending = it.next();
    for (;;) {
      const r = await Promise.race([pending, new Promise((res) => setTimeout(() => res("idle"), 200))]);
      if (r === "idle") break;
      news++;
      pending = it.next();
    }
    await createConntrack(
      { proto: "tcp", orig: { src: "10.8.0.9", dst: "10.8.0.8", sport: 1, dport: 2 }, timeout: 5 },
      { netns: ns },
    );
    const timer = setTimeout(() => ac.abort(), 3000);
    const { value: after } = await pending;
    clearTimeout(timer);
    await it.return!();
    assert.ok(after && "entry" in after && after.entry.orig.src === "10.8.0.9", "an event after the overrun");
    assert.ok(news < 500, `some events were lost (${news} of 500 arrived)`);
  });
});

test(
  "reliable mode: destroy events the buffer could not take are redelivered, none lost",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const N = 300;
      const specs = Array.from({ length: N }, (_, i) => ({
        proto: "udp",
        orig: { src: "10.6.0.1", dst: "10.6.0.2", sport: 1000 + i, dport: 53 },
        timeout: 60,
      }));
      const ac = new AbortController();
      const sub = await subscribeConntrack({
        events: ["destroy"],
        receiveBuffer: 16384,
        reliable: true,
        signal: ac.signal,
      }, {
        netns: ns,
      });
      // Entries made while nobody listens carry no event cache, so create them after subscribing.
      assert.equal((await createConntrackMany(specs, {}, { netns: ns })).created, N);
      conntrack(ns, "-F"); // N destroy events at once, far more than the buffer holds
      const got = await collect(sub, ac, (g) => g.filter((e) => e.type === "destroy").length === N);
      assert.equal(got.filter((e) => e.type === "overrun").length, 0);
      const ports = new Set(got.map((e) => ("entry" in e ? e.entry.orig.sport : -1)));
      assert.equal(ports.size, N);
    });
  },
);

test("event lines render exactly as conntrack -E prints them", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const ac = new AbortController();
    const sub = await subscribeConntrack({ signal: ac.signal }, { netns: ns });
    const oracle = spawn("ip", ["netns", "exec", ns, "conntrack", "-E"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    oracle.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    const sentinel = (sport: number) =>
      createConntrack({ proto: "udp", orig: { src: "10.7.9.9", dst: "10.7.9.8", sport, dport: 9 }, timeout: 30 }, {
        netns: ns,
      });
    const seen = async (sport: number) => {
      for (let i = 0; i < 100; i++) {
        if (out.includes(`sport=${sport} dport=9`)) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    };
    try {
      // Wait until conntrack -E is subscribed: it shows an event made after it started.
      let ready = false;
      for (let i = 0; i < 20 && !ready; i++) {
        await sentinel(100 + i);
        ready = await seen(100 + i);
      }
      assert.ok(ready, "conntrack -E is listening");
      const t = ["-p", "tcp", "-s", "10.7.0.1", "-d", "10.7.0.2", "--sport", "40000", "--dport", "8080"];
      conntrack(ns, "-I", ...t, "--state", "SYN_SENT", "-t", "300", "--mark", "70000", "-w", "300");
      // conntrack -U/-D take no zone: ours do.
      const key = { proto: "tcp", orig: { src: "10.7.0.1", dst: "10.7.0.2", sport: 40000, dport: 8080 }, zone: 300 };
      await updateConntrack({ ...key, mark: 80000 }, { netns: ns });
      assert.ok(await deleteConntrack(key, { netns: ns }));
      await sentinel(999);
      assert.ok(await seen(999));
      const got = await collect(sub, ac, (g) => g.some((e) => "entry" in e && e.entry.orig.sport === 999));
      const ours = got.flatMap((e) =>
        "entry" in e && e.entry.orig.src === "10.7.0.1"
          ? [
            formatConntrack(e.entry, { event: e.type.toUpperCase() as "NEW" | "UPDATE" | "DESTROY", portid: e.portid }),
          ]
          : []
      );
      // conntrack -E adds progname= when it finds the requesting process in /proc in time: not comparable.
      const theirs = out.split("\n").filter((l) => l.includes("src=10.7.0.1")).map((l) =>
        l.replace(/ progname=\S+$/, "")
      );
      assert.equal(ours.length, 3);
      assert.deepEqual(ours, theirs);
      // All three came from userspace requests: conntrack -I, then ours.
      assert.match(
        ours[0],
        // The timeout is what is left when the event is made: 300, or 299 when a second has just turned.
        /^ {4}\[NEW\] tcp {6}6 (300|299) SYN_SENT src=10\.7\.0\.1 .* mark=70000 zone=300 \[USERSPACE\] portid=\d+$/,
      );
      assert.match(ours[1], /^ \[UPDATE\] tcp .* mark=80000 zone=300 \[USERSPACE\] portid=\d+$/);
      assert.match(ours[2], /^\[DESTROY\] tcp .* mark=80000 zone=300 \[USERSPACE\] portid=\d+$/);
    } finally {
      oracle.kill();
    }
  });
});
