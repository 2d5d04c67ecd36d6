/**
 * `route show` selectors ip has and nlkit used to refuse (`from`, `tos`,
 * `dsfield`, `iif`, `mark`, `realms`, `vrf`, `cached`), a table that does not
 * exist, and `tuntap del` of a missing device: compared with `ip` in the same
 * namespace, on routes built so that an ignored selector would select more.
 *
 * @module
 */

import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { nlkit, ok } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import { checkFilter, dumpRequest, matchRoute } from "../src/route/route/filter.ts";
import type { Route } from "../src/route/route/table.ts";

function populate(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "set", "v0", "up");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "route", "add", "10.2.0.0/16", "dev", "v0", "realm", "5");
  ip(ns, "route", "add", "10.3.0.0/16", "dev", "v0", "realms", "3/4");
  ip(ns, "route", "add", "10.4.0.0/16", "dev", "v0", "realms", "3/6");
  ip(ns, "route", "add", "10.5.0.0/16", "dev", "v0", "tos", "0x10");
  ip(ns, "route", "add", "10.5.0.0/16", "dev", "v0", "tos", "0x08");
  ip(ns, "-6", "route", "add", "2001:db8::/64", "from", "2001:db8:1::/64", "dev", "v0");
  ip(ns, "-6", "route", "add", "2001:db8::/64", "from", "2001:db8:2::/64", "dev", "v0");
  ip(ns, "-6", "route", "add", "2001:db8:5::/64", "from", "2001:db8:1:7::/64", "dev", "v0");
  ip(ns, "-6", "route", "add", "2001:db8:9::/64", "dev", "v0");
}

/** `ip -n NS ARGS` with its exit code and both streams, even when it fails. */
function ipRun(ns: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string) => s.split("\n").filter(Boolean).length;

/** Each selector: same text and JSON as ip, and fewer routes than without it (at least `min`). */
const SELECTORS: [string[], number][] = [
  [["route", "show", "realms", "5"], 1],
  [["route", "show", "realms", "3/"], 2],
  [["route", "show", "realms", "3/4"], 1],
  [["route", "show", "realm", "4"], 1],
  [["route", "show", "tos", "0x10"], 1],
  [["route", "show", "dsfield", "0x08"], 1],
  [["route", "show", "tos", "default"], 1],
  [["-6", "route", "show", "from", "2001:db8:1::/64"], 1],
  [["-6", "route", "show", "from", "exact", "2001:db8:2::/64"], 1],
  [["-6", "route", "show", "from", "root", "2001:db8:1::/48"], 2],
  [["-6", "route", "show", "from", "match", "2001:db8:1:7::1"], 1],
  [["route", "show", "mark", "5"], 0],
  [["route", "show", "iif", "v0"], 0],
  [["route", "show", "cached"], 0],
  [["-6", "route", "show", "cloned"], 0],
  [["route", "show", "table", "cache"], 0],
];

test("route show from|tos|dsfield|iif|mark|realms|cached select what ip selects", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    const all4 = ip(ns, "route", "show");
    const all6 = ip(ns, "-6", "route", "show");
    for (const [args, min] of SELECTORS) {
      const theirs = ip(ns, ...args);
      const all = args[0] === "-6" ? all6 : all4;
      assert.ok(lines(theirs) >= min && lines(theirs) < lines(all), `${args.join(" ")} selects some, not all`);
      assert.equal(ok(ns, ...args), theirs, args.join(" "));
      assert.deepEqual(JSON.parse(ok(ns, "-j", ...args)), JSON.parse(ip(ns, "-j", ...args)), `-j ${args.join(" ")}`);
    }
  });
});

test("route show: bad selector values and missing objects fail as in ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    populate(ns);
    for (
      const args of [
        ["route", "show", "table", "999"], // the kernel: "FIB table does not exist", then "Dump terminated"
        ["-6", "route", "show", "table", "999"],
        ["route", "show", "iif", "nosuch"],
        ["route", "show", "vrf", "v0"], // a link, but no VRF (and this kernel has no vrf module)
        ["route", "show", "vrf", "nosuch"],
        ["route", "show", "tos", "zz"],
        ["route", "show", "mark", "zz"],
        ["route", "show", "realms", "/4"],
        ["route", "show", "from", "zz"],
      ]
    ) {
      const theirs = ipRun(ns, args);
      const ours = nlkit(["-n", ns, ...args]);
      assert.notEqual(theirs.code, 0, args.join(" "));
      // ip exits 255 on a bad argument and 1 on a failed get_prefix; nlkit's usage errors exit 2.
      const want = theirs.code === 255 || args.includes("from") ? 2 : theirs.code;
      assert.equal(ours.code, want, `${args.join(" ")}: ${ours.stderr}`);
      assert.equal(ours.stdout, "", args.join(" "));
      assert.equal(ours.stderr.trim(), theirs.stderr.trim().replace(/\n\n/g, "\n"), args.join(" "));
    }
    // ip flushes the IPv4 cache there; nlkit refuses it rather than delete the cached routes some other way.
    const flush = nlkit(["-n", ns, "route", "flush", "cached"]);
    assert.equal(flush.code, 2);
    assert.match(flush.stderr, /route flush cache/);
  });
});

test(
  "route show/flush in a fresh namespace: show lists nothing for main, flush and other tables are refused, as in ip",
  { skip: NEEDS_ROOT },
  async () => {
    // A fresh namespace has no main table until its first IPv4 route: ip prints nothing (or `[]`) and
    // exits 0 for main, and keeps the kernel's refusal for any other table.
    await withTempNetns((ns) => {
      for (
        const args of [
          ["route", "show"],
          ["-j", "route", "show"],
          ["route", "show", "table", "main"],
          ["route", "show", "table", "254"],
          ["route", "show", "default"],
          ["route", "show", "table", "100"],
          ["-j", "route", "show", "table", "100"],
          // flush reports a missing main table too: "Flush terminated", exit 2.
          ["route", "flush", "table", "main"],
          ["route", "flush", "all"],
          ["route", "flush", "table", "100"],
          ["route", "flush", "table", "all"],
        ]
      ) {
        const theirs = ipRun(ns, args);
        const ours = nlkit(["-n", ns, ...args]);
        assert.equal(ours.code, theirs.code, `${args.join(" ")}: ${ours.stderr}`);
        assert.equal(ours.stderr.trim(), theirs.stderr.trim(), args.join(" "));
        // ip opens its JSON array before the refusal; nlkit prints nothing on stdout then.
        if (theirs.code === 0) assert.equal(ours.stdout, theirs.stdout, args.join(" "));
      }
    });
  },
);

test("tuntap del of a device that does not exist succeeds silently, as in ip", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    for (const mode of ["tun", "tap"]) {
      const args = ["tuntap", "del", "dev", "nosuch", "mode", mode];
      assert.equal(ipRun(ns, args).code, 0);
      const r = nlkit(["-n", ns, ...args]);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""]);
    }
    // Deleting one that is there still deletes it.
    ip(ns, "tuntap", "add", "dev", "t0", "mode", "tap");
    ok(ns, "tuntap", "del", "dev", "t0", "mode", "tap");
    assert.equal(ipRun(ns, ["link", "show", "t0"]).code, 1);
  });
});

function route(extra: Partial<Route>): Route {
  return {
    family: "inet",
    dst: "10.0.0.0/8",
    tos: 0,
    table: "main",
    protocol: "boot",
    scope: "global",
    type: "unicast",
    flags: [],
    ...extra,
  } as Route;
}

test("route filter: cached routes only with `cached`, other types left out, vrf's excluded types", () => {
  const plain = route({});
  const cloned = route({ flags: ["cloned"] });
  const local = route({ type: "local" });
  assert.deepEqual([plain, cloned, local].map((r) => matchRoute(r, checkFilter({}))), [true, false, true]);
  assert.deepEqual([plain, cloned].map((r) => matchRoute(r, checkFilter({ cached: true }))), [false, true]);
  const vrf = checkFilter({ table: 10, excludeTypes: ["local", "broadcast"] });
  assert.deepEqual([{ table: 10 }, { table: 10, type: "local" }].map((x) => matchRoute(route(x), vrf)), [true, false]);
  // Source prefixes: exact, inside, covering (a route without one has the zero-length source).
  const sourced = route({ family: "inet6", dst: "2001:db8::/64", src: "2001:db8:1::/64" });
  const plain6 = route({ family: "inet6", dst: "2001:db8::/64" });
  const pick = (f: Parameters<typeof checkFilter>[0]) => [sourced, plain6].map((r) => matchRoute(r, checkFilter(f)));
  assert.deepEqual(pick({ from: "2001:db8:1::/64" }), [true, false]);
  assert.deepEqual(pick({ fromRoot: "2001:db8::/32" }), [true, false]);
  assert.deepEqual(pick({ fromMatch: "2001:db8:1::5" }), [true, true]);
  // The dump request asks the kernel for exceptions (RTM_F_CLONED in rtm_flags).
  const req = dumpRequest(2, checkFilter({ cached: true }));
  assert.equal(new DataView(req.buffer).getUint32(16 + 8, true), 0x200);
  assert.equal(new DataView(dumpRequest(2, checkFilter({})).buffer).getUint32(16 + 8, true), 0);
  assert.throws(() => checkFilter({ cached: 1 as unknown as boolean }), InvalidArgumentError);
  assert.throws(() => checkFilter({ from: "10.0.0.0/8", fromRoot: "10.0.0.0/8" }), InvalidArgumentError);
  assert.throws(() => checkFilter({ realmsMask: 5 }), InvalidArgumentError);
  assert.throws(() => checkFilter({ tos: 256 }), InvalidArgumentError);
});
