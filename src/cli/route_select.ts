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
import { dsfield } from "./dsfield.ts";
import { inetWord } from "./inet_words.ts";
import type { LinkNames } from "./names.ts";
import { parseRealms } from "./realms.ts";
import { forEachAttr } from "../wire/table.ts";
import type { RouteFilter } from "../route/route/filter.ts";
import type { Route } from "../route/route/table.ts";
import { RT_SCOPE_NAMES, RT_TABLE_MAIN, RT_TABLE_NAMES, RTN_NAMES, RTPROT_NAMES } from "../route/route/names.ts";
import { AF_INET, AF_INET6, parseCidr } from "../wire/addr.ts";

/** A parsed selector list: the library filter and the fields ip then leaves out of each line. */
export interface RouteSelection {
  /** The filter for `streamRoutes`. */
  filter: RouteFilter;
  /** `ip -j` keys of the fields the selectors fixed. */
  omit: Set<string>;
  /** `vrf NAME`: its table is looked up with the links ({@link applyVrf}). */
  vrf?: string;
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

/** `realms FROM/TO` as a filter: a side left out (`5/`, or a bare `TO`) matches any realm, as in ip. */
function realmsFilter(word: string, sel: RouteSelection): void {
  const realms = parseRealms(word);
  let mask = 0xffffffff;
  if ((realms & 0xffff) === 0 && word.endsWith("/")) mask &= ~0xffff;
  if ((realms & 0xffff0000) === 0 && !word.includes("/")) mask &= 0xffff;
  sel.filter.realms = realms;
  sel.filter.realmsMask = mask >>> 0;
  if (mask === 0xffffffff) sel.omit.add("flow"); // ip prints realms unless the selector fixed them all
}

/** `from [root|match|exact] PREFIX`: ip's source prefix selectors. */
function fromFilter(args: Args, filter: RouteFilter): void {
  let w = args.value("from");
  let key: "from" | "fromRoot" | "fromMatch" = "from";
  if (w === "root" || w === "match") [key, w] = [w === "root" ? "fromRoot" : "fromMatch", args.value(w)];
  else if (w === "exact") w = args.value(w);
  w = inetWord(w);
  checkPrefix(w);
  filter.from = filter.fromRoot = filter.fromMatch = undefined;
  filter[key] = w;
}

/** Words `route show|flush` takes besides the prefix ones: each returns whether it handled `w`. */
function moreSelectors(w: string, args: Args, sel: RouteSelection): boolean {
  const { filter } = sel;
  const value = (): string => args.value(w);
  if (w === "from") fromFilter(args, filter);
  else if (w === "tos" || w === "dsfield") {
    filter.tos = dsfield(value());
    sel.omit.add("tos");
  } else if (w === "iif") {
    filter.iif = value();
    sel.omit.add("iif");
  } else if (w === "mark") filter.mark = ipNumber(value(), "invalid mark value");
  else if (w === "realms" || w === "realm") realmsFilter(value(), sel);
  else if (w === "vrf") sel.vrf = value();
  else if (w === "cached" || w === "cloned") filter.cached = true;
  else return false;
  return true;
}

/**
 * `vrf NAME`: the VRF device's table, without its `local` and `broadcast`
 * routes, as ip lists it; ip's "Invalid VRF" for a name that is no VRF.
 */
export function applyVrf(sel: RouteSelection, names: LinkNames): void {
  if (sel.vrf === undefined) return;
  const link = [...names.values()].find((l) => l.name === sel.vrf);
  const info = link?.linkinfo;
  const data = info?.kind === "vrf" && info.data instanceof Uint8Array ? info.data : undefined;
  let table = 0;
  if (data) {
    forEachAttr(new DataView(data.buffer, data.byteOffset, data.byteLength), 0, data.length, (t, s, e) => {
      if (t === IFLA_VRF_TABLE && e - s >= 4) table = new DataView(data.buffer, data.byteOffset).getUint32(s, true);
    });
  }
  if (!table) throw invalidArgument(sel.vrf, "Invalid VRF");
  sel.filter.table = table;
  sel.filter.excludeTypes = ["local", "broadcast"];
}

/** `IFLA_VRF_TABLE`, the table of a VRF device. */
const IFLA_VRF_TABLE = 1;

/** Reads `ip route show|flush` selectors. */
export function parseRouteSelectors(ctx: Context, args: Args, cmd: string): RouteSelection {
  const filter: RouteFilter = {};
  const omit = new Set<string>(["table"]);
  const sel: RouteSelection = { filter, omit };
  let table: number | "all" = RT_TABLE_MAIN;
  const family = familyOf(ctx);
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const value = (): string => args.value(w!);
    if (w === "table") {
      const v = value();
      if (v === "cache") filter.cached = true; // ip's old spelling of `cached`
      else table = v === "all" ? "all" : ROUTE_WORDS.table(v);
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
      v = inetWord(v);
      if (isHost(v)) omit.add("gateway");
      filter.via = v;
    } else if (w === "src") {
      const v = inetWord(value());
      if (isHost(v)) omit.add("prefsrc");
      filter.prefsrc = v;
    } else if (w !== "" && ("cached".startsWith(w) || "cloned".startsWith(w))) {
      filter.cached = true; // ip's matches(): `cache`, `cached`, `cloned`
    } else if (moreSelectors(w, args, sel)) {
      continue;
    } else {
      if (w === "to") w = value();
      // ip's get_prefix reads "all" and "any" as 0/0 of no family: every route matches.
      if (w === "all" || w === "any") continue;
      let key: "dst" | "root" | "match" = "dst";
      if (w === "root" || w === "match") [key, w] = [w, value()];
      else if (w === "exact") w = value();
      w = inetWord(w);
      checkPrefix(w);
      if (filter[key] !== undefined) throw new UsageError(`Duplicate destination prefix "${w}"`, w);
      filter[key] = w;
    }
  }
  // Like ip: one family unless -4/-6 says so; IPv4 unless `table all` asks for every table.
  filter.family = family === AF_INET6 ? "inet6" : family === AF_INET || table !== "all" ? "inet" : "all";
  if (table === "all") omit.delete("table");
  filter.table = table;
  // ip reports a table that does not exist ("FIB table does not exist"). `show` lists nothing for main,
  // which a fresh namespace lacks until its first route; `flush` reports it too. vrf looks its table up later.
  filter.strictTable = typeof table === "number" && (cmd === "flush" || (cmd === "show" && table !== RT_TABLE_MAIN));
  return sel;
}

/**
 * ip's `dev` selector looks at the route's own output device only: a
 * multipath route (whose devices are in its nexthops) never matches, though
 * the library's filter, like the kernel's, matches it on any path.
 */
export function ownDevice(r: Route, filter: RouteFilter): boolean {
  return filter.dev === undefined || r.oif !== undefined;
}
