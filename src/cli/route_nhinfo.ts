/**
 * `ip -d route show`'s `nh_info`: a route that names a nexthop object
 * (`nhid`) prints that object too, as `ip nexthop show` does.
 *
 * @module
 */

import type { Context } from "./context.ts";
import { formatNexthop } from "./nexthop_text.ts";
import type { IpNexthopJson } from "../route/nexthop/json.ts";

/**
 * A lookup of nexthop objects by id, each asked once; undefined for one gone
 * since the route was read. The nexthop code loads on the first lookup (a
 * plain `route show` never needs it).
 */
export function nexthopInfo(ctx: Context): (id: number) => Promise<IpNexthopJson | undefined> {
  const seen = new Map<number, Promise<IpNexthopJson | undefined>>();
  return (id) => {
    let p = seen.get(id);
    if (!p) {
      p = (async () => {
        const [{ getNexthop }, { nexthopToIpJson }] = await Promise.all([
          import("../route/nexthop/api.ts"),
          import("../route/nexthop/json.ts"),
        ]);
        return await getNexthop(id, ctx.lib).then((nh) => nexthopToIpJson(nh, true), () => undefined);
      })();
      seen.set(id, p);
    }
    return p;
  };
}

/** The route's `ip -j` object with `nh_info` where ip puts it: before `nexthops`. */
export function withNhInfo(j: Record<string, unknown>, info: IpNexthopJson | undefined): Record<string, unknown> {
  if (!info) return j;
  const { nexthops, ...rest } = j;
  return nexthops === undefined ? { ...rest, nh_info: info } : { ...rest, nh_info: info, nexthops };
}

/**
 * The route's text with the `nh_info` line after its first line (`sep` ends
 * that line: "\\" with -oneline, where ip still breaks the line before `nh_info`).
 */
export function withNhInfoText(text: string, info: IpNexthopJson | undefined, sep = "\n"): string {
  if (!info) return text;
  const nl = text.indexOf(sep);
  const line = `\n\tnh_info ${formatNexthop(info)}`;
  return nl < 0 ? text + line : text.slice(0, nl) + line + text.slice(nl);
}
