/**
 * nf_tables message numbers, address families, hooks and verdicts
 * (uapi `linux/netfilter/nf_tables.h`).
 *
 * @module
 */

import { NF_VERDICTS } from "../verdicts.ts";
import { InvalidArgumentError } from "../../errors.ts";

/** `NFT_MSG_*` message numbers (joined with `NFNL_SUBSYS_NFTABLES` by `nfnlType`). */
export const NFT_MSG = {
  NFT_MSG_NEWTABLE: 0,
  NFT_MSG_GETTABLE: 1,
  NFT_MSG_DELTABLE: 2,
  NFT_MSG_NEWCHAIN: 3,
  NFT_MSG_GETCHAIN: 4,
  NFT_MSG_DELCHAIN: 5,
  NFT_MSG_NEWRULE: 6,
  NFT_MSG_GETRULE: 7,
  NFT_MSG_DELRULE: 8,
  NFT_MSG_NEWSET: 9,
  NFT_MSG_GETSET: 10,
  NFT_MSG_DELSET: 11,
  NFT_MSG_NEWSETELEM: 12,
  NFT_MSG_GETSETELEM: 13,
  NFT_MSG_DELSETELEM: 14,
  NFT_MSG_NEWGEN: 15,
  NFT_MSG_GETGEN: 16,
  NFT_MSG_TRACE: 17,
  NFT_MSG_NEWOBJ: 18,
  NFT_MSG_GETOBJ: 19,
  NFT_MSG_DELOBJ: 20,
  NFT_MSG_GETOBJ_RESET: 21,
  NFT_MSG_NEWFLOWTABLE: 22,
  NFT_MSG_GETFLOWTABLE: 23,
  NFT_MSG_DELFLOWTABLE: 24,
} as const;

/** The nf_tables multicast group (`NFNLGRP_NFTABLES`). */
export const NFNLGRP_NFTABLES = 7;
/** The packet trace multicast group (`NFNLGRP_NFTRACE`). */
export const NFNLGRP_NFTRACE = 9;

/** Table families by nft's names (`NFPROTO_*`). */
export const NFT_FAMILIES = {
  1: "inet", // NFPROTO_INET
  2: "ip", // NFPROTO_IPV4
  3: "arp", // NFPROTO_ARP
  5: "netdev", // NFPROTO_NETDEV
  7: "bridge", // NFPROTO_BRIDGE
  10: "ip6", // NFPROTO_IPV6
} as const;

/**
 * A table family as nft names it: the values of {@link NFT_FAMILIES}
 * (written out so the docs show them; tests/public_types_test.ts proves
 * the two equal).
 */
export type NftFamily = "inet" | "ip" | "arp" | "netdev" | "bridge" | "ip6";

// Every message of a batch looks its family up: a map, not a scan of the table's keys.
const FAMILY_NUMBERS = new Map(Object.entries(NFT_FAMILIES).map(([k, v]) => [v as string, Number(k)]));

/** The `NFPROTO_*` number of a family name; throws on an unknown one. */
export function familyNumber(family: string): number {
  const n = FAMILY_NUMBERS.get(family);
  if (n !== undefined) return n;
  throw new InvalidArgumentError(
    `Cannot use family "${family}": expected one of ${Object.values(NFT_FAMILIES).join(", ")}`,
  );
}

/** The family name of an `NFPROTO_*` number (unknown numbers as decimal text). */
export function familyName(n: number): NftFamily {
  return (NFT_FAMILIES[n as keyof typeof NFT_FAMILIES] ?? String(n)) as NftFamily;
}

/** Hook names by family: `NF_INET_*`, `NF_NETDEV_*`, `NF_ARP_*`. */
export const NFT_HOOKS: { readonly [family: string]: readonly string[] } = {
  inet: ["prerouting", "input", "forward", "output", "postrouting", "ingress"],
  ip: ["prerouting", "input", "forward", "output", "postrouting"],
  ip6: ["prerouting", "input", "forward", "output", "postrouting"],
  bridge: ["prerouting", "input", "forward", "output", "postrouting"],
  netdev: ["ingress", "egress"],
  arp: ["input", "output", "forward"],
};

/** The name of hook `n` in `family`. */
export function hookName(family: string, n: number): string {
  return NFT_HOOKS[family]?.[n] ?? String(n);
}

/** The number of hook `name` in `family`; throws on an unknown one. */
export function hookNumber(family: string, name: string): number {
  const i = NFT_HOOKS[family]?.indexOf(name) ?? -1;
  if (i < 0) {
    throw new InvalidArgumentError(
      `Cannot use hook "${name}" in family ${family}: expected ${NFT_HOOKS[family]?.join(", ")}`,
    );
  }
  return i;
}

/** Verdict codes (`NF_DROP`, `NF_ACCEPT`, `NFT_*`) as unsigned 32-bit numbers, by nft's names. */
export const NFT_VERDICTS = {
  ...NF_VERDICTS,
  0xffffffff: "continue", // NFT_CONTINUE (-1)
  0xfffffffe: "break", // NFT_BREAK (-2)
  0xfffffffd: "jump", // NFT_JUMP (-3)
  0xfffffffc: "goto", // NFT_GOTO (-4)
  0xfffffffb: "return", // NFT_RETURN (-5)
} as const;

/** `NFT_REG_*` and `NFT_REG32_*`: register numbers as nft's debug output prints them. */
export const NFT_REG_VERDICT = 0;
/** First 16-byte register. */
export const NFT_REG_1 = 1;
/** First 4-byte register (`NFT_REG32_00`). */
export const NFT_REG32_00 = 8;

/** 32-bit registers in the kernel's register file (uapi NFT_REG32_COUNT). */
export const NFT_REG32_COUNT = 16;

/** Index of the 4-byte slot a register number starts at. */
export function regSlot(reg: number): number {
  return reg >= NFT_REG32_00 ? reg - NFT_REG32_00 : (reg - 1) * 4;
}
