/**
 * The socket against the real kernel: dumps compared with `ip -j`, refusals,
 * foreign senders, multicast, overruns, closing and namespace switching.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { readlinkSync } from "node:fs";
import { createNetns, deleteNetns, listNetns, withNetns } from "../src/netns/mod.ts";
import { isOverrun, loadSys, NetlinkSocket } from "../src/socket/mod.ts";
import { MessageBuilder, NETLINK_ROUTE, NetlinkError, type NlMsg, parseAttrs } from "../src/wire/mod.ts";
import { ip, ipJson, NEEDS_ROOT, run, uniqueName, withTempNetns } from "./_helpers.ts";

// A deliberately small table: the foundation is tested on its own, without the link family.
const IFINFOMSG = { family: "u8", pad: "pad1", type: "u16", index: "s32", flags: "u32", change: "u32" } as const;
const IFLA = {
  address: { type: 1, kind: "mac" },
  ifname: { type: 3, kind: "string" },
  mtu: { type: 4, kind: "u32" },
  linkinfo: { type: 18, kind: "nested", table: { kind: { type: 1, kind: "string" } } },
} as const;
const IFA = { local: { type: 2, kind: "ip" }, address: { type: 1, kind: "ip" } } as const;
const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_GETADDR = 22;

const getLinks = () => new MessageBuilder(RTM_GETLINK, 0).struct(IFINFOMSG, {}).finish();
const parseLink = (m: NlMsg) => ({
  index: m.view.getInt32(m.start + 20, true),
  ...parseAttrs(IFLA, m.buf, m.view, m.start + 32, m.end),
});

test("a link dump in a fresh namespace matches ip -j link show", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "va", "mtu", "1400", "type", "veth", "peer", "name", "vb");
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
    const ours = await sock.dumpAll(getLinks(), parseLink);
    const theirs = ipJson(ns, "link", "show");
    assert.equal(ours.length, 3);
    assert.deepEqual(
      ours.map((l) => [l.index, l.ifname, l.mtu, l.address]),
      theirs.map((l: Record<string, unknown>) => [l.ifindex, l.ifname, l.mtu, l.address]),
    );
  });
});

test("an address dump matches ip -j addr show", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "addr", "add", "10.9.8.7/24", "dev", "lo");
    ip(ns, "addr", "add", "2001:db8::7/64", "dev", "lo");
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
    const req = new MessageBuilder(RTM_GETADDR, 0).raw(new Uint8Array(8)).finish();
    const ours = await sock.dumpAll(
      req,
      (m) => `${parseAttrs(IFA, m.buf, m.view, m.start + 24, m.end).address}/${m.buf[m.start + 17]}`,
    );
    const theirs = ipJson(ns, "addr", "show").flatMap((l: { addr_info: { local: string; prefixlen: number }[] }) =>
      l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)
    );
    assert.deepEqual(ours.sort(), theirs.sort());
  });
});

test("kernel refusals are NetlinkErrors with errno name and ext-ack message", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, describe: () => "RTM_NEWLINK" });
    const bogus = new MessageBuilder(RTM_NEWLINK, 0x600).struct(IFINFOMSG, {}).string(3, "x0")
      .nest(18, (b) => b.string(1, "bogus")).finish();
    await assert.rejects(sock.request(bogus), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EOPNOTSUPP");
      assert.equal(e.errno, 95);
      assert.equal(e.kernelMessage, "Unknown device type");
      assert.equal(e.requestType, RTM_NEWLINK);
      assert.ok(e.request && e.request.length > 16);
      return true;
    });
    const missing = new MessageBuilder(RTM_DELLINK, 0).struct(IFINFOMSG, { index: 4242 }).finish();
    await assert.rejects(sock.request(missing), { name: "NotFoundError", code: "ENODEV" }); // a NetlinkError
    // The socket is still usable.
    assert.equal((await sock.dumpAll(getLinks(), parseLink)).length, 1);
  });
});

test("messages from a non-kernel sender are ignored", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const sys = await loadSys();
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
    const evil = withNetns(sys, ns, () => sys.socket(16, 3, 0));
    try {
      const bound = new Uint8Array(12);
      bound[0] = 16;
      sys.bind(evil, bound);
      // Learn the socket's next sequence number, then forge an EPERM error for it.
      const seq = sock.send(new MessageBuilder(RTM_GETLINK, 0).struct(IFINFOMSG, { index: 1 }).finish());
      const forged = new MessageBuilder(2, 0).scalar("s32", -1).raw(new Uint8Array(16)).finish();
      new DataView(forged.buffer).setUint32(8, seq + 1, true);
      const to = new Uint8Array(12);
      to[0] = 16;
      new DataView(to.buffer).setUint32(4, sock.portId, true);
      assert.equal(sys.sendto(evil, forged, 0, to), forged.length);
      const up = new MessageBuilder(19, 0).struct(IFINFOMSG, { index: 1, flags: 1, change: 1 }).finish();
      await sock.request(up); // would reject with EPERM if the forgery were believed
      assert.equal(sock.foreignDropped, 1);
    } finally {
      sys.close(evil);
    }
  });
});

test(
  "a dump broken off early leaves the socket usable, and dumps on one socket queue up",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const batch = Array.from({ length: 60 }, (_, i) => `link add f${i} type ifb`).join("\n");
      run("ip", ["-n", ns, "-batch", "-"], batch);
      await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
      for await (const l of sock.dump(getLinks(), parseLink)) {
        assert.equal(l.ifname, "lo");
        break;
      }
      const [a, b] = await Promise.all([sock.dumpAll(getLinks(), parseLink), sock.dumpAll(getLinks(), parseLink)]);
      assert.equal(a.length, 61);
      assert.deepEqual(a, b);
      const up = new MessageBuilder(19, 0).struct(IFINFOMSG, { index: a[5].index, flags: 1, change: 1 }).finish();
      await sock.request(up);
      assert.match(ip(ns, "link", "show", a[5].ifname!), /UP/);
    });
  },
);

test("a multicast subscription receives a link event", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [1] });
    ip(ns, "link", "add", "ev0", "type", "ifb");
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 5000);
    let seen: { type: number; ifname?: string } | undefined;
    for await (const ev of sock.messages((m) => ({ type: m.type, ...parseLink(m) }), { signal: ac.signal })) {
      if (isOverrun(ev)) continue;
      seen = ev;
      if (ev.ifname === "ev0") break;
    }
    clearTimeout(timer);
    assert.deepEqual([seen?.type, seen?.ifname], [RTM_NEWLINK, "ev0"]);
  });
});

test("an overflowing subscription yields an overrun and keeps going", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [1], receiveBuffer: 4096 });
    run("ip", ["-n", ns, "-batch", "-"], Array.from({ length: 200 }, (_, i) => `link add o${i} type ifb`).join("\n"));
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 5000);
    let overruns = 0;
    let after = false;
    for await (const ev of sock.messages(parseLink, { signal: ac.signal })) {
      if (isOverrun(ev)) {
        // While the queue is still full the kernel drops events silently; add the next one once it has drained.
        if (overruns++ === 0) setTimeout(() => ip(ns, "link", "add", "after0", "type", "ifb"), 200);
      } else if (ev.ifname === "after0") {
        after = true;
        break;
      }
    }
    clearTimeout(timer);
    assert.ok(overruns >= 1, "ENOBUFS surfaced as an overrun item");
    assert.ok(after, "events keep coming after the overrun");
  });
});

test("closing a socket ends a waiting subscription, and an abort stops one", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [1] });
    const it = sock.messages(parseLink);
    const pending = it.next();
    setTimeout(() => sock.close(), 50);
    assert.deepEqual(await pending, { done: true, value: undefined });
    sock.close(); // idempotent
    await using s2 = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns, groups: [1] });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    let n = 0;
    for await (const _ of s2.messages(parseLink, { signal: ac.signal })) n++;
    assert.equal(n, 0);
  });
});

test("a namespace switch is undone even when the step throws", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const sys = await loadSys();
    const self = () => readlinkSync(`/proc/self/task/${sys.gettid()}/ns/net`);
    const before = self();
    let inside = "";
    assert.throws(() =>
      withNetns(sys, ns, () => {
        inside = self();
        throw new Error("boom");
      }), /boom/);
    assert.notEqual(inside, before);
    assert.equal(self(), before);
    assert.throws(() => withNetns(sys, "no-such-ns-here", () => 1), /ENOENT/);
    assert.equal(self(), before);
  });
});

test("named namespaces made by nlkit are ip netns namespaces", { skip: NEEDS_ROOT }, async () => {
  const name = uniqueName("nlkns");
  await createNetns(name);
  try {
    assert.ok(listNetns().includes(name));
    assert.match(run("ip", ["netns", "list"]), new RegExp(`^${name}\\b`, "m"));
    assert.match(ip(name, "link", "show", "lo"), /lo:/);
    await assert.rejects(createNetns(name), /EEXIST/);
  } finally {
    await deleteNetns(name);
  }
  assert.ok(!listNetns().includes(name));
  assert.doesNotMatch(run("ip", ["netns", "list"]), new RegExp(`^${name}\\b`, "m"));
  assert.throws(() => withNetns({} as never, "../etc", () => 1), /Invalid namespace name: "..\/etc"/);
});

test(
  "concurrent requests on one socket are matched to their replies by sequence number",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      run("ip", ["-n", ns, "-batch", "-"], Array.from({ length: 20 }, (_, i) => `link add c${i} type ifb`).join("\n"));
      await using sock = await NetlinkSocket.open(NETLINK_ROUTE, { netns: ns });
      const links = (await sock.dumpAll(getLinks(), parseLink)).filter((l) => l.ifname!.startsWith("c"));
      const get = (index: number) => new MessageBuilder(RTM_GETLINK, 0).struct(IFINFOMSG, { index }).finish();
      const replies = await Promise.all(links.map((l) => sock.request(get(l.index), parseLink)));
      assert.deepEqual(replies.map((r) => r[0].ifname), links.map((l) => l.ifname));
      const ups = links.map((l) =>
        sock.request(new MessageBuilder(19, 0).struct(IFINFOMSG, { index: l.index, flags: 1, change: 1 }).finish())
      );
      await Promise.all([...ups, sock.dumpAll(getLinks(), parseLink)]);
      const up = ipJson(ns, "link", "show", "up").map((l: { ifname: string }) => l.ifname);
      for (const l of links) assert.ok(up.includes(l.ifname), `${l.ifname} is up`);
    });
  },
);
