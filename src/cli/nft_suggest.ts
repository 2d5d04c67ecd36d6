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
import type { NftOptions } from "../netfilter/nftables/socket.ts";
import { loadNames, objectHint, tableHint } from "../netfilter/nftables/text/script_suggest.ts";

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
  const names = await loadNames(opts);
  const hint = e.kind === "nft table" ? tableHint(names, name) : objectHint(names, "counter", name)?.hint;
  return hint ? `; did you mean ${hint}?` : "";
}
