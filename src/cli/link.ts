/**
 * `nlkit link show|add|set|del`, in `ip link`'s grammar.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { COMMANDS, resolveAlias } from "./aliases.ts";
import type { Context } from "./context.ts";
import { parseWords, required, type Words, type WordTable } from "./keywords.ts";
import { readKindWords, readSlaveWords } from "./link_kind_words.ts";
import { ADD_WORDS, addName, COMMON_WORDS, createOnly, groupNumber, linkSettings } from "./link_words.ts";
import { formatLink, formatLinkBrief, linkBriefJson } from "./link_text.ts";
import { invalidArgument } from "./numbers.ts";
import { jsonOpts, type LinkNames, linkNames, netnsNamesFor } from "./names.ts";
import { JsonArrayWriter, writeObject } from "./output.ts";
import { addErrorStats } from "./stats_json.ts";
import { getLink, type Link, streamLinks } from "../route/link/api.ts";
import type { CreateLinkSpec, LinkChanges } from "../route/link/change.ts";
import type { IpJsonOptions, IpLinkJson } from "../route/link/json.ts";

const SHOW: WordTable = {
  dev: { arg: "device name" },
  type: { arg: "link kind" },
  up: {},
  master: { arg: "master" },
  group: { arg: "group" },
};

const SET: WordTable = { ...COMMON_WORDS, dev: { arg: "device name" }, name: { arg: "new name" } };

/**
 * The userspace side of `link show`'s filters: `type X_slave` selects ports
 * by their master's kind (ip's `slave_kind`), `group` by group number.
 */
function matches(l: Link, w: Words, group: number | undefined): boolean {
  if (w.type !== undefined) {
    const slave = w.type.endsWith("_slave") ? w.type.slice(0, -6) : undefined;
    if (slave !== undefined ? l.linkinfo?.slaveKind !== slave : l.linkinfo?.kind !== w.type) return false;
  }
  if (w.up !== undefined && !l.flags.includes("UP")) return false;
  if (group !== undefined && (l.group ?? 0) !== group) return false;
  return true;
}

/** Converts a link to `ip -j` keys. */
type ToJson = (l: Link, o: IpJsonOptions) => IpLinkJson;

/**
 * Prints links as text or JSON (`toJson` given with -j); `names` resolves peers and masters.
 * A link `passes` refuses prints as `{}` in JSON: ip opens the object before its own filters.
 */
async function printLinks(
  ctx: Context,
  links: Link[],
  names: LinkNames,
  toJson?: ToJson,
  passes: (l: Link) => boolean = () => true,
): Promise<void> {
  const json = toJson ? new JsonArrayWriter(ctx.out, ctx.opts.pretty) : undefined;
  if (!json) links = links.filter(passes);
  const netnsNames = json ? undefined : await netnsNamesFor(ctx, links);
  const text = { mode: true, details: ctx.opts.details, stats: ctx.opts.stats, netnsNames };
  for (const l of links) {
    if (json && !passes(l)) json.item({});
    else if (ctx.opts.brief) {
      if (json) json.item(linkBriefJson(l, names));
      else ctx.out.line(formatLinkBrief(l, names, ctx.paint));
    } else if (json) {
      const item = toJson!(l, jsonOpts(ctx, names));
      if (ctx.opts.stats > 1) addErrorStats(item, l);
      json.item(item);
    } else writeObject(ctx.out, formatLink(l, names, ctx.paint, text), ctx.opts.oneline);
  }
  json?.end();
}

async function show(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, SHOW, "link show", "dev");
  const names = await linkNames(ctx);
  const group = w.group === undefined ? undefined : showGroup(w.group);
  const master = w.master === undefined ? undefined : linkIndexOf(names, w.master);
  // ip's words (invarg) for a master or group it cannot resolve.
  if (w.master !== undefined && master === undefined) throw invalidArgument(w.master, "Device does not exist");
  const links: Link[] = [];
  if (w.dev !== undefined) {
    links.push(await getLink(w.dev, ctx.lib));
  } else {
    // A slave kind is no link kind: the kernel filter would drop every port.
    const kind = w.type === undefined || w.type.endsWith("_slave") ? undefined : w.type;
    // Unfiltered, the names' dump is the listing: one dump, as ip makes.
    if (master === undefined && kind === undefined) links.push(...names.values());
    else for await (const l of streamLinks({ master, kind }, ctx.lib)) links.push(l);
  }
  // Loaded only when needed, like the change functions below: startup pays for what runs.
  const toJson = ctx.opts.json ? (await import("../route/link/json.ts")).linkToIpJson : undefined;
  await printLinks(ctx, links, names, toJson, (l) => matches(l, w, group));
}

function showGroup(word: string): number {
  try {
    return groupNumber(word);
  } catch {
    throw invalidArgument(word, 'Invalid "group" value');
  }
}

function linkIndexOf(names: LinkNames, name: string): number | undefined {
  for (const l of names.values()) if (l.name === name) return l.index;
  return undefined;
}

/** Reads `link add`'s words into the spec for `createLink` (names still unresolved). */
export function parseLinkAdd(args: Args): CreateLinkSpec {
  const common = parseWords(args, ADD_WORDS, "link add", "name", (w) => w === "type");
  if (args.next() !== "type") throw new UsageError(`Missing "type" in link add`, "type");
  return {
    ...linkSettings(common),
    ...createOnly(common),
    name: addName(common),
    ...readKindWords(args, common),
  } as CreateLinkSpec;
}

async function add(ctx: Context, args: Args): Promise<void> {
  const spec = parseLinkAdd(args);
  const { createLink } = await import("../route/link/change.ts");
  await createLink(spec, ctx.lib);
}

async function set(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, SET, "link set", "dev", (word) => word === "type");
  const dev = required(w, "dev", "link set");
  const changes: LinkChanges = linkSettings(w);
  if (w.name !== undefined) changes.name = w.name;
  // `type KIND_slave WORDS`: port settings under the master, in the same request, as ip sends them.
  if (args.next() === "type") changes.slave = readSlaveWords(args) as LinkChanges["slave"];
  if (Object.keys(changes).length === 0) throw new UsageError(`Nothing to change for "${dev}"`, dev);
  const { changeLink } = await import("../route/link/change.ts");
  await changeLink(dev, changes, ctx.lib);
}

async function del(ctx: Context, args: Args): Promise<void> {
  const w = parseWords(args, { dev: { arg: "device name" }, type: { arg: "link kind" } }, "link del", "dev");
  const dev = required(w, "dev", "link del");
  const { deleteLink } = await import("../route/link/change.ts");
  await deleteLink(dev, ctx.lib);
}

/** Handles `nlkit link ...`. */
export async function linkHandler(ctx: Context, args: Args): Promise<number | void> {
  const cmd = resolveAlias(COMMANDS, args.next() ?? "show", "link command", ["show", "add", "set", "del"]);
  if (cmd === "show") return await show(ctx, args);
  if (cmd === "add") return await add(ctx, args);
  if (cmd === "set") return await set(ctx, args);
  return await del(ctx, args);
}
