/**
 * Strict input: every public call on links, addresses, conntrack entries
 * and expectations that takes an object refuses an unknown key, a key of
 * the options object given in a data slot, and an unknown option, with an
 * `InvalidArgumentError` naming the key, before anything is opened or sent
 * (the namespace named here does not exist: reaching it would fail
 * otherwise). No root needed.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/wire/invalid.ts";
import {
  addAddress,
  deleteAddress,
  flushAddresses,
  listAddresses,
  replaceAddress,
  streamAddresses,
} from "../src/route/addr/api.ts";
import type { Address } from "../src/route/addr/table.ts";
import { getLink, listLinks, streamLinks } from "../src/route/link/api.ts";
import { addAltnames, changeLink, createLink, deleteLink } from "../src/route/link/change.ts";
import { listBridgePorts, setBridgePort } from "../src/route/link/brport.ts";
import { listMulticastAddresses } from "../src/route/link/maddr.ts";
import { createTuntap } from "../src/route/link/tuntap.ts";
import {
  createConntrack,
  deleteConntrack,
  deleteConntrackByFilter,
  flushConntrack,
  getConntrack,
  listConntrack,
  streamConntrack,
  updateConntrack,
} from "../src/netfilter/conntrack/ops.ts";
import { createConntrackMany } from "../src/netfilter/conntrack/bulk.ts";
import { conntrackCount } from "../src/netfilter/conntrack/stats.ts";
import { subscribeConntrack } from "../src/netfilter/conntrack/events.ts";
import { subscribeRoute, watchRoute } from "../src/route/events.ts";
import { subscribeMonitor, subscribeNetconf } from "../src/route/monitor_events.ts";
import {
  createExpect,
  deleteExpect,
  flushExpect,
  getExpect,
  listExpect,
  streamExpect,
} from "../src/netfilter/conntrack/expect_ops.ts";

const o = { netns: "nlkit-strict-input-no-such-netns" };
const bad = { ...o, nets: 1 } as never;
const listed: Address = {
  family: "inet",
  address: "10.0.0.1/24",
  local: "10.0.0.1",
  prefixLen: 24,
  ifindex: 2,
  dev: "v0",
  scope: "global",
  flags: ["permanent"],
};
const tuple = { src: "10.0.0.1", dst: "10.0.0.2", sport: 1, dport: 2 };
const entry = { proto: "udp", orig: tuple, timeout: 5 };
const expectKey = { proto: "udp", tuple };
const expectSpec = { ...expectKey, master: tuple, timeout: 5 };

/** Each case: the call, and the key its error must name. */
const CASES: [string, () => unknown, string][] = [
  // Links.
  ["listLinks filter", () => listLinks({ knd: "veth" } as never, o), "knd"],
  ["listLinks filter with options", () => listLinks({ netns: "x" } as never), "netns"],
  ["listLinks options", () => listLinks({}, bad), "nets"],
  ["streamLinks options", () => streamLinks({}, bad).next(), "nets"],
  ["getLink options", () => getLink("lo", bad), "nets"],
  ["getLink listed link", () => getLink({ name: "lo" } as never, o), "link"],
  ["createLink spec", () => createLink({ name: "x", kind: "dummy", mtus: 1 } as never, o), "mtus"],
  ["createLink veth peer", () => createLink({ name: "x", kind: "veth", peer: { nme: "y" } } as never, o), "nme"],
  ["createLink options", () => createLink({ name: "x", kind: "dummy" }, bad), "nets"],
  ["changeLink changes", () => changeLink("lo", { mut: 1 } as never, o), "mut"],
  ["changeLink options", () => changeLink("lo", { mtu: 1500 }, bad), "nets"],
  ["deleteLink options", () => deleteLink("lo", bad), "nets"],
  ["addAltnames options", () => addAltnames("lo", ["x"], bad), "nets"],
  ["setBridgePort options", () => setBridgePort("lo", { cost: 1 }, bad), "nets"],
  ["listBridgePorts options", () => listBridgePorts(bad), "nets"],
  ["listMulticastAddresses filter", () => listMulticastAddresses({ netns: "x" } as never), "netns"],
  ["listMulticastAddresses options", () => listMulticastAddresses({}, bad), "nets"],
  ["createTuntap options", () => createTuntap({ name: "t0", mode: "tun" }, { socket: 1 } as never), "socket"],
  // Addresses.
  ["listAddresses filter", () => listAddresses({ device: "v0" } as never, o), "device"],
  ["listAddresses filter by link", () => listAddresses({ link: "v0" } as never, o), "link"],
  ["listAddresses filter with options", () => listAddresses({ netns: "x" } as never), "netns"],
  ["streamAddresses options", () => streamAddresses({}, bad).next(), "nets"],
  ["addAddress settings", () => addAddress("v0", "10.0.0.1/24", { lable: "v0:a" } as never, o), "lable"],
  ["addAddress options in the settings slot", () => addAddress("v0", "10.0.0.1/24", o as never), "netns"],
  ["addAddress options", () => addAddress("v0", "10.0.0.1/24", {}, bad), "nets"],
  ["addAddress listed", () => addAddress({ ...listed, scoop: "host" } as never, o), "scoop"],
  ["replaceAddress settings", () => replaceAddress("v0", "10.0.0.1/24", { metrc: 1 } as never, o), "metrc"],
  ["replaceAddress listed options", () => replaceAddress(listed, bad), "nets"],
  ["deleteAddress listed", () => deleteAddress({ ...listed, extra: 1 } as never, o), "extra"],
  ["deleteAddress options", () => deleteAddress("v0", "10.0.0.1/24", bad), "nets"],
  ["flushAddresses filter", () => flushAddresses({ scope: "host", lnk: "v0" } as never, o), "lnk"],
  ["flushAddresses options", () => flushAddresses({}, bad), "nets"],
  // Conntrack entries.
  ["listConntrack filter", () => listConntrack({ protocol: "udp" } as never, o), "protocol"],
  ["listConntrack ICMP as type/code/id", () => listConntrack({ orig: { type: 8 } } as never, o), "type"],
  ["listConntrack filter with options", () => listConntrack({ netns: "x" } as never), "netns"],
  ["streamConntrack options", () => streamConntrack({}, bad), "nets"],
  ["getConntrack key", () => getConntrack({ ...entry, proot: 1 } as never, o), "proot"],
  [
    "getConntrack ICMP as type/code/id",
    () => getConntrack({ proto: "icmp", orig: { ...tuple, id: 3 } } as never, o),
    "id",
  ],
  ["getConntrack options", () => getConntrack(entry, bad), "nets"],
  ["createConntrack spec", () => createConntrack({ ...entry, timout: 5 } as never, o), "timout"],
  ["createConntrack options in the spec", () => createConntrack({ ...entry, netns: "x" } as never), "netns"],
  ["createConntrack options", () => createConntrack(entry, bad), "nets"],
  ["updateConntrack spec", () => updateConntrack({ ...entry, mrk: 1 } as never, o), "mrk"],
  ["updateConntrack NAT", () => updateConntrack({ ...entry, natSrc: { addr: "1.1.1.1" } } as never, o), "addr"],
  ["deleteConntrack key", () => deleteConntrack({ ...entry, zones: 1 } as never, o), "zones"],
  ["deleteConntrack options", () => deleteConntrack(entry, bad), "nets"],
  ["flushConntrack filter", () => flushConntrack({ proto: "udp" } as never, o), "proto"],
  ["flushConntrack options", () => flushConntrack({}, bad), "nets"],
  ["deleteConntrackByFilter filter", () => deleteConntrackByFilter({ source: "1.1.1.1" } as never, o), "source"],
  ["deleteConntrackByFilter options", () => deleteConntrackByFilter({}, bad), "nets"],
  ["createConntrackMany tuning", () => createConntrackMany([entry], { windw: 1 } as never, o), "windw"],
  ["createConntrackMany options", () => createConntrackMany([entry], {}, bad), "nets"],
  ["conntrackCount options", () => conntrackCount(bad), "nets"],
  ["subscribeConntrack options", () => subscribeConntrack({ event: ["new"] } as never, o), "event"],
  ["subscribeConntrack options in the first slot", () => subscribeConntrack(o as never), "netns"],
  ["subscribeConntrack target", () => subscribeConntrack({}, bad), "nets"],
  // rtnetlink events.
  ["subscribeRoute options", () => subscribeRoute(["link"], bad), "nets"],
  ["subscribeRoute socket", () => subscribeRoute(["link"], { socket: {} } as never), "socket"],
  ["subscribeRoute retries", () => subscribeRoute(["link"], { retries: 1 } as never), "retries"],
  ["watchRoute options", () => watchRoute(["addr"], bad), "nets"],
  ["subscribeMonitor options", () => subscribeMonitor({ nsid: true }, bad), "nets"],
  ["subscribeMonitor names", () => subscribeMonitor({ groups: ["addr"] }, { names: "yes" } as never), "names"],
  [
    "subscribeMonitor names with allNsid",
    () => subscribeMonitor({ groups: ["addr"], allNsid: true }, { names: true }),
    "names",
  ],
  ["subscribeNetconf names", () => subscribeNetconf({ names: true } as never), "names"],
  ["subscribeNetconf options", () => subscribeNetconf({ familes: ["inet"] } as never), "familes"],
  // Expectations.
  ["createExpect spec", () => createExpect({ ...expectSpec, helpr: "ftp" } as never, o), "helpr"],
  ["createExpect tuple", () => createExpect({ ...expectSpec, master: { ...tuple, code: 0 } } as never, o), "code"],
  ["createExpect options", () => createExpect(expectSpec, bad), "nets"],
  ["getExpect key", () => getExpect({ ...expectKey, tupl: tuple } as never, o), "tupl"],
  ["getExpect options", () => getExpect(expectKey, bad), "nets"],
  ["deleteExpect key", () => deleteExpect({ ...expectKey, ids: 1 } as never, o), "ids"],
  ["flushExpect options", () => flushExpect(bad), "nets"],
  ["listExpect filter", () => listExpect({ famly: "inet" } as never, o), "famly"],
  ["listExpect filter with options", () => listExpect({ netns: "x" } as never), "netns"],
  ["streamExpect options", () => streamExpect({}, bad), "nets"],
];

for (const [name, call, key] of CASES) {
  test(`${name}: "${key}" is refused before anything is sent`, async () => {
    await assert.rejects(
      (async () => await call())(),
      (e: unknown) => {
        assert.ok(e instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(e)}`);
        assert.equal(e.code, "EINVAL");
        assert.equal(e.argument, key);
        assert.match(e.message, new RegExp(`"${key}"|${key} `));
        return true;
      },
    );
  });
}

test("the error suggests the right key or says where an option goes", async () => {
  await assert.rejects(listAddresses({ famly: "inet" } as never, o), /did you mean "family"\?/);
  await assert.rejects(addAddress("v0", "10.0.0.1/24", o as never), /netns is an option: pass it in the options/);
  await assert.rejects(listConntrack({ orig: { code: 0 } } as never, o), /spelt "icmpCode"/);
  await assert.rejects(listConntrack({ family: "ipv4" } as never, o), /did you mean "inet"\?/);
});
