/**
 * The `-d` part of `ip link show`'s second line: counters, the kind and
 * slave-kind lines with their settings (printed by each kind's module), and
 * queue and offload sizes. Words, order and spacing follow iproute2 6.1,
 * including its trailing spaces.
 *
 * @module
 */

import type { Link } from "../route/link/api.ts";
import { type KindPrintContext, linkKind } from "../route/link/kinds/registry.ts";
import { textFields } from "../route/link/kinds/format.ts";
import { groupName, userName } from "./ids.ts";
import { type LinkNames, nameOfIndex } from "./names.ts";

/** Kind settings as parsed by the table engine. */
type Data = Record<string, unknown>;

function dataOf(v: unknown): Data {
  return v && typeof v === "object" && !(v instanceof Uint8Array) ? v as Data : {};
}

/**
 * Everything `-d` adds after the `link/...` address words, starting with
 * " promiscuity"; may contain newlines (the kind lines). `linkListing`: ip
 * prints `addrgenmode` in `ip link` listings, not in `ip addr` ones.
 */
export function linkDetails(l: Link, names: LinkNames, linkListing: boolean): string {
  let s = l.promiscuity === undefined ? "" : ` promiscuity ${l.promiscuity} `;
  if (l.allmulti !== undefined) s += ` allmulti ${l.allmulti} `;
  if (l.minMtu !== undefined) s += `minmtu ${l.minMtu} `;
  if (l.maxMtu !== undefined) s += `maxmtu ${l.maxMtu} `;
  const info = l.linkinfo;
  const ctx: KindPrintContext = { linkName: (i) => nameOfIndex(names, i), userName, groupName };
  if (info?.kind) s += `\n    ${info.kind} ${linkKind(info.kind)?.details?.(dataOf(info.data), ctx) ?? ""}`;
  if (info?.slaveKind) {
    s += `\n    ${info.slaveKind}_slave `;
    s += linkKind(info.slaveKind)?.slaveDetails?.(dataOf(info.slaveData), ctx) ?? "";
  }
  const gen = (l.afSpec as { inet6?: { addrGenMode?: string | number } } | undefined)?.inet6?.addrGenMode;
  if (gen !== undefined && linkListing) s += `addrgenmode ${gen} `;
  return s + textFields(l as unknown as Data, [
    ["numtxqueues", "numTxQueues"],
    ["numrxqueues", "numRxQueues"],
    ["gso_max_size", "gsoMaxSize"],
    ["gso_max_segs", "gsoMaxSegs"],
    ["tso_max_size", "tsoMaxSize"],
    ["tso_max_segs", "tsoMaxSegs"],
    ["gro_max_size", "groMaxSize"],
  ]);
}
