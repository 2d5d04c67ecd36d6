/**
 * Requests for qdiscs, classes and filters, built from specs whose device
 * is already an index: pure functions, so the byte vectors `tc` sends can
 * be compared with ours.
 *
 * @module
 */

import { MessageBuilder } from "../../wire/builder.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { RTM_TC, TC_H } from "./constants.ts";
import { parseHandle, parseQdiscHandle } from "./handle.ts";
import type { OptionsCodec } from "./kind.ts";
import { TCA_ATTRS, tcmsgHeader } from "./message.ts";
import { filterKind } from "./filter/registry.ts";
import { qdiscKind, qdiscKinds } from "./qdisc/registry.ts";
import { parseProtocol } from "./protocol.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";

const QDISC_KEYS = ["dev", "kind", "parent", "handle", "options", "estimator"];
const CLASS_KEYS = ["dev", "kind", "parent", "classid", "options"];
const FILTER_KEYS = ["dev", "kind", "parent", "priority", "protocol", "handle", "chain", "options"];

/** What a change does: create only, change only, create or replace, or delete. */
export type TcCommand = "add" | "change" | "replace" | "delete";

const FLAGS: Record<TcCommand, number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  change: 0,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  delete: 0,
};

/** A handle or parent: a number, or tc's text (`1:`, `1:10`, `root`). */
export type HandleSpec = number | string;

/** A qdisc to add, change, replace or delete. */
export interface QdiscSpec {
  /** Device name or index. */
  dev: string | number;
  /** The kind (`htb`, `tbf`, ...); optional for delete. */
  kind?: string;
  /** Where it attaches: `root` (default), `ingress`, `clsact`, or a class id. */
  parent?: HandleSpec;
  /** Its handle (`1:`); the kernel picks one when absent. */
  handle?: HandleSpec;
  /** The kind's options (see each qdisc module). */
  options?: unknown;
  /** A rate estimator (`estimator INTERVAL EWMA`). */
  estimator?: { interval: number; ewmaLog: number };
}

/** A class to add, change, replace or delete. */
export interface ClassSpec {
  /** Device name or index. */
  dev: string | number;
  /** The qdisc kind (`htb`); optional for delete. */
  kind?: string;
  /** Parent class or qdisc (`1:`, `1:1`). */
  parent?: HandleSpec;
  /** The class id (`1:10`). */
  classid?: HandleSpec;
  /** The kind's class options. */
  options?: unknown;
}

/** A filter to add, change, replace or delete. */
export interface FilterSpec {
  /** Device name or index. */
  dev: string | number;
  /** The classifier (`u32`, `bpf`); optional for delete. */
  kind?: string;
  /**
   * Qdisc or class it attaches to: a handle, `ingress` or `egress`; by
   * default the device's root qdisc, whatever its handle (parent 0, as tc
   * sends it). `root` is `TC_H_ROOT`, which the kernel finds no qdisc for.
   */
  parent?: HandleSpec;
  /** Priority (`pref`); the kernel picks one when absent. */
  priority?: number;
  /** Protocol (`ip`, `ipv6`, `all` or a number); `all` when adding. */
  protocol?: string | number;
  /** The filter handle (kind notation as text, or a number). */
  handle?: HandleSpec;
  /** Filter chain. */
  chain?: number;
  /** The kind's options. */
  options?: unknown;
}

/** Parses a parent word: `root`, `ingress`, `egress`, `clsact` or a handle. */
export function parentOf(p: HandleSpec | undefined, fallback: number): number {
  if (p === undefined) return fallback;
  if (typeof p === "number") return p >>> 0;
  if (p === "ingress") return 0xfffffff2;
  if (p === "egress") return 0xfffffff3;
  if (p === "clsact") return TC_H.TC_H_CLSACT;
  return parseHandle(p);
}

/** A kind's options as `TCA_OPTIONS`' payload, checked against its codec; undefined when they write nothing. */
export function kindOptions(
  codec: OptionsCodec<unknown> | undefined,
  value: unknown,
  what: string,
): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (!codec) throw new InvalidArgumentError(`Cannot give options to ${what}: it takes none`, "options");
  if (value instanceof Uint8Array) throw new InvalidArgumentError(`Cannot send raw options of ${what}`, "options");
  checkKeys(value, codec.keys, `${what} options`);
  // Built apart first: tc sends no TCA_OPTIONS at all when a kind writes nothing.
  const inner = new MessageBuilder(0, 0);
  codec.build(inner, value);
  const bytes = inner.finish().subarray(16);
  return bytes.length ? bytes : undefined;
}

function checkKind(kind: string | undefined, cmd: TcCommand, what: string): string | undefined {
  if (kind === undefined && cmd !== "delete") throw new InvalidArgumentError(`Missing ${what} kind`);
  return kind;
}

/** Builds a qdisc request for device `ifindex`. */
export function qdiscRequest(cmd: TcCommand, spec: QdiscSpec, ifindex: number): Uint8Array {
  checkKeys(spec, QDISC_KEYS, "qdisc spec");
  const kind = checkKind(spec.kind, cmd, "qdisc");
  const k = kind === undefined ? undefined : qdiscKind(kind);
  if (kind !== undefined && !k) {
    throw new InvalidArgumentError(`Unknown qdisc kind: "${kind}" (known: ${qdiscKinds().join(", ")})`);
  }
  let parent = parentOf(spec.parent, TC_H.TC_H_ROOT);
  let handle = spec.handle === undefined
    ? 0
    : typeof spec.handle === "number"
    ? spec.handle
    : parseQdiscHandle(spec.handle);
  if (spec.parent === "ingress" || spec.parent === "clsact" || kind === "ingress" || kind === "clsact") {
    parent = TC_H.TC_H_INGRESS;
    handle = 0xffff0000;
  }
  const type = cmd === "delete" ? RTM_TC.RTM_DELQDISC : RTM_TC.RTM_NEWQDISC;
  const b = tcmsgHeader(new MessageBuilder(type, FLAGS[cmd]), { ifindex, handle, parent });
  const opts = kindOptions(k?.qdisc, spec.options, `qdisc ${kind}`);
  return b.attrs(TCA_ATTRS, { kind, rate: spec.estimator, options: opts }).finish();
}

/** Builds a class request for device `ifindex`. */
export function classRequest(cmd: TcCommand, spec: ClassSpec, ifindex: number): Uint8Array {
  checkKeys(spec, CLASS_KEYS, "class spec");
  const kind = checkKind(spec.kind, cmd, "class");
  const k = kind === undefined ? undefined : qdiscKind(kind);
  if (kind !== undefined && !k?.class) {
    throw new InvalidArgumentError(`Unknown class kind: "${kind}" (a classful qdisc such as htb)`);
  }
  const type = cmd === "delete" ? RTM_TC.RTM_DELTCLASS : RTM_TC.RTM_NEWTCLASS;
  const handle = spec.classid === undefined ? 0 : parentOf(spec.classid, 0);
  const b = tcmsgHeader(new MessageBuilder(type, FLAGS[cmd]), { ifindex, handle, parent: parentOf(spec.parent, 0) });
  return b.attrs(TCA_ATTRS, { kind, options: kindOptions(k?.class, spec.options, `class ${kind}`) }).finish();
}

/** Builds a filter request for device `ifindex`. */
export function filterRequest(cmd: TcCommand, spec: FilterSpec, ifindex: number): Uint8Array {
  checkKeys(spec, FILTER_KEYS, "filter spec");
  const kind = checkKind(spec.kind, cmd, "filter");
  const k = kind === undefined ? undefined : filterKind(kind);
  if (kind !== undefined && !k) throw new InvalidArgumentError(`Unknown filter kind: "${kind}"`);
  const proto = spec.protocol === undefined ? (cmd === "add" ? 3 : 0) : parseProtocol(spec.protocol);
  const prio = spec.priority ?? 0;
  if (!Number.isInteger(prio) || prio < 0 || prio > 0xffff) {
    throw new InvalidArgumentError(`Invalid filter priority: ${prio} (0 to 65535)`);
  }
  let handle = spec.handle === undefined
    ? 0
    : typeof spec.handle === "number"
    ? spec.handle
    : k?.parseHandle
    ? k.parseHandle(spec.handle)
    : parseNumber(spec.handle);
  if (k?.finalHandle && spec.options !== undefined) handle = k.finalHandle(spec.options, handle);
  const info = ((prio << 16) | ((proto & 0xff) << 8) | (proto >>> 8)) >>> 0;
  const type = cmd === "delete" ? RTM_TC.RTM_DELTFILTER : RTM_TC.RTM_NEWTFILTER;
  const b = tcmsgHeader(new MessageBuilder(type, FLAGS[cmd]), {
    ifindex,
    handle,
    parent: parentOf(spec.parent, 0),
    info,
  });
  const opts = kindOptions(k?.options, spec.options, `filter ${kind}`);
  return b.attrs(TCA_ATTRS, { kind, chain: spec.chain, options: opts }).finish();
}

function parseNumber(text: string): number {
  const n = /^(0x[0-9a-f]{1,8}|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) {
    throw new InvalidArgumentError(`Invalid filter handle: "${text}" (expected a number)`);
  }
  return n;
}
