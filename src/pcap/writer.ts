/**
 * A streaming pcap writer: each record goes to the file (or stdout) as it
 * is written, so a capture can be read while it grows and nothing piles
 * up in memory.
 *
 * @example
 * ```ts ignore
 * import { PcapWriter } from "./writer.ts";
 * import { LINKTYPE_RAW } from "./format.ts";
 * using w = PcapWriter.open("/tmp/x.pcap", LINKTYPE_RAW);
 * w.write(ipPacket);
 * ```
 *
 * @module
 */

import { InvalidArgumentError, NlkitError } from "../errors.ts";
import { closeSync, openSync, writeSync } from "node:fs";
import { PCAP_SNAPLEN, pcapFileHeader, pcapNow, pcapRecord, type PcapTime } from "./format.ts";

/** Writes classic pcap with nanosecond timestamps to a file descriptor. */
export class PcapWriter implements Disposable {
  /** The link type of every record. */
  readonly linkType: number;
  /** Longest record kept; longer packets are cut (their full length is recorded). */
  readonly snaplen: number;
  /** Records written. */
  count = 0;
  #fd: number;
  #own: boolean;

  /** Writes the file header to `fd`; `own` closes `fd` on {@link close}. */
  constructor(fd: number, linkType: number, own = false, snaplen = PCAP_SNAPLEN) {
    if (!Number.isInteger(linkType) || linkType < 0) throw new InvalidArgumentError(`Cannot use link type ${linkType}`);
    this.#fd = fd;
    this.#own = own;
    this.linkType = linkType;
    this.snaplen = snaplen;
    writeAll(fd, pcapFileHeader(linkType, snaplen));
  }

  /** Creates (or truncates) `path` and writes the header; `-` means standard output. */
  static open(path: string, linkType: number, snaplen = PCAP_SNAPLEN): PcapWriter {
    if (path === "-") return new PcapWriter(1, linkType, false, snaplen);
    return new PcapWriter(openSync(path, "w", 0o644), linkType, true, snaplen);
  }

  /** Writes one record, stamped `time` (now by default); `origLen` is the full packet length. */
  write(data: Uint8Array, time: PcapTime = pcapNow(), origLen = data.length): void {
    if (this.#fd < 0) throw new NlkitError("Cannot write to a closed pcap writer", "EBADF", "write pcap record");
    writeAll(this.#fd, pcapRecord(data, time, origLen, this.snaplen));
    this.count++;
  }

  /** Closes the file (stdout stays open); idempotent. */
  close(): void {
    if (this.#fd < 0) return;
    if (this.#own) closeSync(this.#fd);
    this.#fd = -1;
  }

  /** Same as {@link close} (`using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
}
