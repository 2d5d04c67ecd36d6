/**
 * Subscriptions against the real kernel: `return()` with a pending `next()`
 * on every subscription kind (no fd leak), a notification that cannot be
 * parsed, and storms with a slow consumer that re-lists on each overrun
 * and must end at the exact state of the kernel's table.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import {
  type ConntrackEvent,
  type ConntrackSpec,
  createConntrack,
  createConntrackMany,
  listAddresses,
  listConntrack,
  NETLINK_NETFILTER,
  NetlinkSocket,
  type RouteEvent,
  subscribeConntrack,
  subscribeRoute,
  watchRoute,
} from "../mod.ts";
import { have, ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

const fds = () => readdirSync("/proc/self/fd").length;
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

test(
  "return() with a pending next() settles and closes, on every subscription kind",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const shared = await NetlinkSocket.open(NETLINK_NETFILTER, { netns: ns });
      try {
        const kinds: [string, () => Promise<AsyncIterator<unknown>>][] = [
          ["subscribeRoute", () => subscribeRoute(["link"], { netns: ns })],
          ["watchRoute", async () => {
            const w = await watchRoute(["rule"], { netns: ns });
            for (;;) if ((await w.next()).value?.type === "synced") return w; // past the dump: now waiting
          }],
          ["subscribeConntrack", () => subscribeConntrack({}, { netns: ns })],
          ["subscribeConntrack on a shared socket", () => subscribeConntrack({}, { socket: shared })],
        ];
        for (const [name, open] of kinds) {
          const warm = await open(); // the poller's eventfd and the like are made once
          warm.next();
          await tick(5);
          await warm.return!();
          const before = fds();
          for (let i = 0; i < 20; i++) {
            const sub = await open();
            const pending = sub.next();
            await tick(5);
            const returned = await Promise.race([sub.return!(), tick(2000).then(() => "hung")]);
            assert.notEqual(returned, "hung", `${name}: return() settled`);
            assert.deepEqual(await pending, { done: true, value: undefined }, `${name}: the pending next() ended`);
          }
          assert.equal(fds(), before, `${name}: no descriptor leaked`);
        }
        // The shared socket survives its subscriptions and still answers.
        assert.deepEqual(await listConntrack({}, { socket: shared }), []);
      } finally {
        shared.close();
      }
    });
  },
);

test(
  "a notification the parser rejects is skipped with a signal, and the stream goes on",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      await using sock = await NetlinkSocket.open(0, { netns: ns, groups: [1] }); // RTNLGRP_LINK
      const errors: unknown[] = [];
      const ac = new AbortController();
      const names: string[] = [];
      const reading = (async () => {
        const parse = (m: { buf: Uint8Array; start: number; end: number }) => {
          const text = new TextDecoder().decode(m.buf.subarray(m.start, m.end));
          if (text.includes("bad0")) throw new RangeError("cannot parse this one");
          return /(ok\d)/.exec(text)?.[1] ?? "";
        };
        for await (const v of sock.messages(parse, { signal: ac.signal, onParseError: (e) => errors.push(e.error) })) {
          if (typeof v === "string" && v) names.push(v);
          if (names.length === 2) ac.abort();
        }
      })();
      ip(ns, "link", "add", "ok1", "type", "bridge");
      ip(ns, "link", "add", "bad0", "type", "bridge");
      ip(ns, "link", "add", "ok2", "type", "bridge");
      await reading;
      assert.deepEqual(names, ["ok1", "ok2"]);
      assert.ok(errors.length >= 1 && errors.every((e) => e instanceof RangeError));
      assert.equal(sock.eventErrors, errors.length);
    });
  },
);

const tupleKey = (e: { orig: { src: string; sport?: number; dport?: number } }) =>
  `${e.orig.src}:${e.orig.sport}>${e.orig.dport}`;

test(
  "a conntrack storm (20,000 created, 10,000 destroyed) with a slow consumer ends at the exact state",
  { skip: NEEDS_ROOT || (!have("conntrack") && "needs conntrack") },
  async () => {
    await withTempNetns(async (ns) => {
      const spec = (i: number, dport: number): ConntrackSpec => ({
        proto: "udp",
        orig: { src: "10.4.0.1", dst: "10.4.0.2", sport: 1024 + i, dport },
        timeout: 600,
      });
      // A small buffer: the storm overruns it for sure.
      const sub = await subscribeConntrack({ events: ["new", "destroy"], receiveBuffer: 65536 }, { netns: ns });
      let resynced!: () => void;
      const firstResync = new Promise<void>((r) => (resynced = r));
      const state = new Map<string, true>();
      let overruns = 0;
      let storming = true;
      const sentinel = spec(0, 9);
      const relist = async () => {
        state.clear();
        for (const e of await listConntrack({}, { netns: ns })) state.set(tupleKey(e), true);
      };
      const consume = (async () => {
        let n = 0;
        for await (const ev of sub as AsyncIterable<ConntrackEvent>) {
          if (ev.type === "overrun") {
            await relist();
            // Changes right after a re-list must not be lost: the kernel drops silently while its queue is full.
            if (overruns++ === 0) {
              await createConntrackMany(Array.from({ length: 100 }, (_, i) => spec(i, 3)), {}, { netns: ns });
              resynced();
            }
          } else if ("entry" in ev) {
            if (ev.type === "destroy") state.delete(tupleKey(ev.entry));
            else state.set(tupleKey(ev.entry), true);
          }
          if (++n % 500 === 0) await tick(1); // a slow consumer
          if (!storming && state.has(tupleKey(sentinel as { orig: { src: string } }))) break;
        }
      })();
      const created = await createConntrackMany(
        (function* (): Generator<ConntrackSpec> {
          for (let i = 0; i < 10000; i++) yield spec(i, 1), yield spec(i, 2);
        })(),
        {},
        { netns: ns },
      );
      assert.equal(created.created, 20000);
      execFileSync("ip", ["netns", "exec", ns, "conntrack", "-D", "-p", "udp", "--orig-port-dst", "1"], {
        stdio: "ignore",
      });
      await firstResync;
      storming = false;
      await createConntrack(sentinel, { netns: ns }); // the last change: the consumer stops once it knows it
      const watchdog = setTimeout(() => sub.return(), 30000); // a lost sentinel event must fail, not hang
      await consume;
      clearTimeout(watchdog);
      await sub.return();
      const truth = new Set((await listConntrack({}, { netns: ns })).map(tupleKey));
      assert.equal(truth.size, 10101, "10,000 left, 100 made during a re-list, and the sentinel");
      assert.ok(overruns > 0, "the storm overran the subscription (else this proves nothing)");
      assert.deepEqual([...state.keys()].sort(), [...truth].sort());
    });
  },
);

test(
  "an address storm (5,000 added, 2,500 deleted) with a slow consumer ends at the exact state",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "add", "st0", "type", "bridge");
      const key = (a: { ifindex: number; address: string }) => `${a.ifindex} ${a.address}`;
      const events = await subscribeRoute(["ipv4-addr"], { netns: ns, receiveBuffer: 65536 });
      let resynced!: () => void;
      const firstResync = new Promise<void>((r) => (resynced = r));
      const state = new Map<string, true>();
      let overruns = 0;
      const relist = async () => {
        state.clear();
        for (const a of await listAddresses({ family: "inet" }, { netns: ns, retries: 5 })) state.set(key(a), true);
      };
      await relist();
      const addr = (i: number) => `10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      const sentinel = "10.99.0.1/32";
      const duringResync = Array.from({ length: 50 }, (_, i) => `addr add 10.98.0.${i + 1}/32 dev st0\n`).join("");
      const consume = (async () => {
        let n = 0;
        for await (const ev of events as AsyncIterable<RouteEvent>) {
          if (ev.type === "overrun") {
            await relist();
            // Changes right after a re-list must not be lost: the kernel drops silently while its queue is full.
            if (overruns++ === 0) {
              run("ip", ["-n", ns, "-batch", "-"], duringResync);
              resynced();
            }
          } else if (ev.kind === "addr") {
            if (ev.type === "del") state.delete(key(ev.object));
            else state.set(key(ev.object), true);
          }
          if (++n % 100 === 0) await tick(1);
          if ([...state.keys()].some((k) => k.endsWith(` ${sentinel}`))) break;
        }
      })();
      const lines = [];
      for (let i = 0; i < 5000; i++) lines.push(`addr add ${addr(i)}/32 dev st0`);
      for (let i = 0; i < 5000; i += 2) lines.push(`addr del ${addr(i)}/32 dev st0`);
      run("ip", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
      await firstResync;
      ip(ns, "addr", "add", sentinel, "dev", "st0"); // the last change: the consumer stops once it knows it
      const watchdog = setTimeout(() => events.close(), 30000); // a lost sentinel event must fail, not hang
      await consume;
      clearTimeout(watchdog);
      events.close();
      const truth = new Set((await listAddresses({ family: "inet" }, { netns: ns, retries: 5 })).map(key));
      assert.equal(truth.size, 2552, "2,500 left, 50 made during a re-list, the sentinel and 127.0.0.1 on lo");
      assert.ok(overruns > 0, "the storm overran the subscription (else this proves nothing)");
      assert.deepEqual([...state.keys()].sort(), [...truth].sort());
    });
  },
);
