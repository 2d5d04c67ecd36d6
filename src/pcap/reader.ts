/**
 * Reading pcap files back: the records of any classic pcap file (either
 * byte order, micro- or nanosecond timestamps), and the netlink messages
 * of `LINKTYPE_NETLINK` records, ready for nlkit's own parsers.
 *
 * @example
 * ```ts ignore
 * import { decodeNetlinkRecord, readPcap } from "./reader.ts";
 * const file = readPcap(Deno.readFileSync("tap.pcap"));
 * for (const r of file.records) console.log(decodeNetlinkRecord(r.data).messages.map((m) => m.type));
 * ```
 *
 * @module
 */

import { MalformedError, TruncatedError } from "../wire/errors.ts";
import { forEachMessage, type NlMsg } from "../wire/message.ts";
import {
  PCAP_FILE_HEADER_LEN,
  PCAP_MAGIC_MICRO,
  PCAP_MAGIC_NANO,
  PCAP_RECORD_HEADER_LEN,
  type PcapTime,
} from "./format.ts";
import { ARPHRD_NETLINK, NETLINK_COOKED_LEN, PACKET_OUTGOING } from "./netlink.ts";

/** One record of a pcap file. */
export interface PcapRecord {
  /** When it was captured (nanoseconds even in a microsecond file). */
  time: PcapTime;
  /** The captured bytes (a view into the file's bytes). */
  data: Uint8Array;
  /** Length of the packet on the wire. */
  origLen: number;
}

/** A parsed pcap file. */
export interface PcapFile {
  /** Link type of every record. */
  linkType: number;
  /** Snapshot length. */
  snaplen: number;
  /** Whether the file stores nanoseconds. */
  nanosecond: boolean;
  /** The records, in file order. */
  records: PcapRecord[];
}

/** Parses a whole pcap file. Throws `TruncatedError`/`MalformedError` on bytes that are not one. */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < PCAP_FILE_HEADER_LEN) {
    throw new TruncatedError("pcap file header", 0, PCAP_FILE_HEADER_LEN, bytes.length);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  let magic = v.getUint32(0, true);
  if (magic !== PCAP_MAGIC_NANO && magic !== PCAP_MAGIC_MICRO) {
    le = false;
    magic = v.getUint32(0, false);
  }
  if (magic !== PCAP_MAGIC_NANO && magic !== PCAP_MAGIC_MICRO) {
    throw new MalformedError(`Not a pcap file: magic 0x${v.getUint32(0, false).toString(16)}`, 0);
  }
  const nanosecond = magic === PCAP_MAGIC_NANO;
  const file: PcapFile = { linkType: v.getUint32(20, le), snaplen: v.getUint32(16, le), nanosecond, records: [] };
  let off = PCAP_FILE_HEADER_LEN;
  while (off < bytes.length) {
    if (off + PCAP_RECORD_HEADER_LEN > bytes.length) {
      throw new TruncatedError("pcap record header", off, PCAP_RECORD_HEADER_LEN, bytes.length - off);
    }
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    const origLen = v.getUint32(off + 12, le);
    const start = off + PCAP_RECORD_HEADER_LEN;
    if (start + incl > bytes.length) throw new TruncatedError("pcap record", start, incl, bytes.length - start);
    file.records.push({
      time: { sec, nsec: nanosecond ? frac : frac * 1000 },
      data: bytes.subarray(start, start + incl),
      origLen,
    });
    off = start + incl;
  }
  return file;
}

/** The netlink content of one `LINKTYPE_NETLINK` record. */
export interface NetlinkRecord {
  /** `out`: sent by the capturing process; `in`: received by it. */
  direction: "out" | "in";
  /** Netlink family (`NETLINK_ROUTE`, `NETLINK_NETFILTER`, ...). */
  protocol: number;
  /** The messages of the datagram, for nlkit's parsers (`parseLinkMessage`, ...). */
  messages: NlMsg[];
}

/** Decodes the cooked header and the netlink messages of one record. */
export function decodeNetlinkRecord(data: Uint8Array): NetlinkRecord {
  if (data.length < NETLINK_COOKED_LEN) throw new TruncatedError("cooked header", 0, NETLINK_COOKED_LEN, data.length);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const hatype = v.getUint16(2, false);
  if (hatype !== ARPHRD_NETLINK) {
    throw new MalformedError(`Cooked header hardware type ${hatype} is not ARPHRD_NETLINK`, 2);
  }
  const body = data.subarray(NETLINK_COOKED_LEN);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const messages: NlMsg[] = [];
  forEachMessage(body, view, 0, body.length, (m) => {
    messages.push(m);
  });
  return {
    direction: v.getUint16(0, false) === PACKET_OUTGOING ? "out" : "in",
    protocol: v.getUint16(14, false),
    messages,
  };
}
