/**
 * Decoding of multicast route messages (`RTM_NEWROUTE`/`RTM_DELROUTE` of
 * family `RTNL_FAMILY_IPMR`/`RTNL_FAMILY_IP6MR`) into
 * {@link MulticastRoute} objects.
 *
 * @module
 */

import { parseMrouteAttrs } from "./_generated/table.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { type NameMap, nameOf, parseStruct } from "../../wire/table.ts";
import { RTPROT_NAMES } from "../route/names.ts";
import { RTMSG, RTMSG_LEN } from "../route/table.ts";
import { tableName } from "../route/tables.ts";
import type { LinkNameMap } from "../link_names.ts";
import { linkNameOf } from "../link_names.ts";
import { type MulticastRoute, RTNH_F_UNRESOLVED, RTNL_FAMILY_IP6MR, RTNL_FAMILY_IPMR } from "./table.ts";

/** `RTNH_F_OFFLOAD`. */
const RTNH_F_OFFLOAD = 0x8;
/** Clock ticks per second of `RTA_EXPIRES` (`USER_HZ`). */
const USER_HZ = 100;
/** Origins of MFC entries: the route protocols, and `RTPROT_MROUTED` (17), which the kernel gives daemon entries. */
const PROTOCOLS: NameMap = { ...RTPROT_NAMES, 17: "mrouted" };

/** True for a route message of a multicast family (`RTNL_FAMILY_IPMR`/`IP6MR`): the family byte leads the `rtmsg`. */
export function isMulticastRouteMessage(m: NlMsg): boolean {
  const off = payloadOf(m);
  if (off >= m.end) return false;
  const family = m.buf[off];
  return family === RTNL_FAMILY_IPMR || family === RTNL_FAMILY_IP6MR;
}

/**
 * Parses one multicast route message. Throws `TruncatedError` or
 * `MalformedError` on bytes that cannot be one (another family included).
 */
export function parseMulticastRouteMessage(m: NlMsg): MulticastRoute {
  const off = payloadOf(m);
  if (off + RTMSG_LEN > m.end) throw new TruncatedError("rtmsg", off, RTMSG_LEN, m.end - off);
  const h = parseStruct(RTMSG, m.view, off, m.end);
  if (h.family !== RTNL_FAMILY_IPMR && h.family !== RTNL_FAMILY_IP6MR) {
    throw new MalformedError(`Route family ${h.family} is not a multicast one (128 or 129)`, off);
  }
  const { dst, src, iif, oifs, table, stats, lastUse, pad: _pad, unknown } = parseMrouteAttrs(
    m.buf,
    m.view,
    off + RTMSG_LEN,
    m.end,
  );
  const r: MulticastRoute = {
    family: h.family === RTNL_FAMILY_IPMR ? "inet" : "inet6",
    table: tableName(table ?? h.table),
    protocol: nameOf(PROTOCOLS, h.protocol),
    unresolved: (h.flags & RTNH_F_UNRESOLVED) !== 0,
    offload: (h.flags & RTNH_F_OFFLOAD) !== 0,
  };
  if (src !== undefined) r.src = src;
  if (dst !== undefined) r.dst = dst;
  if (iif !== undefined) r.iif = iif;
  if (oifs !== undefined) r.oifs = oifs;
  if (stats !== undefined) r.stats = stats;
  if (lastUse !== undefined) r.age = lastUse / USER_HZ;
  if (unknown !== undefined) r.unknown = unknown;
  return r;
}

/** Adds the names of a multicast route's devices (`iifName`, each output's `dev`). */
export function nameMulticastRoute(r: MulticastRoute, names: LinkNameMap): MulticastRoute {
  if (r.iif !== undefined) r.iifName = linkNameOf(names, r.iif);
  if (r.oifs) { for (const o of r.oifs) o.dev = linkNameOf(names, o.oif); }
  return r;
}
