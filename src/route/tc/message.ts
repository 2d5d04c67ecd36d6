/**
 * The tcmsg codec: the fixed header, the `TCA_*` attributes, and the
 * objects a qdisc, class or filter message decodes to. Options and xstats
 * are decoded by the kind's module, found through the registries.
 *
 * @module
 */

import type { MessageBuilder } from "../../wire/builder.ts";
import { MalformedError, TruncatedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { forEachAttr, parseStruct, readString } from "../../wire/table.ts";
import { RTM_TC, TCA } from "./constants.ts";
import { parseStats, type TcStats } from "./stats.ts";
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
  let opts: [number, number] | undefined, xs: [number, number] | undefined, app: [number, number] | undefined;
  forEachAttr(view, at + TCMSG_LEN, m.end, (t, s, e) => {
    switch (t & 0x3fff) {
      case TCA.TCA_KIND:
        o.kind = readString(buf, s, e);
        break;
      case TCA.TCA_OPTIONS:
        opts = [s, e];
        break;
      case TCA.TCA_XSTATS:
        xs = [s, e];
        break;
      case TCA.TCA_STATS2: {
        const st = parseStats(buf, view, s, e);
        o.stats = st;
        forEachAttr(view, s, e, (t2, s2, e2) => {
          if ((t2 & 0x3fff) === 4) app = [s2, e2];
        });
        delete st.app;
        break;
      }
      case TCA.TCA_CHAIN:
        o.chain = u32(view, s, e);
        break;
      case TCA.TCA_HW_OFFLOAD:
        if (e > s) o.hwOffload = view.getUint8(s);
        break;
      case TCA.TCA_INGRESS_BLOCK:
        o.ingressBlock = u32(view, s, e);
        break;
      case TCA.TCA_EGRESS_BLOCK:
        o.egressBlock = u32(view, s, e);
        break;
    }
  });
  const [codec, xcodec] = codecs(type, o.kind as string);
  if (opts) o.options = codec ? codec.parse(buf, view, opts[0], opts[1]) : buf.slice(opts[0], opts[1]);
  const x = app ?? xs;
  if (x) o.xstats = xcodec ? xcodec.parse(buf, view, x[0], x[1]) : buf.slice(x[0], x[1]);
  return o as unknown as TcBase;
}

function u32(view: DataView, s: number, e: number): number {
  if (e - s < 4) throw new MalformedError(`tc attribute of ${e - s} bytes where a u32 was expected`, s);
  return view.getUint32(s, true);
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
