/**
 * qdisc, class and filter objects printed as `tc` prints them: text, or
 * the `tc -j` JSON objects with tc's keys.
 *
 * @module
 */

import { TC_H } from "./constants.ts";
import { protocolName } from "./protocol.ts";
import { formatHandle } from "./handle.ts";
import type { PrintContext } from "./kind.ts";
import type { Filter, Qdisc, TcBase, TcClass } from "./message.ts";
import { filterKind } from "./filter/registry.ts";
import { qdiscKind } from "./qdisc/registry.ts";
import type { TcPrinter } from "./printer.ts";
import { printStats } from "./stats.ts";
import type { BpfProgInfo } from "../../sys/bpf.ts";
import type { TcChain } from "./chain.ts";

/** What a listing shows and how it names devices. */
export interface TcPrintOptions {
  /** `-d` level. */
  details?: number;
  /** `-s` level. */
  stats?: number;
  /** Names a device by index (tc prints the name). */
  linkName: (ifindex: number) => string;
  /** Leave the device out (the listing was for one device, as `tc ... show dev X`). */
  hideDev?: boolean;
  /** Looks up a loaded BPF program by id (tc shows its name and tag; see `bpfProgInfo`); absent: only its id. */
  progInfo?: (id: number) => BpfProgInfo | undefined;
}

function ctxOf(o: TcPrintOptions, handle: number, protocol: number): PrintContext {
  return { details: o.details ?? 0, stats: o.stats ?? 0, linkName: o.linkName, handle, protocol, progInfo: o.progInfo };
}

function dev(p: TcPrinter, t: { ifindex: number }, o: TcPrintOptions): void {
  if (o.hideDev) return;
  p.text("dev ");
  p.str("dev", "%s ", o.linkName(t.ifindex));
}

function statsAndXstats(p: TcPrinter, t: TcBase, o: TcPrintOptions, xprint?: (x: unknown) => void): void {
  if (!o.stats) return;
  if (t.stats) {
    printStats(p, t.stats, " ");
    p.nl();
  }
  if (t.xstats !== undefined && !(t.xstats instanceof Uint8Array) && xprint) {
    xprint(t.xstats);
    p.nl();
  }
}

/** Prints a qdisc as `tc qdisc show` does. */
export function printQdisc(p: TcPrinter, q: Qdisc, o: TcPrintOptions): void {
  const k = qdiscKind(q.kind);
  p.open();
  if (q.deleted) p.bool("deleted", "deleted ", true);
  p.str("kind", "qdisc %s", q.kind);
  p.str("handle", " %s", `${(q.handle >>> 16).toString(16)}:`);
  p.text(" ");
  dev(p, q, o);
  if (q.parent === TC_H.TC_H_ROOT) p.bool("root", "root ", true);
  else if (q.parent) p.str("parent", "parent %s ", formatHandle(q.parent));
  if (q.refcnt !== 1) p.uint("refcnt", "refcnt %s ", q.refcnt);
  if (q.hwOffload) p.bool("offloaded", "offloaded ", true);
  if (q.ingressBlock) p.uint("ingress_block", "ingress_block %s ", q.ingressBlock);
  if (q.egressBlock) p.uint("egress_block", "egress_block %s ", q.egressBlock);
  p.open("options");
  if (q.options !== undefined && k) {
    if (k.qdisc) k.qdisc.print(p, q.options, ctxOf(o, q.handle, 0));
    else if (k.bareText) p.text(k.bareText);
  }
  p.close();
  p.nl();
  statsAndXstats(p, q, o, k?.xstats && ((x) => k.xstats!.print(p, x)));
  p.close();
}

/** Prints a class as `tc class show` does (JSON with the keys of later iproute2 releases). */
export function printClass(p: TcPrinter, c: TcClass, o: TcPrintOptions): void {
  const k = qdiscKind(c.kind);
  p.open();
  if (c.deleted) p.null("deleted", "deleted ");
  p.str("class", "class %s ", c.kind);
  p.str("handle", "%s ", c.handle ? formatHandle(c.handle) : "");
  dev(p, c, o);
  if (c.parent === TC_H.TC_H_ROOT) p.bool("root", "root ", true);
  else p.str("parent", "parent %s ", formatHandle(c.parent));
  if (c.leaf) p.field("any", "leaf", "leaf %s: ", `0x${(c.leaf >>> 16).toString(16)}`, (c.leaf >>> 16).toString(16));
  if (c.options !== undefined && k?.class) k.class.print(p, c.options, ctxOf(o, c.handle, 0));
  p.nl();
  if (o.stats) {
    p.open("stats");
    if (c.stats) {
      printStats(p, c.stats, " ");
      p.text("\n");
    }
    if (c.xstats !== undefined && !(c.xstats instanceof Uint8Array) && k?.xstats) {
      k.xstats.print(p, c.xstats);
      p.text("\n");
    }
    p.close();
  }
  p.close();
}

/**
 * What a filter listing was narrowed to (`tc filter show ... parent P
 * protocol X pref N chain C`): tc leaves out each field equal to it.
 */
export interface FilterListedBy {
  /** The parent listed. */
  parent?: number;
  /** The protocol listed, host order. */
  protocol?: number;
  /** The priority listed. */
  priority?: number;
  /** The chain listed. */
  chain?: number;
}

/** tc's parent words of a filter or chain, left out when the listing was for that parent. */
function parentWords(p: TcPrinter, parent: number, listed: number | undefined): void {
  if (listed === parent) return;
  if (parent === TC_H.TC_H_ROOT) p.bool("root", "root ", true);
  else if (parent === 0xfffffff2) p.bool("ingress", "ingress ", true);
  else if (parent === 0xfffffff3) p.bool("egress", "egress ", true);
  else p.str("parent", "parent %s ", formatHandle(parent));
}

/** Prints a filter as `tc filter show` does; fields equal to `listedBy`'s are left out, as tc does. */
export function printFilter(p: TcPrinter, f: Filter, o: TcPrintOptions & { listedBy?: FilterListedBy }): void {
  const k = filterKind(f.kind);
  p.open();
  if (f.deleted) p.bool("deleted", "deleted ", true);
  p.text("filter ");
  dev(p, f, o);
  const by = o.listedBy;
  parentWords(p, f.parent, by?.parent);
  if (f.protocol && by?.protocol !== f.protocol) p.str("protocol", "protocol %s ", protocolName(f.protocol));
  if (f.priority && by?.priority !== f.priority) p.uint("pref", "pref %s ", f.priority);
  p.str("kind", "%s ", f.kind);
  if (f.chain !== undefined && by?.chain !== f.chain) p.uint("chain", "chain %s ", f.chain);
  if (f.options !== undefined) {
    p.open("options");
    if (k) k.options.print(p, f.options, ctxOf(o, f.handle, f.protocol));
    p.close();
  }
  p.nl();
  if (o.stats && f.stats) {
    printStats(p, f.stats, " ");
    p.nl();
  }
  p.close();
}

/** Prints a chain as `tc chain show` does: its parent and index, and its template's kind and options. */
export function printChain(
  p: TcPrinter,
  c: TcChain,
  o: TcPrintOptions & { listedBy?: { parent?: number; chain?: number } },
): void {
  p.open();
  if (c.deleted) p.bool("deleted", "deleted ", true);
  p.text("chain ");
  dev(p, c, o);
  parentWords(p, c.parent, o.listedBy?.parent);
  if (c.kind) p.str("kind", "%s ", c.kind);
  if (c.chain !== undefined && o.listedBy?.chain !== c.chain) p.uint("chain", "chain %s ", c.chain);
  const k = c.kind ? filterKind(c.kind) : undefined;
  if (c.options !== undefined) {
    p.open("options");
    if (k) k.options.print(p, c.options, ctxOf(o, 0, 0));
    p.close();
  }
  p.nl();
  p.close();
}
