/**
 * nfnetlink framing: the `nfgenmsg` header, subsystem/message type join and
 * split, and transaction batches.
 *
 * @example
 * ```ts
 * import { NFNL_SUBSYS_CTNETLINK, nfnlSplit, nfnlType } from "./nfnetlink.ts";
 * const t = nfnlType(NFNL_SUBSYS_CTNETLINK, 1); // IPCTNL_MSG_CT_GET
 * console.log(t, nfnlSplit(t)); // 257 [1, 1]
 * ```
 *
 * @module
 */

import { MessageBuilder } from "./builder.ts";

/** Connection tracking. */
export const NFNL_SUBSYS_CTNETLINK = 1;
/** Connection tracking expectations. */
export const NFNL_SUBSYS_CTNETLINK_EXP = 2;
/** NFQUEUE. */
export const NFNL_SUBSYS_QUEUE = 3;
/** NFLOG. */
export const NFNL_SUBSYS_ULOG = 4;
/** Connection tracking timeouts. */
export const NFNL_SUBSYS_CTNETLINK_TIMEOUT = 8;
/** ipset. */
export const NFNL_SUBSYS_IPSET = 6;
/** nf_tables. */
export const NFNL_SUBSYS_NFTABLES = 10;
/** Start of a transaction batch. */
export const NFNL_MSG_BATCH_BEGIN = 0x10;
/** End of a transaction batch. */
export const NFNL_MSG_BATCH_END = 0x11;
/** Batch attribute: expected ruleset generation (u32, big-endian). */
export const NFNL_BATCH_GENID = 1;
/** `nfgenmsg.version`. */
export const NFNETLINK_V0 = 0;

/** `struct nfgenmsg`; `resId` is big-endian. */
export const NFGENMSG = { family: "u8", version: "u8", resId: "u16be" } as const;

/** Joins a subsystem and a message number into `nlmsg_type`. */
export function nfnlType(subsys: number, msg: number): number {
  return (subsys << 8) | msg;
}

/** Splits `nlmsg_type` into `[subsystem, message]`. */
export function nfnlSplit(type: number): [number, number] {
  return [type >> 8, type & 0xff];
}

/**
 * Names the message types of subsystem `subsys` by `names`
 * (`IPCTNL_MSG_CT_NEW`), any other as `nfnetlink type S/M`: a family's
 * `describe`, for error texts.
 */
export function nfnlDescriber(subsys: number, names: { readonly [name: string]: number }): (type: number) => string {
  const byNumber = new Map(Object.entries(names).map(([k, v]) => [v, k]));
  return (type) => {
    const [s, m] = nfnlSplit(type);
    return (s === subsys ? byNumber.get(m) : undefined) ?? `nfnetlink type ${s}/${m}`;
  };
}

/** Starts an nfnetlink message with its `nfgenmsg` header. */
export function nfnlMessage(type: number, flags: number, family: number, resId = 0): MessageBuilder {
  return new MessageBuilder(type, flags).struct(NFGENMSG, { family, version: NFNETLINK_V0, resId });
}

/**
 * Wraps messages for `subsys` in `NFNL_MSG_BATCH_BEGIN`/`END`. With `genId`
 * the kernel refuses the batch (ERESTART) if the ruleset moved on.
 */
export function nfnlBatch(subsys: number, messages: readonly Uint8Array[], genId?: number): Uint8Array[] {
  const begin = nfnlMessage(NFNL_MSG_BATCH_BEGIN, 0, 0, subsys);
  if (genId !== undefined) begin.u(NFNL_BATCH_GENID, "u32be", genId);
  return [begin.finish(), ...messages, nfnlMessage(NFNL_MSG_BATCH_END, 0, 0, subsys).finish()];
}
