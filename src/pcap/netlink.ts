/**
 * The netlink tap: every datagram a socket sends or receives, written as
 * `LINKTYPE_NETLINK` records behind the 16-byte cooked header Wireshark
 * and tcpdump expect (as on an `nlmon` device).
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { NetlinkCapture } from "../socket/capture.ts";
import { LINKTYPE_NETLINK, pcapNow } from "./format.ts";
import { PcapWriter } from "./writer.ts";

/** `ARPHRD_NETLINK`. */
export const ARPHRD_NETLINK = 824;
/** Cooked header packet type of a datagram to us (`PACKET_HOST`). */
export const PACKET_HOST = 0;
/** Cooked header packet type of a datagram we sent (`PACKET_OUTGOING`). */
export const PACKET_OUTGOING = 4;
/** Bytes in the cooked header. */
export const NETLINK_COOKED_LEN = 16;

/**
 * The cooked header (big-endian, as Linux `SLL`): packet type, `ARPHRD_NETLINK`,
 * address length 0, 8 address bytes, protocol = the netlink family.
 */
export function netlinkCookedHeader(direction: "out" | "in", protocol: number): Uint8Array {
  const b = new Uint8Array(NETLINK_COOKED_LEN);
  const v = new DataView(b.buffer);
  v.setUint16(0, direction === "out" ? PACKET_OUTGOING : PACKET_HOST, false);
  v.setUint16(2, ARPHRD_NETLINK, false);
  v.setUint16(14, protocol, false);
  return b;
}

/** A `NetlinkCapture` writing a pcap file: pass it as a socket's `capture`, or install it with `setGlobalCapture`. */
export class NetlinkPcapCapture implements NetlinkCapture, Disposable {
  /** The underlying writer. */
  readonly pcap: PcapWriter;

  /** Wraps a writer opened with `LINKTYPE_NETLINK`. */
  constructor(pcap: PcapWriter) {
    if (pcap.linkType !== LINKTYPE_NETLINK) {
      throw new InvalidArgumentError(`Cannot write netlink records to link type ${pcap.linkType}`);
    }
    this.pcap = pcap;
  }

  /** Opens `path` (`-` for stdout) for netlink records. */
  static open(path: string): NetlinkPcapCapture {
    return new NetlinkPcapCapture(PcapWriter.open(path, LINKTYPE_NETLINK));
  }

  /** Writes one datagram with its cooked header, stamped now. */
  record(direction: "out" | "in", protocol: number, bytes: Uint8Array): void {
    const rec = new Uint8Array(NETLINK_COOKED_LEN + bytes.length);
    rec.set(netlinkCookedHeader(direction, protocol));
    rec.set(bytes, NETLINK_COOKED_LEN);
    this.pcap.write(rec, pcapNow());
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
