/**
 * `get*` returns one object or throws `NotFoundError`: every `get*` call of
 * every entry point, asked for something absent in a throwaway namespace,
 * fails with that class (and a not-found `code`), never with a bare
 * `NetlinkError`, an `undefined` result or a crash. The list of calls is
 * read from the entry points, so a new `get*` without a case here fails.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { NotFoundError } from "../src/errors.ts";
import { getLink } from "../src/route/link/api.ts";
import { getRoute } from "../src/route/route/api.ts";
import { getNeighbour } from "../src/route/neigh/api.ts";
import { getNexthop, getNexthopBucket } from "../src/route/nexthop/api.ts";
import { getAction } from "../src/route/tc/actions.ts";
import { getTcChain } from "../src/route/tc/chain.ts";
import { getClass, getFilter, getQdisc } from "../src/route/tc/ops.ts";
import { getNsid } from "../src/netns/nsid.ts";
import { getConntrack } from "../src/netfilter/conntrack/ops.ts";
import { getExpect } from "../src/netfilter/conntrack/expect_ops.ts";
import { getGenericFamily } from "../src/genl/ctrl.ts";
import { getElements } from "../src/netfilter/nftables/get_elements.ts";
import { ROOT } from "./_cli.ts";
import { ip, NEEDS_ROOT, run, withTempNetns } from "./_helpers.ts";

type Case = (netns: string) => Promise<unknown>;

/** A u32 filter at pref 7 on d0's ingress (its handle 800::800, not the 800::802 the lookups ask for). */
function addU32AtPref7(ns: string): void {
  run("tc", ["-n", ns, ..."filter add dev d0 ingress pref 7 protocol ip u32 match u32 0 0".split(" ")]);
}

const ct = { proto: "tcp", orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2 } } as const;

/** Each `get*` asked for something the namespace does not have. */
const CASES: Record<string, Case> = {
  getLink: (netns) => getLink("nope0", { netns }),
  getRoute: (netns) => getRoute("192.0.2.1", {}, { netns }), // no route at all: ENETUNREACH
  getNeighbour: (netns) => getNeighbour({ dst: "10.0.0.9", dev: "d0" }, { netns }),
  getNexthop: (netns) => getNexthop(77, { netns }),
  getNexthopBucket: (netns) => getNexthopBucket(77, 0, { netns }),
  getConntrack: (netns) => getConntrack(ct, { netns }),
  getExpect: (netns) => getExpect({ proto: "tcp", tuple: ct.orig }, { netns }),
  getQdisc: (netns) => getQdisc("d0", "1:", { netns }),
  getClass: (netns) => getClass("d0", "1:1", { netns }),
  getFilter: (netns) =>
    getFilter({ dev: "d0", parent: "ingress", priority: 7, protocol: "ip", kind: "u32", handle: "800::802" }, {
      netns,
    }),
  getAction: (netns) => getAction("mirred", 77, { netns }),
  getTcChain: (netns) => getTcChain({ dev: "d0", parent: "ingress", chain: 77 }, { netns }),
  getGenericFamily: (netns) => getGenericFamily("nlkit_nope", { netns }),
  getNsid: () => getNsid("nlkit-no-such-netns"),
  getElements: (netns) =>
    getElements({ family: "inet", table: "nope", set: "s" }, [{ key: { value: new Uint8Array([10, 0, 0, 1]) } }], {
      netns,
    }),
};

/** `get*` exports that are not lookups of one object. */
const NOT_LOOKUPS: Record<string, string> = {
  getGeneration: "the nftables ruleset generation always exists",
  getFamilyRequest: "builds a request, sends nothing",
};

test("every get* of every entry point has a case here", async () => {
  const exportsMap: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8")).exports;
  const names = new Set<string>();
  for (const [sub, file] of Object.entries(exportsMap)) {
    if (sub === "./cli") continue; // a program (importing it runs it), not a module of calls
    const mod = await import(join(ROOT, file));
    for (const [k, v] of Object.entries(mod)) if (/^get[A-Z]/.test(k) && typeof v === "function") names.add(k);
  }
  assert.ok(names.has("getLink") && names.has("getConntrack"), "the entry points were read");
  const missing = [...names].filter((n) => !(n in CASES) && !(n in NOT_LOOKUPS));
  assert.deepEqual(missing, [], "get* calls without a not-found case");
});

for (const [name, call] of Object.entries(CASES)) {
  test(`${name} of something absent throws NotFoundError`, { skip: NEEDS_ROOT }, async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
      for (const dev of ["d0", "d1"]) ip(ns, "link", "set", dev, "up");
      ip(ns, "addr", "add", "10.0.0.1/24", "dev", "d0");
      ip(ns, "nexthop", "add", "id", "1", "dev", "d0"); // so the nexthop tables exist
      // A u32 filter exists at pref 7; its handle 800::802 does not (empty chains: the test below).
      run("tc", ["-n", ns, "qdisc", "add", "dev", "d0", "clsact"]);
      addU32AtPref7(ns);
      await assert.rejects(call(ns), (e: unknown) => {
        assert.ok(e instanceof NotFoundError, `${name}: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
        assert.match(e.code, /^E[A-Z]+$/);
        return true;
      });
    });
  });
}

test("getFilter: an empty chain, another priority, no parent qdisc: NotFoundError", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
    const spec = {
      dev: "d0",
      parent: "ingress",
      priority: 7,
      protocol: "ip",
      kind: "u32",
      handle: "800::802",
    } as const;
    const absent = async (what: string, s: Parameters<typeof getFilter>[0], kernel: RegExp) => {
      await assert.rejects(getFilter(s, { netns: ns }), (e: unknown) => {
        assert.ok(e instanceof NotFoundError, `${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
        assert.equal(e.code, "ENOENT", what);
        assert.match(e.kernelMessage ?? "", kernel, what);
        return true;
      });
    };
    await absent("no clsact", spec, /Parent Qdisc/);
    run("tc", ["-n", ns, "qdisc", "add", "dev", "d0", "clsact"]);
    await absent("empty chain 0", spec, /filter chain/);
    addU32AtPref7(ns);
    await absent("chain 3", { ...spec, chain: 3 }, /filter chain/);
    await absent("priority 8", { ...spec, priority: 8 }, /priority/);
    // The filter that exists is found, so the refusals above are about absence, not a bad request.
    const f = await getFilter({ ...spec, handle: "800::800" }, { netns: ns });
    assert.equal(f.kind, "u32");
  });
});
