/**
 * Traffic control: qdiscs, classes, filters, filter chains and shared actions, with each
 * kind in its own module (qdisc/, filter/, action/), listed as `tc` lists
 * them.
 *
 * @example Shape a link with a token bucket and read the settings back
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNetns, deleteNetns } from "@nlkit/netlink/netns";
 * import { createLink } from "@nlkit/netlink/route";
 * import { addQdisc, deleteQdisc, listQdiscs } from "@nlkit/netlink/tc";
 *
 * const netns = `doc-${crypto.randomUUID().slice(0, 8)}`;
 * await createNetns(netns);
 * try {
 *   await createLink({ name: "d0", kind: "veth", peer: { name: "d1" } }, { netns });
 *   const tbf = { rate: 125000, burst: 10240, latency: 50000 }; // 1 Mbit/s
 *   await addQdisc({ dev: "d0", kind: "tbf", handle: "1:", options: tbf }, { netns });
 *   const [q] = await listQdiscs({ dev: "d0" }, { netns });
 *   assert.equal(q.kind, "tbf");
 *   await deleteQdisc({ dev: "d0", handle: "1:" }, { netns });
 *   assert.notEqual((await listQdiscs({ dev: "d0" }, { netns }))[0]?.kind, "tbf");
 * } finally {
 *   await deleteNetns(netns);
 * }
 * ```
 *
 * @module
 */

export * from "./constants.ts";
export * from "./handle.ts";
export * from "./units.ts";
export * from "./message.ts";
export * from "./stats.ts";
export * from "./printer.ts";
export * from "./print.ts";
export * from "./request.ts";
export * from "./ops.ts";
export * from "./actions.ts";
export type { TcAction } from "./action/list.ts";
export type { HtbClassOptions, HtbOptions, HtbXstats } from "./qdisc/htb.ts";
export type { TbfOptions } from "./qdisc/tbf.ts";
export type { FifoOptions } from "./qdisc/fifo.ts";
export type { PrioOptions } from "./qdisc/prio.ts";
export type { U32Options } from "./filter/u32.ts";
export type { U32Key, U32Selector } from "./filter/u32_keys.ts";
export type { BpfOptions } from "./filter/bpf.ts";
export type { BpfInsn, BpfProgram } from "./bpf_prog.ts";
export type { BpfProgInfo } from "../../sys/bpf.ts";
export type { MirredOptions } from "./action/mirred.ts";
export type { GactOptions } from "./action/gact.ts";
export type { ActionParms } from "./action/control.ts";
export type {
  ActionKind,
  FilterKind,
  OpenedOptions,
  OptionsCodec,
  PrintContext,
  QdiscKind,
  WordsContext,
  XstatsCodec,
} from "./kind.ts";
export { TcWords } from "./words.ts";
export { WordCursor } from "../../words.ts";
export { parseProtocol, protocolName } from "./protocol.ts";
export { TCF_T } from "./action/control.ts";
export * from "./events.ts";
export * from "./chain.ts";
