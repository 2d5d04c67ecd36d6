/**
 * The selectors of `ip route show|flush` (`table`, `proto`, `type`, `dev`,
 * `via`, `src`, `root`, `match`, `exact`, `metric`, ...), read as ip reads
 * them, with ip's errors: a word that is no keyword is the destination
 * prefix, and must be one.
 *
 * @module
 */

import type { Args } from "./args.ts";
import { UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import { familyOf } from "./family.ts";
import { invalidArgument, ipNumber, ipUnsigned } from "./numbers.ts";
import type { RouteFilter } from "../route/route/filter.ts";
import { RT_SCOPE_NAMES, RT_TABLE_NAMES, RTN_NAMES, RTPROT_NAMES } from "../route/route/names.ts";
import { AF_INET, AF_INET6, parseCidr } from "../wire/addr.ts";

/** A parsed selector list: the library filter and the fields ip then leaves out of each line. */
export interface RouteSelection {
  /** The filter for `streamRoutes`. */
  filter: RouteFilter;
  /** `ip -j` keys of the fields the selectors fixed. */
  omit: Set<string>;
}

/** ip's `get_prefix` error, for a word that should be a prefix. */
export function notAPrefix(word: string): UsageError {
  return new UsageError(`any valid prefix is expected rather than "${word}".`, word);
}

/** Checks an `ADDR[/LEN]` (or `default`/`all`/`any`) as ip's `get_prefix` does; returns its bit length. */
export function checkPrefix(word: string): number {
  if (word === "default" || word === "all" || word === "any") return 0;
  try {
    return parseCidr(word).prefixLen;
  } catch {
    throw notAPrefix(word);
  }
}

/** A full-length prefix: ip then leaves the field out of each line (it is the same on all). */
function isHost(word: string): boolean {
  const len = checkPrefix(word);
  return len === (word.includes(":") ? 128 : 32);
}

function nameOrNumber(names: Record<number, string>, word: string, why: string, max = 255): number {
  for (const [k, v] of Object.entries(names)) if (v === word) return Number(k);
  const n = ipUnsigned(word, max);
  if (n === undefined) throw invalidArgument(word, why);
  return n;
}

/** ip's protocol, scope and route type words, by name or (base-0) number. */
export const ROUTE_WORDS = {
  protocol: (w: string): number => nameOrNumber(RTPROT_NAMES, w, `invalid "protocol"`),
  scope: (w: string): number => nameOrNumber(RT_SCOPE_NAMES, w === "universe" ? "global" : w, `invalid "scope"`),
  type: (w: string): number => nameOrNumber(RTN_NAMES, w, "node type value is invalid"),
  table: (w: string): number => nameOrNumber(RT_TABLE_NAMES, w, "table id value is invalid", 0xffffffff),
} as const;

/** The words `route show` refuses because nlkit does not filter on them (yet): refused, never ignored. */
const UNSUPPORTED = ["from", "iif", "mark", "realms", "realm", "tos", "dsfield", "vrf", "cached", "cloned"];

/** Reads `ip route show|flush` selectors. */
export function parseRouteSelectors(ctx: Context, args: Args, cmd: string): RouteSelection {
  const filter: RouteFilter = {};
  const omit = new Set<string>(["table"]);
  let table: number | "all" = 254;
  const family = familyOf(ctx);
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const value = (): string => args.value(w!);
    if (w === "table") {
      const v = value();
      table = v === "all" ? "all" : ROUTE_WORDS.table(v);
      if (table === 0) table = "all";
    } else if (w === "proto" || w === "protocol") {
      const v = value();
      if (v !== "all") {
        filter.protocol = ROUTE_WORDS.protocol(v);
        omit.add("protocol");
      }
    } else if (w === "scope") {
      const v = value();
      if (v !== "all") {
        filter.scope = ROUTE_WORDS.scope(v);
        omit.add("scope");
      }
    } else if (w === "type") {
      filter.type = ROUTE_WORDS.type(value());
    } else if (w === "dev" || w === "oif") {
      filter.dev = value();
      omit.add("dev");
    } else if (w === "metric" || w === "priority" || w === "preference") {
      filter.metric = ipNumber(value(), `"metric" value is invalid`);
      omit.add("metric");
    } else if (w === "via") {
      let v = value();
      if (v === "inet" || v === "inet6") v = value();
      if (isHost(v)) omit.add("gateway");
      filter.via = v;
    } else if (w === "src") {
      const v = value();
      if (isHost(v)) omit.add("prefsrc");
      filter.prefsrc = v;
    } else if (UNSUPPORTED.includes(w)) {
      throw new UsageError(`"${w}" is not supported as a "route ${cmd}" selector`, w);
    } else {
      if (w === "to") w = value();
      let key: "dst" | "root" | "match" = "dst";
      if (w === "root" || w === "match") [key, w] = [w, value()];
      else if (w === "exact") w = value();
      checkPrefix(w);
      if (filter[key] !== undefined) throw new UsageError(`Duplicate destination prefix "${w}"`, w);
      filter[key] = w;
    }
  }
  // Like ip: one family unless -4/-6 says so; IPv4 unless `table all` asks for every table.
  filter.family = family === AF_INET6 ? "inet6" : family === AF_INET || table !== "all" ? "inet" : "all";
  if (table === "all") omit.delete("table");
  filter.table = table;
  return { filter, omit };
}
