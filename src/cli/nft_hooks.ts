/**
 * `nlkit nft list hooks [FAMILY] [device D]`: the functions and nf_tables
 * chains on each netfilter hook, in nft 1.0.6's layout (its
 * `mnl_nft_dump_nf_hooks` and `print_hooks`): a block per family, a block
 * per hook, one line per function with its priority as a signed
 * ten-digit number. nft 1.0.6 has no JSON for hooks.
 *
 * @module
 */

import type { Context } from "./context.ts";
import type { ListSpec } from "./nft_list_spec.ts";
import { dumpHooks, type NfHookQuery } from "../netfilter/nfhook/dump.ts";
import { type NfHook, NFNL_HOOK_TYPE_NFTABLES } from "../netfilter/nfhook/table.ts";
import { familyName } from "../netfilter/nftables/consts.ts";

/** Hook names by family (nft's `hooknum2str`); the inet hooks serve ip, ip6, inet and bridge. */
const HOOK_NAMES: Record<string, readonly string[]> = {
  inet: ["prerouting", "input", "forward", "output", "postrouting", "ingress"],
  arp: ["input", "output", "forward", "ingress"],
  netdev: ["ingress", "egress"],
};
const NF_INET_INGRESS = 5;
const NF_ARP_INGRESS = 3;

function hookName(family: string, num: number): string {
  const names = HOOK_NAMES[family] ?? (family === "netdev" || family === "arp" ? [] : HOOK_NAMES.inet);
  return names[num] ?? "unknown";
}

/** What nft asks the kernel for one family: the netdev ingress hooks first, then the family's own. */
function queries(family: string, device: string | undefined): NfHookQuery[] {
  const ingress = { family: "netdev", hooknum: 0, device };
  if (family === "netdev") return [ingress];
  if (family === "arp") return [ingress, { family, hooknum: 0, device }, { family, hooknum: 1, device }];
  return [ingress, ...[0, 1, 2, 3, 4].map((hooknum) => ({ family, hooknum, device }))];
}

/** A hook as nft files it: netdev ingress hooks count as the queried family's ingress. */
interface Filed {
  family: string;
  num: number;
  hook: NfHook;
}

function file(h: NfHook, query: string): Filed {
  const chainFamily = h.chainInfo?.desc?.family;
  if (h.family === "netdev") {
    if (query === "arp" && chainFamily === 5) return { family: query, num: NF_ARP_INGRESS, hook: h };
    if (query !== "arp" && query !== "netdev") return { family: query, num: NF_INET_INGRESS, hook: h };
  }
  return { family: h.family, num: h.hooknum ?? 0, hook: h };
}

/** nft's order: each hook after the first of its family and number whose priority is not below it. */
function insert(list: Filed[], f: Filed): void {
  const i = list.findIndex((x) => x.family === f.family && x.num === f.num && x.hook.priority! >= f.hook.priority!);
  if (i < 0) list.push(f);
  else list.splice(i + 1, 0, f);
}

function prioText(p: number): string {
  const digits = String(Math.abs(p)).padStart(10, "0");
  return p < 0 ? `-${digits.slice(-10)}` : p === 0 ? ` ${digits}` : `+${digits}`;
}

function familyText(list: readonly Filed[], family: string): string {
  const mine = list.filter((f) => f.family === family);
  if (!mine.length) return "";
  let out = `family ${family} {\n`;
  let prev: Filed | undefined;
  for (const f of mine) {
    const same = prev !== undefined && prev.num === f.num;
    if (prev) out += same ? "\n" : "\n\t}\n";
    if (!same) out += `\thook ${hookName(family, f.num)} {\n`;
    prev = f;
    const h = f.hook;
    out += `\t\t${prioText(h.priority ?? 0)}`;
    const chain = h.chainInfo?.type === NFNL_HOOK_TYPE_NFTABLES ? h.chainInfo.desc : undefined;
    if (chain?.table && chain.name) out += ` chain ${familyName(chain.family ?? 0)} ${chain.table} ${chain.name}`;
    else if (h.functionName) out += ` ${h.functionName}`;
    if (h.moduleName) out += ` [${h.moduleName}]`;
  }
  return `${out}\n\t}\n}\n`;
}

/** What nft asks the kernel for `list hooks [FAMILY]`, and which families it prints. */
export function hookPlan(
  family: string | undefined,
  device?: string,
): { asked: { family: string; queries: NfHookQuery[] }[]; printed: string[] } {
  // nft without a family asks for ip, ip6 and bridge (and decnet, never printed) and prints ip, ip6, bridge, arp.
  const asked = family === undefined ? ["ip", "ip6", "bridge"] : family === "inet" ? ["ip", "ip6"] : [family];
  const printed = family === undefined ? ["ip", "ip6", "bridge", "arp"] : family === "inet" ? ["ip", "ip6"] : [family];
  return { asked: asked.map((f) => ({ family: f, queries: queries(f, device) })), printed };
}

/** nft's text of the hooks each asked family's queries returned (`replies[i]` for `asked[i]`). */
export function hooksText(
  asked: readonly { family: string; replies: readonly NfHook[][] }[],
  printed: readonly string[],
): string {
  const list: Filed[] = [];
  for (const a of asked) for (const hooks of a.replies) for (const h of hooks) insert(list, file(h, a.family));
  return printed.map((f) => familyText(list, f)).join("");
}

/** Runs `nft list hooks ...` (text only: nft 1.0.6's JSON aborts on it). */
export async function nftListHooks(ctx: Context, spec: ListSpec, json: boolean): Promise<void> {
  if (json) throw new Error("Cannot list hooks as JSON: nft 1.0.6 has no JSON for hooks");
  const { asked, printed } = hookPlan(spec.family, spec.device);
  const replies = await dumpHooks(asked.flatMap((a) => a.queries), ctx.lib);
  let i = 0;
  const grouped = asked.map((a) => ({ family: a.family, replies: a.queries.map(() => replies[i++]) }));
  ctx.out.write(hooksText(grouped, printed));
}
