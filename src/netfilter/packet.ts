/**
 * What NFQUEUE and NFLOG packets share: hook names, the hardware address
 * and timestamp layouts, the VLAN nest, conntrack info names and copy modes.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { formatHex } from "../wire/addr.ts";
import { TruncatedError } from "../wire/errors.ts";
import type { Codec } from "../wire/table.ts";
import type { MessageBuilder } from "../wire/builder.ts";

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

/**
 * Reads the `nfgenmsg` of a packet message at `off`: the family and the
 * big-endian resource id (queue or group number).
 */
export function readNfgen(view: DataView, off: number, end: number): { family: number; resId: number } {
  if (off + NFGEN_LEN > end) throw new TruncatedError("nfgenmsg", off, NFGEN_LEN, end - off);
  return { family: view.getUint8(off), resId: view.getUint16(off + 2, false) };
}

/** Checks a receive buffer size option. */
export function checkReceiveBuffer(bytes: number | undefined): void {
  if (bytes !== undefined && (!Number.isInteger(bytes) || bytes <= 0)) {
    throw new InvalidArgumentError(`Cannot use receive buffer ${bytes}: expected a positive byte count`);
  }
}
