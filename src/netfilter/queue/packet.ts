/**
 * The typed queued packet and its parser: one `NFQNL_MSG_PACKET` message
 * becomes a {@link QueuePacket}.
 *
 * @module
 */

import { MalformedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFNL_SUBSYS_QUEUE, nfnlSplit } from "../../wire/nfnetlink.ts";
import { nameOf, parseAttrs, type RawAttr } from "../../wire/table.ts";
import { type ConntrackEntry, entryOf } from "../conntrack/entry.ts";
import { type ConntrackExpect, expectOf } from "../conntrack/expect.ts";
import type { PacketInterfaces } from "../ifnames.ts";
import { NF_INET_HOOKS, NFPROTO_NAMES, type PacketTimestamp, type PacketVlan, readNfgen } from "../packet.ts";
import { NFQA_TABLE, NFQNL_MSG } from "./tables.ts";

/** One packet handed to userspace, waiting for a verdict. */
export interface QueuePacket extends PacketInterfaces {
  /** Discriminates a packet from an overrun signal. */
  kind: "packet";
  /** The queue number it came from. */
  queue: number;
  /** Netfilter family name (`ipv4`, `ipv6`, `bridge`, `arp`, ...). */
  family: string;
  /** Netfilter family number (`NFPROTO_*`). */
  familyNum: number;
  /** Packet id: the verdict names it. */
  id: number;
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
  /** Input interface index. */
  indev?: number;
  /** Output interface index. */
  outdev?: number;
  /** Physical input interface index (bridges). */
  physIndev?: number;
  /** Physical output interface index (bridges). */
  physOutdev?: number;
  /** Source hardware address. */
  hwAddr?: string;
  /** The packet from the network header, as far as the copy range allows (its own copy). */
  payload?: Uint8Array;
  /** Length of the whole packet, sent when the payload was cut short. */
  capLen?: number;
  /** The connection, when the queue asked for conntrack info. */
  ct?: ConntrackEntry;
  /** The packet's relation to its connection (`new`, `established`, `related`, `...-reply`). */
  ctInfo?: string;
  /** The expectation the connection was created from. */
  expect?: ConntrackExpect;
  /** skb details (`gso`, `csum-not-ready`, `csum-not-verified`). */
  skbInfo?: string[];
  /** Owner uid of the socket, when asked for. */
  uid?: number;
  /** Owner gid of the socket, when asked for. */
  gid?: number;
  /** Security context, when asked for. */
  secctx?: string;
  /** VLAN tag. */
  vlan?: PacketVlan;
  /** The whole layer-2 header (bridge family). */
  l2hdr?: Uint8Array;
  /** skb priority. */
  priority?: number;
  /** Attributes this version does not know. */
  unknown?: RawAttr[];
}

/** Parses one `NFQNL_MSG_PACKET`; returns `undefined` for other messages. */
export function parseQueueMessage(m: NlMsg): QueuePacket | undefined {
  const [subsys, msg] = nfnlSplit(m.type);
  if (subsys !== NFNL_SUBSYS_QUEUE || msg !== NFQNL_MSG.NFQNL_MSG_PACKET) return undefined;
  const off = payloadOf(m);
  const { family, resId } = readNfgen(m.view, off, m.end);
  const a = parseAttrs(NFQA_TABLE, m.buf, m.view, off + 4, m.end);
  const h = a.packetHdr;
  if (h?.hook === undefined) throw new MalformedError("Queued packet has no NFQA_PACKET_HDR", off);
  const p: QueuePacket = {
    kind: "packet",
    queue: resId,
    family: nameOf(NFPROTO_NAMES, family),
    familyNum: family,
    id: h.packetId,
    hwProtocol: h.hwProtocol,
    hook: nameOf(NF_INET_HOOKS, h.hook),
    hookNum: h.hook,
  };
  if (a.mark !== undefined) p.mark = a.mark;
  if (a.timestamp?.usec !== undefined) p.timestamp = { sec: a.timestamp.sec, usec: a.timestamp.usec };
  if (a.indev !== undefined) p.indev = a.indev;
  if (a.outdev !== undefined) p.outdev = a.outdev;
  if (a.physIndev !== undefined) p.physIndev = a.physIndev;
  if (a.physOutdev !== undefined) p.physOutdev = a.physOutdev;
  if (a.hwAddr !== undefined) p.hwAddr = a.hwAddr;
  if (a.payload !== undefined) p.payload = a.payload;
  if (a.capLen !== undefined) p.capLen = a.capLen;
  if (a.ct !== undefined) p.ct = entryOf(a.ct, family);
  if (a.ctInfo !== undefined) p.ctInfo = a.ctInfo;
  if (a.exp !== undefined) p.expect = expectOf(a.exp, family);
  if (a.skbInfo !== undefined) p.skbInfo = a.skbInfo;
  if (a.uid !== undefined) p.uid = a.uid;
  if (a.gid !== undefined) p.gid = a.gid;
  if (a.secctx !== undefined) p.secctx = a.secctx;
  if (a.vlan !== undefined) p.vlan = { proto: a.vlan.proto, tci: a.vlan.tci };
  if (a.l2hdr !== undefined) p.l2hdr = a.l2hdr;
  if (a.priority !== undefined) p.priority = a.priority;
  if (a.unknown) p.unknown = a.unknown;
  return p;
}
