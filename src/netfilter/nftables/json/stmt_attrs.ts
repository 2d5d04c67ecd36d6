/**
 * The kernel attributes of nft's JSON `limit`, `synproxy` and `quota`, as
 * statements and as stateful objects.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { Json } from "./types.ts";
import { BYTE_UNITS, checkObjKeys, UNITS } from "./linearize_base.ts";

type Obj = { [k: string]: Json };

/** The kernel attributes of nft's JSON `limit` (statement or object). */
export function limitAttrs(l: Obj): { rate: number; unit: number; burst: number; type: string; flags?: string[] } {
  checkObjKeys(l, ["rate", "per", "burst", "inv", "rate_unit", "burst_unit"], "limit");
  const per = UNITS[String(l.per ?? "second")];
  if (!per) {
    throw new InvalidArgumentError(`Cannot use limit unit "${l.per}": expected ${Object.keys(UNITS).join(", ")}`);
  }
  const bytes = l.rate_unit !== undefined;
  const scale = (n: Json, u: Json) => {
    const m = BYTE_UNITS[String(u ?? "bytes")];
    if (!m) throw new InvalidArgumentError(`Cannot use byte unit "${u}": expected bytes, kbytes, mbytes`);
    return (n as number) * m;
  };
  return {
    rate: bytes ? scale(l.rate, l.rate_unit) : l.rate as number,
    unit: per,
    burst: bytes ? scale(l.burst ?? 0, l.burst_unit) : (l.burst ?? 5) as number,
    type: bytes ? "bytes" : "pkts",
    flags: l.inv ? ["inv"] : undefined,
  };
}

/** The kernel attributes of nft's JSON `synproxy` (statement or object). */
export function synproxyAttrs(o: Obj): { mss?: number; wscale?: number; flags: string[] } {
  const { family: _f, table: _t, name: _n, handle: _h, comment: _c, ...p } = o;
  checkObjKeys(p, ["mss", "wscale", "flags"], "synproxy");
  const flags = p.flags === undefined ? [] : Array.isArray(p.flags) ? p.flags.map(String) : [String(p.flags)];
  for (const f of flags) {
    if (f !== "timestamp" && f !== "sack-perm") {
      throw new InvalidArgumentError(`Cannot use synproxy flag "${f}": expected timestamp, sack-perm`);
    }
  }
  if (p.mss !== undefined) flags.push("mss");
  if (p.wscale !== undefined) flags.push("wscale");
  return { mss: p.mss as number | undefined, wscale: p.wscale as number | undefined, flags };
}

/** The kernel attributes of nft's JSON `quota` statement. */
export function quotaAttrs(q: Obj): { bytes: number; consumed?: number; flags?: string[] } {
  checkObjKeys(q, ["val", "val_unit", "used", "used_unit", "inv"], "quota");
  const unit = (u: Json) => {
    const m = BYTE_UNITS[String(u ?? "bytes")];
    if (!m) throw new InvalidArgumentError(`Cannot use byte unit "${u}": expected bytes, kbytes, mbytes`);
    return m;
  };
  return {
    bytes: (q.val as number) * unit(q.val_unit),
    consumed: q.used === undefined ? undefined : (q.used as number) * unit(q.used_unit),
    flags: q.inv ? ["inv"] : undefined,
  };
}
