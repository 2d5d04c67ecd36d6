/**
 * Lightweight tunnel encapsulation of routes (`RTA_ENCAP_TYPE` and
 * `RTA_ENCAP`): IPv6 segment routing, `seg6` (push a segment list, `mode
 * encap|inline|l2encap|...`) and `seg6local` (a local SRv6 function,
 * `action End|End.X|End.DT6|...`), as `ip route ... encap` writes and
 * prints them.
 *
 * @example
 * ```ts
 * import { decodeEncap, encodeEncap } from "./encap.ts";
 * const bytes = encodeEncap({ type: "seg6", mode: "encap", segs: ["2001:db8::10", "2001:db8::11"] });
 * console.log(decodeEncap(bytes.type, bytes.data)); // { type: "seg6", mode: "encap", segs: [...] }
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { formatIp, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type Attrs, type Codec, parseAttrs } from "../../wire/table.ts";
import { checkKeys } from "../../wire/invalid.ts";

/** `LWTUNNEL_ENCAP_*` names, as ip prints them. */
export const LWTUNNEL_ENCAP_NAMES = {
  1: "mpls",
  2: "ip",
  3: "ila",
  4: "ip6",
  5: "seg6",
  6: "bpf",
  7: "seg6local",
  8: "rpl",
  9: "ioam6",
  10: "xfrm",
} as const;

/** `SEG6_IPTUN_MODE_*` names, by value. */
export const SEG6_MODES = ["inline", "encap", "l2encap", "encap.red", "l2encap.red"] as const;

/** `SEG6_LOCAL_ACTION_*` names (1-based). */
export const SEG6_LOCAL_ACTIONS = [
  "End",
  "End.X",
  "End.T",
  "End.DX2",
  "End.DX6",
  "End.DX4",
  "End.DT6",
  "End.DT4",
  "End.B6",
  "End.B6.Encaps",
  "End.BM",
  "End.S",
  "End.AS",
  "End.AM",
  "End.BPF",
  "End.DT46",
] as const;

/** A seg6 mode, as {@link SEG6_MODES} lists them (`tests/public_types_test.ts` proves both the same). */
export type Seg6Mode = "inline" | "encap" | "l2encap" | "encap.red" | "l2encap.red";

/** A seg6local action, as {@link SEG6_LOCAL_ACTIONS} lists them (`tests/public_types_test.ts` proves both the same). */
export type Seg6LocalAction =
  | "End"
  | "End.X"
  | "End.T"
  | "End.DX2"
  | "End.DX6"
  | "End.DX4"
  | "End.DT6"
  | "End.DT4"
  | "End.B6"
  | "End.B6.Encaps"
  | "End.BM"
  | "End.S"
  | "End.AS"
  | "End.AM"
  | "End.BPF"
  | "End.DT46";

/** `SR6_FLAG1_HMAC`: the segment routing header ends with an HMAC TLV. */
const SR6_FLAG1_HMAC = 0x08;
/** `SR6_TLV_HMAC`. */
const SR6_TLV_HMAC = 5;
/** Size of `struct sr6_tlv_hmac` (type, len, reserved, key id, 32-byte HMAC). */
const HMAC_TLV_LEN = 40;

/** An IPv6 segment routing header: the segment list in travel order, and an HMAC key id. */
export interface SegmentList {
  /** Segments, first to visit first (ip's `segs` order). `inline` mode's reserved last slot shows as `::`. */
  segs: string[];
  /** HMAC key id, when the header carries an HMAC TLV. */
  hmac?: number;
}

/** `struct ipv6_sr_hdr`: segments are stored last-to-first. */
const SRH_CODEC: Codec<SegmentList> = {
  parse(buf: Uint8Array, view: DataView, start: number, end: number): SegmentList {
    if (end - start < 8) throw new TruncatedError("ipv6_sr_hdr", start, 8, end - start);
    const first = buf[start + 4], flags = buf[start + 5];
    const segs: string[] = [];
    for (let i = first; i >= 0; i--) {
      const at = start + 8 + 16 * i;
      if (at + 16 > end) throw new TruncatedError("SRv6 segment", at, 16, end - at);
      segs.push(formatIp(buf, at, 16));
    }
    const out: SegmentList = { segs };
    const hmacAt = start + ((buf[start + 1] + 1) << 3) - HMAC_TLV_LEN;
    if (flags & SR6_FLAG1_HMAC && hmacAt + 8 <= end) out.hmac = view.getUint32(hmacAt + 4, false);
    return out;
  },
  build(b: MessageBuilder, value: SegmentList): void {
    const addrs = value.segs.map((s) => parseIp(s));
    const n = addrs.length;
    const len = 8 + 16 * n + (value.hmac !== undefined ? HMAC_TLV_LEN : 0);
    const head = new Uint8Array(8);
    head[1] = (len >> 3) - 1; // hdrlen, in 8-byte units after the first 8
    head[2] = 4; // IPV6_SRCRT_TYPE_4
    head[3] = head[4] = n - 1; // segments_left, first_segment
    if (value.hmac !== undefined) head[5] = SR6_FLAG1_HMAC;
    b.raw(head);
    for (let i = n - 1; i >= 0; i--) b.raw(addrs[i]);
    if (value.hmac !== undefined) {
      const tlv = new Uint8Array(HMAC_TLV_LEN);
      tlv[0] = SR6_TLV_HMAC;
      tlv[1] = HMAC_TLV_LEN - 2;
      new DataView(tlv.buffer).setUint32(4, value.hmac, false);
      b.raw(tlv);
    }
  },
};

/** `struct seg6_iptunnel_encap`: the mode, then the segment routing header. */
const SEG6_TUNNEL_CODEC: Codec<{ mode: number } & SegmentList> = {
  parse(buf: Uint8Array, view: DataView, start: number, end: number): { mode: number } & SegmentList {
    if (end - start < 4) throw new TruncatedError("seg6_iptunnel_encap", start, 4, end - start);
    return { mode: view.getInt32(start, true), ...SRH_CODEC.parse(buf, view, start + 4, end) };
  },
  build(b: MessageBuilder, value: { mode: number } & SegmentList): void {
    b.scalar("s32", value.mode);
    SRH_CODEC.build(b, value);
  },
};

/** `SEG6_IPTUNNEL_*` attributes. */
const SEG6_TABLE = {
  /** Mode and segment routing header. */
  srh: { type: 1, kind: "codec", codec: SEG6_TUNNEL_CODEC },
} as const;

/** `SEG6_LOCAL_*` attributes. */
const SEG6_LOCAL_TABLE = {
  /** The function (`SEG6_LOCAL_ACTION_*`). */
  action: { type: 1, kind: "u32" },
  /** Segment routing header to push (`End.B6`, `End.B6.Encaps`). */
  srh: { type: 2, kind: "codec", codec: SRH_CODEC },
  /** Table to look up in (`End.T`, `End.DT6`). */
  table: { type: 3, kind: "u32" },
  /** IPv4 next hop (`End.DX4`). */
  nh4: { type: 4, kind: "ip" },
  /** IPv6 next hop (`End.X`, `End.DX6`). */
  nh6: { type: 5, kind: "ip" },
  /** Input interface index. */
  iif: { type: 6, kind: "u32" },
  /** Output interface index (`End.DX2`). */
  oif: { type: 7, kind: "u32" },
  /** VRF table (`End.DT4`, `End.DT6`, `End.DT46` in VRF mode). */
  vrftable: { type: 9, kind: "u32" },
} as const;

/** `encap seg6`: push a segment list on packets routed here. */
export interface Seg6Encap extends SegmentList {
  /** Always "seg6". */
  type: "seg6";
  /** `encap` (outer IPv6 header), `inline` (header inserted), `l2encap`, `encap.red`, `l2encap.red`. */
  mode: Seg6Mode;
}

/** `encap seg6local`: a local SRv6 function for packets to this prefix. */
export interface Seg6LocalEncap {
  /** Always "seg6local". */
  type: "seg6local";
  /** The function: `End`, `End.X`, `End.T`, `End.DX4`, `End.DX6`, `End.DT4`, `End.DT6`, `End.B6`... */
  action: Seg6LocalAction;
  /** Segment list to push (`End.B6`, `End.B6.Encaps`). */
  srh?: SegmentList;
  /** Table id to look up in (`End.T`, `End.DT6`). */
  table?: number;
  /** VRF table id. */
  vrftable?: number;
  /** IPv4 next hop. */
  nh4?: string;
  /** IPv6 next hop. */
  nh6?: string;
  /** Input interface index. */
  iif?: number;
  /** Output interface index. */
  oif?: number;
}

/** An encapsulation nlkit does not decode: its type name (or number) and raw attributes. */
export interface OtherEncap {
  /** `mpls`, `ip`, `bpf`, ... or the number. */
  type: string;
  /** The `RTA_ENCAP` payload. */
  data: Uint8Array;
}

/** A route's lightweight tunnel encapsulation. */
export type RouteEncap = Seg6Encap | Seg6LocalEncap | OtherEncap;

/** Decodes `RTA_ENCAP` of encapsulation type `type` (`RTA_ENCAP_TYPE`). */
export function decodeEncap(type: number, data: Uint8Array): RouteEncap {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const name = (LWTUNNEL_ENCAP_NAMES as Record<number, string>)[type] ?? String(type);
  if (name === "seg6") {
    const { srh } = parseAttrs(SEG6_TABLE, data, view, 0, data.length);
    if (srh) return { type: "seg6", mode: SEG6_MODES[srh.mode] ?? SEG6_MODES[0], ...segList(srh) };
  } else if (name === "seg6local") {
    const { action, unknown: _, ...rest } = parseAttrs(SEG6_LOCAL_TABLE, data, view, 0, data.length);
    if (action !== undefined && SEG6_LOCAL_ACTIONS[action - 1]) {
      return { type: "seg6local", action: SEG6_LOCAL_ACTIONS[action - 1], ...rest };
    }
  }
  return { type: name, data: data.slice() };
}

function segList(s: SegmentList): SegmentList {
  return s.hmac === undefined ? { segs: s.segs } : { segs: s.segs, hmac: s.hmac };
}

const SEG6_KEYS = ["type", "mode", "segs", "hmac"];
const SEG6_LOCAL_KEYS = ["type", "action", "srh", "table", "vrftable", "nh4", "nh6", "iif", "oif"];

function checkSegs(segs: unknown): string[] {
  if (!Array.isArray(segs) || segs.length === 0) {
    throw new InvalidArgumentError(`Invalid segs: "${String(segs)}" (a non-empty array of IPv6 addresses)`);
  }
  for (const s of segs) {
    let ok = false;
    try {
      ok = parseIp(String(s)).length === 16;
    } catch { /* refused below */ }
    if (!ok) throw new InvalidArgumentError(`Invalid segment: "${String(s)}" (must be an IPv6 address)`);
  }
  return segs;
}

/**
 * A header the router inserts itself (`inline` mode, a `seg6local` SRH)
 * keeps its last slot for the packet's own destination, as ip builds it; a
 * list read back from the kernel already ends with that `::`.
 */
function withReservedSlot(segs: string[]): string[] {
  return formatIp(parseIp(segs[segs.length - 1])) === "::" ? segs : [...segs, "::"];
}

function u32(what: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (must be 0 to 4294967295)`);
  }
  return v;
}

/**
 * Encodes an encapsulation into its `RTA_ENCAP_TYPE` number and `RTA_ENCAP`
 * payload, checking every field. `inline` mode and a `seg6local` SRH
 * reserve the header's last slot, as ip does (a listed `::` in that slot is
 * that reservation).
 */
export function encodeEncap(encap: RouteEncap): { type: number; data: Uint8Array } {
  if (typeof encap !== "object" || encap === null) throw new InvalidArgumentError(`Invalid encap: "${String(encap)}"`);
  const b = new MessageBuilder(0, 0);
  const start = b.length;
  if (encap.type === "seg6") {
    const e = encap as Seg6Encap;
    checkKeys(e, SEG6_KEYS, "seg6 encap");
    const mode = SEG6_MODES.indexOf(e.mode);
    if (mode < 0) throw new InvalidArgumentError(`Invalid seg6 mode: "${e.mode}" (one of ${SEG6_MODES.join(", ")})`);
    const segs = checkSegs(e.segs);
    const srh: { mode: number } & SegmentList = { mode, segs: mode === 0 ? withReservedSlot(segs) : segs };
    if (e.hmac !== undefined) srh.hmac = u32("hmac key id", e.hmac);
    b.attrs(SEG6_TABLE, { srh });
    return { type: 5, data: b.finish().slice(start) };
  }
  if (encap.type === "seg6local") {
    const e = encap as Seg6LocalEncap;
    checkKeys(e, SEG6_LOCAL_KEYS, "seg6local encap");
    const action = SEG6_LOCAL_ACTIONS.indexOf(e.action) + 1;
    if (!action) {
      throw new InvalidArgumentError(
        `Invalid seg6local action: "${e.action}" (one of ${SEG6_LOCAL_ACTIONS.join(", ")})`,
      );
    }
    const attrs: Attrs<typeof SEG6_LOCAL_TABLE> = { action };
    if (e.srh !== undefined) {
      attrs.srh = { segs: withReservedSlot(checkSegs(e.srh?.segs)) };
      if (e.srh.hmac !== undefined) attrs.srh.hmac = u32("hmac key id", e.srh.hmac);
    }
    for (const k of ["table", "vrftable", "iif", "oif"] as const) if (e[k] !== undefined) attrs[k] = u32(k, e[k]);
    if (e.nh4 !== undefined && parseIp(e.nh4).length !== 4) {
      throw new InvalidArgumentError(`Invalid nh4: "${e.nh4}" (IPv4)`);
    }
    if (e.nh6 !== undefined && parseIp(e.nh6).length !== 16) {
      throw new InvalidArgumentError(`Invalid nh6: "${e.nh6}" (IPv6)`);
    }
    if (e.nh4 !== undefined) attrs.nh4 = e.nh4;
    if (e.nh6 !== undefined) attrs.nh6 = e.nh6;
    b.attrs(SEG6_LOCAL_TABLE, attrs);
    return { type: 7, data: b.finish().slice(start) };
  }
  throw new InvalidArgumentError(`Unsupported encap type: "${String(encap.type)}" (seg6 or seg6local)`);
}
