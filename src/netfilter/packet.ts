/**
 * What NFQUEUE and NFLOG packets share: hook names, the hardware address
 * and timestamp layouts, the VLAN nest, conntrack info names, copy modes,
 * and the packet fields both families declare.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { formatHex } from "../wire/addr.ts";
import { MalformedError, TruncatedError } from "../wire/errors.ts";
import { type Attrs, type AttrTable, type Codec, nameOf, parseAttrs, type RawAttr } from "../wire/table.ts";
import { type NlMsg, payloadOf } from "../wire/message.ts";
import type { MessageBuilder } from "../wire/builder.ts";
import { type ConntrackAttrs, type ConntrackEntry, entryOf } from "./conntrack/entry.ts";
import type { PacketInterfaces } from "./ifnames.ts";

/** `NF_INET_*` hook numbers by the names nft uses. */
export const NF_INET_HOOKS = {
  0: "prerouting",
  1: "input",
  2: "forward",
  3: "output",
  4: "postrouting",
  5: "ingress",
} as const;

/** `enum ip_conntrack_info` by name. */
export const IP_CT_INFO = {
  0: "established",
  1: "related",
  2: "new",
  3: "established-reply",
  4: "related-reply",
  7: "untracked",
} as const;

/** `NFQA_VLAN_*` / `NFULA_VLAN_*`: the packet's VLAN tag. */
export const NF_VLAN_TABLE = {
  proto: { type: 1, kind: "u16be" }, // NFQA_VLAN_PROTO
  tci: { type: 2, kind: "u16be" }, // NFQA_VLAN_TCI
} as const;

/** `struct nfqnl_msg_packet_timestamp` (and NFLOG's): seconds and microseconds. */
export const NF_TIMESTAMP = { sec: "u64be", usec: "u64be" } as const;

/** How much of each packet the kernel copies to userspace. */
export type CopyMode = "none" | "meta" | "packet";

/** `NFQNL_COPY_*` (the same numbers as `NFULNL_COPY_*`). */
export const COPY_MODES: Record<CopyMode, number> = { none: 0, meta: 1, packet: 2 };

/**
 * `struct nfqnl_msg_packet_hw`: a be16 length, two pad bytes and eight
 * address bytes, of which the length counts; parsed to `aa:bb:..` text.
 */
export const HW_ADDR_CODEC: Codec<string> = {
  parse(buf, view, start, end): string {
    if (end - start < 4) throw new TruncatedError("hardware address", start, 4, end - start);
    const len = Math.min(view.getUint16(start, false), 8, end - start - 4);
    return formatHex(buf, start + 4, len);
  },
  build(b: MessageBuilder, value: string): void {
    const bytes = value.split(":").map((h) => parseInt(h, 16));
    if (bytes.length > 8 || bytes.some((x) => !(x >= 0 && x <= 255))) {
      throw new InvalidArgumentError(`Cannot use "${value}" as a hardware address: expected up to 8 hex bytes`);
    }
    b.scalar("u16be", bytes.length).scalar("u16", 0);
    for (let i = 0; i < 8; i++) b.scalar("u8", bytes[i] ?? 0);
  },
};

/** Checks a `0..2^32-1` value such as a mark, naming it in the error. */
export function checkU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidArgumentError(`Cannot use ${what} ${value}: expected an integer from 0 to 4294967295`);
  }
  return value;
}

/** Checks a queue or group number (`0..65535`). */
export function checkU16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new InvalidArgumentError(`Cannot use ${what} ${value}: expected an integer from 0 to 65535`);
  }
  return value;
}

/** Checks a copy mode name. */
export function checkCopyMode(mode: string): number {
  const n = (COPY_MODES as Record<string, number>)[mode];
  if (n === undefined) throw new InvalidArgumentError(`Cannot use copy mode "${mode}": expected none, meta or packet`);
  return n;
}

/** Checks flag names against `allowed` (`what` names one in errors: "queue flag"); returns a copy. */
export function checkFlagNames(flags: readonly string[], allowed: readonly string[], what: string): string[] {
  if (!Array.isArray(flags)) throw new InvalidArgumentError(`Cannot use ${what}s: expected an array of flag names`);
  for (const f of flags) {
    if (!allowed.includes(f)) {
      throw new InvalidArgumentError(`Cannot use ${what} "${f}": expected ${allowed.join(", ")}`);
    }
  }
  return [...flags];
}

/** `NFPROTO_*` family names of the `nfgenmsg` header of a packet message. */
export const NFPROTO_NAMES = { 1: "inet", 2: "ipv4", 3: "arp", 5: "netdev", 7: "bridge", 10: "ipv6" } as const;

/** A packet's receive time, as the kernel stamps it. */
export interface PacketTimestamp {
  /** Seconds since the epoch. */
  sec: number;
  /** Microseconds within the second. */
  usec: number;
}

/** A packet's VLAN tag. */
export interface PacketVlan {
  /** Tag protocol (`0x8100`, `0x88a8`). */
  proto?: number;
  /** Tag control information (priority, DEI, VLAN id). */
  tci?: number;
}

const NFGEN_LEN = 4;

/** Checks a receive buffer size option. */
export function checkReceiveBuffer(bytes: number | undefined): void {
  if (bytes !== undefined && (!Number.isInteger(bytes) || bytes <= 0)) {
    throw new InvalidArgumentError(`Cannot use receive buffer ${bytes}: expected a positive byte count`);
  }
}

/** The fields of a queued or logged packet: NFQUEUE and NFLOG carry the same attributes for them. */
export interface NetfilterPacket extends PacketInterfaces {
  /** Discriminates a packet from an overrun signal. */
  kind: "packet";
  /** Netfilter family name (`ipv4`, `ipv6`, `bridge`, `arp`, ...). */
  family: string;
  /** Netfilter family number (`NFPROTO_*`). */
  familyNum: number;
  /** Hardware protocol (`0x0800` IPv4, `0x86dd` IPv6). */
  hwProtocol: number;
  /** Hook name (`prerouting`, `input`, `forward`, `output`, `postrouting`, `ingress`). */
  hook: string;
  /** Hook number. */
  hookNum: number;
  /** Packet mark. */
  mark?: number;
  /** When the packet was received. */
  timestamp?: PacketTimestamp;
  /** Source hardware address. */
  hwAddr?: string;
  /**
   * The packet from the network header, as far as the copy range allows: a
   * copy of its own bytes, viewed in a slab shared with other packets (see
   * `src/netfilter/pooled_bytes.ts`); `slice()` it for a separate buffer.
   */
  payload?: Uint8Array;
  /** Owner uid of the socket, when asked for. */
  uid?: number;
  /** Owner gid of the socket, when asked for. */
  gid?: number;
  /** The connection, when asked for (the `conntrack` flag). */
  ct?: ConntrackEntry;
  /** The packet's relation to its connection (`new`, `established`, `related`, `...-reply`). */
  ctInfo?: string;
  /** VLAN tag. */
  vlan?: PacketVlan;
  /** The whole layer-2 header (bridge family). */
  l2hdr?: Uint8Array;
  /** Attributes this version does not know. */
  unknown?: RawAttr[];
}

/** What both packet tables decode the shared attributes to. */
export interface SharedPacketAttrs {
  /** A packet header carries at least the hardware protocol and the hook. */
  packetHdr?: { hwProtocol?: number; hook?: number };
  /** `NFQA_MARK` / `NFULA_MARK`. */
  mark?: number;
  /** The timestamp struct (fields missing when cut short). */
  timestamp?: { sec?: number; usec?: number };
  /** Interface indexes. */
  indev?: number;
  /** Interface indexes. */
  outdev?: number;
  /** Interface indexes. */
  physIndev?: number;
  /** Interface indexes. */
  physOutdev?: number;
  /** Source hardware address. */
  hwAddr?: string;
  /** The packet. */
  payload?: Uint8Array;
  /** Socket owner. */
  uid?: number;
  /** Socket owner. */
  gid?: number;
  /** The connection's attributes. */
  ct?: ConntrackAttrs;
  /** Conntrack info name. */
  ctInfo?: string;
  /** The VLAN nest. */
  vlan?: { proto?: number; tci?: number };
  /** Layer-2 header. */
  l2hdr?: Uint8Array;
}

/**
 * Reads a packet message of family table `table`: its `nfgenmsg` (family,
 * and the group or queue number `resId`), its attributes, and the fields
 * every packet has; throws when the packet header is missing (`what` names
 * the packet).
 */
export function readPacket<T extends AttrTable>(
  m: NlMsg,
  table: T,
  what: string,
): { family: number; resId: number; a: Attrs<T>; head: NetfilterPacket } {
  const off = payloadOf(m);
  if (off + NFGEN_LEN > m.end) throw new TruncatedError("nfgenmsg", off, NFGEN_LEN, m.end - off);
  const family = m.view.getUint8(off), resId = m.view.getUint16(off + 2, false);
  const a = parseAttrs(table, m.buf, m.view, off + NFGEN_LEN, m.end);
  const h = (a as SharedPacketAttrs).packetHdr;
  if (h?.hook === undefined || h.hwProtocol === undefined) {
    throw new MalformedError(`${what} has no packet header`, off);
  }
  const head: NetfilterPacket = {
    kind: "packet",
    family: nameOf(NFPROTO_NAMES, family),
    familyNum: family,
    hwProtocol: h.hwProtocol,
    hook: nameOf(NF_INET_HOOKS, h.hook),
    hookNum: h.hook,
  };
  return { family, resId, a, head };
}

/** Copies the shared optional fields of parsed attributes `a` into `p` (conntrack entries converted). */
export function copySharedFields(p: NetfilterPacket, a: SharedPacketAttrs): void {
  if (a.mark !== undefined) p.mark = a.mark;
  const t = a.timestamp;
  if (t?.sec !== undefined && t.usec !== undefined) p.timestamp = { sec: t.sec, usec: t.usec };
  if (a.indev !== undefined) p.indev = a.indev;
  if (a.outdev !== undefined) p.outdev = a.outdev;
  if (a.physIndev !== undefined) p.physIndev = a.physIndev;
  if (a.physOutdev !== undefined) p.physOutdev = a.physOutdev;
  if (a.hwAddr !== undefined) p.hwAddr = a.hwAddr;
  if (a.payload !== undefined) p.payload = a.payload;
  if (a.uid !== undefined) p.uid = a.uid;
  if (a.gid !== undefined) p.gid = a.gid;
  if (a.ct !== undefined) p.ct = entryOf(a.ct, p.familyNum);
  if (a.ctInfo !== undefined) p.ctInfo = a.ctInfo;
  if (a.vlan !== undefined) p.vlan = { proto: a.vlan.proto, tci: a.vlan.tci };
  if (a.l2hdr !== undefined) p.l2hdr = a.l2hdr;
}
