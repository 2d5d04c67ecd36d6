/**
 * `nlkit ct`: conntrack-tools' commands, flags, output lines and exit codes
 * (0 ok, 1 error, 2 bad parameters), on the conntrack family of nlkit. The
 * "N flow entries have been shown." summary goes to stderr, worded as
 * conntrack words it. With `-j`, listings are one streamed JSON array and
 * events one JSON object per line.
 *
 * @module
 */

import { type Args, escapeControls, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { onStopSignals, readText } from "./io.ts";
import { parseCtRestore } from "./ct_restore.ts";
import { type CtArgs, CtOptionConflict } from "./ct_arg_types.ts";
import { parseCtArgs } from "./ct_args.ts";
import { createExpectCommand, deleteExpectCommand, getExpectCommand } from "./ct_expect.ts";
import { createValues, filterOf, labelNameRecord, tupleSpec, updateOf } from "./ct_spec.ts";
import { isBrokenPipe, isUsageError } from "./errors.ts";
import { JsonArrayWriter, writeNdjson } from "./output.ts";
import { VERSION } from "./version.ts";
import { compileConntrackFilter } from "../netfilter/conntrack/filter.ts";
import {
  CONNTRACK_XML_HEADER,
  type ConntrackOutput,
  conntrackToJson,
  formatConntrack,
  type FormatConntrackOptions,
  formatConntrackSave,
  formatConntrackXml,
  tupleJson,
  writeConntrack,
} from "../netfilter/conntrack/format.ts";
import { type ConntrackEntry, parseConntrackMessage } from "../netfilter/conntrack/entry.ts";
import { parseConntrackEntryAttrs } from "../netfilter/conntrack/_generated/tables.ts";
import { formatIp } from "../wire/addr.ts";
import { expectToJson, formatExpect } from "../netfilter/conntrack/expect.ts";
import { flushExpect, streamExpect } from "../netfilter/conntrack/expect_ops.ts";
import {
  createConntrack,
  deleteConntrackEntries,
  entryKey,
  flushConntrack,
  getConntrack,
  listConntrack,
  streamConntrack,
  streamConntrackMessages,
  updateConntrack,
} from "../netfilter/conntrack/ops.ts";
import { conntrackLineWriter, oneListingJit } from "../netfilter/conntrack/line.ts";
import { type ConntrackSpec, invertTuple } from "../netfilter/conntrack/spec.ts";
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
import { forEachValue } from "../socket/dump_stream.ts";
import { type NlMsg, readMessageInto } from "../wire/message.ts";
import { TextSink } from "../wire/text_sink.ts";
import { normalJitPolicy, notInlined, noTopTier } from "../sys/jit.ts";
import { NetlinkError } from "../wire/netlink_error.ts";
import { errnoText } from "../wire/errno.ts";

/** Exit codes of conntrack. */
const OK = 0, FAIL = 1, PARAM = 2;

/** The summary prefix: conntrack's format with nlkit's name, so `grep "flow entries"` keeps working. */
export const CT_PREFIX = `nlkit v${VERSION} (conntrack)`;

function say(ctx: Context, msg: string): void {
  ctx.err.line(`${CT_PREFIX}: ${escapeControls(msg)}`);
}

/** `-o timestamp` on events: conntrack's `[sec.usec]\t` prefix with the time of printing. */
function eventStamp(a: CtArgs): string {
  if (!a.output.includes("timestamp")) return "";
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  return `[${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")}]\t`;
}

/**
 * What conntrack's printer for the command shows beyond -o extended and id:
 * label names whenever it has loaded them (-o labels, -l, --label-add,
 * --label-del), and -o ktimestamp's kernel times, except that -D shows
 * neither and -U no kernel times.
 */
function extras(a: CtArgs): { labels: boolean; ktimestamp: boolean } {
  return {
    labels: a.command !== "delete" && (a.output.includes("labels") || !!(a.label || a.labelAdd || a.labelDel)),
    ktimestamp: a.command !== "delete" && a.command !== "update" && a.output.includes("ktimestamp"),
  };
}

function output(a: CtArgs): ConntrackOutput[] {
  // -o ktimestamp prints the kernel's start/stop times; -o timestamp only prefixes events with the time.
  const { labels, ktimestamp } = extras(a);
  return [
    ...a.output.filter((o): o is ConntrackOutput => o === "extended" || o === "id"),
    ...(ktimestamp ? ["timestamp" as const] : []),
    ...(labels ? ["labels" as const] : []),
  ];
}

/** Whether this run has printed the XML document header (conntrack prints it with the first listed or event flow). */
let xmlOpen = false;

/** `-o xml`: the flow element, after the header when the command has one (-L, -G, -E; not -D, -U). */
function xmlLine(
  ctx: Context,
  a: CtArgs,
  e: ConntrackEntry,
  header: boolean,
  event?: "new" | "update" | "destroy",
): void {
  if (header && !xmlOpen) {
    ctx.out.line(CONNTRACK_XML_HEADER);
    xmlOpen = true;
  }
  // Events get the time of printing with -o timestamp.
  const { labels, ktimestamp } = extras(a);
  ctx.out.line(formatConntrackXml(e, {
    event,
    ktimestamp,
    when: event && a.output.includes("timestamp") ? new Date() : undefined,
    labelNames: labels ? labelNameRecord() : undefined,
  }));
}

/** Closes the XML document if a header was printed. */
function closeXml(ctx: Context): void {
  if (xmlOpen) ctx.out.line("</conntrack>");
  xmlOpen = false;
}

function printEntry(
  ctx: Context,
  a: CtArgs,
  e: ConntrackEntry,
  json: JsonArrayWriter | undefined,
  save: "-A" | "-D" = "-A",
): void {
  entryPrinter(ctx, a, json, save)(e);
}

/** How the command prints an entry, chosen once: a listing calls it for each of many entries. */
function entryPrinter(
  ctx: Context,
  a: CtArgs,
  json: JsonArrayWriter | undefined,
  save: "-A" | "-D" = "-A",
): (e: ConntrackEntry) => void {
  if (json) return (e) => json.item(conntrackToJson(e));
  if (a.output.includes("save")) return (e) => ctx.out.line(formatConntrackSave(e, save));
  if (a.output.includes("xml")) {
    const header = a.command === "list" || a.command === "get";
    return (e) => xmlLine(ctx, a, e, header);
  }
  const out = ctx.out, opts = textOptions(a);
  return (e) => {
    writeConntrack(out.sink, e, opts);
    out.endLine();
  };
}

/** Whether a filter has no key set (every entry matches). */
function isEmpty(filter: object): boolean {
  return Object.values(filter).every((v) => v === undefined);
}

/** The line options of a command, worked out once for all its entries. */
const TEXT_OPTIONS = new WeakMap<CtArgs, FormatConntrackOptions>();
function textOptions(a: CtArgs): FormatConntrackOptions {
  let o = TEXT_OPTIONS.get(a);
  if (o) return o;
  const out = output(a);
  // The label names (a file read) only for lines that show labels.
  o = { output: out, labelNames: out.includes("labels") ? labelNameRecord() : undefined };
  TEXT_OPTIONS.set(a, o);
  return o;
}

async function list(ctx: Context, a: CtArgs): Promise<number> {
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  let n = 0;
  if (a.table === "expect") {
    for await (const x of streamExpect({ family: a.family }, ctx.lib)) {
      if (json) json.item(expectToJson(x));
      else ctx.out.line(formatExpect(x));
      n++;
    }
    json?.end();
    ctx.out.flush();
    say(ctx, `${n} expectations have been shown.`);
    return OK;
  }
  // -u UNSET alone asks the kernel for entries with no status bit under an empty mask, which it refuses.
  if (a.status?.length === 0 && !a.statusClear && a.table === "conntrack") {
    say(ctx, "Operation failed: invalid parameters");
    return FAIL;
  }
  // conntrack ignores -z on the dying and unconfirmed lists, which have no counter-zeroing dump.
  const zero = a.zero && a.table === "conntrack";
  const filter = filterOf(a);
  if (!json && !zero && !a.output.includes("save") && !a.output.includes("xml") && isEmpty(filter)) {
    // No filter: each line is written from the message's bytes as it arrives, no entry built.
    const out = ctx.out, line = conntrackLineWriter(textOptions(a));
    const print = (m: NlMsg) => {
      line(out.sink, m);
      out.endLine();
    };
    oneListingJit(print, [line, readMessageInto], [Object.getPrototypeOf(out)]);
    // The binary's start-up policy would keep the line path in slower tiers for longer (as for route show).
    normalJitPolicy();
    await forEachValue(streamConntrackMessages(a.table, print, ctx.lib), () => n++);
  } else {
    const print = entryPrinter(ctx, a, json);
    // The typed path of a long listing stays out of Bun's top JIT tier too, the parser kept
    // out of the socket's receive loop (see oneListingJit).
    notInlined([parseConntrackMessage]);
    noTopTier(
      [print, parseConntrackMessage, parseConntrackEntryAttrs, writeConntrack, conntrackToJson, tupleJson, formatIp],
      [JsonArrayWriter.prototype, TextSink.prototype],
    );
    await forEachValue(streamConntrack({ ...filter, table: a.table, zero }, ctx.lib), (e) => {
      print(e);
      n++;
    });
  }
  closeXml(ctx);
  json?.end();
  ctx.out.flush();
  say(ctx, `${n} flow entries have been shown.`);
  return OK;
}

async function get(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await getExpectCommand(ctx, a, CT_PREFIX);
  const orig = tupleSpec(a, "orig"), reply = tupleSpec(a, "reply");
  const e = await getConntrack({ proto: a.protoNum!, orig, reply: orig ? undefined : reply, zone: a.zone }, ctx.lib)
    .catch((err) => {
      if (err instanceof NetlinkError && err.code === "ENOENT") return undefined;
      throw err;
    });
  if (!e) {
    say(ctx, "Operation failed: such conntrack doesn't exist");
    return FAIL;
  }
  if (a.id !== undefined && e.id !== a.id) {
    say(ctx, "0 flow entries have been shown."); // another entry holds that tuple now: conntrack's words
    return FAIL;
  }
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  printEntry(ctx, a, e, json);
  json?.end();
  ctx.out.flush();
  say(ctx, "1 flow entries have been shown.");
  return OK;
}

/** `-I` and `-A` (which also succeeds, counting nothing, when the entry exists). */
async function create(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await createExpectCommand(ctx, a);
  let orig = tupleSpec(a, "orig");
  let reply = tupleSpec(a, "reply");
  // conntrack completes a missing direction as the inverse of the other (ICMP: the matching type), in its
  // own zone; a reply given in part (as -o save writes a NATed one: -g ADDR -q ADDR) is completed the same way.
  if (!orig && reply) orig = { ...invertTuple(reply), ...(a.origZone === undefined ? {} : { zone: a.origZone }) };
  if (orig && (reply || a.replyZone !== undefined)) {
    const given = Object.fromEntries(Object.entries(reply ?? {}).filter(([, v]) => v !== ""));
    reply = { ...invertTuple(orig), ...given, ...(a.replyZone === undefined ? {} : { zone: a.replyZone }) };
  }
  const spec: ConntrackSpec = { proto: a.protoNum! };
  if (orig) spec.orig = orig;
  if (reply) spec.reply = reply;
  if (a.zone !== undefined) spec.zone = a.zone;
  if (a.helper !== undefined) spec.helper = a.helper;
  let n = 1;
  try {
    await createConntrack(createValues(a, spec), ctx.lib);
  } catch (e) {
    if (!(a.command === "add" && e instanceof NetlinkError && e.code === "EEXIST")) throw e;
    n = 0;
  }
  if (!a.batch) say(ctx, `${n} flow entries have been ${a.command === "add" ? "added" : "created"}.`);
  return OK;
}

async function update(ctx: Context, a: CtArgs): Promise<number> {
  // conntrack -U: the tuples, NAT, labels and masks select; -m/-u/-t/--state/--label-* are what it sets.
  const filter = filterOf(a, true);
  compileConntrackFilter(filter);
  const victims = await listConntrack(filter, ctx.lib);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  let n = 0;
  for (const e of victims) {
    const spec = updateOf(a, e);
    if (!spec) continue;
    try {
      await updateConntrack(spec, ctx.lib);
      // Gone meanwhile (ENOENT, caught below): conntrack skips it too.
      const now = await getConntrack(entryKey(e), ctx.lib);
      printEntry(ctx, a, now, json);
      n++;
    } catch (err) {
      if (!(err instanceof NetlinkError && err.code === "ENOENT")) throw err;
    }
  }
  json?.end();
  ctx.out.flush();
  if (!a.batch) say(ctx, `${n} flow entries have been updated.`);
  return n || a.batch ? OK : FAIL;
}

async function del(ctx: Context, a: CtArgs): Promise<number> {
  if (a.table === "expect") return await deleteExpectCommand(ctx, a, CT_PREFIX);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  let n = 0;
  for await (const e of deleteConntrackEntries(filterOf(a), ctx.lib)) {
    printEntry(ctx, a, e, json, "-D");
    n++;
  }
  json?.end();
  ctx.out.flush();
  if (!a.batch) say(ctx, `${n} flow entries have been deleted.`);
  return n || a.batch ? OK : FAIL;
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
    for await (const _ of streamExpect({ family: a.family }, ctx.lib)) n++;
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
const SAVE_COMMANDS = { new: "-A", update: "-U", destroy: "-D" } as const;

async function events(ctx: Context, a: CtArgs): Promise<number> {
  const mask = a.eventMask ?? ["ALL"];
  const types = mask.includes("ALL") ? (["new", "update", "destroy"] as const) : [
    ...(mask.includes("NEW") ? ["new"] as const : []),
    ...(mask.includes("UPDATE") || mask.includes("UPDATES") ? ["update"] as const : []),
    ...(mask.includes("DESTROY") ? ["destroy"] as const : []),
  ];
  const match = compileConntrackFilter(filterOf(a)).match;
  const stop = new AbortController();
  const unlisten = onStopSignals(() => stop.abort());
  let n = 0;
  try {
    const sub = await subscribeConntrack(
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
        else if (a.output.includes("xml")) xmlLine(ctx, a, ev.entry, true, ev.type);
        else if (a.output.includes("save")) {
          const by = ev.portid ? ` [USERSPACE] portid=${ev.portid}` : "";
          ctx.out.line(formatConntrackSave(ev.entry, SAVE_COMMANDS[ev.type]) + by);
        } else {ctx.out.line(
            eventStamp(a) +
              formatConntrack(ev.entry, { output: output(a), event: EVENT_NAMES[ev.type], portid: ev.portid }),
          );}
      }
      ctx.out.flush();
      n++;
    }
  } finally {
    unlisten();
    closeXml(ctx);
  }
  say(ctx, `${n} ${a.table === "expect" ? "expectation" : "flow"} events have been shown.`);
  return OK;
}

/** `-V`: the version line, in conntrack's format. */
function version(ctx: Context): Promise<number> {
  ctx.out.line(CT_PREFIX);
  return Promise.resolve(OK);
}

const COMMANDS: Record<CtArgs["command"], (ctx: Context, a: CtArgs) => Promise<number>> = {
  list,
  get,
  create,
  add: create,
  update,
  delete: del,
  flush,
  count,
  stats,
  event: events,
  version,
};

/**
 * conntrack's words for kernel refusals (its `err2str`): errno, the
 * commands they apply to (`exp-` for expectations, `*` for all), the text.
 */
const ERR_TEXT: readonly [string, readonly string[], string][] = [
  ["ENOTSUPP", ["list"], "function not implemented"],
  ["EINVAL", ["*"], "invalid parameters"],
  ["EEXIST", ["create"], "Such conntrack exists, try -U to update"],
  ["ENOENT", ["create", "get", "delete", "add"], "such conntrack doesn't exist"],
  ["ENOMEM", ["create", "get", "add"], "not enough memory"],
  ["EAFNOSUPPORT", ["get"], "protocol not supported"],
  ["ETIME", ["create", "add"], "conntrack has expired"],
  ["ENOENT", ["exp-create"], "master conntrack not found"],
  ["EPERM", ["*"], "sorry, you must be root or get CAP_NET_ADMIN capability to do this"],
];

/** conntrack's words for a refusal. */
function failure(e: unknown, a?: CtArgs): string {
  if (e instanceof NetlinkError && e.requestType !== 0) {
    const cmd = a ? (a.table === "expect" ? `exp-${a.command}` : a.command) : "";
    const known = ERR_TEXT.find(([code, cmds]) => code === e.code && (cmds[0] === "*" || cmds.includes(cmd)));
    return `Operation failed: ${known?.[2] ?? e.kernelMessage ?? errnoText(e.errno)}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const TRY_HELP = "Try `nlkit ct -h' or 'nlkit ct --help' for more information.";

/** `-R FILE`: every command of the file, in order; the first refusal stops the run (exit 1). */
async function restore(ctx: Context, file: string): Promise<number> {
  let cmds: CtArgs[];
  try {
    cmds = parseCtRestore(readText(file === "-" ? "/dev/stdin" : file));
  } catch (e) {
    say(ctx, e instanceof UsageError ? e.message : `Failed to open file ${file} for reading`);
    ctx.err.line(TRY_HELP);
    return PARAM;
  }
  for (const a of cmds) {
    try {
      await COMMANDS[a.command](ctx, a);
    } catch (e) {
      ctx.out.flush();
      say(ctx, failure(e, a));
      return FAIL;
    }
  }
  ctx.out.flush();
  return OK;
}

/** Handles `nlkit ct ...` with conntrack's exit codes and messages. */
export async function ctHandler(ctx: Context, args: Args): Promise<number | void> {
  const words = args.rest();
  if ((words[0] === "-R" || words[0] === "--load-file") && words.length > 1) return await restore(ctx, words[1]);
  let a: CtArgs;
  try {
    a = parseCtArgs(words);
  } catch (e) {
    say(ctx, failure(e));
    if (e instanceof CtOptionConflict) return FAIL;
    ctx.err.line(TRY_HELP);
    return PARAM;
  }
  if (a.help) {
    ctx.out.line((await import("./help.ts")).OBJECT_HELP.ct); // the help pulls in every link kind
    return OK;
  }
  // conntrack skips them silently; saying so costs nothing and hides no typo.
  for (const w of a.stray) say(ctx, `WARNING: ignoring stray argument \`${w}'`);
  for (const w of a.warnings) ctx.err.line(w);
  try {
    return await COMMANDS[a.command](ctx, a);
  } catch (e) {
    if (isBrokenPipe(e)) return OK;
    ctx.out.flush();
    say(ctx, failure(e, a));
    if (!isUsageError(e)) return FAIL;
    ctx.err.line(TRY_HELP);
    return PARAM;
  }
}
