/**
 * `nlkit -4|-6|-0|-f FAMILY monitor` against `ip` with the same options in
 * one namespace: ip joins only the chosen family's address, route, rule and
 * netconf groups and prints only that family's neighbours.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, nlkit } from "./_cli.ts";
import { watch } from "./_monitor.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const me = (...args: string[]): [string, string[]] => [CLI[0], [...CLI[1], ...args]];

/** Changes of both families plus a link change, on a link without IPv6 autoconfiguration noise. */
function changes(ns: string): void {
  ip(ns, "addr", "add", "10.1.0.1/24", "dev", "d0");
  ip(ns, "addr", "add", "2001:db8::1/64", "dev", "d0", "nodad");
  ip(ns, "route", "add", "10.2.0.0/24", "via", "10.1.0.2");
  ip(ns, "route", "add", "2001:db9::/64", "via", "2001:db8::2");
  ip(ns, "neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "d0");
  ip(ns, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:09", "dev", "d0");
  ip(ns, "rule", "add", "pref", "100", "table", "100");
  ip(ns, "-6", "rule", "add", "pref", "100", "table", "100");
  ip(ns, "link", "set", "d0", "mtu", "1400");
}

test("monitor -4, -6, -0, -f inet6: ip's groups and neighbour filter, line by line", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
    for (const d of ["d0", "d1"]) {
      ip(ns, "link", "set", d, "addrgenmode", "none");
      ip(ns, "link", "set", d, "up");
    }
    const pairs = [["-4"], ["-6"], ["-0"], ["-f", "inet6", "monitor", "addr", "neigh"], ["-f", "bridge"]];
    const cmds = pairs.flatMap((o) => {
      const args = o.length > 2 ? o : [...o, "monitor"];
      return [["ip", ["-n", ns, ...args]] as [string, string[]], me("-n", ns, ...args)];
    });
    const out = await watch(ns, cmds, () => changes(ns));
    for (let i = 0; i < out.length; i += 2) {
      const [theirs, ours] = [out[i], out[i + 1]];
      assert.equal(ours.code, 0, ours.err);
      assert.equal(ours.err, "");
      assert.equal(ours.out, theirs.out, pairs[i / 2].join(" "));
    }
    const [v4, v6, link, addr6, bridge] = [0, 2, 4, 6, 8].map((i) => out[i + 1].out);
    // Each would hold the other family's lines if the family were ignored.
    assert.match(v4, /10\.1\.0\.1\/24/);
    assert.match(v4, /10\.2\.0\.0\/24 via 10\.1\.0\.2/);
    assert.match(v4, /^10\.1\.0\.9 dev d0 lladdr/m);
    assert.match(v4, /^100:\s+from all lookup 100/m);
    assert.doesNotMatch(v4, /2001:db8|2001:db9/);
    assert.match(v6, /2001:db8::1\/64/);
    assert.match(v6, /2001:db9::\/64 via 2001:db8::2/);
    assert.match(v6, /^2001:db8::9 dev d0 lladdr/m);
    assert.doesNotMatch(v6, /10\.1\.0|10\.2\.0/);
    for (const o of [v4, v6, link, bridge]) assert.match(o, /^\d+: d0@d1: .* mtu 1400 /m);
    assert.doesNotMatch(link, /10\.1\.0|2001:db8/);
    assert.doesNotMatch(bridge, /10\.1\.0|2001:db8/);
    assert.match(addr6, /2001:db8::1\/64/);
    assert.match(addr6, /^2001:db8::9 dev d0/m);
    assert.doesNotMatch(addr6, /10\.1\.0|mtu 1400|2001:db9/);
  });
});

test(
  "monitor -4/-6 file FILE: every record but the other family's neighbours, as ip prints",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const file = join(mkdtempSync(join(tmpdir(), "nlkit-rtmon-")), "rtmon.log");
      await watch(ns, [["ip", ["netns", "exec", ns, "rtmon", "file", file]]], () => {
        ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ip(ns, "neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "d0");
        ip(ns, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:09", "dev", "d0");
        ip(ns, "link", "del", "d0");
      });
      const plain = nlkit(["monitor", "file", file]).stdout;
      assert.match(plain, /^10\.1\.0\.9 dev d0 /m);
      assert.match(plain, /^2001:db8::9 dev d0 /m);
      for (const [family, other] of [["-4", /2001:db8::9/], ["-6", /10\.1\.0\.9/]] as const) {
        const r = nlkit([family, "monitor", "file", file]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, ip(ns, family, "monitor", "file", file), family);
        assert.doesNotMatch(r.stdout, other, family);
        assert.match(r.stdout, /^Deleted \d+: d0@/m, family);
      }
    });
  },
);
