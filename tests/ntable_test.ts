/**
 * Neighbour tables (`ip ntable`): the parser on dumps captured from the
 * kernel, the change request against the bytes `ip ntable change` sends,
 * bad bytes giving typed errors, and the library's list filters and
 * changes in a throwaway namespace, compared with ip there.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { asMessage, assertOnlyTypedErrors } from "./_fuzz.ts";
import { ip, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";
import {
  changeNeighTable,
  listNeighTables,
  neighTableChangeRequest,
  type NeighTableSettings,
  streamNeighTables,
} from "../src/route/ntable/api.ts";
import { parseNeighTableMessage } from "../src/route/ntable/table.ts";
import { NetlinkSocket } from "../src/socket/socket.ts";
import { errorFrame, fakeSys } from "../src/testing/fake_kernel.ts";
import { InvalidArgumentError, NetlinkError, NotFoundError } from "../mod.ts";

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

// RTM_NEWNEIGHTBL from a 6.18 kernel: arp_cache's defaults (thresholds, config, parameters, stats)...
const ARP_DEFAULTS = bytes(
  "78010000400002000190bd708c690000020000000e0001006172705f63616368650000000c000800307500000000000008000200" +
    "80000000080003000002000008000400000400002400050004005001020000002437f10398ce0100e16a38b83f00000000000000" +
    "000000005c0007000c420000000000000a4200000000000003000000000000000000000000000000d7d501000000000080160000" +
    "0000000000000000000000000000000000000000151100000000000000000000000000000000000000000000b000060008000200" +
    "010000000800100000400300080008006500000008000e0040000000080009000000000008000a000300000008000b0003000000" +
    "08001100000000000c000300e43b0000000000000c00040030750000000000000c00060060ea0000000000000c00070088130000" +
    "000000000c000500e8030000000000000c000c00e8030000000000000c000d0020030000000000000c000f00e803000000000000" +
    "0c0013008813000000000000",
);
// ... and lo's parameters (after `ip ntable change name arp_cache dev lo base_reachable 20000 queue 50`).
const ARP_LO = bytes(
  "dc000000400002000190bd708c690000020000000e0001006172705f6361636865000000b8000600080001000100000008000200" +
    "010000000800100034980100080008003200000008000e0040000000080009000000000008000a000300000008000b0003000000" +
    "08001100000000000c000300f0600000000000000c000400204e0000000000000c00060060ea0000000000000c00070088130000" +
    "000000000c000500e8030000000000000c000c00e8030000000000000c000d0020030000000000000c000f00e803000000000000" +
    "0c0013008813000000000000",
);

const one = (b: Uint8Array) => asMessage(b);

test("a neighbour table dump parses into the table's and a device's values", () => {
  const t = parseNeighTableMessage(one(ARP_DEFAULTS));
  assert.equal(t.family, "inet");
  assert.equal(t.name, "arp_cache");
  assert.deepEqual([t.thresh1, t.thresh2, t.thresh3, t.gcInterval], [128, 512, 1024, 30000]);
  assert.deepEqual([t.config?.keyLen, t.config?.entrySize, t.config?.hashMask], [4, 336, 0x3f]);
  assert.equal(t.stats?.allocs, 16908);
  assert.equal(t.parms?.ifindex, undefined);
  assert.deepEqual([t.parms?.queueLen, t.parms?.baseReachableTime, t.parms?.locktime], [101, 30000, 1000]);
  const lo = parseNeighTableMessage(one(ARP_LO));
  assert.deepEqual([lo.parms?.ifindex, lo.parms?.queueLen, lo.parms?.baseReachableTime], [1, 50, 20000]);
  assert.equal(lo.config, undefined);
  assert.equal(lo.thresh1, undefined);
});

test("bad neighbour table bytes give typed errors, never a crash", () => {
  assertOnlyTypedErrors([ARP_DEFAULTS, ARP_LO], [parseNeighTableMessage], {
    numRuns: 2000,
    maxLength: 400,
    maxEdits: 8,
  });
});

/** The request a call sends on a fake kernel that acks everything, seq and port id zeroed. */
async function sent(call: (opts: { socket: NetlinkSocket }) => Promise<void>): Promise<string> {
  const sys = fakeSys((_r, seq) => [{ bytes: errorFrame(seq, 0) }]);
  {
    using socket = NetlinkSocket.openWith(sys, 0);
    await call({ socket });
  }
  const msg = sys.sent[0].slice();
  msg.fill(0, 8, 16);
  return hex(msg);
}

test("the change request is the one ip ntable change sends", async () => {
  // `ip ntable change name arp_cache dev lo base_reachable 20000 queue 50`, captured with strace; ip's
  // NDTA_PARMS lacks NLA_F_NESTED (0x8000), which nlkit sets as on every nest: the kernel takes both.
  assert.equal(
    await sent((o) => changeNeighTable({ name: "arp_cache", dev: 1 }, { baseReachableTime: 20000, queueLen: 50 }, o)),
    "44000000430005010000000000000000000000000e0001006172705f6361636865000000200006800800010001000000" +
      "0c000400204e0000000000000800080032000000",
  );
  // `ip -6 ntable change name ndisc_cache thresh1 64 gc_int 20000`: the table's own values, no parameters.
  assert.equal(
    await sent((o) =>
      changeNeighTable({ name: "ndisc_cache", family: "inet6" }, { thresh1: 64, gcInterval: 20000 }, o)
    ),
    "380000004300050100000000000000000a000000100001006e646973635f636163686500080002004000000" +
      "00c0008" + "00204e000000000000",
  );
});

test("bad neighbour table input is refused before anything is sent", () => {
  const bad: [() => unknown, RegExp][] = [
    [() => neighTableChangeRequest({ name: "arp_cache" }, {}), /without a setting/],
    [() => neighTableChangeRequest({ name: "" }, { queueLen: 1 }), /table name/],
    [() => neighTableChangeRequest({ name: "arp_cache" }, { queueLen: 2 ** 32 }), /queueLen/],
    [() => neighTableChangeRequest({ name: "arp_cache" }, { queueLen: -1 }), /queueLen/],
    [() => neighTableChangeRequest({ name: "arp_cache" }, { thresh1: 1.5 }), /thresh1/],
    [() => neighTableChangeRequest({ name: "arp_cache" }, { queue: 1 } as never), /queue/],
    [() => neighTableChangeRequest({ name: "arp_cache", family: "nosuch" }, { queueLen: 1 }), /nosuch/],
    [() => streamNeighTables({ device: "lo" } as never), /device/],
    [() => streamNeighTables({ dev: true } as never), /dev/],
  ];
  for (const [fn, msg] of bad) {
    assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && msg.test(e.message), String(msg));
  }
});

test("listNeighTables filters by name, device and family, as ip ntable show does", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (ns) => {
    ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
    const all = await listNeighTables({}, { netns: ns });
    // Defaults and lo, t0, t1 for each of ARP and NDP: each filter below selects fewer.
    assert.equal(all.length, 8);
    const arp = await listNeighTables({ name: "arp_cache" }, { netns: ns });
    assert.equal(arp.length, 4);
    assert.ok(arp.every((t) => t.name === "arp_cache" && t.family === "inet"));
    const t0 = await listNeighTables({ dev: "t0" }, { netns: ns });
    const t0Index = Number(ip(ns, "-j", "link", "show", "t0").match(/"ifindex":(\d+)/)![1]);
    assert.deepEqual(t0.map((t) => [t.name, t.parms?.ifindex]), [["arp_cache", t0Index], ["ndisc_cache", t0Index]]);
    const defaults = await listNeighTables({ dev: null }, { netns: ns });
    assert.deepEqual(defaults.map((t) => [t.name, t.parms?.ifindex, t.thresh1 !== undefined]), [
      ["arp_cache", undefined, true],
      ["ndisc_cache", undefined, true],
    ]);
    const v6 = await listNeighTables({ family: "inet6", dev: "t1" }, { netns: ns });
    assert.deepEqual(v6.map((t) => t.name), ["ndisc_cache"]);
    await assert.rejects(listNeighTables({ dev: "nosuch" }, { netns: ns }), NotFoundError);
  });
});

test(
  "changeNeighTable changes one device's parameters, or the defaults, as ip sees them",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      ip(ns, "link", "add", "t0", "type", "veth", "peer", "name", "t1");
      const show = (dev: string) => ip(ns, "ntable", "show", "name", "arp_cache", "dev", dev);
      await changeNeighTable({ name: "arp_cache", dev: "t0" }, { queueLen: 33, ucastProbes: 7, locktime: 1500 }, {
        netns: ns,
      });
      assert.match(show("t0"), /queue 33 /);
      assert.match(show("t0"), /ucast_probes 7 /);
      assert.match(show("t0"), /locktime 1500 /);
      assert.doesNotMatch(show("t1"), /queue 33 /); // the device given, not every device
      // A listed entry goes back as its target.
      const [t1] = await listNeighTables({ name: "arp_cache", dev: "t1" }, { netns: ns });
      await changeNeighTable(t1, { appProbes: 2 }, { netns: ns });
      assert.match(show("t1"), /app_probes 2 /);
      assert.doesNotMatch(show("t0"), /app_probes 2 /);
      // The kernel keeps the defaults and the thresholds to the initial namespace (ip is refused alike);
      // no such table is refused too.
      const refused: [string, NeighTableSettings][] = [
        ["ndisc_cache", { delayProbeTime: 4000 }],
        ["arp_cache", { thresh1: 64 }],
        ["nosuch", { queueLen: 1 }],
      ];
      for (const [name, settings] of refused) {
        await assert.rejects(
          changeNeighTable({ name }, settings, { netns: ns }),
          (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT" && e.operation === "RTM_SETNEIGHTBL",
        );
      }
      await assert.rejects(
        changeNeighTable({ name: "arp_cache", dev: "nosuch" }, { queueLen: 1 }, { netns: ns }),
        NotFoundError,
      );
    });
  },
);
