/**
 * `nlkit tc qdisc|class|filter add|change|replace|del|show|get`, in `tc`'s
 * grammar, printing `tc`'s text or `tc -j` JSON.
 *
 * @module
 */

import { type Args, toInt, UsageError } from "./args.ts";
import { pickWord, type TableWord, wordTable } from "./aliases.ts";
import type { Context } from "./context.ts";
import { indexNames, nameOfIndex } from "./names.ts";
import { resolveLinkIndex } from "../route/link/resolve.ts";
import { getFilter, streamClasses, streamFilters, streamQdiscs } from "../route/tc/ops.ts";
import { withRouteSocket } from "../route/rtnl.ts";
import { parseProtocol } from "../route/tc/protocol.ts";
import { estimatorOf, parseTime } from "../route/tc/units.ts";
import { printClass, printFilter, printQdisc, type TcPrintOptions } from "../route/tc/print.ts";
import { TcPrinter } from "../route/tc/printer.ts";
import {
  classRequest,
  type ClassSpec,
  filterRequest,
  type FilterSpec,
  parentOf,
  qdiscRequest,
  type QdiscSpec,
  type TcCommand,
} from "../route/tc/request.ts";
import { TcWords } from "../route/tc/words.ts";
import { TC_H } from "../route/tc/constants.ts";
import { filterKind } from "../route/tc/filter/registry.ts";
import { qdiscKind } from "../route/tc/qdisc/registry.ts";
import { tcActionHandler } from "./tc_action.ts";
import { loadSys } from "../sys/load.ts";
import { openFilterOptions } from "../route/tc/open.ts";
import { bpfProgInfo } from "../sys/bpf.ts";
import { linkLookup, nameIndex } from "./tc_links.ts";
import { tcOptions } from "./tc_options.ts";
import { VERSION } from "./version.ts";

/** tc's objects in tc.c's order (any prefix selects the first match); monitor and exec are not supported. */
const TC_OBJECTS = wordTable("qdisc class filter chain actions=action monitor exec help");

/** Each object's commands in the order tc's do_* functions try them. */
const TC_COMMANDS: Record<string, readonly TableWord[]> = {
  qdisc: wordTable("add change replace link delete=del show list=show lst=show help"),
  class: wordTable("add change replace delete=del show list=show lst=show help"),
  filter: wordTable("add delete=del change replace get show list=show lst=show help"),
};

type Spec = QdiscSpec & ClassSpec & FilterSpec;

/** The words before the kind, per object (anything else starts the kind). */
const COMMON: Record<string, readonly string[]> = {
  qdisc: ["parent", "handle", "estimator"],
  class: ["parent", "classid", "estimator"],
  filter: ["parent", "handle", "protocol", "proto", "prio", "pref", "priority", "chain", "estimator"],
};

/** Reads the words every object shares; stops at the kind. */
function commonWords(w: TcWords, object: string): Partial<Spec> {
  const s: Partial<Spec> = {};
  const seen = new Set<string>();
  const once = (k: string) => {
    if (seen.has(k)) throw new UsageError(`Duplicate "${k}" in tc ${object}`, k);
    seen.add(k);
  };
  for (let word = w.peek(); word !== undefined; word = w.peek()) {
    switch (word) {
      case "dev":
        w.next();
        s.dev = w.value("dev", "device");
        once("dev");
        break;
      case "root":
      case "ingress":
      case "egress":
      case "clsact":
        if (object === "qdisc" && word !== "root") {
          // "ingress" and "clsact" name both the parent and the kind.
          s.parent = word;
          s.kind = word;
          w.next();
          return s;
        }
        w.next();
        once("parent");
        s.parent = word;
        break;
      case "parent":
      case "handle":
      case "classid":
      case "protocol":
      case "proto":
      case "prio":
      case "pref":
      case "priority":
      case "chain":
      case "estimator": {
        if (!COMMON[object].includes(word)) return s;
        w.next();
        const key = word === "proto" ? "protocol" : word === "pref" || word === "priority" ? "prio" : word;
        const v = w.value(word);
        once(key);
        if (key === "parent") s.parent = v;
        else if (key === "handle") s.handle = v;
        else if (key === "classid") s.classid = v;
        else if (key === "protocol") s.protocol = v;
        else if (key === "prio") s.priority = toInt(v, "priority", 0, 0xffff);
        else if (key === "chain") s.chain = toInt(v, "chain");
        else s.estimator = estimatorOf(parseTime(v), parseTime(w.value(word)));
        break;
      }
      default:
        return s;
    }
  }
  return s;
}

/** Reads `tc qdisc|class|filter CMD WORDS...` into a spec, with devices resolved by `linkIndex`. */
function tcSpec(
  object: "qdisc" | "class" | "filter",
  cmd: TcCommand,
  words: readonly string[],
  linkIndex: (name: string) => number,
): { spec: Partial<Spec>; ifindex: number } {
  const w = new TcWords(words);
  const s = commonWords(w, object);
  if (s.dev === undefined) throw new UsageError(`Missing "dev" in tc ${object} ${cmd}`, "dev");
  // Without root or parent, tc sends parent 0: the kernel then finds a qdisc by its handle alone.
  if (object === "qdisc" && s.parent === undefined) s.parent = 0;
  if (!s.kind && !w.done) s.kind = w.next();
  const rest = new TcWords(w.rest());
  const ifindex = linkIndex(String(s.dev));
  if (object === "qdisc") {
    const k = s.kind === undefined ? undefined : qdiscKind(s.kind);
    if (s.kind !== undefined && !k) throw new UsageError(`Unknown qdisc kind: "${s.kind}"`, s.kind);
    if (k?.qdisc) s.options = k.qdisc.words(rest, { linkIndex });
    else if (!rest.done) throw new UsageError(`Unknown ${s.kind} argument: "${rest.peek()}" (it takes none)`);
  } else if (object === "class") {
    const k = s.kind === undefined ? undefined : qdiscKind(s.kind);
    if (s.kind !== undefined && !k?.class) throw new UsageError(`Unknown class kind: "${s.kind}"`, s.kind);
    if (k?.class) s.options = k.class.words(rest, { linkIndex });
  } else {
    const k = s.kind === undefined ? undefined : filterKind(s.kind);
    if (s.kind !== undefined && !k) throw new UsageError(`Unknown filter kind: "${s.kind}"`, s.kind);
    const protocol = s.protocol === undefined ? (cmd === "add" ? 3 : undefined) : parseProtocol(s.protocol);
    if (k && !rest.done) s.options = k.options.words(rest, { linkIndex, protocol });
  }
  return { spec: s, ifindex };
}

function buildRequest(
  object: "qdisc" | "class" | "filter",
  cmd: TcCommand,
  s: Partial<Spec>,
  ifindex: number,
): Uint8Array {
  if (object === "qdisc") return qdiscRequest(cmd, s as QdiscSpec, ifindex);
  if (object === "class") return classRequest(cmd, s as ClassSpec, ifindex);
  return filterRequest(cmd, s as FilterSpec, ifindex);
}

/**
 * Builds the request of `tc qdisc|class|filter add|change|replace|del
 * WORDS...`, with devices resolved by `linkIndex`; nothing is sent or
 * opened (a pinned program's descriptor must already be in the options).
 */
export function tcRequest(
  object: "qdisc" | "class" | "filter",
  cmd: TcCommand,
  words: readonly string[],
  linkIndex: (name: string) => number,
): Uint8Array {
  const { spec, ifindex } = tcSpec(object, cmd, words, linkIndex);
  return buildRequest(object, cmd, spec, ifindex);
}

async function modify(ctx: Context, object: "qdisc" | "class" | "filter", cmd: TcCommand, w: TcWords): Promise<void> {
  const { spec, ifindex } = tcSpec(object, cmd, w.rest(), linkLookup(await nameIndex(ctx)));
  // Pinned programs are opened here and closed once the kernel has answered.
  const opened = object === "filter" && spec.options !== undefined
    ? openFilterOptions(spec.kind, spec.options, await loadSys())
    : undefined;
  try {
    const req = buildRequest(object, cmd, opened ? { ...spec, options: opened.options } : spec, ifindex);
    await withRouteSocket(ctx.lib, (s) => s.request(req));
  } finally {
    opened?.close();
  }
}

async function show(ctx: Context, object: string, cmd: "show" | "get", w: TcWords): Promise<void> {
  const s = commonWords(w, object);
  // Words tc would take and ignore in a listing are refused: nothing accepted goes unapplied.
  if (s.estimator !== undefined) throw new UsageError(`Unexpected "estimator" in tc ${object} ${cmd}`, "estimator");
  if (object === "filter" && cmd === "show" && s.handle !== undefined) {
    throw new UsageError(`Cannot list filters by "handle" (use tc filter get)`, "handle");
  }
  const invisible = w.peek() === "invisible" && object === "qdisc";
  if (invisible) w.next();
  if (cmd === "get" && s.kind === undefined && !w.done) s.kind = w.next();
  const rest = new TcWords(w.rest());
  if (object !== "filter" || cmd !== "get") {
    if (!rest.done) throw new UsageError(`Unexpected argument: "${rest.peek()}"`, rest.peek());
  }
  const links = await indexNames(ctx);
  const sys = object === "filter" ? await loadSys() : undefined;
  const print: TcPrintOptions = {
    details: ctx.opts.details,
    stats: ctx.opts.stats,
    linkName: (i) => nameOfIndex(links, i),
    hideDev: s.dev !== undefined,
    progInfo: sys && ((id) => bpfProgInfo(sys, id)),
  };
  const p = new TcPrinter(ctx.opts.json, ctx.opts.pretty);
  const emit = (fn: () => void) => {
    fn();
    ctx.out.write(ctx.opts.json ? p.json() : p.take());
  };
  p.openArray();
  if (object === "qdisc") {
    if (s.dev !== undefined) await resolveLinkIndex(s.dev, ctx.lib);
    const parent = s.parent === "ingress" || s.parent === "clsact" ? 0xfffffff1 : s.parent;
    for await (const q of streamQdiscs({ dev: s.dev, handle: s.handle, parent, invisible }, ctx.lib)) {
      emit(() => printQdisc(p, q, print));
    }
  } else {
    if (s.dev === undefined) throw new UsageError(`Missing "dev" in tc ${object} ${cmd}`, "dev");
    if (object === "class") {
      // tc's "parent P" selects the qdisc of P's major (the kernel's class dump filter): all its classes, P included.
      for await (const c of streamClasses({ dev: s.dev, qdisc: s.parent, classid: s.classid }, ctx.lib)) {
        emit(() => printClass(p, c, print));
      }
    } else if (cmd === "get") {
      const k = s.kind === undefined ? undefined : filterKind(s.kind);
      const protocol = s.protocol === undefined ? undefined : parseProtocol(s.protocol);
      if (k && !rest.done) s.options = k.options.words(rest, { linkIndex: linkLookup(await nameIndex(ctx)), protocol });
      const f = await getFilter(s as FilterSpec, ctx.lib);
      emit(() => printFilter(p, f, print)); // tc get leaves out only the device
    } else {
      const filters = streamFilters(
        { dev: s.dev, parent: s.parent, priority: s.priority, protocol: s.protocol, chain: s.chain },
        ctx.lib,
      );
      const listedBy = {
        parent: s.parent === undefined ? undefined : parentOf(s.parent, TC_H.TC_H_ROOT),
        protocol: s.protocol === undefined ? undefined : parseProtocol(s.protocol),
        priority: s.priority,
        chain: s.chain,
      };
      const opts = { ...print, listedBy };
      for await (const f of filters) emit(() => printFilter(p, f, opts));
    }
  }
  p.close();
  if (ctx.opts.json) ctx.out.write(p.json() + "\n");
}

/** Handles `nlkit tc ...`. */
export async function tcHandler(outer: Context, args: Args): Promise<number | void> {
  const ctx = tcOptions(outer, args);
  if (ctx.opts.version) return void ctx.out.line(`nlkit ${VERSION}`);
  const word = args.next() ?? (ctx.opts.help ? "help" : "");
  const object = pickWord(TC_OBJECTS, word)?.name;
  if (object === "help") return void ctx.out.line((await import("./help.ts")).OBJECT_HELP.tc);
  if (object === "action") return await tcActionHandler(ctx, args);
  if (object === "chain") {
    const { CHAIN_COMMANDS, tcChain } = await import("./tc_chain.ts");
    const cmdWord = args.next() ?? "show";
    const cmd = pickWord(CHAIN_COMMANDS, cmdWord)?.name;
    if (cmd === "help") return void ctx.out.line((await import("./help.ts")).OBJECT_HELP.tc);
    if (cmd === undefined) throw new UsageError(`Unknown tc chain command: "${cmdWord}"`, cmdWord);
    return await tcChain(ctx, cmd, new TcWords(args.rest()));
  }
  if (object !== "qdisc" && object !== "class" && object !== "filter") {
    throw new UsageError(`Unknown tc object: "${word}" (expected qdisc, class, filter or actions)`, word);
  }
  const cmdWord = args.next() ?? "show";
  const cmd = pickWord(TC_COMMANDS[object], cmdWord)?.name;
  if (cmd === "help") return void ctx.out.line((await import("./help.ts")).OBJECT_HELP.tc);
  if (cmd === undefined || cmd === "link") {
    throw new UsageError(`Unknown tc ${object} command: "${cmdWord}"`, cmdWord);
  }
  const w = new TcWords(args.rest());
  if (cmd === "show" || cmd === "get") return await show(ctx, object, cmd, w);
  await modify(ctx, object, cmd === "del" ? "delete" : cmd as TcCommand, w);
}
