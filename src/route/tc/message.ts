/**
 * The tcmsg codec: the fixed header, the `TCA_*` attributes, and the
 * objects a qdisc, class or filter message decodes to. Options and xstats
 * are decoded by the kind's module, found through the registries.
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import { TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { parseAttrs, parseStruct } from "../../wire/table.ts";
import { RTM_TC, TCA } from "./constants.ts";
import { decodeIn, TC_KIND, TC_PAYLOAD } from "./payload.ts";
import { TCA_STATS_ATTRS, type TcStats, withoutApp } from "./stats.ts";
import type { OptionsCodec, XstatsCodec } from "./kind.ts";
import { filterKind } from "./filter/registry.ts";
import { qdiscKind } from "./qdisc/registry.ts";

/** `struct tcmsg`. */
export const TCMSG = {
  family: "u8",
  pad1: "pad1",
  pad2: "pad2",
  ifindex: "s32",
  handle: "u32",
  parent: "u32",
  info: "u32",
} as const;

/** Size of `struct tcmsg`. */
export const TCMSG_LEN = 20;

/** `TCA_*` of a qdisc, class or filter message, in the order `tc` sends them. */
export const TCA_ATTRS = {
  kind: { type: TCA.TCA_KIND, kind: "codec", codec: TC_KIND },
  rate: { type: TCA.TCA_RATE, kind: "struct", struct: { interval: "s8", ewmaLog: "u8" } },
  chain: { type: TCA.TCA_CHAIN, kind: "u32" },
  options: { type: TCA.TCA_OPTIONS, kind: "codec", codec: TC_PAYLOAD },
  xstats: { type: TCA.TCA_XSTATS, kind: "codec", codec: TC_PAYLOAD },
  stats: { type: TCA.TCA_STATS2, kind: "nested", table: TCA_STATS_ATTRS },
  hwOffload: { type: TCA.TCA_HW_OFFLOAD, kind: "u8" },
  ingressBlock: { type: TCA.TCA_INGRESS_BLOCK, kind: "u32" },
  egressBlock: { type: TCA.TCA_EGRESS_BLOCK, kind: "u32" },
} as const;

/** A rate estimator (`struct tc_estimator`): interval as log2 of quarter seconds, and the averaging constant. */
export interface Estimator {
  /** -2 (250 ms) to 3 (8 s). */
  interval: number;
  /** EWMA time constant as a power of two. */
  ewmaLog: number;
}

/** What qdiscs, classes and filters share. */
export interface TcBase {
  /** The kind (`htb`, `u32`, ...). */
  kind: string;
  /** The device's index. */
  ifindex: number;
  /** The handle (a qdisc's `MAJ:0`, a class id, a filter handle). */
  handle: number;
  /** The parent handle (`TC_H_ROOT` for a root qdisc). */
  parent: number;
  /** Options decoded by the kind's module; raw bytes for a kind nlkit does not know. */
  options?: unknown;
  /** Statistics (`TCA_STATS2`). */
  stats?: TcStats;
  /** Kind-specific statistics, decoded by the kind's module (raw bytes otherwise). */
  xstats?: unknown;
  /** Offloaded to hardware. */
  hwOffload?: number;
  /** Filter chain index. */
  chain?: number;
  /** Shared ingress block index. */
  ingressBlock?: number;
  /** Shared egress block index. */
  egressBlock?: number;
  /** The message announced a deletion (events). */
  deleted?: boolean;
}

/** A queueing discipline. */
export interface Qdisc extends TcBase {
  /** References held (`tcm_info`). */
  refcnt: number;
}

/** A class of a classful qdisc. */
export interface TcClass extends TcBase {
  /** The handle of the qdisc attached to the class (`tcm_info`), 0 for none. */
  leaf: number;
}

/** A filter (classifier instance). */
export interface Filter extends TcBase {
  /** Priority (`pref`); lower runs first. */
  priority: number;
  /** Ethernet protocol matched, host order (`ETH_P_IP` is 0x800; 3 is all). */
  protocol: number;
}

/** Which object a tcmsg describes. */
export type TcObjectType = "qdisc" | "class" | "filter";

function codecs(
  type: TcObjectType,
  kind: string,
): [OptionsCodec<unknown> | undefined, XstatsCodec<unknown> | undefined] {
  if (type === "filter") return [filterKind(kind)?.options, undefined];
  const q = qdiscKind(kind);
  return [type === "qdisc" ? q?.qdisc : q?.class, q?.xstats];
}

/** Decodes one qdisc, class or filter message. */
export function parseTcMessage(m: NlMsg, type: "qdisc"): Qdisc;
/** Decodes one qdisc, class or filter message. */
export function parseTcMessage(m: NlMsg, type: "class"): TcClass;
/** Decodes one qdisc, class or filter message. */
export function parseTcMessage(m: NlMsg, type: "filter"): Filter;
/** Decodes one qdisc, class or filter message. */
export function parseTcMessage(m: NlMsg, type: TcObjectType): TcBase;
export function parseTcMessage(m: NlMsg, type: TcObjectType): TcBase {
  const { buf, view } = m;
  const at = payloadOf(m);
  if (at + TCMSG_LEN > m.end) throw new TruncatedError("tcmsg", at, TCMSG_LEN, m.end - at);
  const h = parseStruct(TCMSG, view, at, m.end);
  const o: Record<string, unknown> = { kind: "", ifindex: h.ifindex, handle: h.handle, parent: h.parent };
  if (type === "qdisc") o.refcnt = h.info;
  else if (type === "class") o.leaf = h.info;
  else {
    o.priority = h.info >>> 16;
    o.protocol = ((h.info & 0xff) << 8) | ((h.info >>> 8) & 0xff);
  }
  if (m.type === RTM_TC.RTM_DELQDISC || m.type === RTM_TC.RTM_DELTCLASS || m.type === RTM_TC.RTM_DELTFILTER) {
    o.deleted = true;
  }
  const a = parseAttrs(TCA_ATTRS, buf, view, at + TCMSG_LEN, m.end);
  o.kind = a.kind ?? "";
  if (a.stats) o.stats = withoutApp(a.stats);
  if (a.chain !== undefined) o.chain = a.chain;
  if (a.hwOffload !== undefined) o.hwOffload = a.hwOffload;
  if (a.ingressBlock !== undefined) o.ingressBlock = a.ingressBlock;
  if (a.egressBlock !== undefined) o.egressBlock = a.egressBlock;
  const [codec, xcodec] = codecs(type, o.kind as string);
  if (a.options) o.options = decodeIn(codec, buf, view, a.options);
  const x = a.stats?.app ?? a.xstats;
  if (x) o.xstats = decodeIn(xcodec, buf, view, x);
  return o as unknown as TcBase;
}

/** Appends a tcmsg header. */
export function tcmsgHeader(
  b: MessageBuilder,
  h: { ifindex: number; handle?: number; parent?: number; info?: number },
): MessageBuilder {
  return b.struct(TCMSG, {
    family: 0,
    ifindex: h.ifindex,
    handle: h.handle ?? 0,
    parent: h.parent ?? 0,
    info: h.info ?? 0,
  });
}
