/**
 * The typed logged packet and its parser: one `NFULNL_MSG_PACKET` message
 * becomes a {@link LogPacket}.
 *
 * @module
 */

import { MalformedError } from "../../wire/errors.ts";
import { type NlMsg, payloadOf } from "../../wire/message.ts";
import { NFNL_SUBSYS_ULOG, nfnlSplit } from "../../wire/nfnetlink.ts";
import { nameOf, parseAttrs, type RawAttr } from "../../wire/table.ts";
import { type ConntrackEntry, entryOf } from "../conntrack/entry.ts";
import type { PacketInterfaces } from "../ifnames.ts";
import { NF_INET_HOOKS, NFPROTO_NAMES, type PacketTimestamp, type PacketVlan, readNfgen } from "../packet.ts";
import { NFULA_TABLE, NFULNL_MSG } from "./tables.ts";

/** One packet a `log group N` rule sent. */
export interface LogPacket extends PacketInterfaces {
  /** Discriminates a packet from an overrun signal. */
  kind: "packet";
  /** The group number it was logged to. */
  group: number;
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
  /** The rule's log prefix. */
  prefix?: string;
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
  /** The packet from the network header, as far as the copy range allows. */
  payload?: Uint8Array;
  /** Owner uid of the socket. */
  uid?: number;
  /** Owner gid of the socket. */
  gid?: number;
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
  /** The connection (flag `conntrack`). */
  ct?: ConntrackEntry;
  /** The packet's relation to its connection. */
  ctInfo?: string;
  /** VLAN tag. */
  vlan?: PacketVlan;
  /** The whole layer-2 header (bridge family). */
  l2hdr?: Uint8Array;
  /** Attributes this version does not know. */
  unknown?: RawAttr[];
}

const COPY_KEYS = [
  "mark",
  "indev",
  "outdev",
  "physIndev",
  "physOutdev",
  "hwAddr",
  "payload",
  "prefix",
  "uid",
  "gid",
  "seq",
  "seqGlobal",
  "hwType",
  "hwHeader",
  "hwLen",
  "ctInfo",
  "l2hdr",
  "unknown",
] as const;

/** Parses one `NFULNL_MSG_PACKET`; returns `undefined` for other messages. */
export function parseLogMessage(m: NlMsg): LogPacket | undefined {
  const [subsys, msg] = nfnlSplit(m.type);
  if (subsys !== NFNL_SUBSYS_ULOG || msg !== NFULNL_MSG.NFULNL_MSG_PACKET) return undefined;
  const off = payloadOf(m);
  const { family, resId } = readNfgen(m.view, off, m.end);
  const a = parseAttrs(NFULA_TABLE, m.buf, m.view, off + 4, m.end);
  const h = a.packetHdr;
  if (h?.hook === undefined) throw new MalformedError("Logged packet has no NFULA_PACKET_HDR", off);
  const p: LogPacket = {
    kind: "packet",
    group: resId,
    family: nameOf(NFPROTO_NAMES, family),
    familyNum: family,
    hwProtocol: h.hwProtocol,
    hook: nameOf(NF_INET_HOOKS, h.hook),
    hookNum: h.hook,
  };
  const out = p as unknown as Record<string, unknown>;
  for (const k of COPY_KEYS) if (a[k] !== undefined) out[k] = a[k];
  if (a.timestamp?.usec !== undefined) p.timestamp = { sec: a.timestamp.sec, usec: a.timestamp.usec };
  if (a.ct !== undefined) p.ct = entryOf(a.ct, family);
  if (a.vlan !== undefined) p.vlan = { proto: a.vlan.proto, tci: a.vlan.tci };
  return p;
}
