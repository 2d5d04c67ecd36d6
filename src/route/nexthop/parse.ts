/**
 * Decoding of `RTM_NEWNEXTHOP`/`RTM_DELNEXTHOP` and nexthop bucket messages
 * into {@link Nexthop} and {@link NexthopBucket} objects.
 *
 * @module
 */

import { parseNhaAttrs } from "./_generated/table.ts";
import { type Family, familyName } from "../../wire/family.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { bitNames, nameOf, parseStruct, type RawAttr, type StructValue } from "../../wire/table.ts";
import { ROUTE_FLAG_NAMES, RT_SCOPE_NAMES, RTPROT_NAMES } from "../route/names.ts";
import { type NexthopGroupMember, NHMSG, NHMSG_LEN, USER_HZ } from "./table.ts";

/** Address family of a nexthop, by name: `inet`, `inet6`, or `unspec` for groups. */
export type NexthopFamily = Family;

/** Parameters of a resilient group; times in seconds. */
export interface ResilientGroup {
  /** Number of buckets. */
  buckets: number;
  /** Seconds a bucket must be idle before it may move to another nexthop. */
  idleTimer: number;
  /** Seconds the group may stay unbalanced before busy buckets move too (0: never). */
  unbalancedTimer: number;
  /** Seconds the group has been unbalanced (listings only). */
  unbalancedTime?: number;
}

/** One nexthop object (`ip nexthop`): a gateway and/or device, a blackhole, or a group. */
export interface Nexthop {
  /** Nexthop id. */
  id: number;
  /** `inet`, `inet6`, or `unspec` for groups. */
  family: NexthopFamily;
  /** Scope (`global`, `link`, `host`, ...). */
  scope: string;
  /** Who installed it (`unspec`, `static`, `boot`, ...; unknown as decimal text). */
  protocol: string;
  /** `RTNH_F_*` flags by name (`onlink`, `dead`, `linkdown`, ...). */
  flags: string[];
  /** Gateway address. */
  gateway?: string;
  /** Output device index. */
  ifindex?: number;
  /** Output device name (the name of `ifindex`), set by listings, gets and events. */
  dev?: string;
  /** The nexthop drops packets. */
  blackhole?: boolean;
  /** The nexthop is for the bridge FDB (VXLAN). */
  fdb?: boolean;
  /** Members of a group. */
  group?: NexthopGroupMember[];
  /** Group type: `mpath` (hash-threshold) or `resilient`. */
  groupType?: "mpath" | "resilient";
  /** Resilient group parameters. */
  resilient?: ResilientGroup;
  /** Lightweight tunnel type (`LWTUNNEL_ENCAP_*`) and its raw attributes. */
  encap?: { type: number; data: Uint8Array };
  /** Attributes this version does not know, kept raw. */
  unknown?: RawAttr[];
}

/** One bucket of a resilient group (`ip nexthop bucket`). */
export interface NexthopBucket {
  /** Id of the resilient group. */
  id: number;
  /** Bucket index. */
  index: number;
  /** Seconds since traffic last used the bucket. */
  idleTime: number;
  /** Id of the nexthop the bucket points at. */
  nhid: number;
  /** `RTNH_F_*` flags by name. */
  flags: string[];
}

function header(m: NlMsg): { off: number; h: StructValue<typeof NHMSG> } {
  const off = payloadOf(m);
  if (off + NHMSG_LEN > m.end) throw new TruncatedError("nhmsg", off, NHMSG_LEN, m.end - off);
  return { off, h: parseStruct(NHMSG, m.view, off, m.end) };
}

/** Parses one nexthop message. Throws `TruncatedError`/`MalformedError` on bytes that cannot be one. */
export function parseNexthopMessage(m: NlMsg): Nexthop {
  const { off, h } = header(m);
  const a = parseNhaAttrs(m.buf, m.view, off + NHMSG_LEN, m.end);
  const nh: Nexthop = {
    id: a.id ?? 0,
    family: familyName(h.family) as Family,
    scope: nameOf(RT_SCOPE_NAMES, h.scope),
    protocol: nameOf(RTPROT_NAMES, h.protocol),
    flags: bitNames(ROUTE_FLAG_NAMES, h.flags),
  };
  if (a.gateway !== undefined) nh.gateway = a.gateway;
  if (a.oif !== undefined) nh.ifindex = a.oif;
  if (a.blackhole) nh.blackhole = true;
  if (a.fdb) nh.fdb = true;
  if (a.group !== undefined) {
    nh.group = a.group;
    nh.groupType = (a.groupType ?? "mpath") as "mpath" | "resilient";
  }
  if (a.resGroup !== undefined) {
    const r = a.resGroup;
    nh.resilient = {
      buckets: r.buckets ?? 0,
      idleTimer: (r.idleTimer ?? 0) / USER_HZ,
      unbalancedTimer: (r.unbalancedTimer ?? 0) / USER_HZ,
      unbalancedTime: (r.unbalancedTime ?? 0) / USER_HZ,
    };
  }
  if (a.encapType !== undefined || a.encap !== undefined) {
    nh.encap = { type: a.encapType ?? 0, data: a.encap ?? new Uint8Array() };
  }
  if (a.unknown) nh.unknown = a.unknown;
  return nh;
}

/** Parses one nexthop bucket message. */
export function parseNexthopBucketMessage(m: NlMsg): NexthopBucket {
  const { off, h } = header(m);
  const a = parseNhaAttrs(m.buf, m.view, off + NHMSG_LEN, m.end);
  const b = a.resBucket ?? {};
  return {
    id: a.id ?? 0,
    index: b.index ?? 0,
    idleTime: (b.idleTime ?? 0) / USER_HZ,
    nhid: b.nhid ?? 0,
    flags: bitNames(ROUTE_FLAG_NAMES, h.flags),
  };
}
