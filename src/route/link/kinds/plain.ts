/**
 * Kinds without settings of their own: `dummy`, `ifb` and `wireguard`
 * (wireguard's keys and peers go through generic netlink, not here).
 *
 * @module
 */

import type { LinkKind } from "./kind.ts";

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
