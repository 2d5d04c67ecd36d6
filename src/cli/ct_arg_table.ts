/**
 * conntrack's options as one table: every spelling, its value, its
 * column in conntrack's command-by-option table and where it is stored.
 *
 * @module
 */

import { toInt, UsageError } from "./args.ts";
import { ctProtoNumber } from "./ct_options.ts";
import { type CtArgs, type CtCommand, CtOptionConflict } from "./ct_arg_types.ts";
import {
  address,
  EVENTS,
  labels,
  mark,
  natValue,
  num,
  OUTPUT,
  port,
  prefixList,
  role,
  setFamily,
  state,
  statusList,
  U32,
  u8,
  vtag,
} from "./ct_arg_values.ts";

/** Stores an option's value. */
export type Setter = (a: CtArgs, v: string, opt: string) => void;

/** One option of conntrack's command line. */
export interface OptSpec {
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
    set: (a, v) => a.origSrc = address(a, v, "orig-src", "mask-src"),
  },
  {
    names: ["-d", "--orig-dst", "--dst"],
    arg: "required",
    flag: "dst",
    set: (a, v) => a.origDst = address(a, v, "orig-dst", "mask-dst"),
  },
  {
    names: ["-r", "--reply-src"],
    arg: "required",
    flag: "reply-src",
    set: (a, v) => a.replySrc = address(a, v, "reply-src"),
  },
  {
    names: ["-q", "--reply-dst"],
    arg: "required",
    flag: "reply-dst",
    set: (a, v) => a.replyDst = address(a, v, "reply-dst"),
  },
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
    set: (a, v) => a.tupleSrc = address(a, v, "tuple-src", "mask-src"),
  },
  {
    names: ["--tuple-dst"],
    arg: "required",
    flag: "tuple-dst",
    set: (a, v) => a.tupleDst = address(a, v, "tuple-dst", "mask-dst"),
  },
  { names: ["--mask-src"], arg: "required", flag: "mask-src", set: (a, v) => a.maskSrc = address(a, v, "mask-src") },
  { names: ["--mask-dst"], arg: "required", flag: "mask-dst", set: (a, v) => a.maskDst = address(a, v, "mask-dst") },
  { names: ["--master-src"], arg: "required", set: (a, v) => a.masterSrc = address(a, v, "master-src") },
  { names: ["--master-dst"], arg: "required", set: (a, v) => a.masterDst = address(a, v, "master-dst") },
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

/** Each option by every spelling. */
export const BY_NAME: ReadonlyMap<string, OptSpec> = new Map(OPTIONS.flatMap((o) => o.names.map((n) => [n, o])));
