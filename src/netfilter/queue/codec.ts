/**
 * Building NFQUEUE requests: queue configuration, verdicts and batch
 * verdicts. Pure: bad input throws before anything is sent.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { NLMSG_HDRLEN } from "../../wire/constants.ts";
import { NFNL_SUBSYS_QUEUE, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import { type Attrs, forEachAttr } from "../../wire/table.ts";
import { checkCopyMode, checkFlagNames, checkU16, checkU32, type CopyMode } from "../packet.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { NFQA_CFG_FLAGS, NFQA_CFG_TABLE, NFQA_TABLE, NFQNL_CFG_CMD, NFQNL_MSG } from "./tables.ts";

/** A queue flag (`NFQA_CFG_F_*`). */
export type QueueFlag = "fail-open" | "conntrack" | "gso" | "uid-gid" | "secctx";

/** How a queue is configured. */
export interface QueueConfig {
  /** How much of each packet to copy. Default `packet`. */
  copyMode?: CopyMode;
  /** Bytes of each packet to copy in `packet` mode (0..65535). Default 65535. */
  copyRange?: number;
  /** Most packets waiting for a verdict before the kernel drops (or, with `fail-open`, accepts). */
  maxLen?: number;
  /** Flags to turn on; the others are turned off. */
  flags?: readonly QueueFlag[];
}

/** What to do with a packet. `{ queue: N }` sends it on to queue N (`bypass`: accept if nobody listens there). */
export type Verdict = "accept" | "drop" | "repeat" | "stop" | { queue: number; bypass?: boolean };

/** Changes made together with a verdict. */
export interface VerdictOptions {
  /** New packet mark. */
  mark?: number;
  /** New conntrack mark (needs the `conntrack` flag on the queue). */
  ctMark?: number;
  /** Replacement packet, from the network header on. */
  payload?: Uint8Array;
}

const FLAG_NAMES: readonly string[] = Object.values(NFQA_CFG_FLAGS);
const NF_QUEUE = 3;
const NF_VERDICT_FLAG_QUEUE_BYPASS = 0x8000;
const QUEUE_CONFIG_KEYS = ["copyMode", "copyRange", "maxLen", "flags"];
/** The keys of {@link VerdictOptions}. */
export const VERDICT_KEYS: readonly string[] = ["mark", "ctMark", "payload"];
const VERDICT_NUMBERS: Record<string, number> = { drop: 0, accept: 1, repeat: 4, stop: 5 };

/** The verdict word for the kernel (`NF_QUEUE_NR(n)` for `{ queue: n }`). */
export function verdictNumber(v: Verdict): number {
  if (typeof v === "object" && v !== null) {
    const n = checkU16(v.queue, "queue number");
    return ((n << 16) | NF_QUEUE | (v.bypass ? NF_VERDICT_FLAG_QUEUE_BYPASS : 0)) >>> 0;
  }
  const n = VERDICT_NUMBERS[v as string];
  if (n === undefined) {
    throw new InvalidArgumentError(
      `Cannot use verdict "${String(v)}": expected accept, drop, repeat, stop or { queue: N }`,
    );
  }
  return n;
}

/** Checks queue flag names. */
export function checkQueueFlags(flags: readonly string[]): string[] {
  return checkFlagNames(flags, FLAG_NAMES, "queue flag");
}

/** Builds an `NFQNL_MSG_CONFIG` that binds (or unbinds) `queue` and applies `cfg`. */
export function buildQueueConfig(queue: number, cfg: QueueConfig, command: "bind" | "unbind" | "none"): Uint8Array {
  checkU16(queue, "queue number");
  checkKeys(cfg, QUEUE_CONFIG_KEYS, "queue options");
  const cmd = { bind: NFQNL_CFG_CMD.NFQNL_CFG_CMD_BIND, unbind: NFQNL_CFG_CMD.NFQNL_CFG_CMD_UNBIND, none: 0 }[command];
  const attrs: Attrs<typeof NFQA_CFG_TABLE> = {};
  if (cmd) attrs.cmd = { command: cmd, pf: 0 };
  if (command !== "unbind") {
    const copyMode = checkCopyMode(cfg.copyMode ?? "packet");
    const copyRange = checkU16(cfg.copyRange ?? 0xffff, "copy range");
    attrs.params = { copyRange, copyMode };
    if (cfg.maxLen !== undefined) attrs.queueMaxlen = checkU32(cfg.maxLen, "queue max length");
    attrs.mask = [...FLAG_NAMES];
    attrs.flags = checkQueueFlags(cfg.flags ?? []);
  }
  return nfnlMessage(nfnlType(NFNL_SUBSYS_QUEUE, NFQNL_MSG.NFQNL_MSG_CONFIG), 0, 0, queue)
    .attrs(NFQA_CFG_TABLE, attrs).finish();
}

/** Builds an `NFQNL_MSG_VERDICT` for packet `id` of `queue`. */
export function buildVerdict(queue: number, id: number, verdict: Verdict, opts: VerdictOptions = {}): Uint8Array {
  checkU16(queue, "queue number");
  checkKeys(opts, VERDICT_KEYS, "verdict options");
  const attrs: Attrs<typeof NFQA_TABLE> = {
    verdictHdr: { verdict: verdictNumber(verdict), id: checkU32(id, "packet id") },
  };
  if (opts.mark !== undefined) attrs.mark = checkU32(opts.mark, "mark");
  if (opts.payload !== undefined) {
    if (!(opts.payload instanceof Uint8Array)) {
      throw new InvalidArgumentError("Cannot use payload: expected a Uint8Array");
    }
    if (opts.payload.length > 0xffff - 8) {
      throw new InvalidArgumentError(`Cannot use a payload of ${opts.payload.length} bytes: at most 65527`);
    }
    attrs.payload = opts.payload;
  }
  if (opts.ctMark !== undefined) attrs.ct = { mark: checkU32(opts.ctMark, "conntrack mark") };
  return nfnlMessage(nfnlType(NFNL_SUBSYS_QUEUE, NFQNL_MSG.NFQNL_MSG_VERDICT), 0, 0, queue)
    .attrs(NFQA_TABLE, attrs).finish();
}

/**
 * Builds an `NFQNL_MSG_VERDICT_BATCH`: the verdict (and mark) for every
 * packet of `queue` up to and including `maxId`. Payload and conntrack
 * changes are per packet, so the kernel takes none in a batch.
 */
export function buildBatchVerdict(
  queue: number,
  maxId: number,
  verdict: Verdict,
  opts: VerdictOptions = {},
): Uint8Array {
  checkU16(queue, "queue number");
  checkKeys(opts, VERDICT_KEYS, "verdict options");
  if (opts.payload !== undefined || opts.ctMark !== undefined) {
    throw new InvalidArgumentError(
      "Cannot change the payload or conntrack mark in a batch verdict: give those per packet",
    );
  }
  const attrs: Attrs<typeof NFQA_TABLE> = {
    verdictHdr: { verdict: verdictNumber(verdict), id: checkU32(maxId, "packet id") },
  };
  if (opts.mark !== undefined) attrs.mark = checkU32(opts.mark, "mark");
  return nfnlMessage(nfnlType(NFNL_SUBSYS_QUEUE, NFQNL_MSG.NFQNL_MSG_VERDICT_BATCH), 0, 0, queue)
    .attrs(NFQA_TABLE, attrs).finish();
}

/** Offset of each attribute's payload in a finished `NFQA_*` message, by attribute type. */
function attrOffsets(msg: Uint8Array): Map<number, number> {
  const at = new Map<number, number>();
  const nfgenmsg = 4;
  forEachAttr(new DataView(msg.buffer, msg.byteOffset), NLMSG_HDRLEN + nfgenmsg, msg.length, (t, s) => at.set(t, s));
  return at;
}

/** One reusable verdict message and where its verdict word, packet id and mark sit. */
interface Template {
  bytes: Uint8Array;
  view: DataView;
  hdr: number;
  mark: number;
}

function template(msg: Uint8Array): Template {
  const at = attrOffsets(msg);
  return {
    bytes: msg,
    view: new DataView(msg.buffer, msg.byteOffset, msg.byteLength),
    hdr: at.get(NFQA_TABLE.verdictHdr.type)!,
    mark: at.get(NFQA_TABLE.mark.type) ?? -1,
  };
}

/**
 * Plain verdicts (a verdict word and optionally a mark) for one queue,
 * built once by {@link buildVerdict} or {@link buildBatchVerdict} and then
 * patched in place: a verdict per packet allocates nothing. The bytes
 * returned stay valid until the next {@link encode}; copy them to keep.
 */
export class VerdictTemplate {
  #plain: Template;
  #marked: Template;

  /** Templates for `queue`: `NFQNL_MSG_VERDICT_BATCH` when `batch`, else `NFQNL_MSG_VERDICT`. */
  constructor(queue: number, batch: boolean) {
    const build = batch ? buildBatchVerdict : buildVerdict;
    this.#plain = template(build(queue, 0, "accept"));
    this.#marked = template(build(queue, 0, "accept", { mark: 0 }));
  }

  /** The message for packet `id` (checked) and verdict word `verdict` (see {@link verdictNumber}), with `mark` if given. */
  encode(id: number, verdict: number, mark?: number): Uint8Array {
    checkU32(id, "packet id");
    const t = mark === undefined ? this.#plain : this.#marked;
    if (mark !== undefined) t.view.setUint32(t.mark, checkU32(mark, "mark"), false);
    t.view.setUint32(t.hdr, verdict, false); // NFQNL_VERDICT_HDR: verdict, then id
    t.view.setUint32(t.hdr + 4, id, false);
    return t.bytes;
  }
}
