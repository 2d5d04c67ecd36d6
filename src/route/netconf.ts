/**
 * Per-device IP settings the kernel announces (`RTM_NEWNETCONF`): forwarding,
 * reverse-path filter, multicast forwarding, proxy neighbour, ignoring
 * routes over down links, input. `ip monitor netconf` prints these.
 *
 * Listing is `listNetconf`/`streamNetconf` (`ip netconf show`); subscribing
 * lives in `monitor_events.ts` (`subscribeNetconf`).
 *
 * @example
 * ```ts ignore
 * import { listNetconf } from "./netconf.ts";
 * for (const c of await listNetconf({ family: "inet", dev: "eth0" }, { netns: "lab" })) {
 *   console.log(c.family, c.ifindex, c.forwarding, c.rpFilter);
 * }
 * ```
 *
 * @example
 * ```ts ignore
 * import { subscribeNetconf } from "./monitor_events.ts";
 * for await (const ev of await subscribeNetconf({ netns: "lab" })) {
 *   if (ev.type !== "overrun") console.log(ev.object.family, ev.object.ifindex, ev.object.forwarding);
 * }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { NLMSG_HDRLEN } from "../wire/constants.ts";
import { checkKeys } from "../wire/invalid.ts";
import { TruncatedError } from "../wire/errors.ts";
import type { NlMsg } from "../wire/message.ts";
import { nameOf, parseAttrs } from "../wire/table.ts";
import type { OverrunEvent, SubscribeOptions } from "./events.ts";
import { resolveLinkIndex } from "./link/resolve.ts";
import { checkRouteOptions } from "./options.ts";
import { DumpStream, type RouteOptions, RTM } from "./rtnl.ts";

/** `RTM_NEWNETCONF`. */
export const RTM_NEWNETCONF = 80;
/** `RTM_DELNETCONF`. */
export const RTM_DELNETCONF = 81;

/** `RTNLGRP_IPV4_NETCONF`, `RTNLGRP_IPV6_NETCONF` and `RTNLGRP_MPLS_NETCONF`. */
export const RTNLGRP_NETCONF = { inet: 24, inet6: 25, mpls: 29 } as const;

/** Reverse-path filter modes, named as iproute2 prints them. */
export const RP_FILTER = { 0: "off", 1: "strict", 2: "loose" } as const;

/** `NETCONFA_*`: the settings, after a 4-byte `netconfmsg`. */
export const NETCONFA_ATTRS = {
  ifindex: { type: 1, kind: "s32" },
  forwarding: { type: 2, kind: "u32" },
  rpFilter: { type: 3, kind: "u32" },
  mcForwarding: { type: 4, kind: "u32" },
  proxyNeigh: { type: 5, kind: "u32" },
  ignoreRoutesWithLinkdown: { type: 6, kind: "u32" },
  input: { type: 7, kind: "u32" },
  bcForwarding: { type: 8, kind: "u32" },
} as const;

/** `NETCONFA_IFINDEX_ALL` and `NETCONFA_IFINDEX_DEFAULT`: the `all` and `default` settings, not a device. */
export const NETCONFA_IFINDEX = { all: -1, default: -2 } as const;

const FAMILIES: { readonly [n: number]: string } = { 2: "inet", 10: "inet6", 28: "mpls" };

/** One device's (or `all`/`default`) settings; each is present only when the kernel reported it. */
export interface Netconf {
  /** `inet`, `inet6` or `mpls` (or the number of another family). */
  family: string;
  /** The device index, or {@link NETCONFA_IFINDEX} for `all`/`default`. */
  ifindex?: number;
  /** IP forwarding on (1) or off (0). */
  forwarding?: number;
  /** Reverse-path filter (IPv4). */
  rpFilter?: number;
  /** Multicast forwarding. */
  mcForwarding?: number;
  /** Proxy ARP/NDP. */
  proxyNeigh?: number;
  /** Ignore routes whose device is down. */
  ignoreRoutesWithLinkdown?: number;
  /** Accept input (MPLS). */
  input?: number;
  /** Broadcast forwarding. */
  bcForwarding?: number;
}

/** Parses an `RTM_NEWNETCONF`/`RTM_DELNETCONF`. */
export function parseNetconfMessage(m: NlMsg): Netconf {
  const start = m.start + NLMSG_HDRLEN;
  if (m.end - start < 4) throw new TruncatedError("netconfmsg", start, 4, m.end - start);
  const a = parseAttrs(NETCONFA_ATTRS, m.buf, m.view, start + 4, m.end);
  return { family: nameOf(FAMILIES, m.buf[start]), ...a };
}

/** A netconf change, or an overrun (events were lost). */
export type NetconfEvent = { type: "new" | "del"; kind: "netconf"; object: Netconf } | OverrunEvent;

/** Turns a message into a netconf event, or `undefined` for other types. */
export function parseNetconfEvent(m: NlMsg): NetconfEvent | undefined {
  if (m.type !== RTM_NEWNETCONF && m.type !== RTM_DELNETCONF) return undefined;
  return { type: m.type === RTM_NEWNETCONF ? "new" : "del", kind: "netconf", object: parseNetconfMessage(m) };
}

/** Options of `subscribeNetconf`: which families (default IPv4 and IPv6), plus the usual ones. */
export interface NetconfSubscribeOptions extends SubscribeOptions {
  /** Families to follow. */
  families?: readonly (keyof typeof RTNLGRP_NETCONF)[];
}

/** Checks netconf families and returns their multicast groups. */
export function netconfGroups(families: readonly (keyof typeof RTNLGRP_NETCONF)[]): number[] {
  return families.map((f) => {
    if (!Object.hasOwn(RTNLGRP_NETCONF, f)) {
      throw new InvalidArgumentError(`Invalid netconf family: "${f}" (must be inet, inet6 or mpls)`);
    }
    return RTNLGRP_NETCONF[f];
  });
}

/** Which settings to list (`ip netconf show`); every field set must match. */
export interface NetconfFilter {
  /** `inet`, `inet6` or `mpls`; every family by default. */
  family?: keyof typeof RTNLGRP_NETCONF;
  /** Only this device's settings, by name or index (the `all` and `default` entries are left out then). */
  dev?: string | number;
}

const FAMILY_NUMBERS = { inet: 2, inet6: 10, mpls: 28 } as const;

/** `RTM_GETNETCONF` dump request for one family, or every family (`AF_UNSPEC`, 0), as ip sends it. */
export function netconfDumpRequest(family = 0): Uint8Array {
  return new MessageBuilder(RTM.RTM_GETNETCONF, 0).raw(Uint8Array.of(family, 0, 0, 0)).finish();
}

function checkNetconfFilter(f: NetconfFilter): void {
  checkKeys(f, ["family", "dev"], "netconf filter");
  if (f.family !== undefined && !Object.hasOwn(FAMILY_NUMBERS, f.family)) {
    throw new InvalidArgumentError(
      `Cannot use family ${JSON.stringify(f.family)}: expected inet, inet6 or mpls`,
      "family",
    );
  }
  if (f.dev !== undefined && typeof f.dev !== "string" && typeof f.dev !== "number") {
    throw new InvalidArgumentError(`Cannot use dev ${JSON.stringify(f.dev)}: expected a link name or index`, "dev");
  }
}

/**
 * Streams the per-device IP settings that pass `filter`, in the kernel's
 * order (each family's `all` and `default` entries included unless `dev`
 * is set). Throws `InvalidArgumentError` on a bad filter before anything is
 * sent, and `NotFoundError` for a `dev` no link has.
 */
export function streamNetconf(
  filter: NetconfFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<Netconf, void, undefined> {
  checkRouteOptions(opts, "streamNetconf", true);
  checkNetconfFilter(filter);
  return new DumpStream(opts, async (s) => {
    const dev = filter.dev === undefined ? undefined : await resolveLinkIndex(filter.dev, { socket: s });
    return {
      request: netconfDumpRequest(filter.family === undefined ? 0 : FAMILY_NUMBERS[filter.family]),
      parse: parseNetconfMessage,
      keep: (c) =>
        (filter.family === undefined || c.family === filter.family) && (dev === undefined || c.ifindex === dev),
    };
  });
}

/** Lists the per-device IP settings that pass `filter` (see {@link streamNetconf}). */
export async function listNetconf(filter: NetconfFilter = {}, opts: RouteOptions = {}): Promise<Netconf[]> {
  return await Array.fromAsync(streamNetconf(filter, opts));
}
