/**
 * Route encapsulation (`seg6`, `seg6local`) and realms: the codec against
 * bytes `ip` sent (captured with `strace -xx -e trace=sendmsg`), property
 * round trips, bad bytes, and routes added by the library as `ip` lists them.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ip, ipJson, withTempNetns } from "./_helpers.ts";
import { NEEDS_SEG6 } from "./_kernel.ts";
import { decodeEncap, encodeEncap, type RouteEncap } from "../src/route/route/encap.ts";
import { addRoute, listRoutes } from "../src/route/route/api.ts";
import { listLinks } from "../src/route/link/api.ts";
import { routeToIpJson } from "../src/route/route/json.ts";
import { MalformedError, TruncatedError } from "../src/wire/errors.ts";
import { formatIp, parseIp } from "../src/wire/addr.ts";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!, (h) => parseInt(h, 16));
}

const SEG = (n: string) => `20010db8000000000000000000000${n}`;

// `ip -6 route add 2001:db8:53::/64 encap seg6 mode inline segs 2001:db8::10,2001:db8::11 dev v0`:
// the RTA_ENCAP payload (one SEG6_IPTUNNEL_SRH attribute; the inline mode's reserved slot is first).
const IP_SEG6_INLINE = hex("40000100" + "00000000" + "0006040202000000" + "0".repeat(32) + SEG("011") + SEG("010"));
// `ip -6 route add ... encap seg6local action End.DT6 table 100 dev v0`.
const IP_SEG6LOCAL_DT6 = hex("0800010007000000" + "0800030064000000");

test("encap bytes are the ones ip sends", () => {
  const inline = encodeEncap({ type: "seg6", mode: "inline", segs: ["2001:db8::10", "2001:db8::11"] });
  assert.equal(inline.type, 5);
  assert.deepEqual(inline.data, IP_SEG6_INLINE);
  const dt6 = encodeEncap({ type: "seg6local", action: "End.DT6", table: 100 });
  assert.equal(dt6.type, 7);
  assert.deepEqual(dt6.data, IP_SEG6LOCAL_DT6);
  assert.deepEqual(decodeEncap(5, IP_SEG6_INLINE), {
    type: "seg6",
    mode: "inline",
    segs: ["2001:db8::10", "2001:db8::11", "::"],
  });
  assert.deepEqual(decodeEncap(7, IP_SEG6LOCAL_DT6), { type: "seg6local", action: "End.DT6", table: 100 });
});

test("bad encap input is refused before anything is sent", () => {
  const bad: [unknown, RegExp][] = [
    [{ type: "seg6", mode: "tunnel", segs: ["2001:db8::1"] }, /seg6 mode/],
    [{ type: "seg6", mode: "encap", segs: [] }, /segs/],
    [{ type: "seg6", mode: "encap", segs: ["10.0.0.1"] }, /IPv6/],
    [{ type: "seg6", mode: "encap", segs: ["2001:db8::1"], sgs: 1 }, /sgs/],
    [{ type: "seg6local", action: "End.Z" }, /action/],
    [{ type: "seg6local", action: "End.DX4", nh4: "2001:db8::1" }, /nh4/],
    [{ type: "mpls" }, /Unsupported encap/],
  ];
  for (const [e, re] of bad) assert.throws(() => encodeEncap(e as RouteEncap), re, JSON.stringify(e));
});

const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) =>
  // Non-zero last group: the address never reads as the inline mode's reserved `::`.
  g.map((x, i) => (i === 7 ? (x | 1) : x).toString(16)).join(":")
);

test("property: encode then decode gives the segment list back", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("encap", "l2encap", "encap.red", "l2encap.red"),
      fc.array(v6, { minLength: 1, maxLength: 6 }),
      fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
      (mode, segs, hmac) => {
        const e = hmac === undefined ? { type: "seg6", mode, segs } : { type: "seg6", mode, segs, hmac };
        const { type, data } = encodeEncap(e as RouteEncap);
        const back = decodeEncap(type, data) as { segs: string[]; hmac?: number };
        assert.deepEqual(back.segs, segs.map((s) => formatIp(parseIp(s))));
        assert.equal(back.hmac, hmac);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: random encap bytes decode or fail with a typed error", () => {
  fc.assert(
    fc.property(fc.constantFrom(5, 7, 1), fc.uint8Array({ maxLength: 200 }), (type, bytes) => {
      try {
        decodeEncap(type, bytes);
      } catch (e) {
        assert.ok(e instanceof TruncatedError || e instanceof MalformedError, String(e));
      }
    }),
    { numRuns: 2000 },
  );
});

test("seg6, seg6local and realm routes added by the library list as ip lists them", { skip: NEEDS_SEG6 }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns, "link", "set", "v0", "up");
    ip(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    const opts = { netns: ns };
    await addRoute({
      dst: "2001:db8:70::/64",
      dev: "v0",
      encap: { type: "seg6", mode: "encap", segs: ["2001:db8::10", "2001:db8::11"] },
    }, opts);
    await addRoute({
      dst: "2001:db8:71::/64",
      dev: "v0",
      encap: { type: "seg6", mode: "inline", segs: ["2001:db8::12"] },
    }, opts);
    await addRoute({ dst: "2001:db8:70::1/128", dev: "v0", encap: { type: "seg6local", action: "End" } }, opts);
    await addRoute({
      dst: "2001:db8:70::2/128",
      dev: "v0",
      encap: { type: "seg6local", action: "End.X", nh6: "2001:db8::2" },
    }, opts);
    await addRoute({
      dst: "2001:db8:70::3/128",
      dev: "v0",
      encap: { type: "seg6local", action: "End.DT6", table: 100 },
    }, opts);
    // Realms are IPv4 only (the kernel keeps no RTA_FLOW for IPv6).
    await addRoute({ dst: "10.62.0.0/24", dev: "v0", flow: (3 << 16) | 5 }, opts);
    await addRoute({ dst: "10.63.0.0/24", dev: "v0", flow: 9 }, opts);
    const text = ip(ns, "-6", "route", "show");
    assert.match(text, /2001:db8:70::\/64 {2}encap seg6 mode encap segs 2 \[ 2001:db8::10 2001:db8::11 \]/);
    assert.match(text, /2001:db8:71::\/64 {2}encap seg6 mode inline segs 2 \[ 2001:db8::12 :: \]/);
    assert.match(text, /2001:db8:70::3 {2}encap seg6local action End.DT6 table 100 dev v0/);
    const v4 = ip(ns, "route", "show");
    assert.match(v4, /^10\.62\.0\.0\/24 dev v0 .*realms 3\/5 $/m);
    assert.match(v4, /^10\.63\.0\.0\/24 dev v0 .*realm 9 $/m);
    const names = new Map((await listLinks({}, opts)).map((l) => [l.index, l.name!]));
    const ours = (await listRoutes({ family: "inet6" }, opts)).map((r) => routeToIpJson(r, names));
    assert.deepEqual(ours, ipJson(ns, "-6", "route", "show"));
    const ours4 = (await listRoutes({ family: "inet" }, opts)).map((r) => routeToIpJson(r, names));
    assert.deepEqual(ours4, ipJson(ns, "route", "show"));
  });
});
