/**
 * conntrack-tools' command-by-option rules: for each command, which options
 * are illegal, compulsory or optional (conntrack's `commands_v_options` and
 * the per-protocol tables of its extensions), with conntrack's refusal
 * texts, and protocol names as `getprotobyname()` reads them.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { readText } from "./io.ts";
import { parseProtocols } from "./protocols_text.ts";
import { CT_PROTO_NAMES } from "../netfilter/conntrack/tables.ts";

/** The option columns, named as conntrack names them in its messages (`--src`, `--timeout`, ...). */
export const CT_COLUMNS = [
  "src",
  "dst",
  "reply-src",
  "reply-dst",
  "protonum",
  "timeout",
  "status",
  "zero",
  "event-mask",
  "tuple-src",
  "tuple-dst",
  "mask-src",
  "mask-dst",
  "nat-range",
  "mark",
  "id",
  "family",
  "src-nat",
  "dst-nat",
  "output",
  "secmark",
  "buffer-size",
  "any-nat",
  "zone",
  "label",
  "label-add",
  "label-del",
  "orig-zone",
  "reply-zone",
] as const;

/** A row key: the command, and `exp-` for the expectation table. */
export type CtRow =
  | "list"
  | "create"
  | "update"
  | "delete"
  | "get"
  | "flush"
  | "event"
  | "exp-list"
  | "exp-create"
  | "exp-delete"
  | "exp-get"
  | "exp-flush"
  | "exp-event"
  | "count"
  | "exp-count"
  | "stats"
  | "exp-stats"
  | "add"
  | "version";

/**
 * conntrack 1.4.7's table, one digit per column of {@link CT_COLUMNS}:
 * 0 illegal, 1 compulsory, 2 optional, 3 one of the address pairs
 * (`--src`/`--dst` or `--reply-src`/`--reply-dst`) is compulsory.
 */
const ROWS: { readonly [row in CtRow]: string } = {
  "list": "22222022000220202222202220022",
  "create": "33331120000002200220000202022",
  "update": "22222220000220222222000022200",
  "delete": "22222220000220222222000220022",
  "get": "33331000000000020002000020000",
  "flush": "00000000000000002000000000000",
  "event": "22222000200220202222222220022",
  "exp-list": "00000000000000002002000000000",
  "exp-create": "11221120011110000000000000000",
  "exp-delete": "11221000000000000000000000000",
  "exp-get": "11221000000000000000000000000",
  "exp-flush": "00000000000000000000000000000",
  "exp-event": "00000000000000000002000000000",
  "count": "00000000000000000000000000000",
  "exp-count": "00000000000000000000000000000",
  "stats": "00000000000000000000000000000",
  "exp-stats": "00000000000000000000000000000",
  "add": "33331120000002200220000202022",
  "version": "00000000000000000000000000000",
};

/** Protocol option columns (conntrack's extensions), by option name. */
export const CT_PROTO_COLUMNS = [
  "sport",
  "dport",
  "reply-port-src",
  "reply-port-dst",
  "mask-port-src",
  "mask-port-dst",
  "state",
  "tuple-port-src",
  "tuple-port-dst",
] as const;

/** Protocol option rows of the conntrack table (`libct_proto_tcp.c` and friends); expectations are checked elsewhere. */
const PORT_ROWS: { readonly [row: string]: string } = {
  list: "222200200",
  create: "333300100",
  add: "333300100",
  update: "222200200",
  delete: "222200200",
  get: "333300200",
  event: "222200200",
};
const ICMP_ROWS: { readonly [row: string]: string } = {
  list: "222",
  create: "112",
  add: "112",
  update: "222",
  delete: "222",
  get: "112",
  event: "222",
};

/** The GRE extension's columns (`libct_proto_gre.c`) and its rows: the keys, never the expectation's masks or tuple. */
const GRE_COLUMNS = ["srckey", "dstkey", "reply-key-src", "reply-key-dst"] as const;
const GRE_ROWS: { readonly [row: string]: string } = {
  list: "2222",
  create: "3333",
  add: "3333",
  update: "2222",
  delete: "2222",
  get: "3333",
  event: "2222",
};

/** The ICMP columns, for protocol 1 (`--icmp-*`) and 58 (`--icmpv6-*`). */
const ICMP_COLUMNS = ["type", "code", "id"] as const;

/** The options only the SCTP (vtags) and DCCP (role) extensions add after theirs, with their rows. */
const EXTRA: { readonly [proto: number]: { cols: readonly string[]; rows: { readonly [row: string]: string } } } = {
  132: {
    cols: ["orig-vtag", "reply-vtag"],
    rows: { list: "00", create: "11", add: "11", update: "22", delete: "00", get: "22", event: "00" },
  },
  33: {
    cols: ["role"],
    rows: { list: "0", create: "1", add: "1", update: "0", delete: "0", get: "0", event: "0" },
  },
};

/** Protocols whose extension has ports, and those of them with a `--state`. */
const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const STATE_PROTOS = new Set([6, 33, 132]);

function checkRow(
  row: string,
  columns: readonly string[],
  given: ReadonlySet<string>,
  pairs: readonly [string, string, string][],
  name: (c: string) => string,
): void {
  let pairNeeded = false;
  for (let i = 0; i < columns.length; i++) {
    const has = given.has(columns[i]);
    if (!has && row[i] === "1") {
      throw new UsageError(`You need to supply the \`--${name(columns[i])}' option for this command`);
    }
    if (has && row[i] === "0") throw new UsageError(`Illegal option \`--${name(columns[i])}' with this command`);
    if (row[i] === "3") pairNeeded = true;
  }
  if (!pairNeeded || pairs.some(([a, b]) => given.has(a) && given.has(b))) return;
  const partial = pairs.find(([a, b]) => given.has(a) || given.has(b)) ?? pairs[0];
  throw new UsageError(`you have to specify ${partial[2]}`);
}

/**
 * Refuses what conntrack refuses for this command: an illegal option, a
 * missing compulsory one, or an incomplete address pair, in conntrack's
 * words. `given` holds the column names of the options given (both tables).
 */
export function checkCtOptions(row: CtRow, given: ReadonlySet<string>, protoNum: number | undefined): void {
  checkRow(ROWS[row], CT_COLUMNS, given, [
    ["src", "dst", "`--src' and `--dst'"],
    ["reply-src", "reply-dst", "`--reply-src' and `--reply-dst'"],
  ], (c) => c);
  if (protoNum === undefined || row.startsWith("exp-")) return;
  if (PORT_PROTOS.has(protoNum) && PORT_ROWS[row]) {
    // Only the TCP, SCTP and DCCP extensions know --state; conntrack's table is otherwise the same.
    const extra = Object.hasOwn(EXTRA, protoNum) ? EXTRA[protoNum] : undefined;
    const cols = protoOptions(protoNum);
    const r = (STATE_PROTOS.has(protoNum) ? PORT_ROWS[row] : PORT_ROWS[row].slice(0, 6) + PORT_ROWS[row].slice(7)) +
      (extra?.rows[row] ?? "");
    checkRow(r, cols, given, [
      ["sport", "dport", "`--sport' and `--dport'"],
      ["reply-port-src", "reply-port-dst", "`--reply-src-port' and `--reply-dst-port'"],
    ], (c) => c);
  } else if (protoNum === 47 && GRE_ROWS[row]) {
    checkRow(GRE_ROWS[row], GRE_COLUMNS, given, [
      ["srckey", "dstkey", "`--srckey' and `--dstkey'"],
      ["reply-key-src", "reply-key-dst", "`--reply-src-key' and `--reply-dst-key'"],
    ], (c) => c);
  } else if ((protoNum === 1 || protoNum === 58) && ICMP_ROWS[row]) {
    const v = protoNum === 58 ? "icmpv6" : "icmp";
    checkRow(ICMP_ROWS[row], ICMP_COLUMNS.map((c) => `${v}-${c}`), given, [], (c) => c);
  }
}

/** The protocol options a protocol's extension has (conntrack knows no others after `-p`). */
export function protoOptions(protoNum: number): readonly string[] {
  if (PORT_PROTOS.has(protoNum)) {
    const base = STATE_PROTOS.has(protoNum) ? CT_PROTO_COLUMNS : CT_PROTO_COLUMNS.filter((c) => c !== "state");
    return Object.hasOwn(EXTRA, protoNum) ? [...base, ...EXTRA[protoNum].cols] : base;
  }
  if (protoNum === 47) return GRE_COLUMNS;
  if (protoNum === 1) return ICMP_COLUMNS.map((c) => `icmp-${c}`);
  if (protoNum === 58) return ICMP_COLUMNS.map((c) => `icmpv6-${c}`);
  return [];
}

let etcProtocols: Map<string, number> | undefined;

/**
 * A protocol as conntrack's `-p` reads it: a name of its extensions (any
 * case), a name from `/etc/protocols`, or a number 0 to 255 (decimal, hex
 * or octal, as `strtoul(.., 0)`).
 */
export function ctProtoNumber(word: string): number {
  for (const [num, name] of Object.entries(CT_PROTO_NAMES)) if (name === word.toLowerCase()) return Number(num);
  etcProtocols ??= (() => {
    try {
      return parseProtocols(readText("/etc/protocols"));
    } catch {
      return new Map<string, number>();
    }
  })();
  const byName = etcProtocols.get(word);
  if (byName !== undefined) return byName;
  const n = /^0x[0-9a-f]+$/i.test(word)
    ? parseInt(word, 16)
    : /^0[0-7]+$/.test(word)
    ? parseInt(word, 8)
    : /^\d+$/.test(word)
    ? Number(word)
    : NaN;
  if (n >= 0 && n <= 255) return n;
  throw new UsageError(`\`${word}' unsupported protocol`, word);
}
