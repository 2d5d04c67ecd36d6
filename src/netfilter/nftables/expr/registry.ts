/**
 * The expression registry: every expression module, by the name the kernel
 * knows it by. Adding an expression is one module and one line here.
 *
 * @module
 */

import type { Attrs } from "../../../wire/table.ts";
import { NFTA_BITWISE_TABLE } from "./bitwise.ts";
import { NFTA_BYTEORDER_TABLE } from "./byteorder.ts";
import { NFTA_CMP_TABLE } from "./cmp.ts";
import { NFTA_CONNLIMIT_TABLE } from "./connlimit.ts";
import { NFTA_COUNTER_TABLE } from "./counter.ts";
import { NFTA_CT_TABLE } from "./ct.ts";
import { NFTA_DYNSET_TABLE } from "./dynset.ts";
import { NFTA_EXTHDR_TABLE } from "./exthdr.ts";
import { NFTA_FIB_TABLE } from "./fib.ts";
import { NFTA_HASH_TABLE } from "./hash.ts";
import { NFTA_IMMEDIATE_TABLE } from "./immediate.ts";
import { NFTA_LIMIT_TABLE } from "./limit.ts";
import { NFTA_LOG_TABLE } from "./log.ts";
import { NFTA_LOOKUP_TABLE } from "./lookup.ts";
import { NFTA_MASQ_TABLE } from "./masq.ts";
import { NFTA_META_TABLE } from "./meta.ts";
import { NFTA_NAT_TABLE } from "./nat.ts";
import { NFTA_NOTRACK_TABLE } from "./notrack.ts";
import { NFTA_NG_TABLE } from "./numgen.ts";
import { NFTA_OBJREF_TABLE } from "./objref.ts";
import { NFTA_PAYLOAD_TABLE } from "./payload.ts";
import { NFTA_QUEUE_TABLE } from "./queue.ts";
import { NFTA_QUOTA_TABLE } from "./quota.ts";
import { NFTA_RANGE_TABLE } from "./range.ts";
import { NFTA_REDIR_TABLE } from "./redir.ts";
import { NFTA_REJECT_TABLE } from "./reject.ts";
import { NFTA_RT_TABLE } from "./rt.ts";
import { NFTA_FLOW_TABLE } from "./flow_offload.ts";
import { NFTA_XT_TABLE } from "./xt.ts";
import { NFTA_TPROXY_TABLE } from "./tproxy.ts";
import { NFTA_DUP_TABLE } from "./dup.ts";
import { NFTA_FWD_TABLE } from "./fwd.ts";
import { NFTA_SYNPROXY_TABLE } from "./synproxy.ts";
import { NFTA_OSF_TABLE } from "./osf.ts";
import { NFTA_SOCKET_TABLE } from "./socket.ts";
import { NFTA_XFRM_TABLE } from "./xfrm.ts";

/** Expression name to its attribute table. */
export const NFT_EXPRESSIONS = {
  payload: NFTA_PAYLOAD_TABLE,
  meta: NFTA_META_TABLE,
  cmp: NFTA_CMP_TABLE,
  bitwise: NFTA_BITWISE_TABLE,
  byteorder: NFTA_BYTEORDER_TABLE,
  range: NFTA_RANGE_TABLE,
  lookup: NFTA_LOOKUP_TABLE,
  immediate: NFTA_IMMEDIATE_TABLE,
  counter: NFTA_COUNTER_TABLE,
  limit: NFTA_LIMIT_TABLE,
  quota: NFTA_QUOTA_TABLE,
  log: NFTA_LOG_TABLE,
  reject: NFTA_REJECT_TABLE,
  nat: NFTA_NAT_TABLE,
  masq: NFTA_MASQ_TABLE,
  redir: NFTA_REDIR_TABLE,
  ct: NFTA_CT_TABLE,
  notrack: NFTA_NOTRACK_TABLE,
  fib: NFTA_FIB_TABLE,
  dynset: NFTA_DYNSET_TABLE,
  objref: NFTA_OBJREF_TABLE,
  exthdr: NFTA_EXTHDR_TABLE,
  numgen: NFTA_NG_TABLE,
  hash: NFTA_HASH_TABLE,
  connlimit: NFTA_CONNLIMIT_TABLE,
  rt: NFTA_RT_TABLE,
  flow_offload: NFTA_FLOW_TABLE,
  match: NFTA_XT_TABLE,
  target: NFTA_XT_TABLE,
  tproxy: NFTA_TPROXY_TABLE,
  dup: NFTA_DUP_TABLE,
  fwd: NFTA_FWD_TABLE,
  synproxy: NFTA_SYNPROXY_TABLE,
  osf: NFTA_OSF_TABLE,
  socket: NFTA_SOCKET_TABLE,
  xfrm: NFTA_XFRM_TABLE,
  queue: NFTA_QUEUE_TABLE,
} as const;

/** The name of a registered expression. */
export type NftExprName = keyof typeof NFT_EXPRESSIONS;

/** A typed expression of the registry: its name and its attributes. */
export type NftKnownExpr = { [K in NftExprName]: { name: K } & Attrs<(typeof NFT_EXPRESSIONS)[K]> }[NftExprName];

/** An expression this library has no table for, kept as its raw `NFTA_EXPR_DATA`. */
export interface NftRawExpr {
  /** The kernel's name for it. */
  name: string;
  /** `NFTA_EXPR_DATA`, unparsed. */
  raw: Uint8Array;
}

/** One expression of a rule. */
export type NftExpr = NftKnownExpr | NftRawExpr;

/** True for names in the registry. */
export function isKnownExpr(name: string): name is NftExprName {
  return Object.hasOwn(NFT_EXPRESSIONS, name);
}
