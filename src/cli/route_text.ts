/**
 * `ip route show`'s text layout for a {@link Route}. Fields that a show
 * filter fixed (table, protocol, device...) are left out, as ip does.
 *
 * @module
 */

import type { Route } from "../route/route/table.ts";
import { routeFlagWords } from "../route/route/json.ts";
import type { RouteEncap, Seg6Encap, Seg6LocalEncap, SegmentList } from "../route/route/encap.ts";
import { RT_TABLE_NAMES } from "../route/route/names.ts";
import { nameOf } from "../wire/table.ts";
import { type ColorRole, NO_PAINT, type Painter } from "./color.ts";
import { TextSink } from "../wire/text_sink.ts";
import { type IndexNames, nameOfIndex } from "./names.ts";

/** What to print: `omit` names (by `ip -j` key) the fields a show filter fixed, which ip leaves out. */
export interface RouteTextOptions {
  /** Fields to leave out: `table`, `protocol`, `scope`, `dev`, `gateway`, `prefsrc`, `metric`, `tos`, `iif`, `flow`. */
  omit?: ReadonlySet<string>;
  /** `-d`: print everything. */
  details?: number;
}

function host(text: string, family: string): string {
  const full = family === "inet6" ? "/128" : "/32";
  return text.endsWith(full) ? text.slice(0, -full.length) : text;
}

function flagsText(list: readonly string[]): string {
  return routeFlagWords(list).map((f) => f + " ").join("");
}

/** C's `%g`: six significant digits, trailing zeros dropped. */
function gFormat(x: number): string {
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split("e");
    const n = Number(e);
    return `${String(Number(m))}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(Number(x.toPrecision(6)));
}

/** ip's time metrics: milliseconds, or seconds from 1000 ms on. */
function msText(ms: number): string {
  return ms >= 1000 ? `${gFormat(ms / 1e3)}s` : `${ms}ms`;
}

/** ip's `features` words: `ecn`, then the whole value in hex when other bits are set. */
function featuresText(v: number): string {
  let s = v & 1 ? "ecn " : "";
  if (v & ~1) s += `0x${v.toString(16)} `;
  return s;
}

const METRIC_NAMES: { readonly [key: string]: string } = { rtoMin: "rto_min", fastopenNoCookie: "fastopen_no_cookie" };

function metricsText(r: Route): string {
  const m = r.metrics;
  if (!m) return "";
  const lock = new Set<string>(m.lock ?? []);
  let s = "";
  for (const [k, v] of Object.entries(m)) {
    if (k === "lock" || k === "unknown" || v === undefined) continue;
    if (k === "hoplimit" && v === 0xffffffff) continue;
    const name = METRIC_NAMES[k] ?? k;
    s += `${name} ${lock.has(name) ? "lock " : ""}`;
    const n = v as number;
    if (k === "rtt") s += `${msText(Math.floor(n / 8))} `;
    else if (k === "rttvar") s += `${msText(Math.floor(n / 4))} `;
    else if (k === "rtoMin") s += `${msText(n)} `;
    else if (k === "features") s += featuresText(n);
    else s += `${String(v)} `;
  }
  return s;
}

/** ip's segment list: `segs N [ a b ] ` and the HMAC key id. */
function segsText(l: SegmentList): string {
  const hmac = l.hmac === undefined ? "" : `hmac ${l.hmac.toString(16).toUpperCase()} `;
  return `segs ${l.segs.length} [ ${l.segs.map((x) => x + " ").join("")}] ${hmac}`;
}

/** An encapsulation as ip prints it (with ip's leading blank: ` encap seg6 mode encap segs ...`). */
export function encapText(e: RouteEncap, names: IndexNames): string {
  let s = ` encap ${e.type} `;
  if (e.type === "seg6") {
    const x = e as Seg6Encap;
    s += `mode ${x.mode} ${segsText(x)}`;
  } else if (e.type === "seg6local") {
    const x = e as Seg6LocalEncap;
    s += `action ${x.action} `;
    if (x.srh) s += segsText(x.srh);
    if (x.table !== undefined) s += `table ${nameOf(RT_TABLE_NAMES, x.table)} `;
    if (x.vrftable !== undefined) s += `vrftable ${nameOf(RT_TABLE_NAMES, x.vrftable)} `;
    if (x.nh4 !== undefined) s += `nh4 ${x.nh4} `;
    if (x.nh6 !== undefined) s += `nh6 ${x.nh6} `;
    if (x.iif !== undefined) s += `iif ${nameOfIndex(names, x.iif)} `;
    if (x.oif !== undefined) s += `oif ${nameOfIndex(names, x.oif)} `;
  }
  return s;
}

/** A realm by name (`/etc/iproute2/rt_realms` ships only 0, "cosmos") or number. */
function realm(id: number): string {
  return id === 0 ? "cosmos" : String(id);
}

/** `RTA_FLOW` as ip prints it: `realm TO` or `realms FROM/TO`. */
export function realmsText(flow: number): string {
  const from = flow >>> 16, to = flow & 0xffff;
  return from ? `realms ${realm(from)}/${realm(to)} ` : `realm ${realm(to)} `;
}

/** Writes `text` plus a space in colour `role` (byte by byte when colourless, as most listings print). */
function painted(w: TextSink, paint: Painter, role: ColorRole, text: string): void {
  if (paint !== NO_PAINT) return w.text(paint(role, `${text} `));
  w.ascii(text);
  w.byte(32);
}

/** Writes `word` and a space. */
function word(w: TextSink, text: string): void {
  w.ascii(text);
  w.byte(32);
}

/**
 * Writes a route as one `ip route show` line (multipath routes add
 * `nexthop` lines) into `w`, with no line end: large listings print each
 * route straight into the output buffer, building no string.
 */
export function writeRoute(w: TextSink, r: Route, names: IndexNames, paint: Painter, o: RouteTextOptions = {}): void {
  const d = (o.details ?? 0) > 0;
  const omit = o.omit;
  // ip colours each address with the space after it ("%s "); `from` is coloured too.
  const fam = r.family === "inet6" ? "inet6" : "inet";
  if (r.type !== "unicast" || d) word(w, r.type);
  if (r.dst === "default") w.ascii("default ");
  else painted(w, paint, fam, host(r.dst, r.family));
  if (r.src !== undefined) painted(w, paint, fam, `from ${host(r.src, r.family)}`);
  if (r.tos && !omit?.has("tos")) word(w, `tos 0x${r.tos.toString(16).padStart(2, "0")}`);
  if (r.nhid !== undefined) word(w, `nhid ${r.nhid}`);
  if (r.encap !== undefined) w.text(encapText(r.encap, names));
  if (r.gateway !== undefined && !omit?.has("gateway")) {
    w.ascii("via ");
    painted(w, paint, fam, r.gateway);
  }
  if (r.via !== undefined) word(w, `via ${r.via.includes(":") ? "inet6" : "inet"} ${r.via}`);
  if (r.oif !== undefined && !omit?.has("dev")) {
    w.ascii("dev ");
    painted(w, paint, "ifname", nameOfIndex(names, r.oif));
  }
  if (r.table !== 0 && r.table !== "unspec" && (r.table !== "main" || d) && !omit?.has("table")) {
    word(w, `table ${r.table}`);
  }
  const flags = r.flags;
  if (flags.length === 0 || !flags.includes("cloned")) {
    if ((r.protocol !== "boot" || d) && !omit?.has("protocol")) {
      w.ascii("proto ");
      word(w, r.protocol);
    }
    if ((r.scope !== "global" || d) && !omit?.has("scope")) {
      w.ascii("scope ");
      word(w, r.scope);
    }
  }
  if (r.prefsrc !== undefined && !omit?.has("prefsrc")) {
    w.ascii("src ");
    painted(w, paint, fam, r.prefsrc);
  }
  if (r.metric !== undefined && !omit?.has("metric")) {
    w.ascii("metric ");
    w.uint(r.metric);
    w.byte(32);
  }
  if (flags.length) w.ascii(flagsText(flags));
  if (r.mark) word(w, r.mark >= 16 ? `mark 0x${r.mark.toString(16)}` : `mark ${r.mark}`);
  if (r.flow !== undefined && !omit?.has("flow")) w.ascii(realmsText(r.flow));
  if (r.uid !== undefined) word(w, `uid ${r.uid}`);
  if (r.cacheinfo?.expires) word(w, `expires ${r.expires}sec`);
  if (r.cacheinfo?.error) word(w, `error ${r.cacheinfo.error}`);
  if (r.metrics) w.ascii(metricsText(r));
  if (r.iif !== undefined && !omit?.has("iif")) word(w, `iif ${nameOfIndex(names, r.iif)}`);
  if (r.pref !== undefined) w.ascii(`pref ${r.pref}`);
  for (const nh of r.nexthops ?? []) {
    w.ascii("\n\tnexthop ");
    if (nh.gateway !== undefined) {
      w.ascii("via ");
      painted(w, paint, fam, nh.gateway);
    }
    if (nh.via !== undefined) word(w, `via ${nh.via.includes(":") ? "inet6" : "inet"} ${nh.via}`);
    if (nh.flow !== undefined) w.ascii(realmsText(nh.flow));
    w.ascii(`dev ${nameOfIndex(names, nh.oif)} weight ${nh.weight} ${flagsText(nh.flags)}`);
  }
  if (r.cache !== undefined) w.ascii(`\n    cache ${r.cache.length ? `<${r.cache.join(",")}> ` : ""}`);
}

/** Formats a route as one `ip route show` line (multipath routes add `nexthop` lines). */
export function formatRoute(r: Route, names: IndexNames, paint: Painter, o: RouteTextOptions = {}): string {
  const w = new TextSink(256);
  writeRoute(w, r, names, paint, o);
  return w.take();
}
