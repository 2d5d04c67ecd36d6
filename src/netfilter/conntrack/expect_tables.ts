/**
 * ctnetlink expectation tables (`CTA_EXPECT_*`), message numbers of the
 * `NFNL_SUBSYS_CTNETLINK_EXP` subsystem and expectation flag bits. Tuples
 * reuse the conntrack tuple table.
 *
 * @module
 */

import { NFNL_SUBSYS_CTNETLINK_EXP, nfnlSplit } from "../../wire/nfnetlink.ts";
import { describeCtnl } from "./ctnetlink.ts";
import { CTA_TUPLE_TABLE } from "./tables.ts";

/** `IPCTNL_MSG_EXP_*` message numbers (joined with `NFNL_SUBSYS_CTNETLINK_EXP` by `nfnlType`). */
export const IPCTNL_MSG_EXP = {
  IPCTNL_MSG_EXP_NEW: 0,
  IPCTNL_MSG_EXP_GET: 1,
  IPCTNL_MSG_EXP_DELETE: 2,
  IPCTNL_MSG_EXP_GET_STATS_CPU: 3,
} as const;

const EXP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(IPCTNL_MSG_EXP).map(([k, v]) => [v, k]));

/** Names a ctnetlink or expectation message type for error texts (`IPCTNL_MSG_EXP_NEW`). */
export function describeCtnlExp(type: number): string {
  const [subsys, msg] = nfnlSplit(type);
  if (subsys === NFNL_SUBSYS_CTNETLINK_EXP && EXP_NAMES[msg]) return EXP_NAMES[msg];
  return describeCtnl(type);
}

/** Expectation multicast groups (`NFNLGRP_CONNTRACK_EXP_*`). */
export const NFNLGRP_CONNTRACK_EXP = {
  NFNLGRP_CONNTRACK_EXP_NEW: 4,
  NFNLGRP_CONNTRACK_EXP_UPDATE: 5,
  NFNLGRP_CONNTRACK_EXP_DESTROY: 6,
} as const;

/** `NF_CT_EXPECT_*` flag bits, by the names conntrack-tools prints. */
export const NF_CT_EXPECT_FLAGS = {
  0x1: "PERMANENT",
  0x2: "INACTIVE",
  0x4: "USERSPACE",
} as const;

/** `CTA_EXPECT_NAT_*`: where a NATed expectation's connection goes. */
export const CTA_EXPECT_NAT_TABLE = {
  dir: { type: 1, kind: "u32be" }, // CTA_EXPECT_NAT_DIR
  tuple: { type: 2, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_EXPECT_NAT_TUPLE
} as const;

/** `CTA_EXPECT_*`: the top level of an expectation message. */
export const CTA_EXPECT_TABLE = {
  master: { type: 1, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_EXPECT_MASTER
  tuple: { type: 2, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_EXPECT_TUPLE
  mask: { type: 3, kind: "nested", table: CTA_TUPLE_TABLE }, // CTA_EXPECT_MASK
  timeout: { type: 4, kind: "u32be" }, // CTA_EXPECT_TIMEOUT
  id: { type: 5, kind: "u32be" }, // CTA_EXPECT_ID
  helpName: { type: 6, kind: "string" }, // CTA_EXPECT_HELP_NAME
  zone: { type: 7, kind: "u16be" }, // CTA_EXPECT_ZONE
  flags: { type: 8, kind: "u32be", bits: NF_CT_EXPECT_FLAGS }, // CTA_EXPECT_FLAGS
  class: { type: 9, kind: "u32be" }, // CTA_EXPECT_CLASS
  nat: { type: 10, kind: "nested", table: CTA_EXPECT_NAT_TABLE }, // CTA_EXPECT_NAT
  fn: { type: 11, kind: "string" }, // CTA_EXPECT_FN
} as const;
