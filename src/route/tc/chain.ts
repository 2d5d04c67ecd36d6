/**
 * Filter chains (`tc chain`): the numbered chains of a qdisc's filter
 * block, added, deleted, fetched and listed on their own, optionally with
 * a template filter kind (the kernel takes templates only from classifiers
 * that support them, such as flower). Chains travel as filter messages of
 * their own types (`RTM_NEWCHAIN`...), so requests and parsing are the
 * filter code's.
 *
 * @example
 * ```ts ignore
 * import { addTcChain, listTcChains } from "./chain.ts";
 * await addTcChain({ dev: "eth0", parent: "ingress", chain: 5 }, { netns: "lab" });
 * for (const c of await listTcChains({ dev: "eth0", parent: "ingress" }, { netns: "lab" })) console.log(c.chain);
 * ```
 *
 * @module
 */

import { InvalidArgumentError, NotFoundError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { NetlinkError } from "../../wire/netlink_error.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { DumpStream, type RouteOptions, withRouteSocket } from "../rtnl.ts";
import { RTM_TC } from "./constants.ts";
import { type Filter, parseTcMessage, TCA_ATTRS, tcmsgHeader } from "./message.ts";
import { type HandleSpec, kindOptions, parentOf } from "./request.ts";
import { filterKind } from "./filter/registry.ts";
import { NLM_F_CREATE, NLM_F_EXCL } from "../../wire/constants.ts";
import { MessageBuilder } from "../../wire/builder.ts";

/** One chain to add, delete or fetch. */
export interface TcChainSpec {
  /** The device, by name or index. */
  dev: string | number;
  /** The qdisc whose block holds the chain (`ingress`, `egress`, a handle); the device's root qdisc by default. */
  parent?: HandleSpec;
  /** The chain index; the kernel takes chain 0 when it is left out, as tc leaves it out. */
  chain?: number;
  /** Template filter kind (add only; the kernel refuses kinds without template support). */
  kind?: string;
  /** The template's options, as the kind's filter options. */
  options?: unknown;
}

/** A chain as the kernel lists it. */
export interface TcChain {
  /** The device's index. */
  ifindex: number;
  /** The qdisc that holds the chain (the kernel reports the qdisc's handle). */
  parent: number;
  /** The chain index. */
  chain?: number;
  /** The template filter kind, when the chain has one. */
  kind?: string;
  /** The template's options. */
  options?: unknown;
  /** Set on a deletion event. */
  deleted?: boolean;
}

/** Which chains to list: those of one qdisc's block. */
export interface TcChainFilter {
  /** The device, by name or index. */
  dev: string | number;
  /** The qdisc (`ingress`, `egress`, a handle); the device's root qdisc by default. */
  parent?: HandleSpec;
  /** Only this chain. */
  chain?: number;
}

const TYPES = { add: RTM_TC.RTM_NEWCHAIN, delete: RTM_TC.RTM_DELCHAIN, get: RTM_TC.RTM_GETCHAIN } as const;

function checkChain(chain: unknown): number {
  if (!Number.isInteger(chain) || (chain as number) < 0 || (chain as number) > 0xffffffff) {
    throw new InvalidArgumentError(`Cannot use chain ${JSON.stringify(chain)}: expected an integer 0 to 4294967295`);
  }
  return chain as number;
}

/** Builds `tc chain add|del|get`'s request for device `ifindex`, as tc sends it (no protocol, priority or handle). */
export function tcChainRequest(cmd: "add" | "delete" | "get", spec: TcChainSpec, ifindex: number): Uint8Array {
  checkKeys(spec, ["dev", "parent", "chain", "kind", "options"], "chain spec");
  if (spec.chain !== undefined) checkChain(spec.chain);
  if (cmd !== "add" && (spec.kind !== undefined || spec.options !== undefined)) {
    throw new InvalidArgumentError(`Cannot give a template to a chain ${cmd}: only add takes one`, "kind");
  }
  const k = spec.kind === undefined ? undefined : filterKind(spec.kind);
  if (spec.kind !== undefined && !k) throw new InvalidArgumentError(`Unknown filter kind: "${spec.kind}"`, "kind");
  if (spec.options !== undefined && !k) throw new InvalidArgumentError("Cannot give template options without a kind");
  const flags = cmd === "add" ? NLM_F_CREATE | NLM_F_EXCL : 0;
  // tc leaves the parent unset (0) unless told: the device's root qdisc.
  const b = tcmsgHeader(new MessageBuilder(TYPES[cmd], flags), { ifindex, parent: parentOf(spec.parent, 0) });
  const options = kindOptions(k?.options, spec.options, `chain template ${spec.kind}`);
  return b.attrs(TCA_ATTRS, { kind: spec.kind, chain: spec.chain, options }).finish();
}

function chainOf(f: Filter): TcChain {
  const c: TcChain = { ifindex: f.ifindex, parent: f.parent };
  if (f.chain !== undefined) c.chain = f.chain;
  if (f.kind) c.kind = f.kind;
  if (f.options !== undefined) c.options = f.options;
  if (f.deleted) c.deleted = true;
  return c;
}

/** Parses one `RTM_NEWCHAIN`/`RTM_DELCHAIN` message. */
export function parseTcChainMessage(m: Parameters<typeof parseTcMessage>[0]): TcChain {
  return chainOf(parseTcMessage(m, "filter"));
}

async function run(cmd: "add" | "delete", spec: TcChainSpec, opts: RouteOptions): Promise<void> {
  await withRouteSocket(opts, async (s) => {
    await s.request(tcChainRequest(cmd, spec, await resolveLinkIndex(spec.dev, { socket: s })));
  });
}

/** Adds a chain (`tc chain add`); fails with `EEXIST` when it exists. */
export async function addTcChain(spec: TcChainSpec, opts: RouteOptions = {}): Promise<void> {
  await run("add", spec, opts);
}

/** Deletes a chain and every filter in it (`tc chain del`). */
export async function deleteTcChain(spec: TcChainSpec, opts: RouteOptions = {}): Promise<void> {
  await run("delete", spec, opts);
}

/**
 * Fetches one chain (`tc chain get`). A chain that does not exist is a
 * `NotFoundError` with the kernel's message.
 */
export async function getTcChain(spec: TcChainSpec, opts: RouteOptions = {}): Promise<TcChain> {
  return await withRouteSocket(opts, async (s) => {
    const req = tcChainRequest("get", spec, await resolveLinkIndex(spec.dev, { socket: s }));
    const lookup = { kind: "tc chain", key: String(spec.chain) };
    const [c] = await s.request(req, parseTcChainMessage).catch((e: unknown) => {
      // The kernel answers EINVAL "Cannot find specified filter chain": not found, with its words.
      if (!(e instanceof NetlinkError) || e.code !== "EINVAL" || !/filter chain/i.test(e.kernelMessage ?? "")) throw e;
      throw new NotFoundError(
        2,
        { message: e.kernelMessage, offset: e.offset },
        e.requestType,
        e.operation,
        e.request,
        undefined,
        lookup,
      );
    });
    if (!c) {
      throw new NotFoundError(2, {}, RTM_TC.RTM_GETCHAIN, "RTM_GETCHAIN", undefined, `No chain ${spec.chain}`, lookup);
    }
    return c;
  });
}

/** Streams the chains of one qdisc's block (`tc chain show`). */
export function streamTcChains(filter: TcChainFilter, opts: RouteOptions = {}): DumpStream<TcChain> {
  checkKeys(filter, ["dev", "parent", "chain"], "chain filter");
  if (filter.chain !== undefined) checkChain(filter.chain);
  return new DumpStream(opts, async (s) => {
    const ifindex = await resolveLinkIndex(filter.dev, { socket: s });
    const b = tcmsgHeader(new MessageBuilder(RTM_TC.RTM_GETCHAIN, 0), { ifindex, parent: parentOf(filter.parent, 0) });
    // The kernel dumps only the chain named by TCA_CHAIN, as tc asks; it is tested here too.
    if (filter.chain !== undefined) b.attrs(TCA_ATTRS, { chain: filter.chain });
    return {
      request: b.finish(),
      parse: parseTcChainMessage,
      keep: (c) => filter.chain === undefined || c.chain === filter.chain,
    };
  });
}

/** Lists the chains of one qdisc's block. */
export async function listTcChains(filter: TcChainFilter, opts: RouteOptions = {}): Promise<TcChain[]> {
  return await Array.fromAsync(streamTcChains(filter, opts));
}
