/**
 * tun/tap devices: the `TUNSETIFF` request bytes (derived from
 * `<linux/if.h>` and `<linux/if_tun.h>`), creation and deletion in
 * throwaway namespaces checked with `ip -d -j link` and `ip tuntap`, and the
 * kernel's refusals.
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidArgumentError } from "../src/errors.ts";
import { createTuntap, deleteTuntap, TUNSETIFF, TUNSETPERSIST, tuntapIfreq } from "../src/route/link/tuntap.ts";
import { listLinks } from "../src/route/link/api.ts";
import { createLink } from "../src/route/link/change.ts";
import { linkIndexMap, linkToIpJson } from "../src/route/link/json.ts";
import { SysError } from "../src/sys/sys.ts";
import { unhex } from "./_vectors.ts";
import { ip, ipJson, NEEDS_ROOT, withTempNetns } from "./_helpers.ts";

test("TUNSETIFF ifreq: name, then ifr_flags at offset 16 (IFF_NO_PI unless pi)", () => {
  // struct ifreq: char ifr_name[16]; short ifr_flags; padding to 40 bytes.
  const tap = tuntapIfreq({ name: "tz", mode: "tap", multiQueue: true, vnetHdr: true });
  assert.equal(tap.length, 40);
  // IFF_TAP 0x2 | IFF_MULTI_QUEUE 0x100 | IFF_NO_PI 0x1000 | IFF_VNET_HDR 0x4000 = 0x5102.
  assert.deepEqual(tap.subarray(0, 18), unhex("747a0000 00000000 00000000 00000000 0251"));
  const tun = tuntapIfreq({ mode: "tun", pi: true, oneQueue: true });
  // No name: the kernel picks tunN. IFF_TUN 0x1 | IFF_ONE_QUEUE 0x2000.
  assert.deepEqual(tun.subarray(0, 18), unhex("00000000 00000000 00000000 00000000 0120"));
  // _IOW('T', 202, int) and _IOW('T', 203, int).
  assert.equal(TUNSETIFF, (1 << 30) | (4 << 16) | (0x54 << 8) | 202);
  assert.equal(TUNSETPERSIST, (1 << 30) | (4 << 16) | (0x54 << 8) | 203);
});

test("bad tun/tap specs are refused before any ioctl", () => {
  assert.throws(() => tuntapIfreq({ mode: "tunnel" as "tun" }), {
    name: "InvalidArgumentError",
    message: 'Invalid tun/tap mode: "tunnel" (must be "tun" or "tap")',
  });
  assert.throws(() => tuntapIfreq({ mode: "tap", name: "a/b" }), InvalidArgumentError);
  assert.throws(() => tuntapIfreq({ mode: "tap", name: "x".repeat(16) }), InvalidArgumentError);
  assert.throws(() => tuntapIfreq({ mode: "tap", user: -1 }), InvalidArgumentError);
  assert.throws(() => tuntapIfreq({ mode: "tap", vnetHdr: 1 as unknown as boolean }), InvalidArgumentError);
  assert.throws(() => tuntapIfreq({ mode: "tap", multiqueue: true } as never), {
    name: "InvalidArgumentError",
    message: /Unknown tun\/tap setting: "multiqueue"/,
  });
});

test(
  "tun and tap: created with owner, group, queues; ip -d and ip tuntap agree; deleted",
  { skip: NEEDS_ROOT },
  async () => {
    await withTempNetns(async (ns) => {
      const o = { netns: ns };
      const tap = await createTuntap({
        name: "tz",
        mode: "tap",
        multiQueue: true,
        vnetHdr: true,
        user: 1000,
        group: 100,
      }, o);
      assert.equal(tap.name, "tz");
      assert.deepEqual(tap.linkinfo?.data, {
        type: "tap",
        owner: 1000,
        group: 100,
        pi: 0,
        vnetHdr: 1,
        persist: 1,
        multiQueue: 1,
        numQueues: 0,
        numDisabledQueues: 0,
      });
      const tun = await createTuntap({ mode: "tun", pi: true }, o);
      assert.equal(tun.name, "tun0");
      assert.equal(tun.linkType, "none");
      assert.equal(
        ip(ns, "tuntap", "show"),
        "tz: tap multi_queue vnet_hdr persist user 1000 group 100\ntun0: tun pi persist filter\n",
      );
      // linkToIpJson agrees with ip -j -d on the tun data, owner and group by number when no names are given.
      const links = await listLinks({}, o);
      const byIndex = linkIndexMap(links);
      for (const l of links.filter((x) => x.linkinfo?.kind === "tun")) {
        const [want] = ipJson(ns, "-d", "link", "show", l.name!);
        const names = { userName: (u: number) => u === 1000 ? want.linkinfo.info_data.user : undefined };
        const got = linkToIpJson(l, {
          byIndex,
          details: true,
          ...names,
          groupName: () => want.linkinfo.info_data.group,
        });
        assert.deepEqual(got.linkinfo, want.linkinfo, l.name);
      }
      // Taken names: EBUSY, as TUNSETIFF with IFF_TUN_EXCL answers.
      await assert.rejects(createTuntap({ name: "tz", mode: "tap" }, o), (e: unknown) => {
        assert.ok(e instanceof SysError);
        assert.equal(e.code, "EBUSY");
        assert.match(e.message, /^ioctl\(TUNSETIFF\) failed/);
        return true;
      });
      await deleteTuntap("tz", o);
      await deleteTuntap("tun0", o);
      assert.equal(ip(ns, "tuntap", "show"), "");
      // Not a tun/tap device, and no such device: refused without touching anything.
      await createLink({ kind: "veth", name: "v0", peer: { name: "v1" } }, o);
      await assert.rejects(deleteTuntap("v0", o), { name: "NotFoundError", message: /not a tun\/tap device/ });
      await assert.rejects(deleteTuntap("nope", o), { name: "NotFoundError", message: 'Unknown link: "nope"' });
      assert.deepEqual((await listLinks({}, o)).map((l) => l.name).sort(), ["lo", "v0", "v1"]);
    });
  },
);
