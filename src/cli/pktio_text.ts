/**
 * One-line summaries of NFQUEUE/NFLOG packets for `nlkit queue` and
 * `nlkit log` (tcpdump's wording for the IP part), their JSON objects,
 * and the options both commands share.
 *
 * @module
 */

import { formatIp } from "../wire/addr.ts";
import type { LogPacket } from "../netfilter/log/packet.ts";
import type { QueuePacket } from "../netfilter/queue/packet.ts";
import { type Args, toInt, UsageError } from "./args.ts";

/** The network and transport headers of a packet, when it has them. */
export interface IpSummary {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Transport protocol name (`tcp`, `udp`, `icmp`, `icmpv6`) or number. */
  proto: string;
  /** Source port (TCP, UDP). */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** Transport payload length (UDP), or IP payload length. */
  length: number;
}

const PROTOS: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };

/** Reads the IPv4/IPv6 and TCP/UDP headers of `b`; undefined when they are not all there. */
export function ipSummary(b: Uint8Array | undefined): IpSummary | undefined {
  if (!b || b.length < 20) return undefined;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let proto: number, off: number, src: string, dst: string, total: number;
  if (b[0] >> 4 === 4) {
    off = (b[0] & 0x0f) * 4;
    proto = b[9];
    src = formatIp(b, 12, 4);
    dst = formatIp(b, 16, 4);
    total = v.getUint16(2, false);
  } else if (b[0] >> 4 === 6 && b.length >= 40) {
    off = 40;
    proto = b[6];
    src = formatIp(b, 8, 16);
    dst = formatIp(b, 24, 16);
    total = 40 + v.getUint16(4, false);
  } else {
    return undefined;
  }
  const s: IpSummary = { src, dst, proto: PROTOS[proto] ?? String(proto), length: Math.max(total - off, 0) };
  if ((proto === 6 || proto === 17) && b.length >= off + 4) {
    s.sport = v.getUint16(off, false);
    s.dport = v.getUint16(off + 2, false);
    if (proto === 17) s.length = Math.max(total - off - 8, 0);
  }
  return s;
}

/** tcpdump's summary: `IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 5`. */
export function ipText(s: IpSummary | undefined, hwProtocol: number): string {
  if (!s) return `ethertype 0x${hwProtocol.toString(16).padStart(4, "0")}`;
  const ver = s.src.includes(":") ? "IP6" : "IP";
  const end = (a: string, p?: number) => p === undefined ? a : `${a}.${p}`;
  const body = s.proto === "udp" ? `UDP, length ${s.length}` : `${s.proto}, length ${s.length}`;
  return `${ver} ${end(s.src, s.sport)} > ${end(s.dst, s.dport)}: ${body}`;
}

/** The metadata words shared by queued and logged packets: hook, interfaces (`if<N>` when unnamed, as ip), mark, uid/gid. */
export function metaText(p: QueuePacket | LogPacket): string {
  const w = [p.hook];
  if (p.indev !== undefined) w.push(`in ${p.indevName ?? `if${p.indev}`}`);
  if (p.outdev !== undefined) w.push(`out ${p.outdevName ?? `if${p.outdev}`}`);
  if (p.mark) w.push(`mark 0x${p.mark.toString(16)}`);
  if (p.uid !== undefined) w.push(`uid ${p.uid}`);
  if (p.gid !== undefined) w.push(`gid ${p.gid}`);
  return w.join(" ");
}

/** The JSON keys shared by queued and logged packets. */
export function metaJson(p: QueuePacket | LogPacket): Record<string, unknown> {
  const o: Record<string, unknown> = { family: p.family, hook: p.hook, hw_protocol: p.hwProtocol };
  if (p.indev !== undefined) o.indev = p.indevName ?? `if${p.indev}`;
  if (p.outdev !== undefined) o.outdev = p.outdevName ?? `if${p.outdev}`;
  if (p.mark !== undefined) o.mark = p.mark;
  if (p.uid !== undefined) o.uid = p.uid;
  if (p.gid !== undefined) o.gid = p.gid;
  if (p.timestamp) o.timestamp = p.timestamp.sec + p.timestamp.usec / 1e6;
  if (p.payload) o.len = p.payload.length;
  const s = ipSummary(p.payload);
  if (s) Object.assign(o, s);
  return o;
}

/** Options both commands take after the number. */
export interface PktioArgs {
  /** The queue or group number. */
  num: number;
  /** `-w FILE`: write packets to a pcap file (`-` for stdout) instead of printing them. */
  write?: string;
  /** `-c N` / `--count N`: stop after N packets. */
  count?: number;
  /** Command-specific options, by name, with their values. */
  extra: Map<string, string>;
}

/** Parses `NUM [options]`; `extra` lists the command's own value options. */
export function parsePktioArgs(args: Args, what: string, extra: readonly string[]): PktioArgs {
  const first = args.next();
  if (first === undefined) throw new UsageError(`Missing ${what} number`);
  const out: PktioArgs = { num: toInt(first, `${what} number`, 0, 0xffff), extra: new Map() };
  for (let w = args.next(); w !== undefined; w = args.next()) {
    if (w === "-w" || w === "--write") out.write = args.value(w, "pcap file");
    else if (w === "-c" || w === "--count") out.count = toInt(args.value(w, "packet count"), "packet count", 1);
    else if (extra.includes(w)) out.extra.set(w, args.value(w));
    else throw new UsageError(`Unknown option: "${w}" (expected ${["-w", "-c", ...extra].join(", ")})`, w);
  }
  return out;
}
