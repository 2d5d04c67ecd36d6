/**
 * `nlkit ct`: conntrack-tools' commands, flags, output lines and exit codes
 * (0 ok, 1 error, 2 bad parameters), on the conntrack family of nlkit. The
 * "N flow entries have been shown." summary goes to stderr, worded as
 * conntrack words it. With `-j`, listings are one streamed JSON array and
 * events one JSON object per line.
 *
 * @module
 */

import { type Args, escapeControls } from "./args.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { type CtArgs, parseCtArgs } from "./ct_args.ts";
import { createExpectCommand, deleteExpectCommand, getExpectCommand } from "./ct_expect.ts";
import { labelBitsOf, loadConnlabel } from "./ct_labels.ts";
import { isBrokenPipe, isUsageError } from "./errors.ts";
import { OBJECT_HELP } from "./help.ts";
import { JsonArrayWriter, writeNdjson } from "./output.ts";
import { VERSION } from "./version.ts";
import type { ConntrackEntry } from "../netfilter/conntrack/entry.ts";
import {
  compileConntrackFilter,
  type ConntrackFilter,
  type ConntrackTupleFilter,
} from "../netfilter/conntrack/filter.ts";
import { type ConntrackOutput, conntrackToJson, formatConntrack } from "../netfilter/conntrack/format.ts";
import { expectToJson, formatExpect } from "../netfilter/conntrack/expect.ts";
import { flushExpect, listExpect } from "../netfilter/conntrack/expect_ops.ts";
import {
  createConntrack,
  deleteConntrackByFilter,
  entryKey,
  flushConntrack,
  getConntrack,
  listConntrack,
  updateConntrack,
} from "../netfilter/conntrack/ops.ts";
import type { ConntrackSpec, ConntrackTupleSpec } from "../netfilter/conntrack/spec.ts";
import {
  conntrackCount,
  conntrackCpuStats,
  cpuStatsToJson,
  expectCpuStats,
  expectCpuStatsToJson,
  formatCpuStats,
  formatExpectCpuStats,
} from "../netfilter/conntrack/stats.ts";
import { subscribeConntrack } from "../netfilter/conntrack/events.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { errnoText } from "../wire/errno.ts";

/** Exit codes of conntrack. */
const OK = 0, FAIL = 1, PARAM = 2;

/** The summary prefix: conntrack's format with nlkit's name, so `grep "flow entries"` keeps working. */
export const CT_PREFIX = `nlkit v${VERSION} (conntrack)`;

function say(ctx: Context, msg: string): void {
  ctx.err.line(`${CT_PREFIX}: ${escapeControls(msg)}`);
}

function tupleFilter(src?: string, dst?: string, sport?: number, dport?: number): ConntrackTupleFilter | undefined {
  const t: ConntrackTupleFilter = {};
  if (src !== undefined) t.src = src;
  if (dst !== undefined) t.dst = dst;
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  return Object.keys(t).length ? t : undefined;
}

let labelNames: Map<number, string> | undefined;
let labelRecord: Record<number, string> | undefined;

/** Label bits from names (connlabel.conf, read once) or numbers. */
function labelNumbers(labels: string[]): number[] {
  return labelBitsOf(labels, labelNames ??= loadConnlabel());
}

/** `-o timestamp` on events: conntrack's `[sec.usec]\t` prefix with the time of printing. */
function eventStamp(a: CtArgs): string {
  if (!a.output.includes("timestamp")) return "";
  const now = Date.now();
  return `[${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, "0")}]\t`;
}

/** The entry filter of a listing, deletion or update (`set` fields excluded for -U/-I). */
function filterOf(a: CtArgs, withValues: boolean): ConntrackFilter {
  const f: ConntrackFilter = {};
  if (a.family) f.family = a.family;
  if (a.proto !== undefined) f.proto = /^\d+$/.test(a.proto) ? Number(a.proto) : a.proto;
  const orig = tupleFilter(a.origSrc, a.origDst, a.sport, a.dport);
  const reply = tupleFilter(a.replySrc, a.replyDst, a.replySport, a.replyDport);
  if (orig) f.orig = orig;
  if (reply) f.reply = reply;
  if (a.zone !== undefined) f.zone = a.zone;
  if (withValues) {
    if (a.mark) f.mark = a.mark.mask === undefined ? a.mark.value : { value: a.mark.value, mask: a.mark.mask };
    if (a.status) f.status = a.status;
    if (a.label) f.labels = labelNumbers(a.label);
    if (a.state) f.tcpState = a.state;
  }
  return f;
}

function tupleSpec(a: CtArgs, dir: "orig" | "reply"): ConntrackTupleSpec | undefined {
  const [src, dst, sport, dport] = dir === "orig"
    ? [a.origSrc, a.origDst, a.sport, a.dport]
    : [a.replySrc, a.replyDst, a.replySport, a.replyDport];
  if (src === undefined && dst === undefined) return undefined;
  const t: ConntrackTupleSpec = { src: src ?? "", dst: dst ?? "" };
  if (sport !== undefined) t.sport = sport;
  if (dport !== undefined) t.dport = dport;
  if (dir === "orig") {
    if (a.icmpType !== undefined) t.icmpType = a.icmpType;
    if (a.icmpCode !== undefined) t.icmpCode = a.icmpCode;
    if (a.icmpId !== undefined) t.icmpId = a.icmpId;
  }
  return t;
}

function nat(v: string | true | undefined): { ip: string } | undefined {
  return typeof v === "string" ? { ip: v } : undefined;
}

/** The attributes `-I` creates and `-U` sets. */
function valuesOf(a: CtArgs, spec: ConntrackSpec): ConntrackSpec {
  if (a.timeout !== undefined) spec.timeout = a.timeout;
  if (a.mark) {
    spec.mark = a.mark.value;
    if (a.mark.mask !== undefined) spec.markMask = a.mark.mask;
  }
  if (a.status) spec.status = a.status;
  if (a.state) spec.tcpState = a.state;
  if (a.labelAdd) spec.labels = labelNumbers(a.labelAdd);
  if (a.label && a.command === "create") spec.labels = labelNumbers(a.label);
  if (a.labelDel) {
    spec.labels = [];
    spec.labelsMask = a.labelDel.length ? labelNumbers(a.labelDel) : Array.from({ length: 128 }, (_, i) => i);
  }
  const ns = nat(a.srcNat), nd = nat(a.dstNat);
  if (ns) spec.natSrc = ns;
  if (nd) spec.natDst = nd;
  return spec;
}

function output(a: CtArgs): ConntrackOutput[] {
  return a.output.filter((o): o is ConntrackOutput => ["extended", "id", "timestamp", "labels"].includes(o));
}

function printEntry(ctx: Context, a: CtArgs, e: ConntrackEntry, json: JsonArrayWriter | undefined): void {
  if (json) return json.item(conntrackToJson(e));
  labelRecord ??= Object.fromEntries(labelNames ??= loadConnlabel());
  ctx.out.line(formatConntrack(e, { output: output(a), labelNames: labelRecord }));
}

async function list(ctx: Context, a: CtArgs): Promise<number> {
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  let n = 0;
  if (a.table === "expect") {
    for await (const x of listExpect({ family: a.family }, ctx.lib)) {
      if (json) json.item(expectToJson(x));
      else ctx.out.line(formatExpect(x));
      n++;
    }
    json?.end();
    ctx.out.flush();
    say(ctx, `${n} expectations have been shown.`);
    return OK;
  }
  const family = a.family ?? "both";
  // conntrack ignores -z on the dying and unconfirmed lists, which have no counter-zeroing dump.
  const zero = a.zero && a.table === "conntrack";
  for await (const e of listConntrack({ table: a.table, family, zero, filter: filterOf(a, true) }, ctx.lib)) {
    printEntry(ctx, a, e, json);
    n++;
  }
  json?.end();
  ctx.out.flush();
  say(ctx, `${n} flow entries have been shown.`);
  return OK;
}

async function get(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await getExpectCommand(ctx, a, CT_PREFIX);
  const orig = tupleSpec(a, "orig"), reply = tupleSpec(a, "reply");
  if ((!orig && !reply) || a.proto === undefined) {
    throw new RangeError(`Missing tuple for "-G" (need -p and -s/-d or -r/-q)`);
  }
  const e = await getConntrack({ proto: a.proto, orig, reply: orig ? undefined : reply, zone: a.zone }, ctx.lib);
  if (!e) {
    say(ctx, "Operation failed: such conntrack doesn't exist");
    return FAIL;
  }
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  printEntry(ctx, a, e, json);
  json?.end();
  ctx.out.flush();
  say(ctx, "1 flow entries have been shown.");
  return OK;
}

async function create(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await createExpectCommand(ctx, a);
  if (a.proto === undefined) throw new RangeError(`Missing "-p" for "-I"`);
  const orig = tupleSpec(a, "orig");
  const reply = tupleSpec(a, "reply");
  const spec: ConntrackSpec = { proto: /^\d+$/.test(a.proto) ? Number(a.proto) : a.proto };
  if (orig) spec.orig = orig;
  if (reply) spec.reply = reply;
  if (a.zone !== undefined) spec.zone = a.zone;
  if (a.helper !== undefined) spec.helper = a.helper;
  await createConntrack(valuesOf(a, spec), ctx.lib);
  say(ctx, "1 flow entries have been created.");
  return OK;
}

async function update(ctx: Context, a: CtArgs): Promise<number> {
  // Like conntrack -U: the tuple options select entries, -m/-u/-t/--label-* set values.
  const filter = filterOf(a, false);
  compileConntrackFilter(filter);
  const victims: ConntrackEntry[] = [];
  for await (const e of listConntrack({ filter }, ctx.lib)) victims.push(e);
  let n = 0;
  for (const e of victims) {
    try {
      await updateConntrack(valuesOf(a, { ...entryKey(e), proto: e.protoNum }), ctx.lib);
      n++;
    } catch (err) {
      if (!(err instanceof NetlinkError && err.code === "ENOENT")) throw err;
    }
  }
  say(ctx, `${n} flow entries have been updated.`);
  return n ? OK : FAIL;
}

async function del(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await deleteExpectCommand(ctx, a, CT_PREFIX);
  if (a.table !== "conntrack") throw new RangeError(`Unsupported table for "-D": "${a.table}"`);
  const n = await deleteConntrackByFilter(filterOf(a, true), ctx.lib);
  say(ctx, `${n} flow entries have been deleted.`);
  return n ? OK : FAIL;
}

async function flush(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") {
    await flushExpect(ctx.lib);
    say(ctx, "expectation table has been emptied.");
  } else {
    await flushConntrack({ family: a.family }, ctx.lib);
    say(ctx, "connection tracking table has been emptied.");
  }
  return OK;
}

async function count(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") {
    // No kernel counter for expectations: count a dump, as conntrack -C expect does.
    let n = 0;
    for await (const _ of listExpect({ family: a.family }, ctx.lib)) n++;
    ctx.out.line(ctx.opts.json ? JSON.stringify({ count: n }) : String(n));
    return OK;
  }
  const c = await conntrackCount(ctx.lib);
  ctx.out.line(ctx.opts.json ? JSON.stringify(c) : String(c.count));
  return OK;
}

async function stats(ctx: Context, a: CtArgs): Promise<number> {
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  if (a.table === "expect") {
    for (const s of await expectCpuStats(ctx.lib)) {
      json ? json.item(expectCpuStatsToJson(s)) : ctx.out.line(formatExpectCpuStats(s));
    }
  } else {
    for (const s of await conntrackCpuStats(ctx.lib)) {
      json ? json.item(cpuStatsToJson(s)) : ctx.out.line(formatCpuStats(s));
    }
  }
  json?.end();
  return OK;
}

const EVENT_NAMES = { new: "NEW", update: "UPDATE", destroy: "DESTROY" } as const;

async function events(ctx: Context, a: CtArgs): Promise<number> {
  const mask = a.eventMask ?? ["ALL"];
  const types = mask.includes("ALL") ? (["new", "update", "destroy"] as const) : [
    ...(mask.includes("NEW") ? ["new"] as const : []),
    ...(mask.includes("UPDATE") || mask.includes("UPDATES") ? ["update"] as const : []),
    ...(mask.includes("DESTROY") ? ["destroy"] as const : []),
  ];
  const match = compileConntrackFilter(filterOf(a, true)).match;
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  let n = 0;
  try {
    const sub = subscribeConntrack(
      { events: types, expectations: a.table === "expect", receiveBuffer: a.bufferSize, signal: stop.signal },
      ctx.lib,
    );
    for await (const ev of sub) {
      if (ev.type === "overrun") {
        if (ctx.opts.json) writeNdjson(ctx.out, { event: "overrun" });
        else say(ctx, "Operation failed: No buffer space available (events were lost)");
        continue;
      }
      if ("expect" in ev) {
        if (a.table !== "expect") continue;
        const t = ev.type === "expect-new" ? "new" : "destroy";
        if (ctx.opts.json) writeNdjson(ctx.out, { event: t, ...expectToJson(ev.expect) });
        else ctx.out.line(`${eventStamp(a)}${`[${t.toUpperCase()}]`.padStart(9)} ${formatExpect(ev.expect)}`);
      } else {
        if (a.table === "expect" || !match(ev.entry)) continue;
        if (ctx.opts.json) writeNdjson(ctx.out, { event: ev.type, ...conntrackToJson(ev.entry) });
        else {ctx.out.line(
            eventStamp(a) + formatConntrack(ev.entry, { output: output(a), event: EVENT_NAMES[ev.type] }),
          );}
      }
      ctx.out.flush();
      n++;
    }
  } finally {
    unlisten();
  }
  say(ctx, `${n} ${a.table === "expect" ? "expectation" : "flow"} events have been shown.`);
  return OK;
}

const COMMANDS: Record<CtArgs["command"], (ctx: Context, a: CtArgs) => Promise<number>> = {
  list,
  get,
  create,
  update,
  delete: del,
  flush,
  count,
  stats,
  event: events,
};

/** conntrack's words for a kernel refusal. */
function failure(e: unknown, a?: CtArgs): string {
  if (e instanceof NetlinkError) {
    const expect = a?.table === "expect";
    if (e.code === "ENOENT" && expect && a?.command === "create") return "Operation failed: master conntrack not found";
    if (e.code === "ENOENT" && !expect) return "Operation failed: such conntrack doesn't exist";
    if (e.code === "EEXIST" && !expect && a?.command === "create") {
      return "Operation failed: Such conntrack exists, try -U to update";
    }
    return `Operation failed: ${e.kernelMessage ?? errnoText(e.errno)}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Handles `nlkit ct ...` with conntrack's exit codes and messages. */
export async function ctHandler(ctx: Context, args: Args): Promise<number | void> {
  let a: CtArgs;
  try {
    a = parseCtArgs(args.rest());
  } catch (e) {
    say(ctx, failure(e));
    ctx.err.line("Try `nlkit ct -h' or 'nlkit ct --help' for more information.");
    return PARAM;
  }
  if (a.help) {
    ctx.out.line(OBJECT_HELP.ct);
    return OK;
  }
  try {
    return await COMMANDS[a.command](ctx, a);
  } catch (e) {
    if (isBrokenPipe(e)) return OK;
    ctx.out.flush();
    say(ctx, failure(e, a));
    return isUsageError(e) ? PARAM : FAIL;
  }
}
