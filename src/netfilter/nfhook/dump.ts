/**
 * Dumping the functions on netfilter hooks (`NFNL_MSG_HOOK_GET`), one
 * family, hook number and device at a time.
 *
 * @module
 */

import { NetlinkError } from "../../errors.ts";
import { nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import { familyNumber } from "../nftables/consts.ts";
import { type NftOptions, withNftSocket } from "../nftables/socket.ts";
import { EINVAL } from "../../sys/errno.ts";
import { type NfHook, NFNL_MSG_HOOK_GET, NFNL_SUBSYS_HOOK, NFNLA_HOOK_TABLE, parseHookMessage } from "./table.ts";

/** One hook to dump: a family's hook number, and for netdev hooks the device. */
export interface NfHookQuery {
  /** The family (`ip`, `ip6`, `bridge`, `arp`, `netdev`). */
  family: string;
  /** The hook number in that family (`NF_INET_LOCAL_IN` is 1). */
  hooknum: number;
  /** The device of a netdev hook. */
  device?: string;
}

const NLM_F_DUMP = 0x300;

/** The dump request for one hook (the socket adds `NLM_F_REQUEST` and the sequence number). */
export function hookRequest(q: NfHookQuery): Uint8Array {
  const b = nfnlMessage(nfnlType(NFNL_SUBSYS_HOOK, NFNL_MSG_HOOK_GET), NLM_F_DUMP, familyNumber(q.family));
  return b.attrs(NFNLA_HOOK_TABLE, { hooknum: q.hooknum, dev: q.device }).finish();
}

/**
 * The functions on each hook of `queries`, one list per query. A hook the
 * kernel has no list for (no such hook in the family, no device) gives
 * none, as nft shows it; a kernel without the hook subsystem rejects with
 * EINVAL for every query, and that is an error.
 */
export async function dumpHooks(queries: readonly NfHookQuery[], opts: NftOptions = {}): Promise<NfHook[][]> {
  return await withNftSocket(opts, async (s) => {
    const out: NfHook[][] = [];
    let invalid = 0;
    for (const q of queries) {
      const hooks: NfHook[] = [];
      out.push(hooks);
      try {
        for await (const h of s.dump(hookRequest(q), parseHookMessage)) hooks.push(h);
      } catch (e) {
        if (!(e instanceof NetlinkError)) throw e;
        if (e.errno === EINVAL) invalid++;
      }
    }
    if (queries.length && invalid === queries.length) {
      // requestType 0: nlkit's own conclusion from the kernel's refusals, in its own words.
      throw new NetlinkError(
        EINVAL,
        {},
        0,
        "NFNL_MSG_HOOK_GET",
        undefined,
        "Cannot list hooks: the kernel has no netfilter hook subsystem (CONFIG_NETFILTER_NETLINK_HOOK, Linux 5.14+)",
      );
    }
    return out;
  });
}
