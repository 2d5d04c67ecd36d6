/**
 * `nlkit rule show|add|del`, in `ip rule`'s grammar.
 *
 * @module
 */

import { type Args, toInt, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { parseWords, type WordTable } from "./keywords.ts";
import { inetWord } from "./inet_words.ts";
import { ipProtoNumber } from "./etc_protocols.ts";
import { JsonArrayWriter } from "./output.ts";
import { formatRule, ruleJson } from "./rule_text.ts";
import { addRule, deleteRule, type RuleFilter, streamRules } from "../route/rule/api.ts";
import { dsfield } from "./dsfield.ts";
import { invalidArgument, ipNumber, ipWord } from "./numbers.ts";
import { ruleRange, ruleSelector } from "./rule_select.ts";
import { ROUTE_WORDS } from "./route_select.ts";
import type { RuleSpec } from "../route/rule/build.ts";
import { AF_INET, AF_INET6, parseCidr } from "../wire/addr.ts";

const ACTIONS = ["blackhole", "unreachable", "prohibit", "nop"];

const CHANGE: WordTable = {
  not: {},
  from: { arg: "prefix", inet: true },
  to: { arg: "prefix", inet: true },
  iif: { arg: "device" },
  dev: { arg: "device", key: "iif" },
  oif: { arg: "device" },
  fwmark: { arg: "mark" },
  priority: { arg: "priority" },
  pref: { arg: "priority", key: "priority" },
  preference: { arg: "priority", key: "priority" },
  table: { arg: "table" },
  lookup: { arg: "table", key: "table" },
  goto: { arg: "priority" },
  type: { arg: "rule type" },
  tos: { arg: "TOS" },
  dsfield: { arg: "TOS", key: "tos" },
  protocol: { arg: "protocol" },
  ipproto: { arg: "IP protocol" },
  uidrange: { arg: "uid range" },
  sport: { arg: "port" },
  dport: { arg: "port" },
  suppress_prefixlength: { arg: "prefix length" },
  suppress_ifgroup: { arg: "group" },
  l3mdev: {},
};

/** Builds a rule spec from `ip rule add`-style words. */
function ruleSpec(ctx: Context, args: Args, cmd: string): RuleSpec {
  let action: string | undefined;
  const w = parseWords(args, CHANGE, `rule ${cmd}`, "type");
  const s: RuleSpec = {};
  if (w.type !== undefined) {
    if (!ACTIONS.includes(w.type) && w.type !== "unicast") {
      throw new UsageError(`Invalid rule type: "${w.type}"`, w.type);
    }
    if (w.type !== "unicast") action = w.type;
  }
  const fam = familyOf(ctx);
  if (fam !== undefined) s.family = fam;
  if (w.not !== undefined) s.invert = true;
  if (w.from !== undefined && w.from !== "all") s.src = w.from;
  if (w.to !== undefined && w.to !== "all") s.dst = w.to;
  if (w.iif !== undefined) s.iif = w.iif;
  if (w.oif !== undefined) s.oif = w.oif;
  if (w.fwmark !== undefined) {
    const [m, mask] = w.fwmark.split("/");
    s.fwmark = ipNumber(m, "fwmark value is invalid");
    if (mask !== undefined) s.fwmask = ipNumber(mask, "fwmask value is invalid");
  }
  if (w.priority !== undefined) s.priority = ipNumber(w.priority, "preference value is invalid");
  if (w.table !== undefined) s.table = ipWord(() => ROUTE_WORDS.table(w.table!), w.table, "invalid table ID");
  if (w.goto !== undefined) {
    s.goto = ipNumber(w.goto, "invalid target");
    action = "goto";
  }
  if (w.tos !== undefined) s.tos = dsfield(w.tos);
  if (w.protocol !== undefined) {
    s.protocol = ipWord(() => ROUTE_WORDS.protocol(w.protocol!), w.protocol, `"protocol" value is invalid`);
  }
  if (w.ipproto !== undefined) {
    const n = ipProtoNumber(w.ipproto);
    if (n === undefined) throw invalidArgument(w.ipproto, `Invalid "ipproto" value`);
    s.ipProto = n;
  }
  if (w.uidrange !== undefined) s.uidRange = ruleRange(w.uidrange, "invalid UID range", 0xffffffff, false);
  if (w.sport !== undefined) s.sportRange = ruleRange(w.sport, "invalid port range", 0xffff, true);
  if (w.dport !== undefined) s.dportRange = ruleRange(w.dport, "invalid dport range", 0xffff, true);
  if (w.suppress_prefixlength !== undefined) {
    s.suppressPrefixlen = ipNumber(w.suppress_prefixlength, "suppress_prefixlength value is invalid", 0x7fffffff);
  }
  if (w.suppress_ifgroup !== undefined) s.suppressIfgroup = toInt(w.suppress_ifgroup, "group");
  if (w.l3mdev !== undefined) s.l3mdev = true;
  if (action !== undefined) s.action = action;
  return s;
}

/** Reads `ip rule show` selectors (ip's words and errors) into a library filter. */
function parseRuleSelectors(args: Args, family: number): RuleFilter {
  const f: RuleFilter = { family };
  const prefix = (word: string): string | undefined => {
    if (word === "all" || word === "any" || word === "default") return undefined;
    word = inetWord(word);
    try {
      if (parseCidr(word).family === family) return word;
    } catch { /* refused below */ }
    throw new UsageError(`inet prefix is expected rather than "${word}".`, word);
  };
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const value = (): string => args.value(w!);
    if (w === "pref" || w === "preference" || w === "priority" || w === "order") {
      f.priority = ipNumber(value(), "preference value is invalid");
    } else if (w === "not") f.invert = true;
    else if (w === "tos" || w === "dsfield") f.tos = dsfield(value());
    else if (w === "fwmark") {
      const [mark, mask] = value().split("/");
      f.fwmark = ipNumber(mark, "fwmark value is invalid");
      if (mask !== undefined) f.fwmask = ipNumber(mask, "fwmask value is invalid");
    } else if (w === "dev" || w === "iif") f.iif = value();
    else if (w === "oif") f.oif = value();
    else if (w === "table" || w === "lookup") {
      const v = value();
      f.table = ROUTE_WORDS.table(v);
    } else if (w === "from" || w === "src") f.src = prefix(value());
    else if (ruleSelector(w, value, f)) continue;
    else {
      if (w === "to" || w === "dst") w = value();
      f.dst = prefix(w);
    }
  }
  return f;
}

async function show(ctx: Context, args: Args): Promise<void> {
  // Like ip rule: IPv4 unless -6.
  const family = familyOf(ctx) === AF_INET6 ? AF_INET6 : AF_INET;
  const filter = parseRuleSelectors(args, family);
  const json = ctx.opts.json ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  for await (const r of streamRules(filter, ctx.lib)) {
    if (json) json.item(ruleJson(r));
    else ctx.out.line(formatRule(r, ctx.opts.details));
  }
  json?.end();
}

/** Handles `nlkit rule ...`. */
export async function ruleHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "rule command", ["show", "add", "del"]);
  if (cmd === "show") return await show(ctx, args);
  const spec = ruleSpec(ctx, args, cmd);
  await (cmd === "add" ? addRule : deleteRule)(spec, ctx.lib);
}
