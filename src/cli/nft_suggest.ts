/**
 * nft's "did you mean" for a `list` of a stateful object (`list counter`,
 * `list quotas table`): nft caches every table and object for these, so a
 * missing table or object gets the closest name in the whole ruleset (for
 * tables, chains and sets nft caches only what is named, and suggests
 * nothing).
 *
 * @module
 */

import type { NotFoundError } from "../errors.ts";
import { listObjects, listTables } from "../netfilter/nftables/list.ts";
import type { NftOptions } from "../netfilter/nftables/socket.ts";
import { closest } from "../netfilter/nftables/text/misspell.ts";

/** The words after `list` that name stateful objects. */
const OBJECT_WORDS = [
  "counter",
  "counters",
  "quota",
  "quotas",
  "limit",
  "limits",
  "ct",
  "synproxy",
  "synproxys",
  "secmark",
  "secmarks",
];

/** `; did you mean ...?` for `e`, met by the query `words`, or "". */
export async function suggestion(words: readonly string[], e: NotFoundError, opts: NftOptions): Promise<string> {
  if (!OBJECT_WORDS.includes(words[1]) || e.requestType !== 0) return "";
  const key = String(e.key ?? "").split(" ");
  const name = key[key.length - 1];
  if (e.kind === "nft table") {
    const tables = await listTables({}, opts);
    const t = closest(name, tables.map((t) => [t.name ?? "", t] as const));
    return t ? `; did you mean table ‘${t.name}’ in family ${t.family}?` : "";
  }
  const objs = await listObjects({}, opts);
  const o = closest(name, objs.map((o) => [o.name ?? "", o] as const));
  return o ? `; did you mean obj ‘${o.name}’ in table ${o.family} ‘${o.table}’?` : "";
}
