/**
 * Shared by the CLI tests on the sources and on the compiled binary: a
 * namespace filled with one of everything, the show commands to compare
 * with `ip`, and the JSON comparison on shared keys.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ip, ipJson } from "./_helpers.ts";

/** Asserts that every key both objects have holds the same value, element by element. */
export function assertSharedKeysEqual(ours: unknown[], theirs: unknown[], what: string): void {
  assert.equal(ours.length, theirs.length, `${what}: ${ours.length} items vs ip's ${theirs.length}`);
  ours.forEach((o, i) => {
    const a = o as Record<string, unknown>, b = theirs[i] as Record<string, unknown>;
    const shared = Object.keys(a).filter((k) => k in b);
    assert.ok(shared.length > 0, `${what}[${i}] shares no key with ip`);
    for (const k of shared) assert.deepEqual(a[k], b[k], `${what}[${i}].${k}`);
  });
}

/** Fills a namespace with links, addresses, routes, neighbours and rules of several kinds. */
export function populate(ns: string): void {
  ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ip(ns, "link", "add", "br0", "type", "bridge");
  ip(ns, "link", "set", "v1", "master", "br0");
  ip(ns, "link", "set", "v0", "up");
  ip(ns, "link", "set", "v0", "alias", "uplink");
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
  ip(ns, "addr", "add", "10.1.0.9/24", "dev", "v0");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
  ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "20", "proto", "static");
  ip(ns, "route", "add", "blackhole", "10.3.0.0/16", "table", "100");
  ip(ns, "route", "add", "10.4.0.0/24", "dev", "v0", "mtu", "1400", "scope", "link");
  ip(ns, "route", "add", "2001:db8:1::/48", "via", "2001:db8::2");
  ip(ns, "neigh", "add", "10.1.0.7", "lladdr", "02:00:00:00:00:07", "dev", "v0");
  ip(ns, "neigh", "add", "2001:db8::7", "lladdr", "02:00:00:00:00:08", "dev", "v0", "nud", "reachable", "router");
  ip(ns, "rule", "add", "from", "10.9.0.0/16", "table", "100", "priority", "100");
  ip(ns, "rule", "add", "fwmark", "0x10/0xff", "lookup", "200", "priority", "200");
}

/** Show commands whose text and JSON must match ip's. */
export const SHOWS: string[][] = [
  ["link", "show"],
  ["-s", "link", "show"],
  ["link", "show", "v0"],
  ["-d", "link", "show"],
  ["-d", "addr", "show"],
  ["-s", "addr", "show"],
  ["-s", "-s", "link", "show"],
  ["-d", "route", "show"],
  ["-d", "route", "show", "table", "all"],
  ["-d", "neigh", "show"],
  ["-d", "rule", "show"],
  ["addr", "show"],
  ["-4", "addr", "show"],
  ["route", "show"],
  ["route", "show", "table", "all"],
  ["-6", "route", "show"],
  ["route", "show", "proto", "static"],
  ["route", "show", "table", "100"],
  ["neigh", "show"],
  ["neigh", "show", "dev", "v0"],
  ["rule", "show"],
  ["-6", "rule", "show"],
];

/**
 * Checks that our text equals `ip`'s for `args`. Counters (TX dropped, ...)
 * can move between two reads, so ours is read between two `ip` reads and
 * must equal one of them, with a few tries.
 */
export function assertSameTextAsIp(ns: string, args: string[], ours: () => string): void {
  let before = "", mine = "", after = "";
  for (let i = 0; i < 5; i++) {
    before = ip(ns, ...args);
    mine = ours();
    after = ip(ns, ...args);
    if (mine === before || mine === after) return;
  }
  assert.equal(mine, after, `text of ${args.join(" ")}`);
}

/** Like {@link assertSameTextAsIp}, for `-j` output compared on shared keys. */
export function assertSameJsonAsIp(ns: string, args: string[], ours: () => unknown[]): void {
  for (let i = 0;; i++) {
    const before = ipJson(ns, ...args);
    const mine = ours();
    const after = ipJson(ns, ...args);
    try {
      assertSharedKeysEqual(mine, before, args.join(" "));
      return;
    } catch {
      // compare with the read after ours instead
    }
    try {
      assertSharedKeysEqual(mine, after, args.join(" "));
      return;
    } catch (e) {
      if (i >= 4) throw e;
    }
  }
}
