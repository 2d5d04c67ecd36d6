/**
 * Kinds without settings of their own: `dummy`, `ifb` and `wireguard`
 * (wireguard's keys and peers go through generic netlink, not here).
 *
 * @module
 */

import type { LinkKind } from "./kind.ts";

/** A new dummy link: kind `dummy` takes no settings of its own. */
export interface DummyLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "dummy";
}

/** A new ifb link: kind `ifb` takes no settings of its own. */
export interface IfbLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "ifb";
}

/** A new wireguard link (keys and peers are set through generic netlink afterwards). */
export interface WireguardLinkSpec {
  /** `IFLA_INFO_KIND`. */
  kind: "wireguard";
}

/** The `dummy` kind: a link that drops what it is sent. */
export const DUMMY_KIND: LinkKind<"dummy"> = { kind: "dummy", words: {}, read: () => ({}), help: "dummy" };

/** The `ifb` kind: an intermediate functional block for ingress shaping. */
export const IFB_KIND: LinkKind<"ifb"> = { kind: "ifb", words: {}, read: () => ({}), help: "ifb" };

/** The `wireguard` kind. */
export const WIREGUARD_KIND: LinkKind<"wireguard"> = {
  kind: "wireguard",
  words: {},
  read: () => ({}),
  help: "wireguard",
};
