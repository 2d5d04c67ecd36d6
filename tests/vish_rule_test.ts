/**
 * vishvananda/netlink's rule_test.go, ported to nlkit's library API: one
 * test per Go test (named in the comment above it), in fresh namespaces,
 * checked against `ip -j rule show` there. Every filter of Go's
 * `RuleListFiltered` masks (and nlkit's others) is tried on a rule set where
 * ignoring it would select more.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { addRule, deleteRule, listRules, type Rule, type RuleFilter, type RuleSpec } from "../mod.ts";
import { ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

type Json = Record<string, unknown>;

// TestRuleAddDel, with every field Go's Rule carries.
test("vish rule: add and delete a rule with every field, as ip shows it", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    const o = { netns: ns };
    const begin = await listRules({ family: "inet" }, o);
    const spec: RuleSpec = {
      family: "inet",
      table: "main",
      src: "172.16.0.0/16",
      dst: "172.16.1.0/24",
      priority: 5,
      oif: "lo",
      iif: "lo",
      invert: true,
      tos: 0x10,
      dportRange: { start: 80, end: 80 },
      sportRange: { start: 1000, end: 1024 },
      ipProto: "udp",
      uidRange: { start: 100, end: 100 },
      protocol: "kernel",
    };
    await addRule(spec, o);
    const rules = await listRules({ family: "inet" }, o);
    assert.equal(rules.length, begin.length + 1);
    const [r] = rules.filter((x) => x.priority === 5);
    assert.deepEqual(
      [r.table, r.src, r.dst, r.oif, r.iif, r.invert, r.tos, r.dportRange, r.sportRange, r.ipProto, r.uidRange],
      [
        "main",
        "172.16.0.0/16",
        "172.16.1.0/24",
        "lo",
        "lo",
        true,
        0x10,
        { start: 80, end: 80 },
        { start: 1000, end: 1024 },
        17,
        { start: 100, end: 100 },
      ],
    );
    assert.equal(r.protocol, "kernel");
    const [ir] = (ipJson(ns, "rule", "show") as Json[]).filter((x) => x.priority === 5);
    assert.deepEqual(
      [ir.src, ir.srclen, ir.dst, ir.dstlen, ir.iif, ir.oif, ir.not, ir.tos, ir.ipproto, ir.table],
      ["172.16.0.0", 16, "172.16.1.0", 24, "lo", "lo", null, "0x10", "udp", "main"],
    );
    assert.deepEqual([ir.sport, ir.dport, ir.uid_start, ir.uid_end], [undefined, 80, 100, 100]);
    assert.deepEqual([ir.sport_start, ir.sport_end], [1000, 1024]);
    assert.equal((ipJson(ns, "-d", "rule", "show") as Json[]).find((x) => x.priority === 5)?.protocol, "kernel");
    await deleteRule(r, o);
    assert.equal((await listRules({ family: "inet" }, o)).length, begin.length);
    assert.equal((ipJson(ns, "rule", "show") as Json[]).filter((x) => x.priority === 5).length, 0);

    // The fields the first rule did not use: goto, suppressors, realms, tunnel id, fwmark/mask and the actions.
    await addRule({ priority: 10, fwmark: 0x1234, fwmask: 0xff00, goto: 20 }, o);
    await addRule({ priority: 20, table: 100, suppressPrefixlen: 8, suppressIfgroup: 3, flow: 0x00050006 }, o);
    await addRule({ priority: 30, tunId: 77, table: 101 }, o);
    for (const [i, action] of ["blackhole", "unreachable", "prohibit", "nop"].entries()) {
      await addRule({ priority: 40 + i, action }, o);
    }
    const by = new Map((await listRules({ family: "inet" }, o)).map((x) => [x.priority, x]));
    assert.deepEqual([by.get(10)?.action, by.get(10)?.goto, by.get(10)?.fwmark, by.get(10)?.fwmask], [
      "goto",
      20,
      0x1234,
      0xff00,
    ]);
    assert.deepEqual([by.get(20)?.suppressPrefixlen, by.get(20)?.suppressIfgroup, by.get(20)?.flow], [
      8,
      3,
      0x00050006,
    ]);
    assert.equal(by.get(30)?.tunId, 77);
    assert.deepEqual([40, 41, 42, 43].map((p) => by.get(p)?.action), ["blackhole", "unreachable", "prohibit", "nop"]);
    const ipBy = new Map((ipJson(ns, "rule", "show") as Json[]).map((x) => [x.priority, x]));
    assert.deepEqual([ipBy.get(10)?.fwmark, ipBy.get(10)?.fwmask, ipBy.get(10)?.goto], ["0x1234", "0xff00", 20]);
    assert.deepEqual([
      ipBy.get(20)?.suppress_prefixlen,
      ipBy.get(20)?.suppress_ifgroup,
      ipBy.get(20)?.flow_from,
      ipBy.get(20)?.flow_to,
    ], [8, "3", "5", "6"]);
    assert.equal(ipBy.get(30)?.tun_id, 77);
    assert.deepEqual([40, 41, 42].map((p) => ipBy.get(p)?.action), ["blackhole", "unreachable", "prohibit"]);
    assert.ok("nop" in ipBy.get(43)!); // ip prints nop as its own key
  });
});

/** Go's runRuleListFiltered: a rule set where each filter, if ignored, selects more. */
async function listFiltered(
  ns: string,
  family: "inet" | "inet6",
  src: string,
  dst: string,
  other: string,
): Promise<void> {
  const o = { netns: ns };
  const base = { family, table: 100, src, dst };
  await addRule({ ...base, priority: 100 }, o);
  await addRule({ ...base, priority: 101, src: other }, o);
  await addRule({ ...base, priority: 102, dst: other }, o);
  await addRule({ ...base, priority: 103, table: 200 }, o);
  await addRule({ ...base, priority: 104, tos: 0x10 }, o);
  await addRule({ ...base, priority: 105, fwmark: 0x1234 }, o);
  await addRule({ ...base, priority: 106, fwmark: 0x1234, fwmask: 0xff }, o);
  await addRule({ ...base, priority: 107, fwmark: 0, fwmask: 0xffffffff }, o);
  await addRule({ ...base, priority: 108, iif: "lo" }, o);
  await addRule({ ...base, priority: 109, oif: "lo" }, o);
  await addRule({ ...base, priority: 110, invert: true }, o);
  await addRule({ ...base, priority: 111, ipProto: "tcp", dportRange: { start: 80, end: 80 } }, o);
  await addRule({ ...base, priority: 112, sportRange: { start: 1000, end: 1024 }, uidRange: { start: 5, end: 6 } }, o);
  await addRule({ ...base, priority: 100, table: 300 }, o);
  const mine = (r: Rule) => r.priority >= 100 && r.priority < 1000;
  const all = (await listRules({ family }, o)).filter(mine);
  assert.equal(all.length, 14);
  const prios = (rs: Rule[]) => rs.filter(mine).map((r) => r.priority).sort((a, b) => a - b);
  const cases: [RuleFilter, number[]][] = [
    [{ src: other }, [101]],
    [{ dst: other }, [102]],
    [{ table: 200 }, [103]],
    [{ priority: 100 }, [100, 100]],
    [{ priority: 100, table: 100 }, [100]],
    [{ tos: 0x10 }, [104]],
    [{ fwmark: 0x1234 }, [105, 106]],
    [{ fwmark: 0x1234, fwmask: 0xff }, [106]],
    [{ fwmark: 0x1234, fwmask: 0xffffffff, table: 100 }, [105]],
    [{ fwmark: 0, fwmask: 0xffffffff, table: 100 }, [107]],
    [{ iif: "lo" }, [108]],
    [{ oif: "lo" }, [109]],
    [{ invert: true }, [110]],
    [{ invert: false, table: 100 }, [100, 101, 102, 104, 105, 106, 107, 108, 109, 111, 112]],
    [{ ipProto: "tcp" }, [111]],
    [{ dportRange: { start: 80, end: 80 } }, [111]],
    [{ sportRange: { start: 1000, end: 1024 } }, [112]],
    [{ uidRange: { start: 5, end: 6 } }, [112]],
  ];
  for (const [f, want] of cases) {
    assert.ok(want.length < all.length);
    assert.deepEqual(prios(await listRules({ family, ...f }, o)), want, `${family} ${JSON.stringify(f)}`);
  }
  // The other family lists none of them.
  const otherFamily = family === "inet" ? "inet6" : "inet";
  assert.deepEqual(prios(await listRules({ family: otherFamily }, o)), []);
  // ip agrees where it has the selector.
  const ipPrios = (...w: string[]) =>
    (ipJson(ns, family === "inet" ? "-4" : "-6", "rule", "show", ...w) as Json[])
      .map((r) => r.priority as number).filter((p) => p >= 100 && p < 1000).sort((a, b) => a - b);
  assert.deepEqual(ipPrios("table", "200"), [103]);
  assert.deepEqual(ipPrios("from", other), [101]);
  assert.deepEqual(ipPrios("to", other), [102]);
  assert.deepEqual(ipPrios("fwmark", "0x1234/0xff"), [106]);
  assert.deepEqual(ipPrios("iif", "lo"), [108]);
  assert.deepEqual(ipPrios("oif", "lo"), [109]);
  assert.deepEqual(ipPrios("priority", "100"), [100, 100]);
}

// TestRuleListFiltered (IPv4 and IPv6)
test("vish rule: each filter narrows the list, IPv4", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => listFiltered(ns, "inet", "172.16.0.0/16", "172.16.1.0/24", "10.9.0.0/16"));
});

test("vish rule: each filter narrows the list, IPv6", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) =>
    listFiltered(ns, "inet6", "fd56:6b58:db28:2913::/64", "fde9:379f:3b35:6635::/96", "fd00:9::/64")
  );
});
