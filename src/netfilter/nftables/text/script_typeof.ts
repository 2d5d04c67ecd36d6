/**
 * A set's `typeof EXPR` declaration as the data types the expression
 * yields (`typeof ip saddr . tcp dport` is `ipv4_addr . inet_service`),
 * which is what the kernel and nft's JSON keep of it.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import { CT_TYPES, HEADER_FIELDS, META_JSON_KEYS, META_TYPES } from "../json/fields.ts";

const UNQUALIFIED_META = ["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"];
const META_BY_JSON = Object.fromEntries(Object.entries(META_JSON_KEYS).map(([k, j]) => [j, k]));

/** The type names of a typeof expression's words (concatenated by `.`); throws naming a word it cannot type. */
export function typeofTypes(words: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  const next = () => words[i++];
  while (i < words.length) {
    const w = next();
    let type: string | undefined;
    if (w === "verdict") type = "verdict";
    else if (w === "osf" && words[i] === "name") (type = "string"), i++;
    else if (w === "numgen" && /^(inc|random)$/.test(words[i] ?? "") && words[i + 1] === "mod") {
      // `numgen inc mod 2 [offset N]`: a 32-bit integer.
      i += 3;
      if (words[i] === "offset") i += 2;
      type = "integer";
    } else if (w === "meta" || UNQUALIFIED_META.includes(w)) {
      const key = w === "meta" ? next() : w;
      type = META_TYPES[key ?? ""]?.[0] ?? META_TYPES[META_BY_JSON[key ?? ""] ?? ""]?.[0];
    } else if (w === "ct") {
      let key = next();
      if (key === "original" || key === "reply") key = next();
      if ((key === "ip" || key === "ip6") && CT_TYPES[`${key} ${words[i]}`]) key = `${key} ${next()}`;
      type = CT_TYPES[key ?? ""]?.[0];
    } else if (HEADER_FIELDS[w]) {
      const f = HEADER_FIELDS[w][words[i] ?? ""];
      if (f && f.key === undefined) (type = f.type), i++;
    }
    if (type === undefined) {
      throw new InvalidArgumentError(
        `Cannot use "${words.join(" ")}" as typeof: "${w}" is not an expression nlkit can type`,
      );
    }
    out.push(type);
    if (i < words.length && next() !== ".") {
      throw new InvalidArgumentError(`Cannot use "${words.join(" ")}" as typeof: expected "." between expressions`);
    }
  }
  return out;
}
