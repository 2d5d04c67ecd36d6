/**
 * Route dump filters. The kernel filters a dump itself when the socket has
 * strict checking on (`NETLINK_GET_STRICT_CHK`): by table (`RTA_TABLE`),
 * protocol, type and output device (`RTA_OIF`). Every filter is also
 * applied here, with the same meaning, so that kernels which ignore a field
 * and fields the kernel cannot filter (scope, destination, gateway, metric)
 * give the same result. Prefix filters follow `ip route show`: `dst` is the
 * exact prefix, `root` selects routes inside a prefix, `match` the routes
 * that cover an address.
 *
 * @module
 */

import { AF_INET, AF_INET6, type Cidr, formatIp, inPrefix, parseCidr, parseIp } from "../../wire/addr.ts";
import { MessageBuilder } from "../../wire/builder.ts";
import { nameOf } from "../../wire/table.ts";
import { prefixLength, type Route, ROUTE_ATTRS, RTMSG } from "./table.ts";
import { type Family, familyNumber } from "../../wire/family.ts";
import { tableName } from "./tables.ts";
import { RT_SCOPE_NAMES, RT_TABLE_MAIN, RTM_F_CLONED, RTN_NAMES, RTPROT_NAMES } from "./names.ts";
import { checkUint, enumValue, parsePrefix, scopeValue, tableId } from "./check.ts";
import { RTM } from "../rtnl.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";

/** Which routes a dump returns. Unset fields match everything. */
export interface RouteFilter {
  /** `inet`, `inet6` (or the `AF_*` number), or `all` (both, the default). */
  family?: Family | number | "all";
  /** Table name or id, or `all`. Default `main`, like `ip route show`. */
  table?: number | string;
  /** Origin by name or number (kernel-filtered). */
  protocol?: string | number;
  /** Route type by name or number (kernel-filtered). */
  type?: string | number;
  /** Output device by name or index (kernel-filtered); multipath routes match on any path. */
  dev?: string | number;
  /** Scope by name or number. */
  scope?: string | number;
  /** Exact destination prefix (`default`, `10.0.0.0/24`). */
  dst?: string;
  /** Routes whose destination lies inside this prefix (`ip route show root 10.0.0.0/8`). */
  root?: string;
  /** Routes whose destination covers this address or prefix (`ip route show match 10.1.2.3`). */
  match?: string;
  /** Gateway (`RTA_GATEWAY` or `RTA_VIA`) inside this address or prefix (`via`). */
  via?: string;
  /** Preferred source address inside this address or prefix (`src` on the `ip route` line). */
  prefsrc?: string;
  /** Route priority (`metric`). */
  metric?: number;
  /** Exact source prefix of a source-specific route (`ip route show from PREFIX`). */
  from?: string;
  /** Routes whose source prefix lies inside this prefix (`from root PREFIX`). */
  fromRoot?: string;
  /** Routes whose source prefix covers this address or prefix (`from match PREFIX`). */
  fromMatch?: string;
  /** TOS / DS field selector, 0 to 255 (`tos`, `dsfield`). */
  tos?: number;
  /** Input device by name or index (`RTA_IIF`; `iif`). */
  iif?: string | number;
  /** Firewall mark (`RTA_MARK`; `mark`): routes without one have mark 0. */
  mark?: number;
  /** Realms (`RTA_FLOW`, `from << 16 | to`; routes without one have 0), compared under `realmsMask`. */
  realms?: number;
  /** Bits of `realms` that must match; default all of them. */
  realmsMask?: number;
  /** Hop limit metric (`RTAX_HOPLIMIT`, ip's `hoplimit`): routes without one have 0. */
  hoplimit?: number;
  /** Route types left out (`ip route show vrf` leaves out `local` and `broadcast`). */
  excludeTypes?: readonly (string | number)[];
  /**
   * Cached routes only (`RTM_F_CLONED` exceptions: learnt path MTUs,
   * redirects), as `ip route show cached` lists them; without it they are
   * left out, as ip does.
   */
  cached?: boolean;
  /**
   * Fail with the kernel's `ENOENT` ("FIB table does not exist") when
   * `table` names a table that does not exist, as `ip route show table N`
   * does. Default false: such a table lists nothing.
   */
  strictTable?: boolean;
}

/** The keys a {@link RouteFilter} takes. */
const FILTER_KEYS = [
  "family",
  "table",
  "protocol",
  "type",
  "dev",
  "scope",
  "dst",
  "root",
  "match",
  "via",
  "prefsrc",
  "metric",
  "from",
  "fromRoot",
  "fromMatch",
  "tos",
  "iif",
  "mark",
  "realms",
  "realmsMask",
  "hoplimit",
  "excludeTypes",
  "cached",
  "strictTable",
];

/** A filter with names resolved to numbers (the device index still to resolve). */
export interface CheckedFilter {
  /** Families to dump, in order. */
  families: number[];
  /** Table id, or undefined for all tables. */
  table?: number;
  /** The table as routes carry it (name or id). */
  tableName?: string | number;
  /** Protocol number. */
  protocol?: number;
  /** Type number. */
  type?: number;
  /** Output device index. */
  oif?: number;
  /** Scope name, as routes carry it. */
  scope?: string;
  /** Normalised destination prefix text, as routes carry it. */
  dst?: string;
  /** Destination family, when `dst` is set. */
  dstFamily?: number;
  /** Destination must lie inside this prefix. */
  root?: Cidr;
  /** Destination must cover this prefix. */
  match?: Cidr;
  /** Gateway must lie inside this prefix. */
  via?: Cidr;
  /** Preferred source must lie inside this prefix. */
  prefsrc?: Cidr;
  /** Route priority. */
  metric?: number;
  /** Source prefix: exact (both set), or inside (`fromRoot`) or covering (`fromMatch`). */
  fromRoot?: Cidr;
  /** Source prefix must cover this prefix. */
  fromMatch?: Cidr;
  /** TOS. */
  tos?: number;
  /** Input device index. */
  iif?: number;
  /** Firewall mark. */
  mark?: number;
  /** Realms and the bits compared. */
  realms?: { value: number; mask: number };
  /** Hop limit metric. */
  hoplimit?: number;
  /** Type numbers left out. */
  excludeTypes?: number[];
  /** Cached routes only (else none). */
  cached: boolean;
}

/** `default` is the zero-length prefix of the filter's family (IPv4 unless it says inet6). */
function prefixFilter(text: unknown, what: string, family: number | undefined): Cidr {
  if (text === "default") {
    const v6 = family === AF_INET6;
    return { family: v6 ? AF_INET6 : AF_INET, addr: new Uint8Array(v6 ? 16 : 4), prefixLen: 0 };
  }
  if (typeof text !== "string") throw new InvalidArgumentError(`Invalid ${what} filter: "${String(text)}"`);
  try {
    return parseCidr(text);
  } catch {
    throw new InvalidArgumentError(`Invalid ${what} filter: "${text}" (expected an address or prefix)`);
  }
}

/** Checks a filter and resolves its names (not the device). */
export function checkFilter(f: RouteFilter): CheckedFilter {
  if (typeof f !== "object" || f === null) throw new InvalidArgumentError(`Invalid route filter: "${String(f)}"`);
  checkKeys(f, FILTER_KEYS, "route filter");
  const fam = f.family === undefined || f.family === "all" ? undefined : familyNumber(f.family);
  if (fam !== undefined && fam !== AF_INET && fam !== AF_INET6) {
    throw new InvalidArgumentError(
      `Cannot use route filter family ${JSON.stringify(f.family)}: expected inet, inet6 or all`,
      "family",
    );
  }
  const c: CheckedFilter = {
    families: fam === undefined ? [AF_INET, AF_INET6] : [fam],
    cached: checkBool("cached", f.cached),
  };
  checkBool("strictTable", f.strictTable);
  if (f.table === undefined) c.table = RT_TABLE_MAIN;
  else if (f.table !== "all") c.table = tableId(f.table);
  if (c.table !== undefined) c.tableName = tableName(c.table);
  if (f.protocol !== undefined) c.protocol = enumValue(RTPROT_NAMES, f.protocol, "protocol");
  if (f.type !== undefined) c.type = enumValue(RTN_NAMES, f.type, "route type");
  if (f.scope !== undefined) c.scope = nameOf(RT_SCOPE_NAMES, scopeValue(f.scope));
  if (f.dst !== undefined) {
    if (f.dst === "default") c.dst = "default";
    else {
      const p = parsePrefix(f.dst, "destination filter");
      c.dstFamily = p.family;
      c.dst = p.prefixLen === 0 ? "default" : `${formatIp(p.addr)}/${p.prefixLen}`;
    }
    if (c.dstFamily !== undefined) c.families = c.families.filter((x) => x === c.dstFamily);
  }
  for (const key of ["root", "match", "via", "prefsrc"] as const) {
    if (f[key] === undefined) continue;
    const p = prefixFilter(f[key], key, fam);
    c[key] = p;
    // A gateway may be of the other family (RTA_VIA); every other prefix fixes the route's family.
    if (key !== "via") c.families = c.families.filter((x) => x === p.family);
  }
  if (f.metric !== undefined) c.metric = checkUint("metric", f.metric);
  checkSourceFilters(f, c, fam);
  if (f.tos !== undefined) c.tos = checkUint("tos", f.tos, 255);
  if (f.mark !== undefined) c.mark = checkUint("mark", f.mark);
  if (f.realmsMask !== undefined && f.realms === undefined) {
    throw new InvalidArgumentError("Invalid route filter: realmsMask needs realms");
  }
  if (f.realms !== undefined) {
    c.realms = { value: checkUint("realms", f.realms), mask: checkUint("realmsMask", f.realmsMask ?? 0xffffffff) };
  }
  if (f.hoplimit !== undefined) c.hoplimit = checkUint("hoplimit", f.hoplimit, 255);
  if (f.excludeTypes !== undefined) {
    if (!Array.isArray(f.excludeTypes)) {
      throw new InvalidArgumentError(
        `Invalid excludeTypes: "${String(f.excludeTypes)}" (expected an array of route types)`,
      );
    }
    c.excludeTypes = f.excludeTypes.map((t) => enumValue(RTN_NAMES, t, "route type"));
  }
  return c;
}

function checkBool(what: string, v: unknown): boolean {
  if (v !== undefined && typeof v !== "boolean") {
    throw new InvalidArgumentError(`Invalid ${what}: "${String(v)}" (expected a boolean)`);
  }
  return v === true;
}

/** `from`, `fromRoot`, `fromMatch`: `from` is both (an exact source prefix), as in ip. */
function checkSourceFilters(f: RouteFilter, c: CheckedFilter, fam: number | undefined): void {
  if (f.from !== undefined && (f.fromRoot !== undefined || f.fromMatch !== undefined)) {
    throw new InvalidArgumentError("Invalid route filter: from excludes fromRoot and fromMatch");
  }
  const root = f.from ?? f.fromRoot;
  const match = f.from ?? f.fromMatch;
  if (root !== undefined) c.fromRoot = prefixFilter(root, f.from !== undefined ? "from" : "fromRoot", fam);
  if (match !== undefined) c.fromMatch = prefixFilter(match, f.from !== undefined ? "from" : "fromMatch", fam);
  for (const p of [c.fromRoot, c.fromMatch]) if (p) c.families = c.families.filter((x) => x === p.family);
}

/** The strict-check dump request of one family, carrying the kernel-side filters. */
export function dumpRequest(family: number, c: CheckedFilter): Uint8Array {
  const b = new MessageBuilder(RTM.RTM_GETROUTE, 0).struct(RTMSG, {
    family,
    table: c.table !== undefined && c.table < 256 ? c.table : 0,
    protocol: c.protocol ?? 0,
    type: c.type ?? 0,
    flags: c.cached ? RTM_F_CLONED : 0,
  });
  if (c.table !== undefined) b.u(ROUTE_ATTRS.table.type, "u32", c.table);
  if (c.oif !== undefined) b.u(ROUTE_ATTRS.oif.type, "u32", c.oif);
  return b.finish();
}

const PROTO_BY_NAME = new Map<string, number>(Object.entries(RTPROT_NAMES).map(([k, v]) => [v, Number(k)]));
const TYPE_BY_NAME = new Map<string, number>(Object.entries(RTN_NAMES).map(([k, v]) => [v, Number(k)]));

function enumNumber(map: Map<string, number>, name: string): number {
  return map.get(name) ?? Number(name);
}

/** Tells whether a route passes a filter (the userspace side of the filtering). */
export function matchRoute(r: Route, c: CheckedFilter): boolean {
  if (!c.families.includes(r.family === "inet" ? AF_INET : r.family === "inet6" ? AF_INET6 : -1)) return false;
  if (c.tableName !== undefined && r.table !== c.tableName) return false;
  if (c.protocol !== undefined && enumNumber(PROTO_BY_NAME, r.protocol) !== c.protocol) return false;
  if (c.type !== undefined && enumNumber(TYPE_BY_NAME, r.type) !== c.type) return false;
  if (c.oif !== undefined && r.oif !== c.oif && !r.nexthops?.some((n) => n.oif === c.oif)) return false;
  if (c.scope !== undefined && r.scope !== c.scope) return false;
  if (c.dst !== undefined && r.dst !== c.dst) return false;
  if (c.metric !== undefined && (r.metric ?? 0) !== c.metric) return false;
  if (c.root && !(prefixLength(r.dst) >= c.root.prefixLen && within(r.dst, c.root, c.root.prefixLen))) return false;
  if (c.match && !(prefixLength(r.dst) <= c.match.prefixLen && within(c.match, r.dst, prefixLength(r.dst)))) {
    return false;
  }
  if (c.via && !hostOrWithin(r.gateway ?? r.via, c.via)) return false;
  if (c.prefsrc && !hostOrWithin(r.prefsrc, c.prefsrc)) return false;
  return matchMore(r, c);
}

/** The selectors added for ip's `from`, `tos`, `iif`, `mark`, `realms`, `vrf` and `cached`, and `hoplimit`. */
function matchMore(r: Route, c: CheckedFilter): boolean {
  if (c.cached !== r.flags.includes("cloned")) return false;
  if (c.excludeTypes?.includes(enumNumber(TYPE_BY_NAME, r.type))) return false;
  if (c.tos !== undefined && r.tos !== c.tos) return false;
  if (c.iif !== undefined && (r.iif ?? 0) !== c.iif) return false;
  if (c.mark !== undefined && (r.mark ?? 0) !== c.mark) return false;
  if (c.realms && (((r.flow ?? 0) ^ c.realms.value) & c.realms.mask) !== 0) return false;
  if (c.hoplimit !== undefined && (r.metrics?.hoplimit ?? 0) !== c.hoplimit) return false;
  const srcLen = r.src === undefined ? 0 : prefixLength(r.src);
  if (c.fromRoot && !(srcLen >= c.fromRoot.prefixLen && within(r.src, c.fromRoot, c.fromRoot.prefixLen))) return false;
  if (c.fromMatch && !(srcLen <= c.fromMatch.prefixLen && within(c.fromMatch, r.src ?? "default", srcLen))) {
    return false;
  }
  return true;
}

/** The address bytes of a route field (`default` and absent fields are all zeros, as ip compares them). */
function bytesOf(v: string | Cidr | undefined, family: number): Uint8Array {
  if (typeof v === "object") return v.addr;
  if (v === undefined || v === "default") return new Uint8Array(family === AF_INET6 ? 16 : 4);
  const slash = v.indexOf("/");
  return parseIp(slash < 0 ? v : v.slice(0, slash));
}

/** A full-length prefix is one address: compare the text the parser gave (no per-route parsing). */
function hostOrWithin(a: string | undefined, p: Cidr): boolean {
  if (p.prefixLen === p.addr.length * 8) return a === formatIp(p.addr);
  return within(a, p, p.prefixLen);
}

/** Tells whether `a` and `b` agree on their first `bits` bits (and are of one family). */
function within(a: string | Cidr | undefined, b: string | Cidr, bits: number): boolean {
  const family = typeof b === "object" ? b.family : typeof a === "object" ? a.family : AF_INET;
  return inPrefix(bytesOf(a, family), bytesOf(b, family), bits);
}
