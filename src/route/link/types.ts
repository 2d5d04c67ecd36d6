/**
 * The settings a link takes, at creation and later: declared here so that
 * `change.ts` (the calls) and `update.ts` (the one-object form) share them.
 *
 * @module
 */

import type { NetnsTarget } from "../../netns/netns.ts";
import type { LinkData, LinkKindDataMap, LinkPortData, LinkSlaveDataMap } from "./kinds/_generated/types.ts";

/**
 * Settings every link accepts, at creation or later: the `IFLA_ATTRS`
 * values as given (MTU 68 to 65536, MAC addresses as `aa:bb:cc:dd:ee:ff`,
 * an alias of up to 255 bytes or `""` to clear it), plus references.
 */
export interface LinkSettings {
  /** MTU in bytes (68 to 65536). */
  mtu?: number;
  /** Link-layer address (`aa:bb:cc:dd:ee:ff`). */
  address?: string;
  /** Link-layer broadcast address. */
  broadcast?: string;
  /** Transmit queue length. */
  txqlen?: number;
  /** Interface alias (up to 255 bytes; `""` clears it). */
  alias?: string;
  /** Interface group number. */
  group?: number;
  /** Largest GSO packet size. */
  gsoMaxSize?: number;
  /** Largest GSO segment count (0 to 65535). */
  gsoMaxSegs?: number;
  /** Largest GRO packet size. */
  groMaxSize?: number;
  /** Largest IPv4 GSO packet size (`IFLA_GSO_IPV4_MAX_SIZE`, `gso_ipv4_max_size`). */
  gsoIpv4MaxSize?: number;
  /** Largest IPv4 GRO packet size (`IFLA_GRO_IPV4_MAX_SIZE`, `gro_ipv4_max_size`). */
  groIpv4MaxSize?: number;
  /** Bring the link up (`true`) or down (`false`). */
  up?: boolean;
  /** Receive every frame (`IFF_PROMISC`, `ip link set ... promisc on`). */
  promisc?: boolean;
  /** Use ARP (`false` sets `IFF_NOARP`, `ip link set ... arp off`). */
  arp?: boolean;
  /** Accept multicast (`IFF_MULTICAST`). */
  multicast?: boolean;
  /** Receive all multicast frames (`IFF_ALLMULTI`, `ip link set ... allmulticast on`). */
  allmulticast?: boolean;
  /**
   * How the link's IPv6 link-local address is made (`IFLA_INET6_ADDR_GEN_MODE`,
   * `ip link set ... addrgenmode`): `eui64`, `none`, `stable_secret` or `random`.
   */
  addrGenMode?: "eui64" | "none" | "stable_secret" | "random";
  /**
   * The IPv6 interface identifier autoconfigured addresses take (`IFLA_INET6_TOKEN`,
   * `ip token set`), an IPv6 address such as `"::1:2"`; `"::"` clears it.
   */
  token?: string;
  /** Enslave to this bridge or bond (name or index); `null` releases it (`nomaster`). */
  master?: string | number | null;
  /** Move the link into this namespace (name, path, pid or fd). */
  netns?: NetnsTarget;
}

/** Changes to an existing link: {@link LinkSettings}, a new name, kind-specific settings. */
export interface LinkChanges extends LinkSettings {
  /** Rename the link (it must be down). */
  name?: string;
  /** Kind of the link, needed with `data`. */
  kind?: keyof LinkKindDataMap;
  /** Kind-specific settings to change (e.g. `{ stpState: 1 }` for a bridge). */
  data?: LinkData;
  /** Port settings under the master, e.g. `{ kind: "bridge", data: { cost: 10, state: "blocking" } }`. */
  slave?: { kind: keyof LinkSlaveDataMap; data: LinkPortData };
}

/** Settings only a new link takes: its index and queue counts. */
export interface CreateOnlySettings {
  /** Interface index to ask for (`ip link add ... index N`); the kernel picks one when left out. */
  index?: number;
  /** Number of transmit queues (`numtxqueues`, 1 to 4096). */
  numTxQueues?: number;
  /** Number of receive queues (`numrxqueues`, 1 to 4096). */
  numRxQueues?: number;
}
