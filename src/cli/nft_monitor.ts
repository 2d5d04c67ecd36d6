/**
 * `nlkit [-j] nft monitor`: ruleset changes as they commit, like
 * `nft monitor` (one JSON object per line with `-j`; nft's text lines
 * otherwise), with `# new generation N` after each batch.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { NftRefusal } from "./errors.ts";
import type { Context } from "./context.ts";
import { onStopSignals } from "./io.ts";
import { type NftChangeEvent, subscribeNftMonitor } from "../netfilter/nftables/events.ts";
import { interfaceNames } from "../netfilter/nftables/ifnames.ts";
import { listRuleset } from "../netfilter/nftables/list.ts";
import { MonitorJson } from "../netfilter/nftables/json/event_json.ts";
import { nftJsonText } from "../netfilter/nftables/json/serialize.ts";
import type { Json } from "../netfilter/nftables/json/types.ts";
import { elemText, stmtText } from "../netfilter/nftables/text/stmt_text.ts";
import {
  objectLines,
  priorityText,
  ruleText,
  setLines,
  type TextOptions,
} from "../netfilter/nftables/text/ruleset_text.ts";
import { traceLines, type TraceTextContext } from "../netfilter/nftables/text/trace_text.ts";
import type { NftRule } from "../netfilter/nftables/rule.ts";
import { type SetDecl, setDecl } from "../netfilter/nftables/text/set_decl.ts";
import { omitFromListing } from "../netfilter/nftables/json/omit.ts";

/** The flags nft's monitor text honours (nft's output context). */
export interface MonitorTextOptions {
  /** `-a`: handles, where nft prints them. */
  handles?: boolean;
  /** `-y`: chain priorities as numbers. */
  numericPriority?: boolean;
  /** `-T`: times in plain seconds. */
  numericTime?: boolean;
  /** `-s`: no counter values, quota use or element expiry. */
  stateless?: boolean;
  /** What nft's user data declares of a set (`typeof`), by family, table and name. */
  decl?: TextOptions["decl"];
}

/**
 * nft's monitor text of one event's JSON (`add rule inet t c accept`);
 * `position`: a rule event's `NFTA_RULE_POSITION`.
 */
export function monitorText(ev: Json, position?: number, opts: MonitorTextOptions = {}): string {
  const [type] = Object.keys(ev as object);
  let body = (ev as Record<string, Record<string, Json>>)[type];
  if (opts.stateless) body = omitFromListing(body, { stateless: true, text: true }) as Record<string, Json>;
  const [kind] = Object.keys(body);
  const o = body[kind] as Record<string, Json>;
  const head = `${type} ${kind} ${o.family} ${o.table} ${o.name}`;
  const handle = opts.handles && o.handle !== undefined ? ` # handle ${o.handle}` : "";
  const time = { numericTime: opts.numericTime, family: String(o.family) };
  switch (kind) {
    case "table": {
      const flags = Array.isArray(o.flags) ? o.flags : o.flags === undefined ? [] : [o.flags];
      // nft's monitor prints only the dormant flag (its JSON names it "dorm").
      const dormant = flags.some((f) => f === "dorm" || f === "dormant") ? " { flags dormant; }" : "";
      return `${type} table ${o.family} ${o.name}${dormant}${handle}`;
    }
    case "chain": {
      if (type === "delete") return head;
      if (o.hook === undefined) return `${head}${handle}`;
      const dev = o.dev !== undefined ? ` device ${JSON.stringify(o.dev)}` : "";
      const prio = opts.numericPriority
        ? String(o.prio)
        : priorityText(String(o.family), String(o.hook), o.prio as number);
      return `${head} { type ${o.type} hook ${o.hook}${dev} priority ${prio}; policy ${o.policy}; }${handle}`;
    }
    case "rule": {
      const where = `${type} rule ${o.family} ${o.table} ${o.chain}`;
      // nft names a deleted rule by its handle alone, and prints an added one without it.
      if (type === "delete") return `${where} handle ${o.handle}`;
      const comment = o.comment !== undefined ? ` comment ${JSON.stringify(o.comment)}` : "";
      // A replaced rule's event carries its predecessor, which nft prints as a handle.
      const at = position !== undefined ? `handle ${position} ` : "";
      return `${where} ${at}${(o.expr as Json[]).map((x) => stmtText(x, time)).join(" ")}${comment}${handle}`;
    }
    case "element": {
      const style = { numericTime: opts.numericTime };
      const elems = ((o.elem as Record<string, Json>).set as Json[]).map((e) => elemText(e, style)).join(", ");
      return `${type} element ${o.family} ${o.table} ${o.name} { ${elems} }`;
    }
  }
  if (type === "delete") return head;
  // The listing's body on one line, a handle first: a set's lines end in `;`, a counter's or quota's do not.
  const text = { numericTime: opts.numericTime, decl: opts.decl };
  const inner = (kind === "set" || kind === "map" ? setLines(kind, o, text) : objectLines(kind, o, text))
    .slice(1, -1).map((l) => l.trim());
  const plain = kind === "counter" || kind === "quota" || kind === "limit";
  const first = handle ? `${handle.slice(1)} ` : "";
  return `${head} { ${first}${inner.map((l) => plain ? `${l} ` : `${l}; `).join("")}} `;
}

/** Sets' user data from their events, for nft's `typeof` in the text of an added set. */
export class SetDecls {
  #userdata = new Map<string, Uint8Array | undefined>();
  /** Keeps the user data of a set event. */
  note(ev: NftChangeEvent): void {
    if (ev.kind === "set") {
      this.#userdata.set(`${ev.object.family} ${ev.object.table} ${ev.object.name}`, ev.object.userdata);
    }
  }
  /** What the user data of set `name` declares. */
  readonly decl = (family: string, table: string, name: string): SetDecl =>
    setDecl(this.#userdata.get(`${family} ${table} ${name}`));
}

/** nft's monitor objects (`monitor_object`) and the kinds of event each shows. */
const OBJECTS: Record<string, readonly string[]> = {
  tables: ["table"],
  chains: ["chain"],
  sets: ["set", "map", "meter"],
  rules: ["rule"],
  elements: ["element"],
};
/** The stateful objects: shown by `monitor` and `monitor ruleset` only (nft's NEWOBJ, DELOBJ). */
const STATEFUL = ["counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark"];

/** What `nft monitor [new|destroy] [OBJECT] [json|vm json]` asks for. */
interface MonitorWhat {
  /** Events of these kinds only (undefined: all, the generation lines too). */
  kinds?: readonly string[];
  /** Only additions (`new`) or deletions (`destroy`). */
  event?: "new" | "destroy";
  /** nft's JSON, one object a line. */
  json: boolean;
  /** Packet traces: all that is shown (`monitor trace`), or besides the changes (`monitor`, in text). */
  traces?: "only" | "too";
}

/** Reads nft's monitor words, as its grammar and `cmd_evaluate_monitor` take them. */
function monitorWhat(args: Args, json: boolean): MonitorWhat {
  const words: string[] = [];
  for (let w = args.next(); w !== undefined; w = args.next()) words.push(w);
  let i = 0;
  const what: MonitorWhat = { json };
  const object = (w: string | undefined) => w !== undefined && (w in OBJECTS || w === "ruleset" || w === "trace");
  const format = (w: string | undefined) => w === "json" || w === "xml" || w === "vm";
  if (words[i] !== undefined && !object(words[i]) && !format(words[i])) {
    const e = words[i++];
    if (e !== "new" && e !== "destroy") throw new UsageError(`invalid event ${e}`, e);
    what.event = e;
  }
  if (object(words[i])) {
    const o = words[i++];
    if (o === "trace") {
      // nft's table of events gives `new trace` and `destroy trace` none at all: it would wait for nothing.
      if (what.event) throw new NftRefusal(`Cannot monitor ${what.event} trace: a trace is neither new nor destroyed`);
      what.traces = "only";
      what.kinds = [];
    } // `ruleset` is every kind nft prints, without the generation lines.
    else what.kinds = o === "ruleset" ? [...Object.values(OBJECTS).flat(), ...STATEFUL] : OBJECTS[o];
  } else if (what.event) {
    // `monitor new` or `monitor destroy` alone: nft leaves out the stateful objects and the generations.
    what.kinds = Object.values(OBJECTS).flat();
  }
  if (words[i] === "xml") throw new NftRefusal("Cannot monitor as xml: this output type is not supported");
  if (words[i] === "json") i++, what.json = true;
  else if (words[i] === "vm" && words[i + 1] === "json") i += 2, what.json = true;
  if (i < words.length) throw new UsageError(`syntax error, unexpected ${words[i]}`, words[i]);
  if (what.traces && what.json) {
    throw new NftRefusal("Cannot monitor trace as JSON: nft 1.0.6 has no JSON for traces, only its text");
  }
  // A plain `monitor` shows traces too, as nft's does; nft prints them as text even in JSON, so -j leaves them out.
  if (!what.event && !what.kinds && !what.json) what.traces = "too";
  return what;
}

/** Whether nft's monitor of `what` shows the event `out` (`{"add": {"rule": ...}}`). */
function shows(what: MonitorWhat, out: Json): boolean {
  const [type] = Object.keys(out as object);
  const [kind] = Object.keys((out as Record<string, object>)[type]);
  if (what.event === "new" && type === "delete") return false;
  if (what.event === "destroy" && type !== "delete") return false;
  return what.kinds === undefined || what.kinds.includes(kind);
}

/**
 * Runs `nft monitor [new|destroy] [OBJECT] [json|vm json]` until
 * interrupted; `opts`: the output flags, as nft's monitor applies them.
 */
export async function nftMonitor(
  ctx: Context,
  args: Args,
  json: boolean,
  opts: MonitorTextOptions = {},
): Promise<number> {
  const what = monitorWhat(args, json);
  json = what.json;
  const decls = new SetDecls();
  const text = { ...opts, decl: decls.decl };
  const line = (out: Json, position?: number) => {
    if (!shows(what, out)) return;
    if (!json) return ctx.out.line(monitorText(out, position, text));
    const [type] = Object.keys(out as object);
    const body = (out as Record<string, Json>)[type];
    ctx.out.line(nftJsonText(opts.stateless ? { [type]: omitFromListing(body, { stateless: true }) } : out));
  };
  const ac = new AbortController();
  const stop = onStopSignals(() => ac.abort());
  const options = { signal: ac.signal, changes: what.traces !== "only", traces: what.traces !== undefined };
  const sub = await subscribeNftMonitor(options, ctx.lib);
  try {
    // Rules of later events may use sets that already exist: know them first.
    const { sets, rules, objects } = await listRuleset({}, ctx.lib);
    const ifnames = await interfaceNames(ctx.lib);
    const render = new MonitorJson(ifnames, sets, !json, objects);
    const traceText = traceContext(rules, render, ifnames, opts);
    for await (const ev of sub) {
      if (ev.type === "trace") {
        for (const l of traceLines(ev.trace, traceText)) ctx.out.line(l);
      } else if (ev.type === "overrun") {
        ctx.err.line("Warning: events were lost (receive buffer overrun); list the ruleset again");
      } else if (ev.type === "generation") {
        if (!json && !what.kinds) {
          ctx.out.line(`# new generation ${ev.generation} by process ${ev.pid ?? "?"} (${ev.process ?? "?"})`);
        }
      } else {
        decls.note(ev);
        const out = render.event(ev);
        const position = ev.kind === "rule" ? ev.object.position : undefined;
        if (out !== undefined) line(out, position);
      }
      ctx.out.flush();
    }
  } finally {
    stop();
    await sub.return();
  }
  return 0;
}

/**
 * The rules a trace names, as nft knows them: the ruleset listed when the
 * monitor started (nft's cache, which rule events do not update), so a
 * rule added since is an unknown handle there too.
 */
function traceContext(
  rules: readonly NftRule[],
  render: MonitorJson,
  ifnames: ReadonlyMap<number, string>,
  opts: MonitorTextOptions,
): TraceTextContext {
  const byHandle = new Map(rules.map((r) => [`${r.family} ${r.table} ${r.chain} ${r.handle}`, r]));
  return {
    ifname: (index) => ifnames.get(index) ?? index,
    rule: (family, table, chain, handle) => {
      const r = byHandle.get(`${family} ${table} ${chain} ${handle}`);
      const out = r && render.event({ type: "add", kind: "rule", object: r });
      if (!out) return undefined;
      const body = (out as { add: { rule: Json } }).add;
      const rule = (opts.stateless ? omitFromListing(body, { stateless: true, text: true }) : body) as {
        rule: { [k: string]: Json };
      };
      return ruleText(rule.rule, { handles: opts.handles, numericTime: opts.numericTime });
    },
  };
}
