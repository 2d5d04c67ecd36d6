/**
 * The transport under load, against the real kernel: 1,000 and 10,000
 * concurrent getLink, getRoute and getConntrack on one socket with the
 * default receive buffer (all answered right, none pending), and thousands
 * of sockets waiting on the poller at once.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { createConntrack, getConntrack, openConntrackSocket } from "../src/netfilter/conntrack/mod.ts";
import { getLink, getRoute, openRouteSocket } from "../src/route/mod.ts";
import { isOverrun, NetlinkSocket } from "../src/socket/mod.ts";
import { NETLINK_ROUTE } from "../src/wire/mod.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

const DEFAULT_RCVBUF = 212992 * 2; // net.core.rmem_default, as getsockopt reports it

for (const n of [1000, 10000]) {
  test(`${n} concurrent getLink, getRoute and getConntrack on one socket are all answered`, {
    skip: NEEDS_ROOT,
  }, async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "set", "lo", "up");
      const [lo] = ipJson(ns, "link", "show", "lo");
      const rt = await openRouteSocket({ netns: ns });
      try {
        assert.ok(rt.receiveBuffer <= DEFAULT_RCVBUF, `default buffer: ${rt.receiveBuffer}`);
        const many = <T>(f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f));
        const links = await many(() => getLink("lo", { socket: rt }));
        assert.ok(links.every((l) => l.name === "lo" && l.mtu === lo.mtu && l.index === lo.ifindex));
        const routes = await many(() => getRoute("127.0.0.1", {}, { socket: rt }));
        assert.ok(routes.every((r) => r.type === "local" && r.dst === "127.0.0.1/32"), JSON.stringify(routes[0]));
        // Mixed kinds at once on the same socket.
        const mixed = await Promise.all(
          Array.from(
            { length: n },
            (_, i) =>
              i % 2 ? getLink(1, { socket: rt }).then((l) => l.name) : getRoute("127.0.0.2", {}, { socket: rt })
                .then((r) => r.dst),
          ),
        );
        assert.ok(mixed.every((v, i) => v === (i % 2 ? "lo" : "127.0.0.2/32")));
      } finally {
        rt.close();
      }
      const ct = await openConntrackSocket({ netns: ns });
      try {
        const orig = { src: "10.3.0.1", dst: "10.3.0.2", sport: 4000, dport: 53 };
        await createConntrack({ proto: "udp", orig, timeout: 300 }, { socket: ct });
        const got = await Promise.all(
          Array.from({ length: n }, () => getConntrack({ proto: "udp", orig }, { socket: ct })),
        );
        assert.ok(got.every((e) => e?.orig.src === "10.3.0.1" && e.orig.sport === 4000 && e.reply.dport === 4000));
      } finally {
        ct.close();
      }
    });
  });
}

test("thousands of sockets wait on the poller at once, and each gets its event", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const N = 3000;
    const socks: NetlinkSocket[] = [];
    try {
      for (let i = 0; i < N; i++) socks.push(await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [1] }));
      const ac = new AbortController();
      const firsts = socks.map(async (s) => {
        for await (const m of s.messages((m) => m.type, { signal: ac.signal })) return isOverrun(m) ? -1 : m;
        return 0;
      });
      await new Promise((r) => setTimeout(r, 100)); // all of them wait on the poller now
      ip(ns, "link", "add", "many0", "type", "bridge");
      const types = await Promise.all(firsts);
      assert.equal(types.filter((t) => t === 16).length, N, "every socket saw RTM_NEWLINK");
      ac.abort();
    } finally {
      for (const s of socks) s.close();
    }
  });
});
