/**
 * pcap records of NFQUEUE and NFLOG packets: raw IP (`LINKTYPE_RAW`,
 * `LINKTYPE_IPV4`, `LINKTYPE_IPV6`), or `LINKTYPE_NFLOG` so the prefix,
 * hook, mark and interfaces survive.
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import { MessageBuilder } from "../wire/builder.ts";
import { NLMSG_HDRLEN } from "../wire/constants.ts";
import { NFGENMSG } from "../wire/nfnetlink.ts";
import type { Attrs } from "../wire/table.ts";
import type { LogPacket } from "../netfilter/log/packet.ts";
import { NFULA_TABLE } from "../netfilter/log/tables.ts";
import type { QueuePacket } from "../netfilter/queue/packet.ts";
import { LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_NFLOG, LINKTYPE_RAW, pcapNow, type PcapTime } from "./format.ts";
import { PcapWriter } from "./writer.ts";

/** A packet from NFQUEUE or NFLOG. */
export type NfPacket = QueuePacket | LogPacket;

/** How packets are stored: raw IP (both versions), IPv4 only, IPv6 only, or NFLOG with metadata. */
export type PacketLinkType = "raw" | "ipv4" | "ipv6" | "nflog";

const LINK_TYPES: Record<PacketLinkType, number> = {
  raw: LINKTYPE_RAW,
  ipv4: LINKTYPE_IPV4,
  ipv6: LINKTYPE_IPV6,
  nflog: LINKTYPE_NFLOG,
};

/** The packet's kernel timestamp, or now when it has none. */
export function packetTime(p: NfPacket): PcapTime {
  return p.timestamp ? { sec: p.timestamp.sec, nsec: p.timestamp.usec * 1000 } : pcapNow();
}

/**
 * Encodes a packet as a `LINKTYPE_NFLOG` record: the `nfgenmsg` header
 * (family, version, big-endian group) and the `NFULA_*` TLVs in host
 * byte order, as libpcap's `nflog` capture writes them. A queued packet
 * keeps its queue number as the group.
 */
export function nflogRecord(p: NfPacket): Uint8Array {
  const a: Attrs<typeof NFULA_TABLE> = {
    packetHdr: { hwProtocol: p.hwProtocol, hook: p.hookNum },
    mark: p.mark,
    timestamp: p.timestamp,
    indev: p.indev,
    outdev: p.outdev,
    physIndev: p.physIndev,
    physOutdev: p.physOutdev,
    hwAddr: p.hwAddr,
    payload: p.payload,
    uid: p.uid,
    gid: p.gid,
  };
  const group = "group" in p ? p.group : p.queue;
  if ("group" in p) {
    Object.assign(a, {
      prefix: p.prefix,
      seq: p.seq,
      seqGlobal: p.seqGlobal,
      hwType: p.hwType,
      hwHeader: p.hwHeader,
      hwLen: p.hwLen,
    });
  }
  const msg = new MessageBuilder(0, 0)
    .struct(NFGENMSG, { family: p.familyNum, version: 0, resId: group })
    .attrs(NFULA_TABLE, a)
    .finish();
  return msg.subarray(NLMSG_HDRLEN);
}

/** Writes NFQUEUE/NFLOG packets to a pcap file in one link type. */
export class PacketPcapWriter implements Disposable {
  /** The underlying writer. */
  readonly pcap: PcapWriter;
  /** Packets left out because the link type cannot hold them (no payload, or the other IP version). */
  skipped = 0;
  #type: PacketLinkType;

  /** Wraps a writer opened with the matching link type number. */
  constructor(pcap: PcapWriter, type: PacketLinkType) {
    if (pcap.linkType !== LINK_TYPES[type]) {
      throw new InvalidArgumentError(`Cannot write ${type} records to a pcap of link type ${pcap.linkType}`);
    }
    this.pcap = pcap;
    this.#type = type;
  }

  /** Opens `path` (`-` for stdout) for packets stored as `type` (default `nflog`). */
  static open(path: string, type: PacketLinkType = "nflog"): PacketPcapWriter {
    if (!Object.hasOwn(LINK_TYPES, type)) {
      throw new InvalidArgumentError(`Cannot use link type "${type}": expected raw, ipv4, ipv6 or nflog`);
    }
    return new PacketPcapWriter(PcapWriter.open(path, LINK_TYPES[type]), type);
  }

  /** Writes one packet; returns false (and counts it in {@link skipped}) when the link type cannot hold it. */
  write(p: NfPacket): boolean {
    const time = packetTime(p);
    if (this.#type === "nflog") {
      this.pcap.write(nflogRecord(p), time);
      return true;
    }
    const data = p.payload;
    const version = data && data.length ? data[0] >> 4 : 0;
    const fits = this.#type === "raw" ? version === 4 || version === 6 : version === (this.#type === "ipv4" ? 4 : 6);
    if (!data || !fits) {
      this.skipped++;
      return false;
    }
    const orig = "capLen" in p && p.capLen !== undefined ? p.capLen : data.length;
    this.pcap.write(data, time, orig);
    return true;
  }

  /** Closes the file. */
  close(): void {
    this.pcap.close();
  }

  /** Same as {@link close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}
