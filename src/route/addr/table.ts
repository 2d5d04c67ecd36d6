/**
 * Wire tables of rtnetlink addresses: the `ifaddrmsg` header, the `IFA_*`
 * attributes and `IFA_F_*` flags, and the public {@link Address} declared
 * from them ({@link ADDRESS_MESSAGE}), which `parse.ts` parses
 * `RTM_NEWADDR`/`RTM_DELADDR` messages into.
 *
 * @module
 */

import { familyNumber } from "../../wire/family.ts";
import { TruncatedError } from "../../wire/errors.ts";
import type { MessageBuilder } from "../../wire/builder.ts";
import type { PublicMessage } from "../../wire/public_message.ts";
import { bitNames, type Codec, parseStruct, type RawAttr, structSize, type StructSpec } from "../../wire/table.ts";
import { familyText } from "../route/derive.ts";
import { RT_SCOPE_NAMES } from "../route/names.ts";

/** `struct ifaddrmsg`, the fixed header of every address message. */
export const IFADDRMSG = {
  family: "u8",
  prefixLen: "u8",
  flags: "u8",
  scope: "u8",
  index: "u32",
} as const;

/** Size of `struct ifaddrmsg`. */
export const IFADDRMSG_LEN = 8;

/** `IFA_ADDRESS`: the prefix address (the peer on point-to-point links). */
export const IFA_ADDRESS = 1;
/** `IFA_LOCAL`: the interface's own address. */
export const IFA_LOCAL = 2;
/** `IFA_LABEL`: IPv4 address label (`eth0:1`). */
export const IFA_LABEL = 3;
/** `IFA_BROADCAST`. */
export const IFA_BROADCAST = 4;
/** `IFA_ANYCAST`. */
export const IFA_ANYCAST = 5;
/** `IFA_CACHEINFO`: `struct ifa_cacheinfo` (lifetimes and timestamps). */
export const IFA_CACHEINFO = 6;
/** `IFA_MULTICAST`. */
export const IFA_MULTICAST = 7;
/** `IFA_FLAGS`: all 32 flag bits (`ifa_flags` holds only the low 8). */
export const IFA_FLAGS = 8;
/** `IFA_RT_PRIORITY`: metric of the prefix route. */
export const IFA_RT_PRIORITY = 9;
/** `IFA_TARGET_NETNSID`. */
export const IFA_TARGET_NETNSID = 10;
/** `IFA_PROTO`: who added the address. */
export const IFA_PROTO = 11;

/** `IFA_F_*` flag bits, named as iproute2 spells them on input (`IFA_F_TEMPORARY` is `secondary`). */
export const IFA_F_NAMES = {
  0x01: "secondary",
  0x02: "nodad",
  0x04: "optimistic",
  0x08: "dadfailed",
  0x10: "homeaddress",
  0x20: "deprecated",
  0x40: "tentative",
  0x80: "permanent",
  0x100: "mngtmpaddr",
  0x200: "noprefixroute",
  0x400: "autojoin",
  0x800: "stable-privacy",
} as const;

/** `IFA_F_SECONDARY` (also `IFA_F_TEMPORARY` for IPv6). */
export const IFA_F_SECONDARY = 0x01;
/** `IFA_F_DEPRECATED`. */
export const IFA_F_DEPRECATED = 0x20;
/** `IFA_F_PERMANENT`. */
export const IFA_F_PERMANENT = 0x80;

/** Address origins (`IFAPROT_*`, `IFA_PROTO`). */
export const IFAPROT_NAMES = {
  0: "unspec",
  1: "kernel_lo",
  2: "kernel_ra",
  3: "kernel_ll",
} as const;

/** `struct ifa_cacheinfo`: lifetimes in seconds, timestamps in hundredths of a second since boot. */
export const IFA_CACHEINFO_STRUCT = {
  /** Preferred lifetime left, seconds (`0xffffffff` is forever). */
  preferred: "u32",
  /** Valid lifetime left, seconds (`0xffffffff` is forever). */
  valid: "u32",
  /** Creation time, hundredths of a second since boot. */
  cstamp: "u32",
  /** Last update, hundredths of a second since boot. */
  tstamp: "u32",
} as const;

/**
 * A codec for a struct attribute that must be complete (a `struct` table
 * entry accepts short payloads and leaves fields out).
 */
export function completeStruct<V>(spec: StructSpec, what: string): Codec<V> {
  const size = structSize(spec);
  return {
    parse(_buf: Uint8Array, view: DataView, start: number, end: number): V {
      if (end - start < size) throw new TruncatedError(what, start, size, end - start);
      return parseStruct(spec, view, start, end) as V;
    },
    build(b: MessageBuilder, value: V): void {
      b.struct(spec, value as Record<string, number>);
    },
  };
}

/** Codec of `IFA_CACHEINFO`. */
export const IFA_CACHEINFO_CODEC: Codec<AddressCacheinfo> = completeStruct<AddressCacheinfo>(
  IFA_CACHEINFO_STRUCT,
  "ifa_cacheinfo",
);

/** The lifetime value meaning "forever". */
export const INFINITY_LIFE_TIME = 0xffffffff;

/**
 * The `IFA_*` attributes. `IFA_FLAGS` is read raw here because the
 * effective flags also depend on the header (see {@link ADDRESS_MESSAGE}).
 */
export const IFA_ATTRS = {
  /** `IFA_ADDRESS` as sent: equals `local` unless the address has a peer. */
  address: { type: IFA_ADDRESS, kind: "ip" },
  /** The interface's own address. */
  local: { type: IFA_LOCAL, kind: "ip" },
  /** Label (IPv4), e.g. `eth0:1`: a device name (`IFNAMSIZ` less the NUL). */
  label: {
    type: IFA_LABEL,
    kind: "string",
    what: "address label",
    maxLen: 15,
    pattern: { re: /^[^\s/]+$/, what: 'a name without "/" or whitespace' },
  },
  /** Broadcast address (IPv4). */
  broadcast: { type: IFA_BROADCAST, kind: "ip" },
  /** Anycast address. */
  anycast: { type: IFA_ANYCAST, kind: "ip", dir: "reply" },
  /** The raw `IFA_CACHEINFO`. */
  cacheinfo: { type: IFA_CACHEINFO, kind: "codec", codec: IFA_CACHEINFO_CODEC },
  /** Multicast address. */
  multicast: { type: IFA_MULTICAST, kind: "ip", dir: "reply" },
  /** All 32 flag bits. */
  flags: { type: IFA_FLAGS, kind: "u32" },
  /** Metric of the prefix route (`IFA_RT_PRIORITY`). */
  metric: { type: IFA_RT_PRIORITY, kind: "u32", what: "metric" },
  /** `IFA_TARGET_NETNSID`. */
  targetNetnsid: { type: IFA_TARGET_NETNSID, kind: "s32" },
  /** Origin (`IFA_PROTO`): `kernel_lo`, `kernel_ra`, `kernel_ll` or decimal text. */
  protocol: { type: IFA_PROTO, kind: "u8", names: IFAPROT_NAMES },
} as const;

/** A lifetime in seconds, or `"forever"`. */
export type Lifetime = number | "forever";

/** `struct ifa_cacheinfo` as parsed. */
export interface AddressCacheinfo {
  /** Preferred lifetime left, seconds (`0xffffffff` is forever). */
  preferred: number;
  /** Valid lifetime left, seconds (`0xffffffff` is forever). */
  valid: number;
  /** Creation time, hundredths of a second since boot. */
  cstamp: number;
  /** Last update, hundredths of a second since boot. */
  tstamp: number;
}

/**
 * One interface address, as the kernel reports it. A listed address can be
 * passed as it is to `deleteAddress` and `replaceAddress` (the fields in
 * {@link ADDRESS_OUTPUT_ONLY} are ignored there).
 */
export interface Address {
  /** Address family: `inet` (IPv4) or `inet6` (IPv6); another family's number as decimal text. */
  family: string;
  /** The address with its prefix length, as one CIDR string: `10.0.0.1/24`, `2001:db8::1/64`. */
  address: string;
  /** The interface's own address without the prefix (`IFA_LOCAL`, else `IFA_ADDRESS`, as iproute2 reads it). */
  local: string;
  /** Prefix length. */
  prefixLen: number;
  /** Index of the link the address is on. */
  ifindex: number;
  /** Name of that link, set by listings, gets and events (absent only when a message is parsed on its own). */
  dev?: string;
  /** Scope name (`global`, `site`, `link`, `host`, `nowhere`) or decimal text. */
  scope: string;
  /** Flag names (`IFA_FLAGS` when present, else `ifa_flags`), e.g. `["permanent"]`. */
  flags: string[];
  /** The point-to-point peer (`IFA_ADDRESS` when it differs from `IFA_LOCAL`), without a prefix. */
  peer?: string;
  /** IPv4 label, e.g. `eth0:1`. */
  label?: string;
  /** IPv4 broadcast address. */
  broadcast?: string;
  /** Anycast address. */
  anycast?: string;
  /** Multicast address. */
  multicast?: string;
  /** Metric of the prefix route (`IFA_RT_PRIORITY`). */
  metric?: number;
  /** `IFA_TARGET_NETNSID`. */
  targetNetnsid?: number;
  /** Origin (`IFA_PROTO`): `kernel_lo`, `kernel_ra`, `kernel_ll` or decimal text. */
  protocol?: string;
  /** The raw `IFA_CACHEINFO`: lifetimes and timestamps. */
  cacheinfo?: AddressCacheinfo;
  /** Valid lifetime left, from `IFA_CACHEINFO`. */
  validLft?: Lifetime;
  /** Preferred lifetime left, from `IFA_CACHEINFO`. */
  preferredLft?: Lifetime;
  /** Attributes no table describes, kept so nothing is lost. */
  unknown?: RawAttr[];
}

/**
 * Fields of a listed {@link Address} that only report state: `deleteAddress`
 * and `replaceAddress` accept them, so a listed address can be passed back as
 * it is, and ignore them.
 */
export const ADDRESS_OUTPUT_ONLY: readonly string[] = [
  "family",
  "local",
  "prefixLen",
  "dev",
  "anycast",
  "multicast",
  "targetNetnsid",
  "cacheinfo",
  "unknown",
];

/** Turns a raw lifetime into seconds or `"forever"`. */
export function lifetimeOf(v: number): Lifetime {
  return v === INFINITY_LIFE_TIME ? "forever" : v;
}

/** The interface's own address: `IFA_LOCAL`, else `IFA_ADDRESS` (as iproute2 reads it). */
function ownAddress(local: string | undefined, address: string | undefined): string {
  return local ?? address ?? "";
}

/** The point-to-point peer: `IFA_ADDRESS` when it differs from `IFA_LOCAL`. */
function peerOf(local: string | undefined, address: string | undefined): string | undefined {
  return local !== undefined && address !== undefined && address !== local ? address : undefined;
}

/**
 * The public {@link Address}: `ifaddrmsg` fields, the {@link IFA_ATTRS},
 * and what is made from both (the CIDR, the flags of `IFA_FLAGS` else the
 * header, the lifetimes). `scripts/gen_codecs.ts` compiles it into
 * `parseAddressMessage`.
 */
export const ADDRESS_MESSAGE = {
  name: "ifaddrmsg",
  what: "Address message",
  header: {
    family: { kind: "u8", derive: { toPublic: familyText, toWire: familyNumber } },
    prefixLen: { kind: "u8" },
    flags: { kind: "u8", private: true },
    scope: { kind: "u8", private: true, named: { key: "scope", names: RT_SCOPE_NAMES } },
    index: { kind: "u32", key: "ifindex" },
  },
  attrs: IFA_ATTRS,
  combined: {
    address: {
      from: ["local", "address", "hdr.prefixLen"],
      fn: (local?: string, address?: string, len?: number): string => `${ownAddress(local, address)}/${len}`,
    },
    local: { from: ["local", "address"], fn: ownAddress },
    peer: { from: ["local", "address"], fn: peerOf },
    flags: {
      from: ["flags", "hdr.flags"],
      fn: (attr: number | undefined, header: number): string[] => bitNames(IFA_F_NAMES, attr ?? header),
    },
    cacheinfo: { from: ["cacheinfo"] },
    validLft: {
      from: ["cacheinfo"],
      fn: (ci?: AddressCacheinfo): Lifetime | undefined => ci && lifetimeOf(ci.valid),
    },
    preferredLft: {
      from: ["cacheinfo"],
      fn: (ci?: AddressCacheinfo): Lifetime | undefined => ci && lifetimeOf(ci.preferred),
    },
  },
} as const satisfies PublicMessage;
