/**
 * Byte vectors captured from the kernel (Linux 6.18) in a fresh namespace,
 * and the helpers that turn hex into bytes and messages.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { type NlMsg, readMessage } from "../src/wire/message.ts";

/** Decodes hex text into bytes. */
export function unhex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Reads `tests/vectors/NAME.hex`. */
export function vector(name: string): Uint8Array {
  return unhex(readFileSync(new URL(`./vectors/${name}.hex`, import.meta.url), "utf8"));
}

/** RTM_NEWADDR for 10.1.2.3/24 on lo, from an address dump. */
export const NEWADDR_V4 =
  "4c000000140002000240c0c04c1700000218800001000000080001000a010203080002000a010203070003006c6f0000" +
  "080008008000000014000600ffffffffffffffffacd10000acd10000";

/** NLMSG_ERROR for an RTM_NEWLINK of unknown kind, request echoed, with ext-ack message. */
export const ERROR_FULL =
  "640000000200000207000000d1170000a1ffffff38000000100005040700000000000000000000000000000000000000" +
  "000000000700030078300000100012800a000100626f67757300000018000100556e6b6e6f776e20646576696365207479706500";

/** The same refusal with NETLINK_CAP_ACK: request cut to its header (NLM_F_CAPPED). */
export const ERROR_CAPPED =
  "3c0000000200000308000000d1170000a1ffffff3800000010000504080000000000000018000100556e6b6e6f776e2064" +
  "6576696365207479706500";

/** An ACK (error 0) for RTM_SETLINK, capped. */
export const ACK = "240000000200000109000000d11700000000000020000000130005000900000000000000";

/** One datagram: an IPv6 RTM_NEWADDR (::1/128 on lo) followed by NLMSG_DONE. */
export const DUMP6_WITH_DONE =
  "50000000140002000a000000d11700000a8080fe01000000140001000000000000000000000000000000000114000600" +
  "ffffffffffffffffacd10000acd10000080008008000000005000b000100000014000000030002000a000000d117000000000000";

/** Reads one message from hex; `flags` replaces nlmsg_flags (to turn a captured event into another kind). */
export function hexMessage(hex: string, flags?: number): NlMsg {
  const buf = unhex(hex);
  const view = new DataView(buf.buffer);
  if (flags !== undefined) view.setUint16(6, flags, true);
  return readMessage(buf, view, 0, buf.length);
}
