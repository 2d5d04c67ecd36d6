/**
 * Bulk creation of conntrack entries: specs are read lazily, each is
 * validated and built just before it is sent, and up to `window` requests
 * go out together through `NetlinkSocket.requestBatch` (many requests per
 * datagram, each acknowledged and checked). Refusals are collected instead
 * of stopping the run.
 *
 * @example
 * ```ts ignore
 * import { createConntrackMany } from "./bulk.ts";
 * function* specs() {
 *   for (let i = 0; i < 100_000; i++) {
 *     yield { proto: "udp", orig: { src: "10.0.0.1", dst: "10.0.0.2", sport: 1024 + (i & 0x3fff), dport: 1024 + (i >> 14) }, timeout: 60 };
 *   }
 * }
 * const { created, failed } = await createConntrackMany(specs(), {}, { netns: "blue" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { BatchError } from "../../socket/errors.ts";
import { openSocket } from "../../socket/family.ts";
import { checkTarget } from "../../socket/target.ts";
import { checkKeys } from "../../wire/invalid.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { NFNL_SUBSYS_CTNETLINK, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import { type ConntrackOptions, CTNETLINK, IPCTNL_MSG } from "./ctnetlink.ts";
import { type ConntrackSpec, specAttrs } from "./spec.ts";
import { buildCtaTable } from "./_generated/tables.ts";

/** Tuning of {@link createConntrackMany}. */
export interface CreateManyOptions {
  /** Requests sent together (one batch, as few datagrams as the buffers allow). Default 1024. */
  window?: number;
  /** Receive buffer of the socket opened for the run, in bytes. Default 4 MiB. */
  receiveBuffer?: number;
}

/** Outcome of {@link createConntrackMany}. */
export interface CreateManyResult {
  /** Entries the kernel created. */
  created: number;
  /** Refusals, with the index of the spec each one belongs to. */
  failed: { index: number; error: unknown }[];
}

/** Builds the `IPCTNL_MSG_CT_NEW` request that creates `spec` (validates it first). */
export function buildCreateConntrack(spec: ConntrackSpec): Uint8Array {
  const { family, attrs } = specAttrs(spec, true);
  const type = nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG.IPCTNL_MSG_CT_NEW);
  return buildCtaTable(nfnlMessage(type, NLM_F_CREATE | NLM_F_EXCL, family), attrs).finish();
}

/**
 * Creates many entries, `window` requests per batch. `specs` is consumed
 * lazily (an array, a generator, or an async source such as lines of a
 * file), and each request is built and validated just before its batch is
 * sent, so memory stays at `window` requests however many entries are made.
 * A spec that fails validation stops the run: the requests built before it
 * are sent and acknowledged, then its `InvalidArgumentError` is thrown.
 * Kernel refusals (EEXIST, ENOMEM when the table is full, ...) do not stop
 * the run; they are returned in `failed`.
 */
export async function createConntrackMany(
  specs: Iterable<ConntrackSpec> | AsyncIterable<ConntrackSpec>,
  tuning: CreateManyOptions = {},
  opts: ConntrackOptions = {},
): Promise<CreateManyResult> {
  checkKeys(tuning, ["window", "receiveBuffer"], "createConntrackMany tuning");
  checkTarget(opts, "createConntrackMany");
  const window = tuning.window ?? 1024;
  if (!Number.isInteger(window) || window < 1 || window > 65536) {
    throw new InvalidArgumentError(`Invalid window: "${window}" (must be 1 to 65536)`);
  }
  const own = opts.socket
    ? undefined
    : await openSocket(CTNETLINK, opts, { receiveBuffer: tuning.receiveBuffer ?? 4 << 20 });
  const sock = opts.socket ?? own!;
  const result: CreateManyResult = { created: 0, failed: [] };
  let batch: Uint8Array[] = [];
  let base = 0;
  try {
    for await (const spec of specs) {
      let msg: Uint8Array;
      try {
        msg = buildCreateConntrack(spec);
      } catch (e) {
        await send(sock, batch, base, result);
        throw e;
      }
      batch.push(msg);
      if (batch.length >= window) {
        await send(sock, batch, base, result);
        base += batch.length;
        batch = [];
      }
    }
    await send(sock, batch, base, result);
  } finally {
    own?.close();
  }
  return result;
}

/**
 * Sends one window. Only its last request asks for an ack: the kernel
 * handles a datagram's requests in order inside `sendmsg` and answers a
 * request without `NLM_F_ACK` only when it refuses it, so that ack arrives
 * after every refusal of the window (each matched to its request by
 * sequence number), and the successes cost no ack to build, queue and read.
 */
async function send(sock: NetlinkSocket, batch: Uint8Array[], base: number, result: CreateManyResult): Promise<void> {
  if (batch.length === 0) return;
  batch[batch.length - 1][6] |= NLM_F_ACK;
  let refused = 0;
  try {
    await sock.requestBatch(batch);
  } catch (e) {
    if (!(e instanceof BatchError)) throw e;
    for (const f of e.failures) result.failed.push({ index: base + f.index, error: f.error });
    refused = e.failures.length;
  }
  result.created += batch.length - refused;
}
