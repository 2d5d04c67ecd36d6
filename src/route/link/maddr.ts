/**
 * Multicast addresses joined by each link (`ip maddr show`): the kernel
 * reports them only in `/proc/net/dev_mcast` (link layer), `/proc/net/igmp`
 * and `/proc/net/igmp6`. These are read from inside the target namespace
 * (`/proc/thread-self/net`, on the thread that switched), in the order ip
 * prints them: by link index, link layer first, then IPv4, then IPv6.
 *
 * @example
 * ```ts ignore
 * import { listMulticastAddresses } from "./maddr.ts";
 * for (const m of await listMulticastAddresses({}, { netns: "lab" })) console.log(m.ifname, m.family, m.address);
 * ```
 *
 * @module
 */

import { InvalidArgumentError, NlkitError } from "../../errors.ts";
import { loadSys } from "../../sys/load.ts";
import { O_CLOEXEC, O_RDONLY } from "../../sys/flags.ts";
import { errnoName, errnoText } from "../../sys/errno.ts";
import type { Sys } from "../../sys/sys.ts";
import { type NetnsTarget, withNetns } from "../../netns/netns.ts";
import { formatIp } from "../../wire/addr.ts";
import { checkKeys } from "../../wire/invalid.ts";

/** One multicast address of a link. */
export interface MulticastAddress {
  /** Interface index. */
  ifindex: number;
  /** Interface name. */
  ifname: string;
  /** `link` (a link-layer address), `inet` or `inet6`. */
  family: "link" | "inet" | "inet6";
  /** The address: `01:00:5e:00:00:01`, `224.0.0.1` or `ff02::1`. */
  address: string;
  /** How many users joined it. */
  users: number;
  /** Link-layer entries only: added statically (`ip maddr add`), not by a protocol. */
  static?: boolean;
}

/** Which multicast addresses {@link listMulticastAddresses} returns: all by default. */
export interface MulticastFilter {
  /** Only this family. */
  family?: MulticastAddress["family"];
  /** Only this link (by name, as ip filters: an unknown name lists nothing). */
  dev?: string;
}

/** Reads a whole /proc file synchronously (`undefined` when it does not exist, as without IPv6). */
function readProc(sys: Sys, path: string): string | undefined {
  let fd: number;
  try {
    fd = sys.open(path, O_RDONLY | O_CLOEXEC);
  } catch {
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const buf = new Uint8Array(16384);
      const n = sys.read(fd, buf);
      if (n < 0) {
        throw new NlkitError(`Cannot read ${path}: ${errnoText(-n)}`, errnoName(-n), "read multicast addresses");
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
    }
  } finally {
    sys.close(fd);
  }
  const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) (all.set(c, off), off += c.length);
  return new TextDecoder().decode(all);
}

const isNum = (v: string | undefined): boolean => v !== undefined && /^\d+$/.test(v);

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** `/proc/net/dev_mcast`: `index name users static hexaddr`. */
export function parseDevMcast(text: string): MulticastAddress[] {
  const out: MulticastAddress[] = [];
  for (const line of text.split("\n")) {
    const [index, name, users, st, hex] = line.trim().split(/\s+/);
    if (!isNum(index) || !name || !isNum(users) || !isNum(st) || !hex || !/^([0-9a-f]{2})+$/i.test(hex)) continue;
    const address = Array.from(hexBytes(hex), (b) => b.toString(16).padStart(2, "0")).join(":");
    const m: MulticastAddress = { ifindex: Number(index), ifname: name, family: "link", address, users: Number(users) };
    if (Number(st)) m.static = true;
    out.push(m);
  }
  return out;
}

/** `/proc/net/igmp`: a header, a line per device, then a tab-indented line per group (a host-order u32 in hex). */
export function parseIgmp(text: string): MulticastAddress[] {
  const out: MulticastAddress[] = [];
  let ifindex = 0, ifname = "";
  for (const line of text.split("\n").slice(1)) {
    if (!line) continue;
    if (line[0] !== "\t") {
      const [index, name] = line.trim().split(/\s+/);
      // A device line ip cannot read leaves the groups under it unattributed: they are skipped.
      ifindex = isNum(index) && name ? Number(index) : 0;
      ifname = name?.replace(/:$/, "") ?? "";
      continue;
    }
    const [hex, users] = line.trim().split(/\s+/);
    if (!ifindex || !/^[0-9a-f]{8}$/i.test(hex) || !isNum(users)) continue;
    const v = parseInt(hex, 16);
    // Printed as the u32 read on a little-endian host: the first octet is the low byte.
    const address = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].join(".");
    out.push({ ifindex, ifname, family: "inet", address, users: Number(users) });
  }
  return out;
}

/** `/proc/net/igmp6`: `index name hexaddr users flags timer`. */
export function parseIgmp6(text: string): MulticastAddress[] {
  const out: MulticastAddress[] = [];
  for (const line of text.split("\n")) {
    const [index, name, hex, users] = line.trim().split(/\s+/);
    if (!isNum(index) || !name || !isNum(users) || !/^[0-9a-f]{32}$/i.test(hex)) continue;
    out.push({
      ifindex: Number(index),
      ifname: name,
      family: "inet6",
      address: formatIp(hexBytes(hex)),
      users: Number(users),
    });
  }
  return out;
}

const SOURCES = [
  ["link", "dev_mcast", parseDevMcast],
  ["inet", "igmp", parseIgmp],
  ["inet6", "igmp6", parseIgmp6],
] as const;

/** Where {@link listMulticastAddresses} reads: a namespace (it reads /proc, so no socket applies). */
export interface MulticastOptions {
  /** Read in this network namespace. */
  netns?: NetnsTarget;
}

/** Lists the multicast addresses of every link (or of `filter.dev`), sorted by link index as ip sorts them. */
export async function listMulticastAddresses(
  filter: MulticastFilter = {},
  opts: MulticastOptions = {},
): Promise<MulticastAddress[]> {
  checkKeys(filter, ["family", "dev"], "multicast address filter");
  checkKeys(opts, ["netns"], "the options of listMulticastAddresses");
  if (filter.family !== undefined && !SOURCES.some(([f]) => f === filter.family)) {
    throw new InvalidArgumentError(`Invalid family: "${filter.family}" (must be "link", "inet" or "inet6")`);
  }
  const sys = await loadSys();
  const read = () => SOURCES.map(([, file]) => readProc(sys, `/proc/thread-self/net/${file}`));
  const texts = opts.netns === undefined ? read() : withNetns(sys, opts.netns, read);
  const all: MulticastAddress[] = [];
  SOURCES.forEach(([family, , parse], i) => {
    const text = texts[i];
    if (text === undefined || (filter.family !== undefined && filter.family !== family)) return;
    for (const m of parse(text)) if (filter.dev === undefined || m.ifname === filter.dev) all.push(m);
  });
  // A stable sort keeps each link's order: link layer, IPv4, IPv6, as read.
  return all.sort((a, b) => a.ifindex - b.ifindex);
}
