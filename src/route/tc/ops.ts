/**
 * Traffic-control operations: add, change, replace, delete, list (stream)
 * and get qdiscs, classes and filters, by device name or index, in any
 * namespace.
 *
 * @example
 * ```ts ignore
 * import { addClass, addQdisc, listQdiscs } from "./ops.ts";
 * await addQdisc({ dev: "eth0", kind: "htb", handle: "1:", options: { defaultClass: 0x10 } });
 * await addClass({ dev: "eth0", kind: "htb", parent: "1:", classid: "1:10", options: { rate: 125000 } });
 * for (const q of await listQdiscs({ dev: "eth0" })) console.log(q.kind, q.handle);
 * ```
 *
 * @module
 */

import { type Lookup, NetlinkError, notFound, NotFoundError } from "../../errors.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { resolveLinkIndex } from "../link/resolve.ts";
import { DumpStream, type RouteOptions, withRouteSocket } from "../rtnl.ts";
import { RTM_TC } from "./constants.ts";
import { type Filter, parseTcMessage, type Qdisc, type TcClass, tcmsgHeader } from "./message.ts";
import {
  classRequest,
  type ClassSpec,
  filterRequest,
  type FilterSpec,
  type HandleSpec,
  parentOf,
  qdiscRequest,
  type QdiscSpec,
  type TcCommand,
} from "./request.ts";
import { parseProtocol } from "./protocol.ts";
import { openFilterOptions } from "./open.ts";
import { loadSys } from "../../sys/load.ts";
import { ENOENT } from "../../sys/errno.ts";

async function run(
  spec: { dev: string | number },
  opts: RouteOptions,
  build: (ifindex: number) => Uint8Array,
): Promise<void> {
  await withRouteSocket(opts, async (s) => {
    const ifindex = await resolveLinkIndex(spec.dev, { socket: s });
    await s.request(build(ifindex));
  });
}

/** Changes a qdisc: `add` fails if it exists, `change` if it does not, `replace` does either. */
export function modifyQdisc(cmd: TcCommand, spec: QdiscSpec, opts: RouteOptions = {}): Promise<void> {
  return run(spec, opts, (i) => qdiscRequest(cmd, spec, i));
}

/** Adds a qdisc. */
export const addQdisc = (spec: QdiscSpec, opts?: RouteOptions): Promise<void> => modifyQdisc("add", spec, opts);
/** Changes an existing qdisc's options. */
export const changeQdisc = (spec: QdiscSpec, opts?: RouteOptions): Promise<void> => modifyQdisc("change", spec, opts);
/** Adds a qdisc or replaces the one at its place. */
export const replaceQdisc = (spec: QdiscSpec, opts?: RouteOptions): Promise<void> => modifyQdisc("replace", spec, opts);
/** Deletes a qdisc (by parent, and handle if given). */
export const deleteQdisc = (spec: QdiscSpec, opts?: RouteOptions): Promise<void> => modifyQdisc("delete", spec, opts);

/** Changes a class. */
export function modifyClass(cmd: TcCommand, spec: ClassSpec, opts: RouteOptions = {}): Promise<void> {
  return run(spec, opts, (i) => classRequest(cmd, spec, i));
}

/** Adds a class. */
export const addClass = (spec: ClassSpec, opts?: RouteOptions): Promise<void> => modifyClass("add", spec, opts);
/** Changes a class. */
export const changeClass = (spec: ClassSpec, opts?: RouteOptions): Promise<void> => modifyClass("change", spec, opts);
/** Adds or replaces a class. */
export const replaceClass = (spec: ClassSpec, opts?: RouteOptions): Promise<void> => modifyClass("replace", spec, opts);
/** Deletes a class. */
export const deleteClass = (spec: ClassSpec, opts?: RouteOptions): Promise<void> => modifyClass("delete", spec, opts);

/**
 * Changes a filter. What its options name outside the message (a pinned
 * BPF program, its actions' too) is opened first and closed once the
 * kernel answered.
 */
export async function modifyFilter(cmd: TcCommand, spec: FilterSpec, opts: RouteOptions = {}): Promise<void> {
  if (spec.options === undefined) return await run(spec, opts, (i) => filterRequest(cmd, spec, i));
  const opened = openFilterOptions(spec.kind, spec.options, await loadSys());
  try {
    await run(spec, opts, (i) => filterRequest(cmd, { ...spec, options: opened.options }, i));
  } finally {
    opened.close();
  }
}

/** Adds a filter. */
export const addFilter = (spec: FilterSpec, opts?: RouteOptions): Promise<void> => modifyFilter("add", spec, opts);
/** Changes a filter. */
export const changeFilter = (spec: FilterSpec, opts?: RouteOptions): Promise<void> =>
  modifyFilter("change", spec, opts);
/** Adds or replaces a filter. */
export const replaceFilter = (spec: FilterSpec, opts?: RouteOptions): Promise<void> =>
  modifyFilter("replace", spec, opts);
/** Deletes a filter (all of a priority when no handle is given). */
export const deleteFilter = (spec: FilterSpec, opts?: RouteOptions): Promise<void> =>
  modifyFilter("delete", spec, opts);

/** Which qdiscs to list. */
export interface QdiscFilter {
  /** Only this device's. */
  dev?: string | number;
  /** Only the one with this handle. */
  handle?: HandleSpec;
  /** Only those under this parent (`root`, `ingress`, a class id). */
  parent?: HandleSpec;
  /** Include the default qdiscs the kernel hides (`TCA_DUMP_INVISIBLE`, as `tc qdisc show invisible`). */
  invisible?: boolean;
}

function dumpHeader(type: number, ifindex: number, parent = 0, info = 0): MessageBuilder {
  return tcmsgHeader(new MessageBuilder(type, 0), { ifindex, parent, info });
}

/** Streams qdiscs (the kernel dumps every device's; the device, handle and parent are kept here). */
export function streamQdiscs(filter: QdiscFilter = {}, opts: RouteOptions = {}): DumpStream<Qdisc> {
  return new DumpStream(opts, async (s) => {
    const ifindex = filter.dev === undefined ? 0 : await resolveLinkIndex(filter.dev, { socket: s });
    const handle = filter.handle === undefined ? undefined : parentOf(filter.handle, 0);
    const parent = filter.parent === undefined ? undefined : parentOf(filter.parent, 0);
    const b = dumpHeader(RTM_TC.RTM_GETQDISC, ifindex);
    if (filter.invisible) b.attr(10, () => {});
    return {
      request: b.finish(),
      parse: (m) => parseTcMessage(m, "qdisc"),
      keep: (q) =>
        (!ifindex || q.ifindex === ifindex) && (handle === undefined || q.handle === handle) &&
        (parent === undefined || q.parent === parent),
    };
  });
}

/** Lists qdiscs. */
export async function listQdiscs(filter: QdiscFilter = {}, opts: RouteOptions = {}): Promise<Qdisc[]> {
  return await Array.fromAsync(streamQdiscs(filter, opts));
}

/** Which classes to list: a device's, optionally one qdisc's or one class. */
export interface ClassFilter {
  /** The device (required: the kernel dumps classes per device). */
  dev: string | number;
  /** Only classes of this qdisc (`1:`). */
  qdisc?: HandleSpec;
  /** Only this class. */
  classid?: HandleSpec;
  /** Only children of this parent. */
  parent?: HandleSpec;
}

/** Streams the classes of a device. */
export function streamClasses(filter: ClassFilter, opts: RouteOptions = {}): DumpStream<TcClass> {
  return new DumpStream(opts, async (s) => {
    const ifindex = await resolveLinkIndex(filter.dev, { socket: s });
    const qdisc = filter.qdisc === undefined ? undefined : parentOf(filter.qdisc, 0) >>> 16;
    const classid = filter.classid === undefined ? undefined : parentOf(filter.classid, 0);
    const parent = filter.parent === undefined ? undefined : parentOf(filter.parent, 0);
    return {
      request: dumpHeader(RTM_TC.RTM_GETTCLASS, ifindex, parent ?? 0).finish(),
      parse: (m) => parseTcMessage(m, "class"),
      keep: (c) =>
        (qdisc === undefined || c.handle >>> 16 === qdisc) && (classid === undefined || c.handle === classid) &&
        (parent === undefined || c.parent === parent),
    };
  });
}

/** Lists the classes of a device. */
export async function listClasses(filter: ClassFilter, opts: RouteOptions = {}): Promise<TcClass[]> {
  return await Array.fromAsync(streamClasses(filter, opts));
}

/** Which filters to list: those under one parent of a device. */
export interface FilterFilter {
  /** The device. */
  dev: string | number;
  /** The qdisc or class they attach to (default: the device's root qdisc; `ingress`/`egress` for clsact). */
  parent?: HandleSpec;
  /** Only this priority. */
  priority?: number;
  /** Only this protocol. */
  protocol?: string | number;
  /** Only this chain. */
  chain?: number;
}

/** Streams the filters under one parent. */
export function streamFilters(filter: FilterFilter, opts: RouteOptions = {}): DumpStream<Filter> {
  return new DumpStream(opts, async (s) => {
    const ifindex = await resolveLinkIndex(filter.dev, { socket: s });
    const proto = filter.protocol === undefined ? 0 : parseProtocol(filter.protocol);
    const prio = filter.priority ?? 0;
    const b = dumpHeader(
      RTM_TC.RTM_GETTFILTER,
      ifindex,
      parentOf(filter.parent, 0), // 0: the kernel lists the root qdisc's filters, as tc asks
      ((prio << 16) | ((proto & 0xff) << 8) | (proto >>> 8)) >>> 0,
    );
    if (filter.chain !== undefined) b.u(11, "u32", filter.chain);
    return {
      request: b.finish(),
      parse: (m) => parseTcMessage(m, "filter"),
      keep: (f) =>
        (!prio || f.priority === prio) && (!proto || f.protocol === proto) &&
        (filter.chain === undefined || f.chain === filter.chain),
    };
  });
}

/** Lists the filters under one parent. */
export async function listFilters(filter: FilterFilter, opts: RouteOptions = {}): Promise<Filter[]> {
  return await Array.fromAsync(streamFilters(filter, opts));
}

/** Fetches one filter by device, parent, priority, protocol and handle (`tc filter get`). */
export async function getFilter(spec: FilterSpec, opts: RouteOptions = {}): Promise<Filter> {
  return await withRouteSocket(opts, async (s) => {
    const ifindex = await resolveLinkIndex(spec.dev, { socket: s });
    const req = filterRequest("delete", spec, ifindex); // a delete's header and attributes, sent as a GET
    new DataView(req.buffer).setUint16(4, RTM_TC.RTM_GETTFILTER, true);
    const lookup = { kind: "tc filter", key: spec.dev };
    const [f] = await s.request(req, (m) => parseTcMessage(m, "filter")).catch((e: unknown) => {
      throw missingChain(e, lookup) ?? e;
    });
    if (!f) throw notFound(lookup, "RTM_GETTFILTER", `No such filter on "${spec.dev}"`);
    return f;
  });
}

/**
 * The kernel answers a GET on a chain or parent without filters with
 * EINVAL ("Cannot find specified filter chain"): that is a filter not
 * found (`ENOENT`), kept with the kernel's message.
 */
function missingChain(e: unknown, lookup: Lookup): NotFoundError | undefined {
  if (!(e instanceof NetlinkError) || e.code !== "EINVAL" || !e.kernelMessage) return undefined;
  if (!/filter chain|Parent Qdisc doesn't exist/i.test(e.kernelMessage)) return undefined;
  const ext = { message: e.kernelMessage, offset: e.offset };
  return new NotFoundError(ENOENT, ext, e.requestType, e.operation, e.request, undefined, lookup);
}

/** Fetches one qdisc by device and handle. */
export async function getQdisc(dev: string | number, handle: HandleSpec, opts: RouteOptions = {}): Promise<Qdisc> {
  const [q] = await listQdiscs({ dev, handle }, opts);
  if (!q) {
    throw notFound({ kind: "tc qdisc", key: String(handle) }, "RTM_GETQDISC", `No qdisc ${String(handle)} on "${dev}"`);
  }
  return q;
}

/** Fetches one class by device and class id. */
export async function getClass(dev: string | number, classid: HandleSpec, opts: RouteOptions = {}): Promise<TcClass> {
  const [c] = await listClasses({ dev, classid }, opts);
  if (!c) {
    throw notFound(
      { kind: "tc class", key: String(classid) },
      "RTM_GETTCLASS",
      `No class ${String(classid)} on "${dev}"`,
    );
  }
  return c;
}
