/**
 * Bulk creation of conntrack entries: specs are read lazily, each is
 * validated and built just before its `IPCTNL_MSG_CT_NEW` request goes out
 * on one socket with up to `window` in flight, each request is acknowledged
 * and checked, and refusals are collected instead of stopping the run.
 *
 * ctnetlink handles a request inside `sendto()`, so the ack is already
 * queued when the call returns: on Linux 6.18 a window of 1 and of 512 ran
 * equally fast (the cost is building the requests). The window matters only
 * where the kernel defers work.
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

import { NetlinkSocket } from "../../socket/socket.ts";
import { NETLINK_NETFILTER, NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { NFNL_SUBSYS_CTNETLINK, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import { type ConntrackOptions, describeCtnl, IPCTNL_MSG } from "./ctnetlink.ts";
import { type ConntrackSpec, specAttrs } from "./spec.ts";
import { CTA_TABLE } from "./tables.ts";

/** Tuning of {@link createConntrackMany}. */
export interface CreateManyOptions {
  /** Requests in flight at once. Default 16. Their acks must fit the receive buffer. */
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
  return nfnlMessage(nfnlType(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG.IPCTNL_MSG_CT_NEW), NLM_F_CREATE | NLM_F_EXCL, family)
    .attrs(CTA_TABLE, attrs)
    .finish();
}

/**
 * Creates many entries with up to `window` requests in flight. `specs` is
 * consumed lazily (an array, a generator, or an async source such as lines
 * of a file), and each request is built and validated just before it is
 * sent, so memory stays at `window` requests however many entries are made.
 * A spec that fails validation stops the run: the requests already in
 * flight are awaited, then its `TypeError`/`RangeError` is thrown (the
 * entries before it were created). Kernel refusals (EEXIST, ENOMEM when the
 * table is full, ...) do not stop the run; they are returned in `failed`.
 */
export async function createConntrackMany(
  specs: Iterable<ConntrackSpec> | AsyncIterable<ConntrackSpec>,
  tuning: CreateManyOptions = {},
  opts: ConntrackOptions = {},
): Promise<CreateManyResult> {
  const window = tuning.window ?? 16;
  if (!Number.isInteger(window) || window < 1 || window > 65536) {
    throw new RangeError(`Invalid window: "${window}" (must be 1 to 65536)`);
  }
  const own = opts.socket ? undefined : await NetlinkSocket.open(NETLINK_NETFILTER, {
    netns: opts.netns,
    receiveBuffer: tuning.receiveBuffer ?? 4 << 20,
    describe: describeCtnl,
  });
  const sock = opts.socket ?? own!;
  const result: CreateManyResult = { created: 0, failed: [] };
  // Acks come back in request order, so waiting on the oldest keeps the window full.
  const inFlight: Promise<void>[] = [];
  let index = 0;
  try {
    for await (const spec of specs) {
      let msg: Uint8Array;
      try {
        msg = buildCreateConntrack(spec);
      } catch (e) {
        await Promise.all(inFlight);
        throw e;
      }
      const i = index++;
      inFlight.push(
        sock.request(msg).then(
          () => void result.created++,
          (error) => void result.failed.push({ index: i, error }),
        ),
      );
      if (inFlight.length >= window) await inFlight.shift();
    }
    await Promise.all(inFlight);
  } finally {
    own?.close();
  }
  return result;
}
