/**
 * Interface names for the indexes in queued and logged packets, from a
 * link dump of the packets' namespace, dumped again when an unknown index
 * shows up (a link created since).
 *
 * @module
 */

import type { NetnsTarget } from "../netns/netns.ts";
import { listLinks } from "../route/link/api.ts";

/** The interface fields of a packet and the name fields they fill. */
const FIELDS = [
  ["indev", "indevName"],
  ["outdev", "outdevName"],
  ["physIndev", "physIndevName"],
  ["physOutdev", "physOutdevName"],
] as const;

/** Interface index and name fields of a packet. */
export interface PacketInterfaces {
  /** Input interface index. */
  indev?: number;
  /** Output interface index. */
  outdev?: number;
  /** Physical input interface index. */
  physIndev?: number;
  /** Physical output interface index. */
  physOutdev?: number;
  /** Input interface name. */
  indevName?: string;
  /** Output interface name. */
  outdevName?: string;
  /** Physical input interface name. */
  physIndevName?: string;
  /** Physical output interface name. */
  physOutdevName?: string;
}

/** Index to name, for one namespace. */
export class InterfaceNames {
  #netns: NetnsTarget | undefined;
  #names = new Map<number, string>();
  #dumpedFor = new Set<number>();

  /** Names links of `netns` (the caller's namespace by default). */
  constructor(netns?: NetnsTarget) {
    this.#netns = netns;
  }

  /** Sets the `*Name` fields of `p` from its indexes; an index no link has keeps no name. */
  async fill(p: PacketInterfaces): Promise<void> {
    for (const [index, name] of FIELDS) {
      const i = p[index];
      if (i === undefined) continue;
      if (!this.#names.has(i) && !this.#dumpedFor.has(i)) await this.#dump(i);
      const n = this.#names.get(i);
      if (n !== undefined) p[name] = n;
    }
  }

  async #dump(missing: number): Promise<void> {
    this.#dumpedFor.add(missing); // one dump per unknown index, not one per packet
    for (const l of await listLinks({}, { netns: this.#netns })) {
      if (l.name !== undefined) this.#names.set(l.index, l.name);
    }
  }
}
