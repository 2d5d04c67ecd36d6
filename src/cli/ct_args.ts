/**
 * conntrack-tools' command line, parsed from one option table: the same
 * commands, filters and output flags, plus word aliases (`nlkit ct list`).
 *
 * @module
 */

import { didYouMean, escapeControls, toInt, unknownWord, UsageError } from "./args.ts";
import { checkCtOptions, ctProtoNumber, type CtRow, protoOptions } from "./ct_options.ts";
import { parseCidr, parseIp } from "../wire/addr.ts";
import { DCCP_CONNTRACK_STATES, SCTP_CONNTRACK_STATES } from "../netfilter/conntrack/tables.ts";

/** A conntrack command. */
export type CtCommand =
  | "list"
  | "get"
  | "delete"
  | "create"
  | "add"
  | "update"
  | "event"
  | "flush"
  | "count"
  | "stats"
  | "version";

/** The table a command works on. */
export type CtTable = "conntrack" | "expect" | "dying" | "unconfirmed";

/** A `MARK[/MASK]` value. */
export interface CtMark {
  /** The mark. */
  value: number;
  /** The mask, when given. */
  mask?: number;
}

/** Everything `nlkit ct ...` was told. */
export interface CtArgs {
  /** The command (`-L`, `-D`, ...). */
  command: CtCommand;
  /** The table (`expect` with `-L expect` or `--expect`). */
  table: CtTable;
  /** `-f` (conntrack's `ipv4`/`ipv6`), as the library names families. */
  family?: "inet" | "inet6";
  /** `-s`. */
  origSrc?: string;
  /** `-d`. */
  origDst?: string;
  /** `-r`. */
  replySrc?: string;
  /** `-q`. */
  replyDst?: string;
  /** `-p`: protocol name or number, as given. */
  proto?: string;
  /** `-p` resolved (`/etc/protocols` names included). */
  protoNum?: number;
  /** `--sport`. */
  sport?: number;
  /** `--dport`. */
  dport?: number;
  /** `--reply-port-src`. */
  replySport?: number;
  /** `--reply-port-dst`. */
  replyDport?: number;
  /** `--icmp-type`. */
  icmpType?: number;
  /** `--icmp-code`. */
  icmpCode?: number;
  /** `--icmp-id`. */
  icmpId?: number;
  /** `-t`. */
  timeout?: number;
  /** `-m`. */
  mark?: CtMark;
  /** `-u`: status flag names. */
  status?: string[];
  /** `-u '!FLAG'` and `-u UNREPLIED`: flags that must be clear (filters only). */
  statusClear?: string[];
  /** `-w`. */
  zone?: number;
  /** `--orig-zone`. */
  origZone?: number;
  /** `--reply-zone`. */
  replyZone?: number;
  /** `--state`, as the kernel names it (`LISTEN` is `SYN_SENT2`). */
  state?: string;
  /** `--orig-vtag` (SCTP), as conntrack hands it to the kernel (see `vtag`). */
  origVtag?: number;
  /** `--reply-vtag` (SCTP). */
  replyVtag?: number;
  /** `--role` (DCCP). */
  role?: "client" | "server";
  /** `-l`: labels an entry must carry. */
  label?: string[];
  /** `--label-add`. */
  labelAdd?: string[];
  /** `--label-del`: labels to clear (empty list: all). */
  labelDel?: string[];
  /** `-n`: source NAT (optionally to this address and port). */
  srcNat?: CtNat;
  /** `-g`: destination NAT. */
  dstNat?: CtNat;
  /** `-j`: either NAT. */
  anyNat?: CtNat;
  /** `--tuple-src` (expectations). */
  tupleSrc?: string;
  /** `--tuple-dst`. */
  tupleDst?: string;
  /** `--mask-src`. */
  maskSrc?: string;
  /** `--mask-dst`. */
  maskDst?: string;
  /** `--master-src` (expectations). */
  masterSrc?: string;
  /** `--master-dst`. */
  masterDst?: string;
  /** `--tuple-port-src`. */
  tupleSport?: number;
  /** `--tuple-port-dst`. */
  tupleDport?: number;
  /** `--mask-port-src`. */
  maskSport?: number;
  /** `--mask-port-dst`. */
  maskDport?: number;
  /** `--master-port-src`. */
  masterSport?: number;
  /** `--master-port-dst`. */
  masterDport?: number;
  /** `--helper`: helper of a new entry or expectation (or which expectations `-D expect` deletes). */
  helper?: string;
  /** `-z`: zero counters while listing. */
  zero: boolean;
  /** `-o`: output options. */
  output: string[];
  /** `-e`: event types to show. */
  eventMask?: string[];
  /** `-b`: receive buffer size for events. */
  bufferSize?: number;
  /** `-h`. */
  help: boolean;
  /** conntrack's names of the options given (`src`, `timeout`, `sport`, ...), for the command-by-option rules. */
  given: Set<string>;
  /** Words conntrack ignores (non-option words not right after a command). */
  stray: string[];
  /** Options conntrack takes and ignores with a warning (`-a`, deprecated): the warnings, as it prints them. */
  warnings: string[];
  /** `-c`: the security mark an entry that reports one must carry. */
  secmark?: number;
  /** `-i`: the entry's id. */
  id?: number;
  /** One line of a `-R` file: no summary line, and a count of 0 is no failure. */
  batch?: boolean;
}

/** conntrack's "other problem" refusals of an option combination: exit 1, not 2. */
export class CtOptionConflict extends Error {
  /** Always "CtOptionConflict". */
  override name = "CtOptionConflict";
}

/** A NAT option: `true` alone, or the address and port given with it. */
export type CtNat = true | { ip: string; port?: number };

type Setter = (a: CtArgs, v: string, opt: string) => void;

interface OptSpec {
  /** Every spelling. */
  names: readonly string[];
  /** A command. */
  command?: CtCommand;
  /** Value handling: "required", "optional" (a next word not starting with "-" or "!"), or none. */
  arg?: "required" | "optional";
  /** conntrack's name of the option (its column in the command-by-option table). */
  flag?: string;
  /** An option of a protocol's extension: unknown to conntrack without `-p` of that protocol. */
  proto?: boolean;
  /** Stores the value. */
  set?: Setter;
}

/** Numbers as conntrack's `strtoul(.., 0)` reads them, but refusing trailing garbage. */
function num(v: string, what: string, max: number): number {
  const n = /^0[0-7]+$/.test(v) ? parseInt(v, 8) : NaN;
  return Number.isNaN(n) ? toInt(v, what, 0, max) : n <= max ? n : toInt(v, what, 0, max);
}
const port = (v: string, o: string): number => num(v, `port for ${o}`, 65535);
const U32 = 0xffffffff;
const u8 = (v: string, o: string): number => num(v, `value for ${o}`, 255);

// conntrack's -u names (SRC_NAT/DST_NAT only draw a warning there: use -n/-g).
const STATUS = ["SRC_NAT", "DST_NAT", "ASSURED", "SEEN_REPLY", "UNSET", "FIXED_TIMEOUT", "EXPECTED", "OFFLOAD"]
  .concat(["HW_OFFLOAD"]);
const OUTPUT = ["xml", "extended", "timestamp", "id", "ktimestamp", "labels", "userspace", "save"];
const EVENTS = ["ALL", "NEW", "UPDATES", "DESTROY"];

/**
 * A comma list as conntrack reads `-u`, `-o` and `-e`: each item names the
 * first choice it is a prefix of, in conntrack's order, ignoring case.
 */
function prefixList(v: string, choices: readonly string[]): string[] {
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
function statusList(a: CtArgs, v: string): void {
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

function mark(v: string): CtMark {
  const [m, mask, extra] = v.split("/");
  if (extra !== undefined) throw new UsageError(`Invalid mark: "${v}" (use MARK[/MASK])`, v);
  const r: CtMark = { value: toInt(m, "mark") };
  if (mask !== undefined) r.mask = toInt(mask, "mark mask");
  return r;
}

/** Label names as conntrack splits them: every comma-separated name must be non-empty. */
function labels(v: string): string[] {
  const names = v.split(",");
  for (const n of names) if (n === "") throw new UsageError(`unknown label '${n}'`, v);
  return names;
}

const FAMILY_OF = (ip: Uint8Array): "inet" | "inet6" => ip.length === 4 ? "inet" : "inet6";

/** Records the family an address implies; conntrack refuses a mix. */
function setFamily(a: CtArgs, f: "inet" | "inet6"): void {
  if (a.family !== undefined && a.family !== f) throw new UsageError("mismatched address family");
  a.family = f;
}

/**
 * An address option. `-s`, `-d`, `--tuple-src` and `--tuple-dst` take CIDR
 * notation; a prefix shorter than the address counts as `--mask-src` or
 * `--mask-dst` (conntrack's rule), the others refuse it.
 */
function address(a: CtArgs, v: string, opt: string, mask?: "mask-src" | "mask-dst"): string {
  const slash = v.indexOf("/");
  let ip: Uint8Array;
  try {
    ip = parseIp(slash < 0 ? v : v.slice(0, slash));
  } catch {
    throw new UsageError(`Invalid IP address \`${v}'`, v);
  }
  setFamily(a, FAMILY_OF(ip));
  if (slash < 0) return v;
  if (!mask) throw new UsageError(`CIDR notation unavailable for \`--${longName(opt)}'`, v);
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
function natValue(a: CtArgs, v: string, opt: string): CtNat {
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
function vtag(v: string): number {
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
function role(a: CtArgs, v: string): void {
  const w = v.toLowerCase();
  if ("client".startsWith(w)) a.role = "client";
  else if ("server".startsWith(w)) a.role = "server";
  else throw new UsageError(`Unknown DCCP role \`${v}'`, v);
}

/** `--state` of the protocol given with `-p`: TCP names in any case, SCTP and DCCP names as conntrack spells them. */
function state(a: CtArgs, v: string): void {
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

/** A protocol option `--NAME PORT` whose column is NAME. */
function portOption(name: string, set: (a: CtArgs, port: number) => void): OptSpec {
  return { names: [`--${name}`], arg: "required", flag: name, proto: true, set: (a, v, o) => set(a, port(v, o)) };
}

/** The option table: conntrack's spellings, meanings and column names. */
const OPTIONS: readonly OptSpec[] = [
  { names: ["-L", "--dump"], command: "list" },
  { names: ["-G", "--get"], command: "get" },
  { names: ["-D", "--delete"], command: "delete" },
  { names: ["-I", "--create"], command: "create" },
  { names: ["-A", "--add"], command: "add" },
  { names: ["-U", "--update"], command: "update" },
  { names: ["-E", "--event"], command: "event" },
  { names: ["-F", "--flush"], command: "flush" },
  { names: ["-C", "--count", "--counter"], command: "count" },
  { names: ["-S", "--stats"], command: "stats" },
  { names: ["-V", "--version"], command: "version" },
  { names: ["--expect"], set: (a) => a.table = "expect" },
  {
    names: ["-h", "--help"],
    set: (a) => {
      // -h is one of conntrack's commands: a second one is refused.
      if (a.help) throw new UsageError("Invalid commands combination");
      a.help = true;
    },
  },
  {
    names: ["-s", "--orig-src", "--src"],
    arg: "required",
    flag: "src",
    set: (a, v, o) => a.origSrc = address(a, v, o, "mask-src"),
  },
  {
    names: ["-d", "--orig-dst", "--dst"],
    arg: "required",
    flag: "dst",
    set: (a, v, o) => a.origDst = address(a, v, o, "mask-dst"),
  },
  { names: ["-r", "--reply-src"], arg: "required", flag: "reply-src", set: (a, v, o) => a.replySrc = address(a, v, o) },
  { names: ["-q", "--reply-dst"], arg: "required", flag: "reply-dst", set: (a, v, o) => a.replyDst = address(a, v, o) },
  {
    names: ["-p", "--proto", "--protonum"],
    arg: "required",
    flag: "protonum",
    set: (a, v) => [a.proto, a.protoNum] = [v.toLowerCase(), ctProtoNumber(v)],
  },
  {
    names: ["-f", "--family"],
    arg: "required",
    flag: "family",
    set: (a, v) => {
      if (v !== "ipv4" && v !== "ipv6") throw new UsageError(`\`${v}' unsupported protocol`, v);
      setFamily(a, v === "ipv4" ? "inet" : "inet6");
    },
  },
  // The tuple's ports; the GRE extension's keys are the same fields (`--srckey` is `--orig-key-src`).
  ...([
    ["--sport", "--orig-port-src", "sport", "sport"],
    ["--dport", "--orig-port-dst", "dport", "dport"],
    ["--reply-port-src", "", "reply-port-src", "replySport"],
    ["--reply-port-dst", "", "reply-port-dst", "replyDport"],
    ["--orig-key-src", "--srckey", "srckey", "sport"],
    ["--orig-key-dst", "--dstkey", "dstkey", "dport"],
    ["--reply-key-src", "", "reply-key-src", "replySport"],
    ["--reply-key-dst", "", "reply-key-dst", "replyDport"],
  ] as const).map(([name, alias, flag, key]): OptSpec => ({
    names: alias ? [name, alias] : [name],
    arg: "required",
    flag,
    proto: true,
    set: (a, v, o) => a[key] = port(v, o),
  })),
  // ICMP and ICMPv6 take the same type, code and id.
  ...(["icmp", "icmpv6"] as const).flatMap((p): OptSpec[] => [
    {
      names: [`--${p}-type`],
      arg: "required",
      flag: `${p}-type`,
      proto: true,
      set: (a, v, o) => a.icmpType = u8(v, o),
    },
    {
      names: [`--${p}-code`],
      arg: "required",
      flag: `${p}-code`,
      proto: true,
      set: (a, v, o) => a.icmpCode = u8(v, o),
    },
    { names: [`--${p}-id`], arg: "required", flag: `${p}-id`, proto: true, set: (a, v, o) => a.icmpId = port(v, o) },
  ]),
  { names: ["-t", "--timeout"], arg: "required", flag: "timeout", set: (a, v) => a.timeout = toInt(v, "timeout") },
  { names: ["-m", "--mark"], arg: "required", flag: "mark", set: (a, v) => a.mark = mark(v) },
  {
    names: ["-u", "--status"],
    arg: "required",
    flag: "status",
    set: statusList,
  },
  { names: ["-w", "--zone"], arg: "required", flag: "zone", set: (a, v) => a.zone = num(v, "zone", 65535) },
  { names: ["--orig-zone"], arg: "required", flag: "orig-zone", set: (a, v) => a.origZone = num(v, "zone", 65535) },
  { names: ["--reply-zone"], arg: "required", flag: "reply-zone", set: (a, v) => a.replyZone = num(v, "zone", 65535) },
  { names: ["--state"], arg: "required", flag: "state", proto: true, set: state },
  { names: ["--orig-vtag"], arg: "required", flag: "orig-vtag", proto: true, set: (a, v) => a.origVtag = vtag(v) },
  { names: ["--reply-vtag"], arg: "required", flag: "reply-vtag", proto: true, set: (a, v) => a.replyVtag = vtag(v) },
  { names: ["--role"], arg: "required", flag: "role", proto: true, set: role },
  { names: ["-c", "--secmark"], arg: "required", flag: "secmark", set: (a, v) => a.secmark = num(v, "secmark", U32) },
  { names: ["-i", "--id"], arg: "required", flag: "id", set: (a, v) => a.id = num(v, "id", U32) },
  // Deprecated: conntrack warns and goes on without it.
  {
    names: ["-a", "--nat-range"],
    arg: "required",
    set: (a) => a.warnings.push("WARNING: ignoring -a, deprecated option."),
  },
  {
    names: ["-l", "--label"],
    arg: "required",
    flag: "label",
    set: (a, v) => a.label = [...a.label ?? [], ...labels(v)],
  },
  { names: ["--label-add"], arg: "required", flag: "label-add", set: (a, v) => a.labelAdd = labels(v) },
  { names: ["--label-del"], arg: "optional", flag: "label-del", set: (a, v) => a.labelDel = v ? labels(v) : [] },
  { names: ["-n", "--src-nat"], arg: "optional", flag: "src-nat", set: (a, v, o) => a.srcNat = natValue(a, v, o) },
  { names: ["-g", "--dst-nat"], arg: "optional", flag: "dst-nat", set: (a, v, o) => a.dstNat = natValue(a, v, o) },
  { names: ["-j", "--any-nat"], arg: "optional", flag: "any-nat", set: (a, v, o) => a.anyNat = natValue(a, v, o) },
  {
    names: ["--tuple-src"],
    arg: "required",
    flag: "tuple-src",
    set: (a, v, o) => a.tupleSrc = address(a, v, o, "mask-src"),
  },
  {
    names: ["--tuple-dst"],
    arg: "required",
    flag: "tuple-dst",
    set: (a, v, o) => a.tupleDst = address(a, v, o, "mask-dst"),
  },
  { names: ["--mask-src"], arg: "required", flag: "mask-src", set: (a, v, o) => a.maskSrc = address(a, v, o) },
  { names: ["--mask-dst"], arg: "required", flag: "mask-dst", set: (a, v, o) => a.maskDst = address(a, v, o) },
  { names: ["--master-src"], arg: "required", set: (a, v, o) => a.masterSrc = address(a, v, o) },
  { names: ["--master-dst"], arg: "required", set: (a, v, o) => a.masterDst = address(a, v, o) },
  portOption("tuple-port-src", (a, p) => a.tupleSport = p),
  portOption("tuple-port-dst", (a, p) => a.tupleDport = p),
  portOption("mask-port-src", (a, p) => a.maskSport = p),
  portOption("mask-port-dst", (a, p) => a.maskDport = p),
  { names: ["--master-port-src"], arg: "required", proto: true, set: (a, v, o) => a.masterSport = port(v, o) },
  { names: ["--master-port-dst"], arg: "required", proto: true, set: (a, v, o) => a.masterDport = port(v, o) },
  { names: ["--helper"], arg: "required", set: (a, v) => a.helper = v },
  { names: ["-z", "--zero"], flag: "zero", set: (a) => a.zero = true },
  {
    names: ["-o", "--output"],
    arg: "required",
    flag: "output",
    set: (a, v) => {
      a.output = [...new Set([...a.output, ...prefixList(v, OUTPUT)])];
      if (a.output.includes("save") && a.output.length > 1) {
        throw new CtOptionConflict("cannot combine save output with any other output type, use -o save only");
      }
    },
  },
  {
    names: ["-e", "--event-mask"],
    arg: "required",
    flag: "event-mask",
    set: (a, v) => a.eventMask = prefixList(v, EVENTS),
  },
  {
    names: ["-b", "--buffer-size"],
    arg: "required",
    flag: "buffer-size",
    set: (a, v) => a.bufferSize = toInt(v, "buffer size", 1),
  },
];

const BY_NAME: ReadonlyMap<string, OptSpec> = new Map(OPTIONS.flatMap((o) => o.names.map((n) => [n, o])));

/** The long name conntrack prints for an option (its first long spelling). */
function longName(opt: string): string {
  const o = BY_NAME.get(opt);
  return (o?.names.find((n) => n.startsWith("--")) ?? opt).replace(/^--/, "");
}

/** Words accepted in place of the command flags. */
export const CT_WORDS: ReadonlyMap<string, CtCommand> = new Map([
  ["list", "list"],
  ["show", "list"],
  ["ls", "list"],
  ["dump", "list"],
  ["get", "get"],
  ["delete", "delete"],
  ["del", "delete"],
  ["create", "create"],
  ["add", "add"],
  ["update", "update"],
  ["event", "event"],
  ["events", "event"],
  ["flush", "flush"],
  ["count", "count"],
  ["stats", "stats"],
]);

const TABLES: readonly CtTable[] = ["expect", "conntrack", "dying", "unconfirmed"];

/** conntrack's table word after a command: any prefix of a table name, tried in conntrack's order. */
function tableOf(word: string): CtTable {
  if (word === "expectation") return "expect";
  const t = TABLES.find((t) => t.startsWith(word));
  if (!t) throw new UsageError(`unknown type \`${word}'`, word);
  return t;
}

/** Whether the extension of the protocol `-p` has named so far has this option. */
function protoHas(protoNum: number | undefined, spec: OptSpec): boolean {
  if (protoNum === undefined) return false;
  return spec.flag ? protoOptions(protoNum).includes(spec.flag) : true;
}

/** A word that is not an option value: conntrack reads it as an optional argument (table, NAT address). */
const optionalValue = (w: string | undefined): w is string =>
  w !== undefined && !w.startsWith("-") && !w.startsWith("!");

const ROW_OF: { readonly [c in CtCommand]: CtRow } = {
  list: "list",
  get: "get",
  delete: "delete",
  create: "create",
  add: "add",
  update: "update",
  event: "event",
  flush: "flush",
  count: "count",
  stats: "stats",
  version: "version",
};

/** Parses `nlkit ct` arguments; throws {@link UsageError} (exit 2) with conntrack's words. */
export function parseCtArgs(words: readonly string[]): CtArgs {
  const a: CtArgs = {
    command: "list",
    table: "conntrack",
    zero: false,
    output: [],
    help: false,
    given: new Set(),
    stray: [],
    warnings: [],
  };
  // conntrack with no arguments at all prints its usage and succeeds.
  if (words.length === 0) a.help = true;
  let command: CtCommand | undefined;
  const setCommand = (c: CtCommand): void => {
    if (command) throw new UsageError("Invalid commands combination");
    command = c;
  };
  for (let i = 0; i < words.length; i++) {
    let word = words[i];
    let isCommand = false;
    const alias = i === 0 ? CT_WORDS.get(word) : undefined;
    if (alias) {
      setCommand(alias);
      isCommand = true;
    } else if (!word.startsWith("-") || word === "-") {
      // conntrack (getopt) skips words that are neither options nor their values, the first one too
      // (`conntrack conntrack -L`); a first word and no command is a misspelt command word.
      a.stray.push(word);
      continue;
    } else {
      let inline: string | undefined;
      const eq = word.startsWith("--") ? word.indexOf("=") : -1;
      if (eq > 0) [word, inline] = [word.slice(0, eq), word.slice(eq + 1)];
      const spec = BY_NAME.get(word);
      // A protocol's options exist once -p has named it (conntrack adds them to getopt's table then).
      if (!spec || spec.proto && !protoHas(a.protoNum, spec)) throw new UsageError(`unknown option \`${word}'`, word);
      if (spec.command) setCommand(spec.command);
      isCommand = spec.command !== undefined;
      let value = inline ?? "";
      if (spec.arg === "required" && inline === undefined) {
        if (i + 1 >= words.length) throw new UsageError(`option \`${word}' requires an argument`, word);
        value = words[++i];
      } else if (spec.arg === "optional" && inline === undefined && optionalValue(words[i + 1])) {
        value = words[++i];
      }
      spec.set?.(a, value, word);
      if (spec.flag) a.given.add(spec.flag);
    }
    // A command may be followed by its table's name, as in `-L expect`.
    if (isCommand && optionalValue(words[i + 1])) a.table = tableOf(words[++i]);
  }
  if (command && a.help) throw new UsageError("Invalid commands combination");
  if (command) a.command = command;
  else if (a.stray.length && words[0] === a.stray[0] && !a.help) {
    throw unknownWord("command or option", words[0], [...CT_WORDS.keys(), ...BY_NAME.keys()]);
  } else if (!a.help) throw new UsageError("Missing command (one of -L -G -D -I -A -U -E -F -C -S)", "ct");
  if (a.help) return a;
  if (a.table === "dying" || a.table === "unconfirmed") {
    if (a.command !== "list") throw new UsageError("Can't do that command with tables `dying' and `unconfirmed'");
  }
  if (a.table === "expect" && (a.command === "update" || a.command === "add")) {
    throw new UsageError(`Can't do --${a.command} on expectations`);
  }
  if (a.anyNat && (a.srcNat || a.dstNat)) {
    throw new UsageError("cannot specify `--src-nat' or `--dst-nat' with `--any-nat'");
  }
  if (a.statusClear && ["create", "add", "update"].includes(a.command)) {
    throw new UsageError("Can't use '!FLAG' or UNREPLIED with -u here: they only select entries");
  }
  if (a.labelAdd && a.labelDel) {
    throw new CtOptionConflict("cannot use --label-add and --label-del at the same time");
  }
  const row: CtRow = a.table === "expect" ? `exp-${ROW_OF[a.command]}` as CtRow : ROW_OF[a.command];
  // nlkit names one expectation more ways than conntrack (--tuple-*, --master-*, --helper): ct_expect.ts checks those.
  if (!["exp-create", "exp-delete", "exp-get"].includes(row)) checkCtOptions(row, a.given, a.protoNum);
  if (a.command === "list" && a.table === "conntrack" && a.zero) {
    const filtering = ["protonum", "src", "dst", "reply-src", "reply-dst", "mark", "status", "zone", "label"]
      .concat(["orig-zone", "reply-zone"]);
    if (filtering.some((f) => a.given.has(f))) throw new UsageError("Can't use -z with filtering parameters");
  }
  if (a.given.has("mask-src") && a.maskSrc !== undefined && a.origSrc === undefined && a.table === "conntrack") {
    throw new UsageError("Can't use --mask-src without --src");
  }
  if (a.given.has("mask-dst") && a.maskDst !== undefined && a.origDst === undefined && a.table === "conntrack") {
    throw new UsageError("Can't use --mask-dst without --dst");
  }
  return a;
}
