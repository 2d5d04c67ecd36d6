/**
 * The names of every link, read with one `RTM_GETLINK` dump per listing so
 * that routes, neighbours and nexthops carry `dev` next to their ifindex
 * (only `IFLA_IFNAME` and `IFLA_MASTER` are decoded: the rest is skipped).
 *
 * @module
 */

import { TruncatedError } from "../wire/errors.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { type NlMsg, payloadOf } from "../wire/message.ts";
import type { NetlinkSocket } from "../socket/socket.ts";
import type { Neighbour } from "./neigh/table.ts";
import type { Nexthop } from "./nexthop/parse.ts";
import { RTM } from "./rtnl.ts";
import { IFINFOMSG_LEN, IFLA_ATTRS } from "./link/table.ts";

const IFLA_IFNAME = IFLA_ATTRS.name.type;
const IFLA_MASTER = IFLA_ATTRS.master.type;

/** A link's name and master, by ifindex. */
export interface LinkName {
  /** Interface name. */
  name: string;
  /** Ifindex of the master (bridge, VRF, bond), if any. */
  master?: number;
}

/** Link names by ifindex; {@link linkNameOf} names one. */
export type LinkNameMap = ReadonlyMap<number, LinkName>;

const decoder = new TextDecoder();

/** The ifindex, name and master of a link message (nothing else is decoded). */
export function parseLinkName(m: NlMsg): [number, LinkName] {
  const off = payloadOf(m);
  if (off + IFINFOMSG_LEN > m.end) throw new TruncatedError("ifinfomsg", off, IFINFOMSG_LEN, m.end - off);
  const index = m.view.getInt32(off + 4, true);
  const out: LinkName = { name: `if${index}` };
  for (let at = off + IFINFOMSG_LEN; at + 4 <= m.end;) {
    const len = m.view.getUint16(at, true), type = m.view.getUint16(at + 2, true) & 0x3fff;
    if (len < 4 || at + len > m.end) break;
    if (type === IFLA_IFNAME) {
      let end = at + len;
      while (end > at + 4 && m.buf[end - 1] === 0) end--;
      out.name = decoder.decode(m.buf.subarray(at + 4, end));
    } else if (type === IFLA_MASTER && len >= 8) out.master = m.view.getUint32(at + 4, true);
    at += (len + 3) & ~3;
  }
  return [index, out];
}

/** Dumps the names of every link on `s` (one request). */
export async function readLinkNames(s: NetlinkSocket): Promise<LinkNameMap> {
  const req = new MessageBuilder(RTM.RTM_GETLINK, 0).raw(new Uint8Array(IFINFOMSG_LEN)).finish();
  return new Map(await s.dumpAll(req, parseLinkName, { retries: 3 }));
}

/** The name of ifindex `index` (`if<N>` when the link is gone, as iproute2 prints it). */
export function linkNameOf(names: LinkNameMap, index: number): string {
  return names.get(index)?.name ?? `if${index}`;
}

/** Adds the names of an entry's devices (`dev`, and `via`, `masterName` of FDB entries). */
export function nameNeighbour(n: Neighbour, names: LinkNameMap): Neighbour {
  if (n.ifindex) n.dev = linkNameOf(names, n.ifindex);
  if (n.viaIfindex !== undefined && n.linkNetnsid === undefined) n.via = linkNameOf(names, n.viaIfindex);
  if (n.master !== undefined) n.masterName = linkNameOf(names, n.master);
  return n;
}

/** Adds the name of a nexthop's device (`dev`). */
export function nameNexthop(nh: Nexthop, links: LinkNameMap): Nexthop {
  if (nh.ifindex !== undefined) nh.dev = linkNameOf(links, nh.ifindex);
  return nh;
}
