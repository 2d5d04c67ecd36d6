/**
 * The fixed alias tables of objects and commands (iproute2's grammar,
 * without prefix matching).
 *
 * @module
 */

import { unknownWord } from "./args.ts";

/** Object names and the words that select them. */
export const OBJECTS = {
  link: ["l", "link"],
  addr: ["a", "addr", "address"],
  route: ["r", "route"],
  neigh: ["n", "neigh", "neighbor", "neighbour"],
  rule: ["ru", "rule"],
  monitor: ["mo", "monitor"],
  netns: ["netns"],
  nexthop: ["nh", "nexthop"],
  genl: ["genl"],
  tuntap: ["tuntap", "tap"],
  maddr: ["maddr", "maddress"],
  ct: ["ct", "conntrack"],
  help: ["help"],
} as const;

/** Command names and the words that select them. */
export const COMMANDS = {
  show: ["show", "list", "lst", "ls"],
  add: ["add"],
  del: ["del", "delete"],
  set: ["set"],
  replace: ["replace"],
  append: ["append"],
  get: ["get"],
  flush: ["flush"],
  exec: ["exec"],
  help: ["help"],
} as const;

/** A canonical object name. */
export type ObjectName = keyof typeof OBJECTS;

/** Resolves `word` through an alias table to one of the `allowed` names. */
export function resolveAlias<T extends Record<string, readonly string[]>, K extends keyof T & string>(
  table: T,
  word: string,
  what: string,
  allowed: readonly K[],
): K {
  for (const name of allowed) {
    if (table[name].includes(word)) return name;
  }
  throw unknownWord(what, word, allowed.flatMap((n) => table[n]));
}
