/**
 * The selectors of `ip addr show`, read as ip reads them: `to`, `scope`,
 * `up`, flag words (`primary`, `secondary`, `dynamic`, `permanent`, ...,
 * negated with a leading `-`), `label`, `group`, `master`, `nomaster`,
 * `type`, and the device.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import { invalidArgument, ipUnsigned } from "./numbers.ts";
import { checkPrefix } from "./route_select.ts";
import { inetWord } from "./inet_words.ts";
import type { AddressFilter } from "../route/addr/api.ts";
import { RT_SCOPE_NAMES } from "../route/route/names.ts";

/** The flag words of ip's `ifa_flag_data`, with the library's flag names. */
const FLAG_WORDS: Record<string, [flag: string, on: boolean]> = {
  secondary: ["secondary", true],
  temporary: ["secondary", true],
  primary: ["secondary", false],
  nodad: ["nodad", true],
  optimistic: ["optimistic", true],
  dadfailed: ["dadfailed", true],
  home: ["homeaddress", true],
  deprecated: ["deprecated", true],
  tentative: ["tentative", true],
  permanent: ["permanent", true],
  dynamic: ["permanent", false],
  mngtmpaddr: ["mngtmpaddr", true],
  noprefixroute: ["noprefixroute", true],
  autojoin: ["autojoin", true],
  "stable-privacy": ["stable-privacy", true],
};

/** A flag word's meaning; never an inherited property (`toString` is no flag). */
function flagWord(word: string): [flag: string, on: boolean] | undefined {
  return Object.hasOwn(FLAG_WORDS, word) ? FLAG_WORDS[word] : undefined;
}

/** Every keyword of `addr show`, for "did you mean" hints. */
export const ADDR_WORDS: readonly string[] = [
  "to",
  "scope",
  "up",
  "label",
  "group",
  "master",
  "nomaster",
  "type",
  "dev",
  ...Object.keys(FLAG_WORDS),
];

/** What `addr show` selects: the address filter, and the link-level selectors. */
export interface AddrSelection {
  /** Address filter (without the link). */
  filter: AddressFilter;
  /** The device (`dev X` or a bare word). */
  dev?: string;
  /** `up`: only links that are up. */
  up: boolean;
  /** `group N`. */
  group?: number;
  /** `master DEV`. */
  master?: string;
  /** `nomaster`: only links without a master. */
  nomaster: boolean;
  /** `type KIND`. */
  kind?: string;
  /** `type KIND_slave`: ports of a master of that kind. */
  slaveKind?: string;
}

function scope(word: string): number | undefined {
  if (word === "all") return undefined;
  for (const [k, v] of Object.entries(RT_SCOPE_NAMES)) if (v === word) return Number(k);
  const n = ipUnsigned(word, 255);
  if (n === undefined) throw invalidArgument(word, `invalid "scope"`);
  return n;
}

/** Reads `ip addr show` selectors. */
export function parseAddrSelectors(args: Args): AddrSelection {
  const sel: AddrSelection = { filter: {}, up: false, nomaster: false };
  const flags: Record<string, boolean> = {};
  for (let w = args.next(); w !== undefined; w = args.next()) {
    const value = (): string => args.value(w!);
    const neg = w.startsWith("-") ? flagWord(w.slice(1)) : undefined;
    if (w === "to") {
      const v = inetWord(value());
      checkPrefix(v);
      sel.filter.to = v;
    } else if (w === "scope") {
      const s = scope(value());
      if (s !== undefined) sel.filter.scope = s;
    } else if (w === "up") sel.up = true;
    else if (flagWord(w) || neg) {
      const [flag, on] = flagWord(w) ?? [neg![0], !neg![1]];
      flags[flag] = on;
    } else if (w === "label") sel.filter.label = value();
    else if (w === "group") {
      const v = value();
      const n = v === "default" ? 0 : ipUnsigned(v);
      if (n === undefined) throw invalidArgument(v, `Invalid "group" value`);
      sel.group = n;
    } else if (w === "master") sel.master = value();
    else if (w === "nomaster") sel.nomaster = true;
    else if (w === "type") {
      const v = value();
      if (v.endsWith("_slave")) sel.slaveKind = v.slice(0, -"_slave".length);
      else sel.kind = v;
    } else {
      if (w === "dev") w = value();
      if (sel.dev !== undefined) throw new UsageError(`either "dev" is duplicate, or "${w}" is a garbage.`, w);
      sel.dev = w;
    }
  }
  if (Object.keys(flags).length) sel.filter.flags = flags;
  return sel;
}
