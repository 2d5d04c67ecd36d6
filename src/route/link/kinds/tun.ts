/**
 * `tun`: what the kernel reports of a tun/tap device (`IFLA_TUN_*`). The
 * kernel makes these only through ioctls (see `../tuntap.ts`), so
 * `link add` refuses the kind and points to `tuntap add`.
 *
 * @module
 */

import { onOffText, textFields } from "./format.ts";
import type { KindData, KindJson, KindPrintContext, LinkKind } from "./kind.ts";

/** `IFF_TUN`/`IFF_TAP`: the device type of a tun/tap link. */
export const TUN_TYPE = { 1: "tun", 2: "tap" } as const;

/** `IFLA_TUN_*`: what the kernel reports of a tun/tap device (created with ioctls, see `tuntap.ts`). */
export const IFLA_TUN_ATTRS = {
  owner: { type: 1, kind: "u32" },
  group: { type: 2, kind: "u32" },
  type: { type: 3, kind: "u8", names: TUN_TYPE },
  pi: { type: 4, kind: "u8" },
  vnetHdr: { type: 5, kind: "u8" },
  persist: { type: 6, kind: "u8" },
  multiQueue: { type: 7, kind: "u8" },
  numQueues: { type: 8, kind: "u32" },
  numDisabledQueues: { type: 9, kind: "u32" },
} as const;

/** `tun_print_opt`: flags as booleans, queue counts with multi_queue, owner and group by name when known. */
function json(d: KindData, ctx: KindPrintContext): KindJson {
  const out: KindJson = {};
  if (d.type !== undefined) out.type = d.type;
  if (d.pi !== undefined) out.pi = d.pi === 1;
  if (d.vnetHdr !== undefined) out.vnet_hdr = d.vnetHdr === 1;
  out.multi_queue = d.multiQueue === 1;
  if (d.multiQueue === 1) {
    if (d.numQueues !== undefined) out.numqueues = d.numQueues;
    if (d.numDisabledQueues !== undefined) out.numdisabled = d.numDisabledQueues;
  }
  if (d.persist !== undefined) out.persist = d.persist === 1;
  if (typeof d.owner === "number") out.user = ctx.userName(d.owner) ?? d.owner;
  if (typeof d.group === "number") out.group = ctx.groupName(d.group) ?? d.group;
  return out;
}

/** `tun_print_opt`: type, pi, vnet_hdr, queues, persist, owner and group (by name when known). */
function details(d: KindData, ctx: KindPrintContext): string {
  let s = d.type !== undefined ? `type ${d.type} ` : "";
  s += textFields(d, [["pi", "pi", onOffText], ["vnet_hdr", "vnetHdr", onOffText]]);
  if (d.multiQueue) {
    s += "multi_queue " + textFields(d, [["numqueues", "numQueues"], ["numdisabled", "numDisabledQueues"]]);
  }
  s += textFields(d, [["persist", "persist", onOffText]]);
  if (typeof d.owner === "number") s += `user ${ctx.userName(d.owner) ?? d.owner} `;
  if (typeof d.group === "number") s += `group ${ctx.groupName(d.group) ?? d.group} `;
  return s;
}

/** Kind `tun` in a `createLink` spec: the type allows it, but the kernel makes tun/tap devices only through ioctls, so `createLink` refuses it (use `createTuntap`). */
export interface TunLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "tun";
}

/** The `tun` kind (reported only). */
export const TUN_KIND: LinkKind<"tun", typeof IFLA_TUN_ATTRS> = {
  kind: "tun",
  data: IFLA_TUN_ATTRS,
  types: {
    data: { name: "TunData", prefix: "IFLA_TUN_", doc: "tun/tap device state" },
  },
  json,
  details,
  // The kernel makes tun/tap devices only through ioctls ("tun/tap creation via rtnetlink is not supported").
  refuse: { names: ["tun", "tuntap", "tap"], hint: `tun/tap devices are made with "nlkit tuntap add"` },
};
