/**
 * Static link-layer multicast addresses (`ip maddr add|del`): the kernel
 * takes them only through the `SIOCADDMULTI`/`SIOCDELMULTI` ioctls on any
 * socket of the link's namespace, with the link's name and the 6-byte
 * address in a `struct ifreq`.
 *
 * @example
 * ```ts ignore
 * import { addMulticastAddress } from "./maddr_change.ts";
 * await addMulticastAddress("eth0", "33:33:00:00:00:07", { netns: "lab" });
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { loadSys } from "../../sys/load.ts";
import { SOCK_CLOEXEC, SOCK_DGRAM } from "../../sys/flags.ts";
import { type NetnsTarget, withNetns } from "../../netns/netns.ts";
import { AF_INET, parseMac } from "../../wire/addr.ts";
import { checkLinkName } from "./api.ts";

/** `SIOCADDMULTI` (`<linux/sockios.h>`). */
export const SIOCADDMULTI = 0x8931;
/** `SIOCDELMULTI`. */
export const SIOCDELMULTI = 0x8932;
const IFNAMSIZ = 16;
const IFREQ_LEN = 40;
const ETH_ALEN = 6;

/** Options of {@link addMulticastAddress} and {@link deleteMulticastAddress}. */
export interface MulticastChangeOptions {
  /** Change the link in this network namespace. */
  netns?: NetnsTarget;
}

/** The `struct ifreq` of a multicast ioctl: the name, then `ifr_hwaddr` (family `AF_UNSPEC`, the address). */
export function multicastIfreq(dev: string, address: string): Uint8Array {
  const name = new TextEncoder().encode(checkLinkName(dev));
  if (name.length >= IFNAMSIZ) throw new InvalidArgumentError(`Invalid link name: "${dev}" (at most 15 bytes)`);
  const mac = parseMac(address);
  if (mac.length !== ETH_ALEN) {
    throw new InvalidArgumentError(`Invalid address length ${mac.length}: "${address}" (must be ${ETH_ALEN} bytes)`);
  }
  const ifr = new Uint8Array(IFREQ_LEN);
  ifr.set(name);
  ifr.set(mac, IFNAMSIZ + 2);
  return ifr;
}

async function change(request: number, dev: string, address: string, opts: MulticastChangeOptions): Promise<void> {
  for (const k of Object.keys(opts)) {
    if (k !== "netns") throw new InvalidArgumentError(`Unknown option: "${k}" (expected netns)`);
  }
  const ifr = multicastIfreq(dev, address);
  const sys = await loadSys();
  const open = () => sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const fd = opts.netns === undefined ? open() : withNetns(sys, opts.netns, open);
  try {
    sys.ioctlPtr(fd, request, ifr);
  } finally {
    sys.close(fd);
  }
}

/**
 * Adds a static link-layer multicast address to a link (`ip maddr add ADDR
 * dev NAME`); adding it again counts one more user. Fails with `SysError`
 * `ENODEV` for a link that does not exist.
 */
export function addMulticastAddress(dev: string, address: string, opts: MulticastChangeOptions = {}): Promise<void> {
  return change(SIOCADDMULTI, dev, address, opts);
}

/**
 * Removes one user of a static link-layer multicast address (`ip maddr del`).
 * Fails with `SysError` `ENOENT` when the link has no such static address.
 */
export function deleteMulticastAddress(
  dev: string,
  address: string,
  opts: MulticastChangeOptions = {},
): Promise<void> {
  return change(SIOCDELMULTI, dev, address, opts);
}
