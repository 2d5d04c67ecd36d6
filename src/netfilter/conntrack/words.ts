/**
 * The choices of a `conntrack -L` line that depend on numbers only, shared
 * by the line of a parsed entry (`format.ts`) and the line written straight
 * from a message's bytes (`line.ts`), so the two cannot drift apart.
 *
 * @module
 */

import type { TextSink } from "../../wire/text_sink.ts";

/** `IPS_*` status bits a line shows. */
export const SEEN_REPLY = 0x2, ASSURED = 0x4, OFFLOAD = 0x4000, HW_OFFLOAD = 0x8000;

/**
 * What a tuple of a layer-4 protocol prints after its addresses: nothing,
 * ` sport=… dport=…` (TCP, UDP, UDP-Lite, SCTP, DCCP), ` srckey=0x… dstkey=0x…`
 * (GRE keys, in the port fields) or ` type=… code=… id=…` (ICMP, ICMPv6).
 */
export const TAIL_NONE = 0, TAIL_PORTS = 1, TAIL_KEYS = 2, TAIL_ICMP = 3;

/** The tail a tuple of `protoNum` prints (libnetfilter_conntrack's per-protocol printers). */
export function tupleTail(protoNum: number): number {
  switch (protoNum) {
    case 6:
    case 17:
    case 136:
    case 132:
    case 33:
      return TAIL_PORTS;
    case 47:
      return TAIL_KEYS;
    case 1:
    case 58:
      return TAIL_ICMP;
  }
  return TAIL_NONE;
}

/** The one status word a line shows after the reply tuple, if any (`[HW_OFFLOAD]` wins over the rest). */
export function statusWord(bits: number): string | undefined {
  return bits & HW_OFFLOAD
    ? " [HW_OFFLOAD]"
    : bits & OFFLOAD
    ? " [OFFLOAD]"
    : bits & ASSURED
    ? " [ASSURED]"
    : undefined;
}

/** GRE keys as a tuple prints them, from its port fields. */
export function greKeys(src: number, dst: number): string {
  return ` srckey=0x${src.toString(16)} dstkey=0x${dst.toString(16)}`;
}

/** `s` left-aligned in 8 columns, as conntrack prints the family and protocol. */
export function pad8(w: TextSink, s: string): void {
  w.ascii(s);
  w.spaces(8 - s.length);
}
