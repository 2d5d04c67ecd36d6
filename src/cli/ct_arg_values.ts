/**
 * The values of conntrack's options, read as conntrack reads them:
 * numbers (`strtoul(.., 0)`), comma lists of prefixes, marks, labels,
 * addresses with their family, NAT targets and protocol states.
 *
 * @module
 */

import { didYouMean, escapeControls, toInt, UsageError } from "./args.ts";
import { parseCidr, parseIp } from "../wire/addr.ts";
import { DCCP_CONNTRACK_STATES, SCTP_CONNTRACK_STATES } from "../netfilter/conntrack/tables.ts";
import type { CtArgs, CtMark, CtNat } from "./ct_arg_types.ts";

/** Numbers as conntrack's `strtoul(.., 0)` reads them, but refusing trailing garbage. */
export function num(v: string, what: string, max: number): number {
  const n = /^0[0-7]+$/.test(v) ? parseInt(v, 8) : NaN;
  return Number.isNaN(n) ? toInt(v, what, 0, max) : n <= max ? n : toInt(v, what, 0, max);
}
export const port = (v: string, o: string): number => num(v, `port for ${o}`, 65535);
export const U32 = 0xffffffff;
export const u8 = (v: string, o: string): number => num(v, `value for ${o}`, 255);

// conntrack's -u names (SRC_NAT/DST_NAT only draw a warning there: use -n/-g).
const STATUS = ["SRC_NAT", "DST_NAT", "ASSURED", "SEEN_REPLY", "UNSET", "FIXED_TIMEOUT", "EXPECTED", "OFFLOAD"]
  .concat(["HW_OFFLOAD"]);
export const OUTPUT = ["xml", "extended", "timestamp", "id", "ktimestamp", "labels", "userspace", "save"];
export const EVENTS = ["ALL", "NEW", "UPDATES", "DESTROY"];

/**
 * A comma list as conntrack reads `-u`, `-o` and `-e`: each item names the
 * first choice it is a prefix of, in conntrack's order, ignoring case.
 */
export function prefixList(v: string, choices: readonly string[]): string[] {
  return v.split(",").map((item, i, all) => {
    const hit = item === "" ? undefined : choices.find((c) => c.toLowerCase().startsWith(item.toLowerCase()));
    if (!hit) {
      const rest = all.slice(i).join(",");
      throw new UsageError(`Bad parameter \`${escapeControls(rest)}'${didYouMean(item, choices)}`, rest);
    }
    return hit;
  });
}

/** `-u`: flags to set or match, `!FLAG` and `UNREPLIED` for flags that must be clear (matching only). */
export function statusList(a: CtArgs, v: string): void {
  const set: string[] = [], clear: string[] = [];
  for (const raw of v.split(",")) {
    const neg = raw.startsWith("!");
    if (!neg && raw.startsWith("UNREPLIED")) {
      clear.push("SEEN_REPLY");
      continue;
    }
    const [name] = prefixList(neg ? raw.slice(1) : raw, STATUS);
    // conntrack ignores these with a warning; NAT is matched with -n/-g, never silently dropped.
    if (name === "SRC_NAT" || name === "DST_NAT") {
      throw new UsageError(`Bad parameter \`${raw}' (use --${name === "SRC_NAT" ? "src" : "dst"}-nat instead)`, raw);
    }
    if (name !== "UNSET") (neg ? clear : set).push(name);
  }
  a.status = [...a.status ?? [], ...set];
  if (clear.length) a.statusClear = [...a.statusClear ?? [], ...clear];
}
const TCP_STATES = [
  "NONE",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSE",
  "SYN_SENT2",
];

export function mark(v: string): CtMark {
  const [m, mask, extra] = v.split("/");
  if (extra !== undefined) throw new UsageError(`Invalid mark: "${v}" (use MARK[/MASK])`, v);
  const r: CtMark = { value: toInt(m, "mark") };
  if (mask !== undefined) r.mask = toInt(mask, "mark mask");
  return r;
}

/** Label names as conntrack splits them: every comma-separated name must be non-empty. */
export function labels(v: string): string[] {
  const names = v.split(",");
  for (const n of names) if (n === "") throw new UsageError(`unknown label '${n}'`, v);
  return names;
}

const FAMILY_OF = (ip: Uint8Array): "inet" | "inet6" => ip.length === 4 ? "inet" : "inet6";

/** Records the family an address implies; conntrack refuses a mix. */
export function setFamily(a: CtArgs, f: "inet" | "inet6"): void {
  if (a.family !== undefined && a.family !== f) throw new UsageError("mismatched address family");
  a.family = f;
}

/**
 * An address option. `-s`, `-d`, `--tuple-src` and `--tuple-dst` take CIDR
 * notation; a prefix shorter than the address counts as `--mask-src` or
 * `--mask-dst` (conntrack's rule), the others refuse it (`long`, the
 * option's long name, says which).
 */
export function address(a: CtArgs, v: string, long: string, mask?: "mask-src" | "mask-dst"): string {
  const slash = v.indexOf("/");
  let ip: Uint8Array;
  try {
    ip = parseIp(slash < 0 ? v : v.slice(0, slash));
  } catch {
    throw new UsageError(`Invalid IP address \`${v}'`, v);
  }
  setFamily(a, FAMILY_OF(ip));
  if (slash < 0) return v;
  if (!mask) throw new UsageError(`CIDR notation unavailable for \`--${long}'`, v);
  let c;
  try {
    c = parseCidr(v);
  } catch {
    throw new UsageError("Invalid netmask", v);
  }
  if (c.prefixLen < ip.length * 8) a.given.add(mask);
  return v;
}

/** A NAT option's `ADDR`, `ADDR:PORT` or `[V6]:PORT`, split and checked as conntrack does. */
export function natValue(a: CtArgs, v: string, opt: string): CtNat {
  if (v === "") return true;
  let addr = v, portText: string | undefined;
  const open = v.indexOf("[");
  if (open >= 0) {
    const close = v.indexOf("]", open + 1);
    if (close === open + 1) throw new UsageError("No IPv6 address specified", v);
    if (close < 0) throw new UsageError("No closing ']' around IPv6 address", v);
    const colon = v.indexOf(":", close);
    if (colon >= 0) [addr, portText] = [v.slice(open + 1, close), v.slice(colon + 1)];
  } else {
    const colon = v.indexOf(":");
    if (colon >= 0 && !v.includes(":", colon + 1)) [addr, portText] = [v.slice(0, colon), v.slice(colon + 1)];
  }
  const nat: { ip: string; port?: number } = { ip: address(a, addr, opt) };
  if (portText !== undefined) {
    if (portText === "") throw new UsageError("No port specified after `:'", v);
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new UsageError(`Invalid port \`${portText}'`, v);
    nat.port = Number(portText);
  }
  return nat;
}

/**
 * An SCTP tag as conntrack sends it: `htonl(atoi(v))`, the leading decimal
 * integer (0 when there is none) wrapped to 32 bits, which
 * libnetfilter_conntrack converts to network order once more, so the
 * kernel gets (and stores) the value byte-swapped. nlkit sends the same.
 */
export function vtag(v: string): number {
  const n = atoiU32(v);
  return ((n & 0xff) << 24 | (n & 0xff00) << 8 | (n >>> 8) & 0xff00 | n >>> 24) >>> 0;
}

/** C's `atoi` (glibc: `strtol`, clamped to long, then kept to its low 32 bits) as an unsigned 32-bit value. */
function atoiU32(v: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(v);
  if (!m) return 0;
  const n = BigInt(m[1]);
  const max = (1n << 63n) - 1n; // strtol clamps to long, then the int conversion keeps the low 32 bits
  const clamped = n > max ? max : n < -max - 1n ? -max - 1n : n;
  return Number(BigInt.asUintN(32, clamped));
}

/** DCCP's `--role`: any prefix of `client` or `server` in any case (`strncasecmp`), the empty word being client. */
export function role(a: CtArgs, v: string): void {
  const w = v.toLowerCase();
  if ("client".startsWith(w)) a.role = "client";
  else if ("server".startsWith(w)) a.role = "server";
  else throw new UsageError(`Unknown DCCP role \`${v}'`, v);
}

/** `--state` of the protocol given with `-p`: TCP names in any case, SCTP and DCCP names as conntrack spells them. */
export function state(a: CtArgs, v: string): void {
  if (a.protoNum === 132 || a.protoNum === 33) {
    const [proto, names] = a.protoNum === 132 ? ["SCTP", SCTP_CONNTRACK_STATES] : ["DCCP", DCCP_CONNTRACK_STATES];
    if (!Object.values(names).includes(v as never)) throw new UsageError(`Unknown ${proto} state \`${v}'`, v);
    a.state = v;
    return;
  }
  const up = v.toUpperCase();
  // "LISTEN" is the pre-2.6.31 name of SYN_SENT2; conntrack still takes it.
  if (up === "LISTEN") a.state = "SYN_SENT2";
  else if (!TCP_STATES.includes(up)) throw new UsageError(`unknown TCP state \`${v}'`, v);
  else a.state = up;
}
