/**
 * Policy rules against the kernel, in throwaway namespaces, cross-checked
 * key by key with `ip -j rule show` and `ip -6 -j rule show`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "../src/errors.ts";
import { addRule, deleteRule, listRules, streamRules } from "../src/route/rule/api.ts";
import type { RuleSpec } from "../src/route/rule/build.ts";
import { ruleToIpJson } from "../src/route/rule/json.ts";
import { AF_INET, AF_INET6 } from "../src/wire/addr.ts";
import { NetlinkError } from "../src/wire/netlink_error.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

async function assertMatchesIp(ns: string): Promise<void> {
  for (const [family, flag] of [[AF_INET, "-4"], [AF_INET6, "-6"]] as const) {
    const ours = (await listRules({ family }, { netns: ns })).map(ruleToIpJson);
    const theirs = ipJson(ns, flag, "rule", "show");
    assert.equal(ours.length, theirs.length, `${flag}: rule count`);
    for (let i = 0; i < ours.length; i++) {
      // Key by key, in iproute2's key order.
      assert.deepEqual(Object.entries(ours[i]), Object.entries(theirs[i]), `${flag} rule ${i}`);
    }
  }
}

const SPECS: RuleSpec[] = [
  { priority: 100, src: "10.0.0.0/8", dst: "192.168.1.1", table: 100 },
  { priority: 101, invert: true, fwmark: 1, fwmask: 0xff, iif: "lo", oif: "nosuch0", table: 300 },
  {
    priority: 102,
    uidRange: { start: 100, end: 200 },
    ipProto: "tcp",
    sportRange: 80,
    dportRange: { start: 1000, end: 2000 },
    table: "main",
    suppressPrefixlen: 0,
    suppressIfgroup: 5,
  },
  { priority: 103, tos: 0x10, goto: 200 },
  { priority: 104, action: "blackhole" },
  { priority: 105, action: "unreachable", protocol: "static" },
  { priority: 106, action: "prohibit", fwmark: 7 },
  { priority: 107, action: "nop" },
  { priority: 108, l3mdev: true, protocol: 99 },
  { priority: 109, table: 70000, ipProto: 200, src: "172.16.0.0/12" },
  { priority: 200, dst: "10.1.0.0/16", table: "local" },
  { priority: 110, flow: (3 << 16) | 4, table: 9 },
  { priority: 111, tunId: 2 ** 40 + 5, table: 9 },
  { family: AF_INET6, priority: 100, src: "2001:db8::/32", dst: "2001:db8:1::1", table: 10 },
  { family: AF_INET6, priority: 101, tos: 0x20, iif: "lo", table: 11 },
  { priority: 102, src: "2001:db8::1", invert: true, ipProto: "ipv6-icmp", table: 4000000000 },
  { family: AF_INET6, priority: 103, action: "unreachable", uidRange: { start: 0, end: 0 } },
];

test("rules added by nlkit read back identically through ip -j rule show", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    for (const s of SPECS) await addRule(s, { netns: ns });
    await assertMatchesIp(ns);
    const mine = (await listRules({ family: AF_INET }, { netns: ns })).filter((r) =>
      r.priority >= 100 && r.priority < 300
    );
    assert.equal(mine.length, 13);
    assert.ok(mine.every((r) => r.family === "inet"));
    assert.equal(mine.find((r) => r.priority === 109)?.table, 70000);
  });
});

test("rules added by ip parse identically (oracle as writer)", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "rule", "add", "pref", "10", "from", "10.2.0.0/16", "to", "10.3.0.0/24", "tos", "0x08", "lookup", "5");
    ip(ns, "rule", "add", "pref", "11", "not", "fwmark", "0x10/0xf0", "oif", "lo", "lookup", "default");
    ip(ns, "rule", "add", "pref", "12", "realms", "3/4", "lookup", "6");
    ip(ns, "rule", "add", "pref", "13", "uidrange", "5-6", "ipproto", "udp", "dport", "53", "prohibit");
    ip(ns, "rule", "add", "pref", "14", "goto", "20");
    ip(ns, "rule", "add", "pref", "20", "iif", "lo", "lookup", "main", "suppress_ifgroup", "0");
    ip(ns, "-6", "rule", "add", "pref", "10", "from", "::/0", "to", "fe80::/10", "sport", "1-1024", "blackhole");
    ip(ns, "-6", "rule", "add", "pref", "11", "fwmark", "5", "lookup", "100000", "proto", "bgp");
    await assertMatchesIp(ns);
    const [goto] = (await listRules({ family: AF_INET }, { netns: ns })).filter((r) => r.priority === 14);
    assert.equal(goto.goto, 20);
    assert.deepEqual(goto.flags, [], "resolved once rule 20 exists");
  });
});

test("deleteRule: by priority, by a listed rule object, and ENOENT", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await addRule({ priority: 50, src: "10.0.0.0/8", table: 50 }, { netns: ns });
    await addRule({ priority: 51, fwmark: 3, table: 51 }, { netns: ns });
    await addRule({ priority: 51, fwmark: 4, table: 52 }, { netns: ns });
    await addRule({ family: AF_INET6, priority: 52, dportRange: 443, ipProto: "tcp", table: 53 }, { netns: ns });
    // Delete the second of two rules sharing a priority, by its full listed form.
    const listed = await listRules({}, { netns: ns });
    const second = listed.find((r) => r.priority === 51 && r.fwmark === 4)!;
    await deleteRule(second, { netns: ns });
    const v6 = listed.find((r) => r.family === "inet6" && r.priority === 52)!;
    await deleteRule(v6, { netns: ns });
    await deleteRule({ priority: 50 }, { netns: ns });
    const after = ipJson(ns, "rule", "show").filter((r: { priority: number }) => r.priority >= 50 && r.priority < 60);
    assert.deepEqual(after, [{ priority: 51, src: "all", fwmark: "0x3", table: "51" }]);
    assert.equal(ipJson(ns, "-6", "rule", "show").length, 2);
    await assert.rejects(deleteRule({ priority: 50 }, { netns: ns }), (e: NetlinkError) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "ENOENT");
      return true;
    });
  });
});

test("addRule: EEXIST for a duplicate, kernel refusals carry the extended ack", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await addRule({ priority: 60, table: 60 }, { netns: ns });
    await assert.rejects(addRule({ priority: 60, table: 60 }, { netns: ns }), (e: NetlinkError) => e.code === "EEXIST");
    // A goto backwards is valid input but the kernel refuses it.
    await assert.rejects(addRule({ priority: 70, goto: 10 }, { netns: ns }), (e: NetlinkError) => {
      assert.equal(e.code, "EINVAL");
      assert.match(e.kernelMessage ?? "", /Backward goto/);
      return true;
    });
  });
});

test("dscp rules (Linux 6.12+) round-trip through the kernel", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await addRule({ priority: 80, dscp: 46, table: 80 }, { netns: ns });
    const [r] = (await listRules({ family: AF_INET }, { netns: ns })).filter((x) => x.priority === 80);
    assert.equal(r.dscp, 46);
    assert.equal(ruleToIpJson(r).dscp, 46);
  });
});

test("streamRules and the unfiltered listing cover every family", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    await addRule({ priority: 90, table: 90 }, { netns: ns });
    const streamed = [];
    for await (const r of streamRules({}, { netns: ns })) streamed.push(r);
    const listed = await listRules({}, { netns: ns });
    assert.deepEqual(streamed, listed);
    const families = new Set(listed.map((r) => r.family));
    assert.ok(families.has("inet") && families.has("inet6"));
    assert.equal(listed.filter((r) => r.priority === 90).length, 1);
  });
});

test("bad input is refused before any socket is opened", async () => {
  // The namespace does not exist: reaching the socket layer would fail differently.
  const opts = { netns: "nlkit-no-such-netns" };
  await assert.rejects(addRule({ priority: -5 }, opts), InvalidArgumentError);
  await assert.rejects(addRule({ src: "10.0.0.0/40" }, opts), InvalidArgumentError);
  await assert.rejects(deleteRule({}, opts), InvalidArgumentError);
  await assert.rejects(listRules({ family: 7 }, opts), InvalidArgumentError);
  assert.throws(() => streamRules({ family: 3 }, opts), InvalidArgumentError);
});
