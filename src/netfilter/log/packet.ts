/**
 * The typed logged packet and its parser: one `NFULNL_MSG_PACKET` message
 * becomes a {@link LogPacket}.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { NFNL_SUBSYS_ULOG, nfnlType } from "../../wire/nfnetlink.ts";
import { copySharedFields, type NetfilterPacket, readPacket } from "../packet.ts";
import { NFULA_TABLE, NFULNL_MSG } from "./tables.ts";

/** One packet a `log group N` rule sent. */
export interface LogPacket extends NetfilterPacket {
  /** The group number it was logged to. */
  group: number;
  /** The rule's log prefix. */
  prefix?: string;
  /** Sequence number within this group (flag `seq`). */
  seq?: number;
  /** Sequence number across all groups (flag `seq-global`). */
  seqGlobal?: number;
  /** Hardware type (`ARPHRD_*`). */
  hwType?: number;
  /** The link-layer header. */
  hwHeader?: Uint8Array;
  /** Length of the link-layer header. */
  hwLen?: number;
}

const PACKET_TYPE = nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG.NFULNL_MSG_PACKET);

/** Parses one `NFULNL_MSG_PACKET`; returns `undefined` for other messages. */
export function parseLogMessage(m: NlMsg): LogPacket | undefined {
  if (m.type !== PACKET_TYPE) return undefined;
  const { resId, a, head } = readPacket(m, NFULA_TABLE, "Logged packet");
  const p = head as LogPacket;
  p.group = resId;
  if (a.prefix !== undefined) p.prefix = a.prefix;
  copySharedFields(p, a);
  if (a.seq !== undefined) p.seq = a.seq;
  if (a.seqGlobal !== undefined) p.seqGlobal = a.seqGlobal;
  if (a.hwType !== undefined) p.hwType = a.hwType;
  if (a.hwHeader !== undefined) p.hwHeader = a.hwHeader;
  if (a.hwLen !== undefined) p.hwLen = a.hwLen;
  if (a.unknown) p.unknown = a.unknown;
  return p;
}
