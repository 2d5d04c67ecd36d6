/**
 * `nlkit route show` prints the common listing (text or compact `-j`)
 * through a streaming printer, and `-p`, `-o` and `-d` (nexthop details)
 * another way: each, with and without ip's `dev` selector, is compared
 * byte for byte with `ip` in the same namespace, on a table with a
 * multipath route (which `dev` leaves out) and a nexthop-object route.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { ok } from "./_cli.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const SHOWS: string[][] = [
  ["route", "show"],
  ["-j", "route", "show"],
  ["-j", "-p", "route", "show"],
  ["-o", "route", "show"],
  ["-d", "route", "show"],
  ["-d", "-j", "route", "show"],
  ["route", "show", "dev", "v0"],
  ["-j", "route", "show", "dev", "v0"],
  ["-d", "-j", "route", "show", "dev", "v0"],
  ["-6", "route", "show"],
  ["-6", "-j", "route", "show"],
];

test("route show prints what ip prints in every output mode, dev selector or not", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    ip(ns, "link", "set", "lo", "up");
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "link", "set", "v1", "up");
    ip(ns, "addr", "add", "10.1.0.1/24", "dev", "v0");
    ip(ns, "addr", "add", "10.9.0.1/24", "dev", "v1");
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    ip(ns, "nexthop", "add", "id", "7", "via", "10.1.0.2", "dev", "v0");
    ip(ns, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "20", "proto", "static");
    ip(ns, "route", "add", "10.3.0.0/16", "nhid", "7");
    ip(ns, "route", "add", "10.4.0.0/16", "nexthop", "via", "10.1.0.2", "nexthop", "via", "10.9.0.2");
    ip(ns, "route", "add", "10.5.0.0/16", "via", "10.9.0.2", "mtu", "1400");
    ip(ns, "route", "add", "2001:db8:1::/48", "via", "2001:db8::2");
    for (const args of SHOWS) {
      const theirs = ip(ns, ...args);
      assert.ok(theirs.split("\n").length > 3 || theirs.length > 200, `the table gives ${args.join(" ")} routes`);
      assert.equal(ok(ns, ...args), theirs, args.join(" "));
    }
    // The dev selector leaves routes out (the multipath one, those via v1): ignoring it would print more.
    assert.ok(ip(ns, "route", "show", "dev", "v0").length < ip(ns, "route", "show").length);
  });
});
