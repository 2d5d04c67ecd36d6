/**
 * What `nlkit ct` was told: the command, its table, filters, values and
 * output flags, as the option table (`ct_arg_table.ts`) fills them in.
 *
 * @module
 */

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
