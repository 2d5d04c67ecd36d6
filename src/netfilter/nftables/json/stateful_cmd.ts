/**
 * nft's JSON stateful objects (`counter`, `quota`, `limit`, `synproxy`,
 * and the ct helper, expectation and timeout) as transaction changes.
 *
 * @module
 */

import { InvalidArgumentError } from "../../../errors.ts";
import type { NftTransaction } from "../transaction.ts";
import { timeoutPolicy } from "./ct_timeout.ts";
import { limitAttrs, synproxyAttrs } from "./stmt_attrs.ts";
import { INET_PROTOS, type Json } from "./types.ts";
import { keys, num, str } from "./apply_checks.ts";

type Obj = { [k: string]: Json };

/**
 * Plans a stateful object command (`counter`, `quota`, `limit`,
 * `synproxy`, `ct helper|expectation|timeout`) into `tx`.
 */
export function planStateful(tx: NftTransaction, cmd: string, kind: string, v: Obj, fam: string): void {
  const table = str(v, "table", `a ${kind}`);
  if (cmd === "delete" && v.name === undefined) {
    return void tx.deleteObject({ family: fam, table, handle: num(v.handle, "a handle"), type: kind });
  }
  const name = str(v, "name", `a ${kind}`);
  if (cmd === "delete") return void tx.deleteObject({ family: fam, table, name, type: kind });
  if (cmd !== "add" && cmd !== "create") throw new InvalidArgumentError(`Cannot ${cmd} a ${kind}`);
  const common = ["family", "table", "name", "handle", "comment"];
  let data: Record<string, unknown>;
  if (kind === "counter") {
    keys(v, [...common, "packets", "bytes"], "a counter");
    data = { packets: num(v.packets, "packets") ?? 0, bytes: num(v.bytes, "bytes") ?? 0 };
  } else if (kind === "quota") {
    keys(v, [...common, "bytes", "used", "inv"], "a quota");
    data = { bytes: num(v.bytes, "bytes") ?? 0, consumed: num(v.used, "used") ?? 0, flags: v.inv ? ["inv"] : [] };
  } else if (kind === "limit") {
    const { family: _f, table: _t, name: _n, handle: _h, comment: _c, ...l } = v;
    data = limitAttrs(l);
  } else if (kind === "synproxy") {
    keys(v, [...common, "mss", "wscale", "flags"], "a synproxy");
    data = synproxyAttrs(v);
  } else {
    const own = { "ct expectation": ["dport", "timeout", "size"], "ct timeout": ["policy"] }[kind] ?? ["type"];
    keys(v, [...common, ...own, "protocol", "l3proto"], `a ${kind}`);
    const l4 = Object.entries(INET_PROTOS).find(([, n]) => n === v.protocol)?.[0];
    if (l4 === undefined) {
      throw new InvalidArgumentError(
        `Cannot use ${kind} protocol ${JSON.stringify(v.protocol)}: expected tcp or udp`,
      );
    }
    const l3 = { inet: 1, ip: 2, ip6: 10 }[String(v.l3proto ?? fam)];
    if (l3 === undefined) {
      throw new InvalidArgumentError(
        `Cannot use ${kind} l3proto ${JSON.stringify(v.l3proto)}: expected ip, ip6, inet`,
      );
    }
    data = kind === "ct timeout"
      ? { l3proto: l3, l4proto: Number(l4), timeouts: timeoutPolicy(String(v.protocol), v.policy) }
      : kind === "ct expectation"
      ? {
        l3proto: l3,
        l4proto: Number(l4),
        dport: num(v.dport, "dport") ?? 0,
        timeout: num(v.timeout, "timeout") ?? 0,
        size: num(v.size, "size") ?? 0,
      }
      : { name: str(v, "type", "a ct helper"), l3proto: l3, l4proto: Number(l4) };
  }
  tx.addObject(
    { family: fam, table, name, type: kind, data, comment: v.comment as string | undefined },
    cmd === "create",
  );
}
