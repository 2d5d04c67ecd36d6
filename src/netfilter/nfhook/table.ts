/**
 * The netfilter hook subsystem (`NFNL_SUBSYS_HOOK`, Linux 5.14+,
 * `CONFIG_NETFILTER_NETLINK_HOOK`): which functions and nf_tables base
 * chains sit on each netfilter hook, in priority order. Attribute tables
 * from `linux/netfilter/nfnetlink_hook.h`.
 *
 * @module
 */

import type { NlMsg } from "../../wire/message.ts";
import { S32BE } from "../nftables/codecs.ts";
import { parseNftMessage } from "../nftables/data.ts";
import type { Attrs } from "../../wire/table.ts";

/** `NFNL_SUBSYS_HOOK`. */
export const NFNL_SUBSYS_HOOK = 12;
/** `NFNL_MSG_HOOK_GET`: dump the hooks of one family, hook number and (netdev) device. */
export const NFNL_MSG_HOOK_GET = 0;
/** `NFNL_HOOK_TYPE_NFTABLES`: the hook is an nf_tables base chain. */
export const NFNL_HOOK_TYPE_NFTABLES = 1;

/** `NFNLA_CHAIN_*`: the nf_tables chain on a hook. */
export const NFNLA_CHAIN_TABLE = {
  table: { type: 1, kind: "string" }, // NFNLA_CHAIN_TABLE
  family: { type: 2, kind: "u8" }, // NFNLA_CHAIN_FAMILY
  name: { type: 3, kind: "string" }, // NFNLA_CHAIN_NAME
} as const;

/** `NFNLA_HOOK_INFO_*`: what kind of user a hook has. */
export const NFNLA_HOOK_INFO_TABLE = {
  desc: { type: 1, kind: "nested", table: NFNLA_CHAIN_TABLE }, // NFNLA_HOOK_INFO_DESC
  type: { type: 2, kind: "u32be" }, // NFNLA_HOOK_INFO_TYPE
} as const;

/** `NFNLA_HOOK_*`: one function on a hook. */
export const NFNLA_HOOK_TABLE = {
  hooknum: { type: 1, kind: "u32be" }, // NFNLA_HOOK_HOOKNUM
  priority: { type: 2, kind: "codec", codec: S32BE }, // NFNLA_HOOK_PRIORITY
  dev: { type: 3, kind: "string" }, // NFNLA_HOOK_DEV (request)
  functionName: { type: 4, kind: "string" }, // NFNLA_HOOK_FUNCTION_NAME
  moduleName: { type: 5, kind: "string" }, // NFNLA_HOOK_MODULE_NAME
  chainInfo: { type: 6, kind: "nested", table: NFNLA_HOOK_INFO_TABLE }, // NFNLA_HOOK_CHAIN_INFO
} as const;

/** One function registered on a netfilter hook, as the kernel reports it. */
export type NfHook = Attrs<typeof NFNLA_HOOK_TABLE> & {
  /** The family of the hook (the reply's `nfgen_family`): `netdev` for ingress hooks. */
  family: string;
};

/** Parses one `NFNL_MSG_HOOK_GET` reply. */
export function parseHookMessage(m: NlMsg): NfHook {
  return parseNftMessage(NFNLA_HOOK_TABLE, m) as NfHook;
}
