/**
 * Traffic control: qdiscs, classes, filters and shared actions, with each
 * kind in its own module (qdisc/, filter/, action/), listed as `tc` lists
 * them.
 *
 * @example
 * ```ts ignore
 * import { addQdisc, listQdiscs } from "./mod.ts";
 * await addQdisc({ dev: "eth0", kind: "tbf", handle: "1:", options: { rate: 125000, burst: 10240, latency: 50000 } });
 * console.log(await listQdiscs({ dev: "eth0" }));
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
export { parseProtocol, protocolName } from "./protocol.ts";
export { TCF_T } from "./action/control.ts";
export * from "./events.ts";
