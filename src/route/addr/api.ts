/**
 * Interface addresses over rtnetlink: list and stream them (filtered by
 * the kernel), add, replace, delete and flush them. IPv4 and IPv6.
 *
 * @example
 * ```ts ignore
 * import { addAddress, deleteAddress, listAddresses } from "./api.ts";
 * await addAddress("veth0", "10.0.0.1/24", { broadcast: true, label: "veth0:a" }, { netns: "blue" });
 * for (const a of await listAddresses({ dev: "veth0" }, { netns: "blue" })) {
 *   console.log(a.address, a.dev, a.scope, a.flags); // 10.0.0.1/24 veth0 global ["permanent"]
 *   await deleteAddress(a, { netns: "blue" }); // a listed address is accepted as it is
 * }
 * ```
 *
 * @module
 */

import { AF_INET, AF_INET6, AF_UNSPEC, inPrefix, parseCidr, parseIp } from "../../wire/addr.ts";
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from "../../wire/constants.ts";
import { buildAddressRequest } from "./_generated/table.ts";
import { nameOf } from "../../wire/table.ts";
import type { NetlinkSocket } from "../../socket/socket.ts";
import { checkKeys, InvalidArgumentError } from "../../wire/invalid.ts";
import { familyName, familyNumber } from "../../wire/family.ts";
import { checkTarget } from "../../socket/target.ts";
import { checkLinkIndex, resolveLinkIndex } from "../link/resolve.ts";
import { type LinkNameMap, linkNameOf, readLinkNames } from "../link_names.ts";
import { RT_SCOPE_NAMES } from "../route/names.ts";
import { deleteEach, type DumpPlan, DumpStream, type RouteOptions, RTM, withRouteSocket } from "../rtnl.ts";
import { type Address, ADDRESS_OUTPUT_ONLY, IFA_F_NAMES } from "./table.ts";
import { parseAddressMessage } from "./parse.ts";
import {
  addressRequest,
  type AddressSettings,
  deleteMessage,
  FLAG_ALIASES,
  newAddressMessage,
  scopeOf,
} from "./build.ts";

export type { AddressSettings } from "./build.ts";

/** Which addresses to list: all by default. */
export interface AddressFilter {
  /** Only addresses of this device (name or index); filtered by the kernel. */
  dev?: string | number;
  /** Only this family (`"inet"`/`"inet6"`, or `AF_INET`/`AF_INET6`); filtered by the kernel. */
  family?: "inet" | "inet6" | number;
  /** Only addresses of this scope (`global`, `link`, `host`, ... or a number). */
  scope?: string | number;
  /** Only local addresses inside this prefix (`ip addr show to 10.0.0.0/8`); also fixes the family. */
  to?: string;
  /**
   * Only addresses whose label matches this shell pattern (`eth0:*`), as
   * `ip addr show label` matches: an address without a label (IPv6) is
   * matched by its link's name.
   */
  label?: string;
  /**
   * Flags each address must have (`true`) or lack (`false`), by name:
   * `{ secondary: false }` is ip's `primary`, `{ permanent: false }` its `dynamic`.
   */
  flags?: Readonly<Record<string, boolean>>;
}

/** Which addresses to flush: the same filter as listing. */
export type AddressFlushFilter = AddressFilter;

const FILTER_KEYS = ["dev", "family", "scope", "to", "label", "flags"];

/** Turns a shell pattern (`*`, `?`, `[...]`, as `fnmatch(3)` without flags) into a regular expression. */
function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const close = c === "[" ? pattern.indexOf("]", i + 2) : -1;
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (close > 0) {
      const body = pattern.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\");
      re += `[${body}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "s");
}

/** What every address must pass, checked before anything is sent. */
interface AddressMatch {
  family: number;
  scope?: string;
  to?: { family: number; addr: Uint8Array; prefixLen: number };
  label?: RegExp;
  flagsOn: string[];
  flagsOff: string[];
}

function checkAddressFilter(filter: AddressFilter): AddressMatch {
  if (typeof filter !== "object" || filter === null) {
    throw new InvalidArgumentError(`Invalid address filter: "${String(filter)}"`);
  }
  if (Object.hasOwn(filter, "link")) {
    throw new InvalidArgumentError('Cannot use address filter: "link" is spelt "dev" (a name or an index)', "link");
  }
  checkKeys(filter, FILTER_KEYS, "address filter");
  const m: AddressMatch = { family: familyOf(filter.family), flagsOn: [], flagsOff: [] };
  if (filter.scope !== undefined) m.scope = nameOf(RT_SCOPE_NAMES, scopeOf(filter.scope));
  if (filter.to !== undefined) {
    m.to = parseCidr(String(filter.to));
    if (m.family && m.family !== m.to.family) {
      throw new InvalidArgumentError(`Invalid address filter: "to" ${filter.to} is not of family ${filter.family}`);
    }
    m.family = m.to.family;
  }
  if (filter.label !== undefined) {
    if (typeof filter.label !== "string") {
      throw new InvalidArgumentError(`Invalid label filter: "${String(filter.label)}"`);
    }
    m.label = globToRegExp(filter.label);
  }
  const known = Object.values(IFA_F_NAMES) as string[];
  for (const [name, on] of Object.entries(filter.flags ?? {})) {
    const flag = FLAG_ALIASES[name] ?? name;
    if (!known.includes(flag)) {
      throw new InvalidArgumentError(`Unknown address flag: "${name}" (one of ${known.join(", ")})`);
    }
    if (typeof on !== "boolean") {
      throw new InvalidArgumentError(`Invalid flag filter for "${name}": "${String(on)}" (true or false)`);
    }
    (on ? m.flagsOn : m.flagsOff).push(flag);
  }
  return m;
}

function matchAddress(a: Address, m: AddressMatch, index: number, names: LinkNameMap): boolean {
  if ((index && a.ifindex !== index) || (m.family && a.family !== familyName(m.family))) return false;
  if (m.scope !== undefined && a.scope !== m.scope) return false;
  if (m.flagsOn.some((f) => !a.flags.includes(f)) || m.flagsOff.some((f) => a.flags.includes(f))) return false;
  if (m.label && !m.label.test(a.label ?? names.get(a.ifindex)?.name ?? "")) return false;
  if (m.to && !(a.local !== undefined && inPrefix(parseIp(a.local), m.to.addr, m.to.prefixLen))) return false;
  return true;
}

function familyOf(f: AddressFilter["family"]): number {
  if (f === undefined) return AF_UNSPEC;
  const n = familyNumber(f);
  if (n !== AF_UNSPEC && n !== AF_INET && n !== AF_INET6) {
    throw new InvalidArgumentError(`Cannot use address family ${JSON.stringify(f)}: expected inet or inet6`, "family");
  }
  return n;
}

function dumpRequest(family: number, index: number): Uint8Array {
  return buildAddressRequest(RTM.RTM_GETADDR, 0, { family, index }, {});
}

/** The dump of the addresses that pass `filter` (checked at once; links resolved on the socket). */
function dumpPlan(filter: AddressFilter): (s: NetlinkSocket) => Promise<DumpPlan<Address>> {
  const m = checkAddressFilter(filter);
  return async (s) => {
    const index = filter.dev === undefined ? 0 : await resolveLinkIndex(filter.dev, { socket: s });
    // One link dump per list names every address's link (and matches labels of addresses without one).
    const names = await readLinkNames(s);
    // With strict checking the kernel filters on ifa_family and ifa_index; everything else is checked here.
    return {
      request: dumpRequest(m.family, index),
      parse: parseAddressMessage,
      keep: (a: Address) => {
        if (!matchAddress(a, m, index, names)) return false;
        a.dev = linkNameOf(names, a.ifindex); // named here: the dump's only per-value hook
        return true;
      },
    };
  };
}

/** Streams addresses (bounded memory), filtered by link and family in the kernel. */
export function streamAddresses(
  filter: AddressFilter = {},
  opts: RouteOptions = {},
): AsyncGenerator<Address, void, undefined> {
  checkTarget(opts, "an address listing", ["retries"]);
  return new DumpStream(opts, dumpPlan(filter));
}

/** Lists addresses, filtered by link and family in the kernel. */
export async function listAddresses(filter: AddressFilter = {}, opts: RouteOptions = {}): Promise<Address[]> {
  return await Array.fromAsync(streamAddresses(filter, opts));
}

// Flags a request can set; the others (secondary, tentative, permanent...) are the kernel's to report.
const SETTABLE_FLAGS = new Set(["nodad", "optimistic", "homeaddress", "mngtmpaddr", "noprefixroute", "autojoin"]);

/** A listed address as the arguments of an add or replace: its link, CIDR and settable fields. */
function fromListed(a: Address): [number, string, AddressSettings] {
  checkListed(a);
  const settings: AddressSettings = {};
  if (a.peer !== undefined) settings.peer = a.peer;
  if (a.broadcast !== undefined) settings.broadcast = a.broadcast;
  if (a.label !== undefined) settings.label = a.label;
  settings.scope = a.scope;
  const flags = a.flags.filter((f) => SETTABLE_FLAGS.has(f));
  if (flags.length) settings.flags = flags;
  if (a.validLft !== undefined) settings.validLft = a.validLft;
  if (a.preferredLft !== undefined) settings.preferredLft = a.preferredLft;
  if (a.metric !== undefined) settings.metric = a.metric;
  if (a.protocol !== undefined) settings.protocol = a.protocol;
  return [a.ifindex, a.address, settings];
}

const LISTED_KEYS = ["address", "ifindex", "scope", "flags", "peer", "label", "broadcast", "metric", "validLft"]
  .concat(["preferredLft", "protocol"], ADDRESS_OUTPUT_ONLY);

/** Checks an {@link Address} passed back in: its keys, link index and CIDR. */
function checkListed(a: Address): void {
  checkKeys(a, LISTED_KEYS, "address");
  checkLinkIndex(a.ifindex);
  if (typeof a.address !== "string" || !a.address.includes("/")) {
    throw new InvalidArgumentError(
      `Cannot use address ${JSON.stringify(a.address)}: expected a CIDR string such as "10.0.0.1/24"`,
      "address",
    );
  }
}

/** Sorts the two call forms: `(link, cidr, settings?, opts?)` or `(listed, opts?)`. */
function newAddressArgs(
  args: [string | number | Address, string?, AddressSettings?, RouteOptions?] | [Address, RouteOptions?],
): [string | number, string, AddressSettings, RouteOptions] {
  const [first] = args;
  if (typeof first === "object" && first !== null) {
    if (args.length > 2) {
      throw new InvalidArgumentError("Cannot add a listed address with more than an options argument", "address");
    }
    return [...fromListed(first), (args[1] as RouteOptions | undefined) ?? {}];
  }
  const [link, cidr, settings = {}, opts = {}] = args as [string | number, string, AddressSettings?, RouteOptions?];
  return [link, cidr, settings, opts];
}

async function newAddress(
  flags: number,
  [link, cidr, settings, opts]: [string | number, string, AddressSettings, RouteOptions],
): Promise<void> {
  const build = newAddressMessage(flags, cidr, settings);
  checkTarget(opts, "an address change");
  await withRouteSocket(opts, async (s) => {
    const index = await resolveLinkIndex(link, { socket: s });
    await s.request(build(index));
  });
}

/**
 * Adds an address (`ip addr add`): to `link` (name or index), `cidr`
 * (`10.0.0.1/24`), with optional settings; or a listed {@link Address} as
 * it is. Fails with `NetlinkError` `EEXIST`
 * when the link already has it.
 */
export function addAddress(address: Address, opts?: RouteOptions): Promise<void>;
/** Adds `cidr` to `link` (name or index) with optional settings. */
export function addAddress(
  link: string | number,
  cidr: string,
  settings?: AddressSettings,
  opts?: RouteOptions,
): Promise<void>;
export async function addAddress(
  ...args: [string | number | Address, string?, AddressSettings?, RouteOptions?] | [Address, RouteOptions?]
): Promise<void> {
  return await newAddress(NLM_F_CREATE | NLM_F_EXCL, newAddressArgs(args));
}

/**
 * Adds an address or updates the one already there (`ip addr replace`); a
 * listed {@link Address}, changed or not, is accepted as it is.
 */
export function replaceAddress(address: Address, opts?: RouteOptions): Promise<void>;
/** Adds `cidr` to `link` or updates it, with optional settings. */
export function replaceAddress(
  link: string | number,
  cidr: string,
  settings?: AddressSettings,
  opts?: RouteOptions,
): Promise<void>;
export async function replaceAddress(
  ...args: [string | number | Address, string?, AddressSettings?, RouteOptions?] | [Address, RouteOptions?]
): Promise<void> {
  return await newAddress(NLM_F_CREATE | NLM_F_REPLACE, newAddressArgs(args));
}

/**
 * Deletes a listed {@link Address} exactly, as it is (`ip addr del`). Fails
 * with `NetlinkError` `EADDRNOTAVAIL` when there is no such address.
 */
export function deleteAddress(address: Address, opts?: RouteOptions): Promise<void>;
/**
 * Deletes an address of `link` named by its local address and prefix (an
 * IPv4 address without a prefix matches any prefix, as in iproute2).
 */
export function deleteAddress(link: string | number, cidr: string, opts?: RouteOptions): Promise<void>;
export async function deleteAddress(
  ...args: [string | number, string, RouteOptions?] | [Address, RouteOptions?]
): Promise<void> {
  let build: (index: number) => Uint8Array;
  let link: string | number, opts: RouteOptions;
  if (typeof args[0] === "object" && args[0] !== null) {
    const listed = args[0];
    checkListed(listed);
    if (args.length > 2) {
      throw new InvalidArgumentError("Cannot delete a listed address with more than an options argument", "address");
    }
    [link, opts] = [listed.ifindex, (args[1] as RouteOptions | undefined) ?? {}];
    const msg = deleteMessage(listed);
    build = () => msg;
  } else {
    const [l, cidr, o = {}] = args as [string | number, string, RouteOptions?];
    [link, opts] = [l, o];
    const c = addressRequest(cidr, undefined);
    const hasPrefix = cidr.includes("/");
    // IPv6 always matches the prefix; IPv4 only when IFA_ADDRESS is given.
    const attrs = { local: c.local, address: hasPrefix && c.family === AF_INET6 ? c.address : undefined };
    build = (index) =>
      buildAddressRequest(RTM.RTM_DELADDR, 0, { family: c.family, prefixLen: c.prefixLen, index }, attrs);
  }
  checkTarget(opts, "deleteAddress");
  await withRouteSocket(opts, async (s) => {
    await s.request(build(await resolveLinkIndex(link, { socket: s })));
  });
}

/**
 * Deletes every address that matches (`ip addr flush`) and returns how many
 * went. Deleting a primary IPv4 address also removes its secondaries unless
 * `promote_secondaries` is set; those are counted once, by whoever removed them.
 */
export async function flushAddresses(filter: AddressFlushFilter = {}, opts: RouteOptions = {}): Promise<number> {
  const plan = dumpPlan(filter);
  checkTarget(opts, "flushAddresses");
  return await withRouteSocket(opts, async (s) => {
    const victims: Address[] = [];
    for await (const a of new DumpStream({ socket: s }, plan)) victims.push(a);
    // A secondary may be gone with its primary already.
    return await deleteEach(s, victims, deleteMessage, ["EADDRNOTAVAIL", "ENOENT"]);
  });
}
