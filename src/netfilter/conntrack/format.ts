/**
 * Text and JSON renderings of a {@link ConntrackEntry}: `formatConntrack`
 * prints the exact line `conntrack -L` (and `-E`) prints, `conntrackToJson`
 * gives the same data as snake_case JSON.
 *
 * @example
 * ```ts ignore
 * import { formatConntrack } from "./format.ts";
 * console.log(formatConntrack(entry, { output: ["extended", "id"] }));
 * // ipv4     2 tcp      6 431999 ESTABLISHED src=10.0.0.1 ... [ASSURED] mark=0 use=1 id=1234
 * ```
 *
 * @module
 */

import { type ConntrackCounters, type ConntrackEntry, conntrackFamilyText, type ConntrackTuple } from "./entry.ts";
import { familyNumber } from "../../wire/family.ts";
import { copyDefined, type FieldCopies } from "../../wire/copy.ts";
import { SCTP_CONNTRACK_STATES, TCP_CONNTRACK_STATES } from "./tables.ts";
import { TextSink } from "../../wire/text_sink.ts";
import {
  ASSURED,
  greKeys,
  pad8,
  SEEN_REPLY,
  statusWord,
  TAIL_ICMP,
  TAIL_KEYS,
  TAIL_PORTS,
  tupleTail,
} from "./words.ts";

/** `conntrack -o` output options that change the line. */
export type ConntrackOutput = "extended" | "id" | "timestamp" | "labels";

/** Options of {@link formatConntrack}. */
export interface FormatConntrackOptions {
  /** `-o` options: one or a list (`extended` adds the family column, `id` the id, ...). */
  output?: ConntrackOutput | readonly ConntrackOutput[];
  /** Event type, printed as a `[NEW]`/`[UPDATE]`/`[DESTROY]` prefix as `conntrack -E` does. */
  event?: "NEW" | "UPDATE" | "DESTROY";
  /** Label names by bit number (`/etc/xtables/connlabel.conf`), for the `labels` output. */
  labelNames?: { readonly [bit: number]: string };
  /** Current time in seconds, for `delta-time` of live entries (defaults to now). */
  now?: number;
  /**
   * Port id of the process whose request caused an event (`ConntrackEntryEvent.portid`),
   * printed as ` [USERSPACE] portid=N` the way `conntrack -E` does.
   */
  portid?: number;
  /** Name of that process, printed after the port id (`progname=`) when known. */
  progname?: string;
}

/** A tuple as conntrack-tools prints it (`src=… dst=… sport=… dport=… `); also used for expectations. */
export function tupleText(t: ConntrackTuple, protoNum: number): string {
  const w = scratch();
  tupleWords(w, t, protoNum);
  w.byte(32);
  return w.take().slice(1);
}

/** The words of a tuple, each after a space (` src=… dst=… sport=… dport=…`). */
function tupleWords(w: TextSink, t: ConntrackTuple, protoNum: number): void {
  w.ascii(" src=");
  w.ascii(t.src);
  w.ascii(" dst=");
  w.ascii(t.dst);
  const tail = tupleTail(protoNum);
  if (tail === TAIL_PORTS) {
    w.ascii(" sport=");
    w.uint(t.sport ?? 0);
    w.ascii(" dport=");
    w.uint(t.dport ?? 0);
  } else if (tail === TAIL_KEYS) w.ascii(greKeys(t.sport ?? 0, t.dport ?? 0));
  else if (tail === TAIL_ICMP) {
    w.ascii(" type=");
    w.uint(t.icmpType ?? 0);
    w.ascii(" code=");
    w.uint(t.icmpCode ?? 0);
    w.ascii(" id=");
    w.uint(t.icmpId ?? 0);
  }
}

/** A word and its number after a space (` mark=3`). */
function num(w: TextSink, word: string, n: number): void {
  w.ascii(word);
  w.uint(n);
}

// libc ctime(): "Wed Nov 25 18:50:35 2026" in local time.
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function ctime(sec: number): string {
  const d = new Date(sec * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, " ")} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

const NS_PER_SEC = 1_000_000_000n;

/** Whether the `-o` options include `o`. */
function has(out: FormatConntrackOptions["output"], o: ConntrackOutput): boolean {
  return out === o || (typeof out === "object" && out.includes(o));
}

let scratchSink: TextSink | undefined;
function scratch(): TextSink {
  const w = scratchSink ??= new TextSink(1024);
  w.at = 0;
  return w;
}

/**
 * Formats an entry as the line `conntrack -L` prints (libnetfilter_conntrack's
 * default format), without a trailing newline.
 */
export function formatConntrack(e: ConntrackEntry, opts: FormatConntrackOptions = {}): string {
  const w = scratch();
  writeConntrack(w, e, opts);
  return w.take();
}

/**
 * Appends the line of {@link formatConntrack} (without a newline) to `w`:
 * what a printer of many entries calls, as it builds no strings.
 */
export function writeConntrack(w: TextSink, e: ConntrackEntry, opts: FormatConntrackOptions = {}): void {
  const out = opts.output;
  if (opts.event) w.ascii(`${`[${opts.event}]`.padStart(9, " ")} `);
  if (out !== undefined && has(out, "extended")) {
    pad8(w, conntrackFamilyText(e.family));
    w.byte(32);
    w.uint(familyNumber(e.family));
    w.byte(32);
  }
  pad8(w, e.proto);
  num(w, " ", e.protoNum);
  // As libnetfilter_conntrack, a state prints only when the kernel sent one (a damaged message may lack it).
  if (e.timeout !== undefined) num(w, " ", e.timeout);
  if (e.tcp?.state !== undefined) {
    w.byte(32);
    w.ascii(e.tcp.state);
  }
  if (e.sctp?.state !== undefined) {
    w.byte(32);
    w.ascii(e.sctp.state);
  }
  if (e.dccp?.state !== undefined) {
    w.byte(32);
    w.ascii(e.dccp.state);
  }
  tupleWords(w, e.orig, e.protoNum);
  if (e.orig.zone !== undefined) num(w, " zone-orig=", e.orig.zone);
  const c = e.counters;
  if (c?.orig) {
    num(w, " packets=", c.orig.packets);
    num(w, " bytes=", c.orig.bytes);
  }
  if (!(e.statusBits & SEEN_REPLY)) w.ascii(" [UNREPLIED]");
  tupleWords(w, e.reply, e.protoNum);
  if (e.reply.zone !== undefined) num(w, " zone-reply=", e.reply.zone);
  if (c?.reply) {
    num(w, " packets=", c.reply.packets);
    num(w, " bytes=", c.reply.bytes);
  }
  const flag = statusWord(e.statusBits);
  if (flag !== undefined) w.ascii(flag);
  if (e.mark !== undefined) num(w, " mark=", e.mark);
  if (e.secmark !== undefined) num(w, " secmark=", e.secmark);
  if (e.secctx !== undefined) w.text(` secctx=${e.secctx}`);
  if (e.zone !== undefined) num(w, " zone=", e.zone);
  const ts = e.timestamp;
  if (ts?.start !== undefined) {
    const start = Number(ts.start / NS_PER_SEC);
    const stop = ts.stop ? Number(ts.stop / NS_PER_SEC) : Math.floor(opts.now ?? Date.now() / 1000);
    num(w, " delta-time=", stop - start);
    if (out !== undefined && has(out, "timestamp")) {
      w.ascii(` [start=${ctime(start)}]`);
      if (ts.stop !== undefined) w.ascii(` [stop=${ctime(Number(ts.stop / NS_PER_SEC))}]`);
    }
  }
  if (e.helper !== undefined) w.text(` helper=${e.helper}`);
  if (e.use !== undefined) num(w, " use=", e.use);
  if (e.id !== undefined && out !== undefined && has(out, "id")) num(w, " id=", e.id);
  if (e.labels && out !== undefined && has(out, "labels")) {
    const names = e.labels.bits.map((b) => opts.labelNames?.[b]).filter((n) => n);
    w.text(names.length ? ` labels=${names.join(",")}` : " labels");
  }
  if (opts.portid) {
    num(w, " [USERSPACE] portid=", opts.portid);
    if (opts.progname !== undefined) w.text(` progname=${opts.progname}`);
  }
}

/** JSON form of a tuple. */
export interface ConntrackTupleJson {
  /** Source address. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Source port. */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** ICMP type. */
  type?: number;
  /** ICMP code. */
  code?: number;
  /** ICMP id. */
  id?: number;
  /** Zone of this direction. */
  zone?: number;
}

/** JSON form of an entry (snake_case keys, as conntrack-tools names the fields). */
export interface ConntrackJson {
  /** Layer-4 protocol name. */
  proto: string;
  /** Layer-4 protocol number. */
  proto_num: number;
  /** Layer-3 family name. */
  family: string;
  /** Seconds left. */
  timeout?: number;
  /** TCP, SCTP or DCCP state. */
  state?: string;
  /** Original direction. */
  orig: ConntrackTupleJson;
  /** Reply direction. */
  reply: ConntrackTupleJson;
  /** Connection mark. */
  mark?: number;
  /** Security mark. */
  secmark?: number;
  /** Security context. */
  secctx?: string;
  /** Zone. */
  zone?: number;
  /** Status flag names. */
  status: string[];
  /** Reference count. */
  use?: number;
  /** Kernel id. */
  id?: number;
  /** Helper name. */
  helper?: string;
  /** Counters per direction. */
  counters?: { orig?: { packets: number; bytes: number }; reply?: { packets: number; bytes: number } };
  /** Set label bits. */
  labels?: number[];
  /** Start and stop in nanoseconds since the epoch, as decimal text (they exceed 2^53). */
  timestamp?: { start?: string; stop?: string };
}

// The fields JSON keeps as they are (`[JSON key, field]` where it renames them), in its order.
const TUPLE_JSON: FieldCopies = [
  "sport",
  "dport",
  ["type", "icmpType"],
  ["code", "icmpCode"],
  ["id", "icmpId"],
  "zone",
];
const ENTRY_JSON: FieldCopies = ["mark", "secmark", "secctx", "zone", "use", "id", "helper"];

/** JSON form of a tuple (also used for expectations). */
export function tupleJson(t: ConntrackTuple): ConntrackTupleJson {
  const j: ConntrackTupleJson = { src: t.src, dst: t.dst };
  copyDefined(j, t, TUPLE_JSON);
  return j;
}

/** Converts an entry to plain JSON data with snake_case keys. */
export function conntrackToJson(e: ConntrackEntry): ConntrackJson {
  const j: ConntrackJson = {
    proto: e.proto,
    proto_num: e.protoNum,
    family: conntrackFamilyText(e.family),
    orig: tupleJson(e.orig),
    reply: tupleJson(e.reply),
    status: e.status,
  };
  if (e.timeout !== undefined) j.timeout = e.timeout;
  const state = e.tcp?.state ?? e.sctp?.state ?? e.dccp?.state;
  if (state !== undefined) j.state = state;
  copyDefined(j, e, ENTRY_JSON);
  if (e.counters) j.counters = e.counters;
  if (e.labels) j.labels = e.labels.bits;
  if (e.timestamp) {
    j.timestamp = {};
    if (e.timestamp.start !== undefined) j.timestamp.start = String(e.timestamp.start);
    if (e.timestamp.stop !== undefined) j.timestamp.stop = String(e.timestamp.stop);
  }
  return j;
}

// conntrack's -o save knows these status bits only (EXPECTED, SEEN_REPLY, ASSURED, FIXED_TIMEOUT, by bit order).
const SAVE_STATUS: readonly [number, string][] = [[0x1, "EXPECTED"], [0x2, "SEEN_REPLY"], [0x4, "ASSURED"], [
  0x400,
  "FIXED_TIMEOUT",
]];
const SRC_NAT_DONE = 0x80, DST_NAT_DONE = 0x100;
const SAVE_PORTS: { readonly [proto: number]: readonly string[] } = {
  6: ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"],
  17: ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"],
  33: ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"],
  132: ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"],
  136: ["--sport", "--dport", "--reply-port-src", "--reply-port-dst"],
  47: ["--srckey", "--dstkey", "--reply-key-src", "--reply-key-dst"],
};

/**
 * Formats an entry as the command line `conntrack -o save` prints, which
 * `conntrack -R` (and `nlkit ct -R`) replays: `-A` for a listed or new
 * entry, `-U` for an update event, `-D` for a deleted one.
 */
export function formatConntrackSave(e: ConntrackEntry, command: "-A" | "-U" | "-D" = "-A"): string {
  const w: string[] = [command];
  if (e.timeout !== undefined) w.push("-t", String(e.timeout));
  const status = SAVE_STATUS.filter(([bit]) => e.statusBits & bit).map(([, name]) => name);
  w.push("-u", status.length ? status.join(",") : "UNSET");
  if (e.secmark !== undefined) w.push("-c", String(e.secmark));
  if (e.zone !== undefined) w.push("-w", String(e.zone));
  if (e.orig.zone !== undefined) w.push("--orig-zone", String(e.orig.zone));
  if (e.reply.zone !== undefined) w.push("--reply-zone", String(e.reply.zone));
  w.push("-s", e.orig.src, "-d", e.orig.dst);
  // NAT shows as the option that creates it: the reply source is where the destination went, and the other way.
  const dnat = (e.statusBits & DST_NAT_DONE) !== 0 && e.reply.src !== e.orig.dst;
  const snat = (e.statusBits & SRC_NAT_DONE) !== 0 && e.reply.dst !== e.orig.src;
  w.push(dnat ? "-g" : "-r", e.reply.src, snat ? "-n" : "-q", e.reply.dst);
  const ports = SAVE_PORTS[e.protoNum];
  const icmp = e.protoNum === 1 ? "icmp" : e.protoNum === 58 ? "icmpv6" : undefined;
  w.push("-p", ports || icmp ? e.proto : String(e.protoNum));
  if (ports) {
    const values = [e.orig.sport, e.orig.dport, e.reply.sport, e.reply.dport];
    values.forEach((v, i) => v !== undefined && w.push(ports[i], String(v)));
    const state = e.tcp?.state ?? e.sctp?.state ?? e.dccp?.state;
    if (state !== undefined) w.push("--state", state);
    // conntrack byte-swaps the tags both ways (-I and -o save), so a saved line replays to the same entry.
    const vtags = e.sctp && [e.sctp.vtagOrig, e.sctp.vtagReply];
    vtags?.forEach((v, i) => v !== undefined && w.push(i ? "--reply-vtag" : "--orig-vtag", String(swap32(v))));
  } else if (icmp) {
    if (e.orig.icmpType !== undefined) w.push(`--${icmp}-type`, String(e.orig.icmpType));
    if (e.orig.icmpCode !== undefined) w.push(`--${icmp}-code`, String(e.orig.icmpCode));
    if (e.orig.icmpId !== undefined) w.push(`--${icmp}-id`, String(e.orig.icmpId));
  }
  return w.join(" ");
}

function swap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0;
}

/** Options of {@link formatConntrackXml}. */
export interface FormatConntrackXmlOptions {
  /** Event type (`<flow type="new">`); plain `<flow>` without. */
  event?: "new" | "update" | "destroy";
  /** Kernel timestamps in nanoseconds (`conntrack -o xml,ktimestamp`). */
  ktimestamp?: boolean;
  /** The local time of printing (`<when>`, `conntrack -E -o xml,timestamp`). */
  when?: Date;
  /** Label names by bit number: with them, `<labels>` lists the named bits. */
  labelNames?: { readonly [bit: number]: string };
  /** Current time in seconds, for `<deltatime>` of live entries (defaults to now). */
  now?: number;
}

const XML_L4 = new Set([6, 17, 136, 132, 33]);

function tupleXml(
  t: ConntrackTuple,
  e: ConntrackEntry,
  dir: "original" | "reply",
  counters?: ConntrackCounters,
): string {
  let s =
    `<meta direction="${dir}"><layer3 protonum="${familyNumber(e.family)}" protoname="${
      conntrackFamilyText(e.family)
    }">` +
    `<src>${t.src}</src><dst>${t.dst}</dst></layer3>` +
    `<layer4 protonum="${e.protoNum}" protoname="${e.proto}">`;
  if (XML_L4.has(e.protoNum)) s += `<sport>${t.sport ?? 0}</sport><dport>${t.dport ?? 0}</dport>`;
  else if (e.protoNum === 47) {
    s += `<srckey>0x${(t.sport ?? 0).toString(16)}</srckey><dstkey>0x${(t.dport ?? 0).toString(16)}</dstkey>`;
  }
  s += "</layer4>";
  if (t.zone !== undefined) s += `<zone>${t.zone}</zone>`;
  if (counters) s += `<counters><packets>${counters.packets}</packets><bytes>${counters.bytes}</bytes></counters>`;
  return s + "</meta>";
}

/** The `<state>` conntrack prints: libnetfilter_conntrack names an SCTP state's number from its TCP table. */
function xmlState(e: ConntrackEntry): string | undefined {
  const sctp = e.sctp?.state;
  if (sctp === undefined) return e.tcp?.state ?? e.dccp?.state;
  const n = Object.entries(SCTP_CONNTRACK_STATES).find(([, name]) => name === sctp)?.[0];
  return TCP_CONNTRACK_STATES[Number(n) as keyof typeof TCP_CONNTRACK_STATES] ?? sctp;
}

/**
 * Formats an entry as the `<flow>` element `conntrack -o xml` prints
 * (libnetfilter_conntrack's XML), without the document header.
 */
export function formatConntrackXml(e: ConntrackEntry, opts: FormatConntrackXmlOptions = {}): string {
  let s = opts.event ? `<flow type="${opts.event}">` : "<flow>";
  // Counters print only when the original direction has them (then the reply's too, zero if absent).
  const c = e.counters?.orig ? e.counters : undefined;
  s += tupleXml(e.orig, e, "original", c?.orig);
  s += tupleXml(e.reply, e, "reply", c && (c.reply ?? { packets: 0, bytes: 0 }));
  let m = "";
  const state = xmlState(e);
  if (state !== undefined) m += `<state>${state}</state>`;
  if (e.timeout !== undefined) m += `<timeout>${e.timeout}</timeout>`;
  if (e.mark !== undefined) m += `<mark>${e.mark}</mark>`;
  if (opts.labelNames && e.labels) {
    m += `<labels>${
      e.labels.bits.map((b) => opts.labelNames?.[b]).filter((n) => n).map((n) => `<label>${n}</label>`).join("")
    }</labels>`;
  }
  if (e.secmark !== undefined) m += `<secmark>${e.secmark}</secmark>`;
  if (e.secctx !== undefined) m += `<secctx>${e.secctx}</secctx>`;
  if (e.zone !== undefined) m += `<zone>${e.zone}</zone>`;
  if (e.use !== undefined) m += `<use>${e.use}</use>`;
  if (e.id !== undefined) m += `<id>${e.id}</id>`;
  if (e.statusBits & ASSURED) m += "<assured/>";
  if (!(e.statusBits & SEEN_REPLY)) m += "<unreplied/>";
  const ts = e.timestamp;
  if (opts.ktimestamp && (ts?.start !== undefined || ts?.stop !== undefined)) {
    m += "<timestamp>";
    if (ts.start !== undefined) m += `<start>${ts.start}</start>`;
    if (ts.stop !== undefined) m += `<stop>${ts.stop}</stop>`;
    m += "</timestamp>";
  }
  if (ts?.start !== undefined) {
    const start = Number(ts.start / NS_PER_SEC);
    const end = ts.stop !== undefined ? Number(ts.stop / NS_PER_SEC) : Math.floor(opts.now ?? Date.now() / 1000);
    m += `<deltatime>${end - start}</deltatime>`;
  }
  // The whole "independent" block appears when any of its fields is known (status always is).
  s += `<meta direction="independent">${m}</meta>`;
  if (opts.when) {
    const w = opts.when;
    s += `<when><hour>${w.getHours()}</hour><min>${String(w.getMinutes()).padStart(2, "0")}</min>` +
      `<sec>${String(w.getSeconds()).padStart(2, "0")}</sec><wday>${w.getDay() + 1}</wday><day>${w.getDate()}</day>` +
      `<month>${w.getMonth() + 1}</month><year>${w.getFullYear()}</year></when>`;
  }
  if (e.helper !== undefined) s += `<helper>${e.helper}</helper>`;
  return s + "</flow>";
}

/** The XML document header `conntrack -o xml` prints before the first flow (`</conntrack>` closes it). */
export const CONNTRACK_XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n<conntrack>';
