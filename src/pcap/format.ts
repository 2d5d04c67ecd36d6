/**
 * The classic pcap file format: link types, the file header and record
 * headers, nanosecond variant (magic `0xa1b23c4d`).
 *
 * @module
 */

import process from "node:process";

/** Raw IP, IPv4 or IPv6 by the version nibble (`LINKTYPE_RAW`). */
export const LINKTYPE_RAW = 101;
/** Raw IPv4 (`LINKTYPE_IPV4`). */
export const LINKTYPE_IPV4 = 228;
/** Raw IPv6 (`LINKTYPE_IPV6`). */
export const LINKTYPE_IPV6 = 229;
/** NFLOG: the `nfgenmsg` header and the `NFULA_*` TLVs (`LINKTYPE_NFLOG`). */
export const LINKTYPE_NFLOG = 239;
/** Netlink messages behind a 16-byte cooked header (`LINKTYPE_NETLINK`). */
export const LINKTYPE_NETLINK = 253;

/** Magic of a pcap file with nanosecond timestamps. */
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Magic of a pcap file with microsecond timestamps. */
export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
/** Bytes in the file header. */
export const PCAP_FILE_HEADER_LEN = 24;
/** Bytes in a record header. */
export const PCAP_RECORD_HEADER_LEN = 16;
/** Default snapshot length. */
export const PCAP_SNAPLEN = 262144;

/** A pcap timestamp. */
export interface PcapTime {
  /** Seconds since the epoch. */
  sec: number;
  /** Nanoseconds within the second. */
  nsec: number;
}

/** The file header (nanosecond magic, version 2.4, host byte order). */
export function pcapFileHeader(linkType: number, snaplen = PCAP_SNAPLEN): Uint8Array {
  const b = new Uint8Array(PCAP_FILE_HEADER_LEN);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC_NANO, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linkType, true);
  return b;
}

/** One record: its header followed by `data` cut to `snaplen`; `origLen` is the packet's full length. */
export function pcapRecord(
  data: Uint8Array,
  time: PcapTime,
  origLen = data.length,
  snaplen = PCAP_SNAPLEN,
): Uint8Array {
  const incl = Math.min(data.length, snaplen);
  const b = new Uint8Array(PCAP_RECORD_HEADER_LEN + incl);
  const v = new DataView(b.buffer);
  v.setUint32(0, time.sec, true);
  v.setUint32(4, time.nsec, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, Math.max(origLen, incl), true);
  b.set(data.subarray(0, incl), PCAP_RECORD_HEADER_LEN);
  return b;
}

const hr0 = process.hrtime.bigint();
const epoch0 = BigInt(Date.now()) * 1_000_000n;

/** The current time with nanosecond resolution (monotonic within the process). */
export function pcapNow(): PcapTime {
  const ns = epoch0 + (process.hrtime.bigint() - hr0);
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}
