/**
 * The one-object form of `changeLink`: a listed {@link Link} with some
 * fields changed (`{ ...listed, mtu: 1400 }`). Which fields are settings
 * and which only report state is declared here; the settings that differ
 * from the link as the kernel has it now become the changes.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import type { Link } from "./api.ts";
import { IFF, IFLA_ATTRS } from "./table.ts";
import type { LinkChanges } from "./types.ts";

/** The bit of an `IFF_*` flag, from the one table that names them. */
function iffBit(name: (typeof IFF)[keyof typeof IFF]): number {
  return Number(Object.entries(IFF).find(([, n]) => n === name)![0]);
}

/** The `IFF_*` flags a change can set, the boolean setting that drives each, and whether `true` sets the bit. */
export const FLAG_SETTINGS = [
  ["up", "UP", iffBit("UP"), true],
  ["promisc", "PROMISC", iffBit("PROMISC"), true],
  ["arp", "NOARP", iffBit("NOARP"), false],
  ["multicast", "MULTICAST", iffBit("MULTICAST"), true],
  ["allmulticast", "ALLMULTI", iffBit("ALLMULTI"), true],
] as const;

/** Fields of a {@link Link} that are settings: a changed value is applied. */
export const LINK_SETTINGS = [
  "name",
  "mtu",
  "address",
  "broadcast",
  "txqlen",
  "alias",
  "group",
  "gsoMaxSize",
  "gsoMaxSegs",
  "groMaxSize",
  "gsoIpv4MaxSize",
  "groIpv4MaxSize",
] as const;

/**
 * Fields of a {@link Link} that only report state (counters, operational
 * state, kind data as listed...): ignored by the one-object form of
 * `changeLink`, whatever their value. `index` identifies the link; `flags`
 * and `master` are settings handled on their own.
 */
export const LINK_OUTPUT_ONLY: readonly string[] = [
  ...Object.keys(IFLA_ATTRS).filter((k) =>
    !(LINK_SETTINGS as readonly string[]).includes(k) &&
    !["master", "propList", "protinfo", "netnsPid", "netnsFd", "altIfname", "extMask"].includes(k)
  ),
  "family",
  "linkType",
  "change",
  "altnames",
  "bridgePort",
  "protinfo",
  "unknown",
];

/**
 * A listed {@link Link} with fields changed, for the one-object form of
 * `changeLink`: `index` says which link, the settings of
 * {@link LinkChanges} (`master` also by name, or `null` for none) and the
 * flag list are compared with the link as it is now, and every other field
 * of a listed link ({@link LINK_OUTPUT_ONLY}) is accepted and ignored.
 */
export interface LinkUpdate extends LinkChanges {
  /** The link's index (as listed). */
  index: number;
  /** `IFF_*` flag names: `UP`, `PROMISC`, `NOARP`, `MULTICAST` and `ALLMULTI` added or removed are applied. */
  flags?: string[];
}

/** Keys of {@link LinkChanges} that are not fields of a listed link: applied as given. */
const CHANGE_ONLY = [
  "up",
  "promisc",
  "arp",
  "multicast",
  "allmulticast",
  "kind",
  "data",
  "slave",
  "netns",
  "addrGenMode",
  "token",
] as const;

const KEYS = ["index", "flags", "master", ...LINK_SETTINGS, ...LINK_OUTPUT_ONLY, ...CHANGE_ONLY];

/**
 * The changes a listed link with changed fields asks for, against `current`
 * (the same link as the kernel reports it now): every setting whose value
 * differs, the settable `IFF_*` flags (`UP`, `PROMISC`, `NOARP`,
 * `MULTICAST`, `ALLMULTI`) added to or removed from `flags`, `master`
 * (`null` releases), and the {@link LinkChanges} keys as given (they win
 * over `flags`). Output-only fields ({@link LINK_OUTPUT_ONLY}) are ignored;
 * unknown keys are refused.
 */
export function linkUpdateChanges(update: LinkUpdate, current: Link): LinkChanges {
  checkKeys(update, KEYS, "link");
  const changes: Record<string, unknown> = {};
  for (const k of LINK_SETTINGS) {
    if (update[k] !== undefined && update[k] !== current[k]) changes[k] = update[k];
  }
  const master = update.master;
  if (master === null ? current.master !== undefined : master !== undefined && master !== current.master) {
    changes.master = master;
  }
  if (update.flags !== undefined) {
    if (!Array.isArray(update.flags)) {
      throw new InvalidArgumentError(`Cannot use flags ${JSON.stringify(update.flags)}: expected flag names`, "flags");
    }
    for (const [key, flag, , whenTrue] of FLAG_SETTINGS) {
      const on = update.flags.includes(flag);
      if (on !== current.flags.includes(flag)) changes[key] = on === whenTrue;
    }
  }
  for (const k of CHANGE_ONLY) if (update[k] !== undefined) changes[k] = update[k];
  return changes as LinkChanges;
}
