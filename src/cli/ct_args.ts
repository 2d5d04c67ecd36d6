/**
 * conntrack-tools' command line, parsed from one option table: the same
 * commands, filters and output flags, plus word aliases (`nlkit ct list`).
 *
 * @module
 */

import { toInt, unknownWord, UsageError } from "./args.ts";
import { lookup } from "./aliases.ts";

/** A conntrack command. */
export type CtCommand = "list" | "get" | "delete" | "create" | "update" | "event" | "flush" | "count" | "stats";

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
  /** `-f`. */
  family?: "ipv4" | "ipv6";
  /** `-s`. */
  origSrc?: string;
  /** `-d`. */
  origDst?: string;
  /** `-r`. */
  replySrc?: string;
  /** `-q`. */
  replyDst?: string;
  /** `-p`: protocol name or number. */
  proto?: string;
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
  /** `-w`. */
  zone?: number;
  /** `--orig-zone`. */
  origZone?: number;
  /** `--reply-zone`. */
  replyZone?: number;
  /** `--state`. */
  state?: string;
  /** `-l`: labels an entry must carry. */
  label?: string[];
  /** `--label-add`. */
  labelAdd?: string[];
  /** `--label-del`: labels to clear (empty list: all). */
  labelDel?: string[];
  /** `-n`: source NAT applied (optionally to this address). */
  srcNat?: string | true;
  /** `-g`: destination NAT applied. */
  dstNat?: string | true;
  /** `-j`: any NAT applied. */
  anyNat?: string | true;
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
}

type Setter = (a: CtArgs, v: string, opt: string) => void;

interface OptSpec {
  /** Every spelling. */
  names: readonly string[];
  /** A command, with its optional table word. */
  command?: CtCommand;
  /** Value handling: "required", "optional" (only `--x=v` or a value that does not start with "-"), or none. */
  arg?: "required" | "optional";
  /** Stores the value. */
  set?: Setter;
}

const port = (v: string, o: string): number => toInt(v, `port for ${o}`, 0, 65535);
const u8 = (v: string, o: string): number => toInt(v, `value for ${o}`, 0, 255);
const list = (v: string): string[] => v.split(",").filter((x) => x);

const STATUS = ["EXPECTED", "SEEN_REPLY", "ASSURED", "FIXED_TIMEOUT", "CONFIRMED", "SRC_NAT", "DST_NAT", "UNSET"];
const OUTPUT = ["extended", "xml", "timestamp", "id", "ktimestamp", "labels", "userspace"];
const EVENTS = ["ALL", "NEW", "UPDATES", "UPDATE", "DESTROY"];

function checkedList(v: string, what: string, allowed: readonly string[], upper: boolean): string[] {
  const items = list(upper ? v.toUpperCase() : v);
  for (const x of items) if (!allowed.includes(x)) throw unknownWord(what, x, allowed);
  if (items.length === 0) throw new UsageError(`Empty ${what} list`, v);
  return items;
}

function mark(v: string): CtMark {
  const [m, mask, extra] = v.split("/");
  if (extra !== undefined) throw new UsageError(`Invalid mark: "${v}" (use MARK[/MASK])`, v);
  const r: CtMark = { value: toInt(m, "mark") };
  if (mask !== undefined) r.mask = toInt(mask, "mark mask");
  return r;
}

/** The option table: conntrack's spellings and meanings. */
const OPTIONS: readonly OptSpec[] = [
  { names: ["-L", "--dump"], command: "list" },
  { names: ["-G", "--get"], command: "get" },
  { names: ["-D", "--delete"], command: "delete" },
  { names: ["-I", "--create"], command: "create" },
  { names: ["-U", "--update"], command: "update" },
  { names: ["-E", "--event"], command: "event" },
  { names: ["-F", "--flush"], command: "flush" },
  { names: ["-C", "--count"], command: "count" },
  { names: ["-S", "--stats"], command: "stats" },
  { names: ["--expect"], set: (a) => a.table = "expect" },
  { names: ["-h", "--help"], set: (a) => a.help = true },
  { names: ["-s", "--orig-src", "--src"], arg: "required", set: (a, v) => a.origSrc = v },
  { names: ["-d", "--orig-dst", "--dst"], arg: "required", set: (a, v) => a.origDst = v },
  { names: ["-r", "--reply-src"], arg: "required", set: (a, v) => a.replySrc = v },
  { names: ["-q", "--reply-dst"], arg: "required", set: (a, v) => a.replyDst = v },
  { names: ["-p", "--proto", "--protonum"], arg: "required", set: (a, v) => a.proto = v.toLowerCase() },
  {
    names: ["-f", "--family"],
    arg: "required",
    set: (a, v) => {
      if (v !== "ipv4" && v !== "ipv6") throw unknownWord("family", v, ["ipv4", "ipv6"]);
      a.family = v;
    },
  },
  { names: ["--sport", "--orig-port-src"], arg: "required", set: (a, v, o) => a.sport = port(v, o) },
  { names: ["--dport", "--orig-port-dst"], arg: "required", set: (a, v, o) => a.dport = port(v, o) },
  { names: ["--reply-port-src"], arg: "required", set: (a, v, o) => a.replySport = port(v, o) },
  { names: ["--reply-port-dst"], arg: "required", set: (a, v, o) => a.replyDport = port(v, o) },
  { names: ["--icmp-type", "--icmpv6-type"], arg: "required", set: (a, v, o) => a.icmpType = u8(v, o) },
  { names: ["--icmp-code", "--icmpv6-code"], arg: "required", set: (a, v, o) => a.icmpCode = u8(v, o) },
  { names: ["--icmp-id", "--icmpv6-id"], arg: "required", set: (a, v, o) => a.icmpId = port(v, o) },
  { names: ["-t", "--timeout"], arg: "required", set: (a, v) => a.timeout = toInt(v, "timeout") },
  { names: ["-m", "--mark"], arg: "required", set: (a, v) => a.mark = mark(v) },
  { names: ["-u", "--status"], arg: "required", set: (a, v) => a.status = checkedList(v, "status", STATUS, true) },
  { names: ["-w", "--zone"], arg: "required", set: (a, v) => a.zone = toInt(v, "zone", 0, 65535) },
  { names: ["--orig-zone"], arg: "required", set: (a, v) => a.origZone = toInt(v, "zone", 0, 65535) },
  { names: ["--reply-zone"], arg: "required", set: (a, v) => a.replyZone = toInt(v, "zone", 0, 65535) },
  { names: ["--state"], arg: "required", set: (a, v) => a.state = v.toUpperCase() },
  { names: ["-l", "--label"], arg: "required", set: (a, v) => a.label = list(v) },
  { names: ["--label-add"], arg: "required", set: (a, v) => a.labelAdd = list(v) },
  { names: ["--label-del"], arg: "optional", set: (a, v) => a.labelDel = list(v) },
  { names: ["-n", "--src-nat"], arg: "optional", set: (a, v) => a.srcNat = v || true },
  { names: ["-g", "--dst-nat"], arg: "optional", set: (a, v) => a.dstNat = v || true },
  { names: ["-j", "--any-nat"], arg: "optional", set: (a, v) => a.anyNat = v || true },
  { names: ["--tuple-src"], arg: "required", set: (a, v) => a.tupleSrc = v },
  { names: ["--tuple-dst"], arg: "required", set: (a, v) => a.tupleDst = v },
  { names: ["--mask-src"], arg: "required", set: (a, v) => a.maskSrc = v },
  { names: ["--mask-dst"], arg: "required", set: (a, v) => a.maskDst = v },
  { names: ["--master-src"], arg: "required", set: (a, v) => a.masterSrc = v },
  { names: ["--master-dst"], arg: "required", set: (a, v) => a.masterDst = v },
  { names: ["--tuple-port-src"], arg: "required", set: (a, v, o) => a.tupleSport = port(v, o) },
  { names: ["--tuple-port-dst"], arg: "required", set: (a, v, o) => a.tupleDport = port(v, o) },
  { names: ["--mask-port-src"], arg: "required", set: (a, v, o) => a.maskSport = port(v, o) },
  { names: ["--mask-port-dst"], arg: "required", set: (a, v, o) => a.maskDport = port(v, o) },
  { names: ["--master-port-src"], arg: "required", set: (a, v, o) => a.masterSport = port(v, o) },
  { names: ["--master-port-dst"], arg: "required", set: (a, v, o) => a.masterDport = port(v, o) },
  { names: ["--helper"], arg: "required", set: (a, v) => a.helper = v },
  { names: ["-z", "--zero"], set: (a) => a.zero = true },
  { names: ["-o", "--output"], arg: "required", set: (a, v) => a.output = checkedList(v, "output", OUTPUT, false) },
  {
    names: ["-e", "--event-mask"],
    arg: "required",
    set: (a, v) => a.eventMask = checkedList(v, "event", EVENTS, true),
  },
  { names: ["-b", "--buffer-size"], arg: "required", set: (a, v) => a.bufferSize = toInt(v, "buffer size", 1) },
];

const BY_NAME: ReadonlyMap<string, OptSpec> = new Map(OPTIONS.flatMap((o) => o.names.map((n) => [n, o])));

/** Words accepted in place of the command flags. */
export const CT_WORDS: { readonly [word: string]: CtCommand } = {
  list: "list",
  show: "list",
  ls: "list",
  dump: "list",
  get: "get",
  delete: "delete",
  del: "delete",
  create: "create",
  add: "create",
  update: "update",
  event: "event",
  events: "event",
  flush: "flush",
  count: "count",
  stats: "stats",
};

const TABLES: readonly string[] = ["conntrack", "expect", "expectation", "dying", "unconfirmed"];

/** Parses `nlkit ct` arguments; throws {@link UsageError} (exit 2) naming the bad word. */
export function parseCtArgs(words: readonly string[]): CtArgs {
  const a: CtArgs = { command: "list", table: "conntrack", zero: false, output: [], help: false };
  let command: CtCommand | undefined;
  const setCommand = (c: CtCommand, word: string): void => {
    if (command && command !== c) throw new UsageError(`Only one command allowed, got "${word}" after another`, word);
    command = c;
  };
  for (let i = 0; i < words.length; i++) {
    let word = words[i];
    let isCommand = false;
    const named = i === 0 ? lookup(CT_WORDS, word) : undefined;
    if (named) {
      setCommand(named, word);
      isCommand = true;
    } else {
      let inline: string | undefined;
      const eq = word.startsWith("--") ? word.indexOf("=") : -1;
      if (eq > 0) [word, inline] = [word.slice(0, eq), word.slice(eq + 1)];
      const spec = BY_NAME.get(word);
      if (!spec) {
        if (i === 0) throw unknownWord("command or option", word, [...Object.keys(CT_WORDS), ...BY_NAME.keys()]);
        throw unknownWord("option", word, [...BY_NAME.keys()]);
      }
      if (spec.command) setCommand(spec.command, word);
      isCommand = spec.command !== undefined;
      let value = inline ?? "";
      if (spec.arg === "required" && inline === undefined) {
        if (i + 1 >= words.length) throw new UsageError(`Option "${word}" requires a value`, word);
        value = words[++i];
      } else if (
        spec.arg === "optional" && inline === undefined && i + 1 < words.length && !words[i + 1].startsWith("-")
      ) {
        value = words[++i];
      }
      spec.set?.(a, value, word);
    }
    // A command may be followed by its table's name, as in `-L expect`.
    if (isCommand && TABLES.includes(words[i + 1])) {
      const t = words[++i];
      a.table = t === "expectation" ? "expect" : t as CtTable;
    }
  }
  if (command) a.command = command;
  else if (!a.help) throw new UsageError("Missing command (one of -L -G -D -I -U -E -F -C -S)", "ct");
  // The kernel has no expectation update; conntrack refuses it in the same words.
  if (a.command === "update" && a.table === "expect") throw new UsageError("Can't do --update on expectations", "-U");
  // The kernel only dumps these lists; conntrack refuses anything else in the same words.
  if ((a.table === "dying" || a.table === "unconfirmed") && a.command !== "list") {
    throw new UsageError("Can't do that command with tables `dying' and `unconfirmed'", a.table);
  }
  const needsProto = [
    "sport",
    "dport",
    "replySport",
    "replyDport",
    "state",
    "icmpType",
    "icmpCode",
    "icmpId",
    "tupleSport",
    "tupleDport",
    "maskSport",
    "maskDport",
    "masterSport",
    "masterDport",
  ] as const;
  for (const k of needsProto) {
    if (a[k] !== undefined && a.proto === undefined) {
      throw new UsageError(`Option for ${k} needs "-p PROTO"`, k);
    }
  }
  return a;
}
