/**
 * Wire layout of nexthop objects (`<linux/nexthop.h>`): the `nhmsg`
 * header, the `NHA_*` attribute tables and the group array codec.
 *
 * @module
 */

import { TruncatedError } from "../../wire/errors.ts";
import type { Codec } from "../../wire/table.ts";

/** `NHA_ID`: nexthop id (0 in a request: the kernel picks one). */
export const NHA_ID = 1;
/** `NHA_GROUP`: array of `struct nexthop_grp`. */
export const NHA_GROUP = 2;
/** `NHA_GROUP_TYPE`: `NEXTHOP_GRP_TYPE_*`, u16. */
export const NHA_GROUP_TYPE = 3;
/** `NHA_BLACKHOLE`: flag; the nexthop drops packets. */
export const NHA_BLACKHOLE = 4;
/** `NHA_OIF`: output device index. */
export const NHA_OIF = 5;
/** `NHA_GATEWAY`: gateway address (4 or 16 bytes). */
export const NHA_GATEWAY = 6;
/** `NHA_ENCAP_TYPE`: lightweight tunnel type, u16. */
export const NHA_ENCAP_TYPE = 7;
/** `NHA_ENCAP`: lightweight tunnel data. */
export const NHA_ENCAP = 8;
/** `NHA_GROUPS`: dump filter flag, groups only. */
export const NHA_GROUPS = 9;
/** `NHA_MASTER`: dump filter, nexthops whose device has this master. */
export const NHA_MASTER = 10;
/** `NHA_FDB`: flag; the nexthop belongs to the bridge FDB. */
export const NHA_FDB = 11;
/** `NHA_RES_GROUP`: nested resilient group parameters. */
export const NHA_RES_GROUP = 12;
/** `NHA_RES_BUCKET`: nested bucket of a resilient group. */
export const NHA_RES_BUCKET = 13;

/** `NHA_OP_FLAGS`: request flags; in a group dump, the kernel's note that reserved fields are zeroed. */
export const NHA_OP_FLAGS = 14;

/** `NEXTHOP_GRP_TYPE_*` by value. */
export const NEXTHOP_GRP_TYPES = {
  0: "mpath", // NEXTHOP_GRP_TYPE_MPATH: hash-threshold
  1: "resilient", // NEXTHOP_GRP_TYPE_RES
} as const;

/** Kernel clock ticks per second of the `clock_t` timers (`USER_HZ`). */
export const USER_HZ = 100;

/** `struct nhmsg`. */
export const NHMSG = {
  family: "u8",
  scope: "u8",
  protocol: "u8",
  resvd: "pad1",
  flags: "u32",
} as const;

/** Size of `struct nhmsg`. */
export const NHMSG_LEN = 8;

/** One member of a group: a nexthop id and its weight (1 to 65536). */
export interface NexthopGroupMember {
  /** Id of the member nexthop. */
  id: number;
  /** Relative weight; 1 unless set. */
  weight: number;
}

/** Size of `struct nexthop_grp`. */
const GRP_LEN = 8;

/**
 * `NHA_GROUP`: packed `struct nexthop_grp { u32 id; u8 weight; u8 weight_high; u16 resvd; }`,
 * where the wire weight is one less than the weight (`weight_high` since Linux 6.12).
 */
export const NEXTHOP_GROUP_CODEC: Codec<NexthopGroupMember[]> = {
  parse(_buf, view, start, end): NexthopGroupMember[] {
    if ((end - start) % GRP_LEN !== 0) throw new TruncatedError("nexthop_grp", start, GRP_LEN, (end - start) % GRP_LEN);
    const out: NexthopGroupMember[] = [];
    for (let o = start; o < end; o += GRP_LEN) {
      const w = view.getUint8(o + 4) | (view.getUint8(o + 5) << 8);
      out.push({ id: view.getUint32(o, true), weight: w + 1 });
    }
    return out;
  },
  build(b, members): void {
    for (const m of members) {
      const w = m.weight - 1;
      b.scalar("u32", m.id).scalar("u8", w & 0xff).scalar("u8", w >> 8).scalar("u16", 0);
    }
  },
};

/** `NHA_RES_GROUP_*`: parameters of a resilient group (timers in clock ticks). */
export const NHA_RES_GROUP_ATTRS = {
  buckets: { type: 1, kind: "u16" }, // NHA_RES_GROUP_BUCKETS
  idleTimer: { type: 2, kind: "u32" }, // NHA_RES_GROUP_IDLE_TIMER
  unbalancedTimer: { type: 3, kind: "u32" }, // NHA_RES_GROUP_UNBALANCED_TIMER
  unbalancedTime: { type: 4, kind: "u64" }, // NHA_RES_GROUP_UNBALANCED_TIME
} as const;

/** `NHA_RES_BUCKET_*`: one bucket of a resilient group. */
export const NHA_RES_BUCKET_ATTRS = {
  index: { type: 1, kind: "u16" }, // NHA_RES_BUCKET_INDEX
  idleTime: { type: 2, kind: "u64" }, // NHA_RES_BUCKET_IDLE_TIME, clock ticks
  nhid: { type: 3, kind: "u32" }, // NHA_RES_BUCKET_NH_ID
} as const;

/** The `NHA_*` attributes of a nexthop or bucket message. */
export const NHA_ATTRS = {
  id: { type: NHA_ID, kind: "u32" },
  group: { type: NHA_GROUP, kind: "codec", codec: NEXTHOP_GROUP_CODEC },
  groupType: { type: NHA_GROUP_TYPE, kind: "u16", names: NEXTHOP_GRP_TYPES },
  blackhole: { type: NHA_BLACKHOLE, kind: "flag" },
  oif: { type: NHA_OIF, kind: "u32" },
  gateway: { type: NHA_GATEWAY, kind: "ip" },
  encapType: { type: NHA_ENCAP_TYPE, kind: "u16" },
  encap: { type: NHA_ENCAP, kind: "bytes" },
  groups: { type: NHA_GROUPS, kind: "flag" },
  master: { type: NHA_MASTER, kind: "u32" },
  fdb: { type: NHA_FDB, kind: "flag" },
  resGroup: { type: NHA_RES_GROUP, kind: "nested", table: NHA_RES_GROUP_ATTRS },
  resBucket: { type: NHA_RES_BUCKET, kind: "nested", table: NHA_RES_BUCKET_ATTRS },
  opFlags: { type: NHA_OP_FLAGS, kind: "u32" },
} as const;
