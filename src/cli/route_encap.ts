/**
 * The `encap seg6 ...` / `encap seg6local ...` and `realm`/`realms` words of
 * `ip route add|replace|change`, read as ip reads them.
 *
 * @module
 */

import { UsageError } from "./args.ts";
import { invalidArgument, ipNumber } from "./numbers.ts";
import { ROUTE_WORDS } from "./route_select.ts";
import type { LinkNames } from "./names.ts";
import { SEG6_LOCAL_ACTIONS, SEG6_MODES, type Seg6Encap, type Seg6LocalEncap } from "../route/route/encap.ts";

/** An encapsulation as parsed, with seg6local device names still to resolve. */
export interface ParsedEncap {
  /** The encapsulation (iif/oif filled in by {@link resolveEncapLinks}). */
  encap: Seg6Encap | Seg6LocalEncap;
  /** Device names of `iif`/`oif`. */
  links: { iif?: string; oif?: string };
}

/**
 * Takes `encap TYPE ...` out of `words` (in place) and parses it; the words
 * of the encapsulation end at the first word it does not know.
 */
export function takeEncap(words: string[]): ParsedEncap | undefined {
  const at = words.indexOf("encap");
  if (at < 0) return undefined;
  let i = at + 1;
  const next = (w: string): string => {
    const v = words[++i];
    if (v === undefined) throw new UsageError(`Missing value after "${w}"`, w);
    return v;
  };
  const type = words[i];
  let parsed: ParsedEncap;
  if (type === "seg6") {
    const e: Partial<Seg6Encap> = { type: "seg6" };
    for (i++; i < words.length; i++) {
      const w = words[i];
      if (w === "mode") {
        const m = next(w);
        if (!(SEG6_MODES as readonly string[]).includes(m)) throw invalidArgument(m, `"mode" value is invalid`);
        e.mode = m as Seg6Encap["mode"];
      } else if (w === "segs") {
        if (e.mode === undefined) throw invalidArgument(words[i + 1] ?? "", `"segs" provided before "mode"`);
        e.segs = next(w).split(",");
      } else if (w === "hmac") e.hmac = ipNumber(next(w), `"hmac" value is invalid`);
      else break;
    }
    if (e.mode === undefined || e.segs === undefined) {
      throw new UsageError(`"encap seg6" needs "mode" and "segs"`, "seg6");
    }
    parsed = { encap: e as Seg6Encap, links: {} };
  } else if (type === "seg6local") {
    const e: Partial<Seg6LocalEncap> = { type: "seg6local" };
    const links: ParsedEncap["links"] = {};
    for (i++; i < words.length; i++) {
      const w = words[i];
      if (w === "action") {
        const a = next(w);
        if (!(SEG6_LOCAL_ACTIONS as readonly string[]).includes(a)) {
          throw invalidArgument(a, `"action" value is invalid`);
        }
        e.action = a as Seg6LocalEncap["action"];
      } else if (w === "table") e.table = ROUTE_WORDS.table(next(w));
      else if (w === "vrftable") e.vrftable = ROUTE_WORDS.table(next(w));
      else if (w === "nh4") e.nh4 = next(w);
      else if (w === "nh6") e.nh6 = next(w);
      else if (w === "iif") links.iif = next(w);
      else if (w === "oif") links.oif = next(w);
      else if (w === "srh") {
        const srh: { segs?: string[]; hmac?: number } = {};
        for (i++; i < words.length; i++) {
          if (words[i] === "segs") srh.segs = next("segs").split(",");
          else if (words[i] === "hmac") srh.hmac = ipNumber(next("hmac"), `"hmac" value is invalid`);
          else break;
        }
        i--;
        if (srh.segs === undefined) throw new UsageError(`"srh" needs "segs"`, "srh");
        e.srh = srh as { segs: string[] };
      } else break;
    }
    if (e.action === undefined) throw new UsageError(`"encap seg6local" needs an "action"`, "seg6local");
    parsed = { encap: e as Seg6LocalEncap, links };
  } else {
    throw invalidArgument(type ?? "", `"encap type" value is invalid (nlkit knows seg6 and seg6local)`);
  }
  words.splice(at, i - at);
  return parsed;
}

/** Fills in the device indexes of a seg6local encapsulation. */
export function resolveEncapLinks(p: ParsedEncap, names: LinkNames): Seg6Encap | Seg6LocalEncap {
  const index = (name: string): number => {
    for (const l of names.values()) if (l.name === name) return l.index;
    throw new UsageError(`Cannot find device "${name}"`, name);
  };
  if (p.encap.type !== "seg6local") return p.encap;
  const e = { ...p.encap };
  if (p.links.iif !== undefined) e.iif = index(p.links.iif);
  if (p.links.oif !== undefined) e.oif = index(p.links.oif);
  return e;
}
