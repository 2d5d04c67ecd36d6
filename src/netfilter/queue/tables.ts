/**
 * NFQUEUE (`NFNL_SUBSYS_QUEUE`) message numbers and attribute tables
 * (`NFQA_*`, `NFQA_CFG_*`). Every scalar is big-endian on the wire.
 *
 * @module
 */

import { CTA_EXPECT_TABLE } from "../conntrack/expect_tables.ts";
import { CTA_TABLE } from "../conntrack/tables.ts";
import { HW_ADDR_CODEC, IP_CT_INFO, NF_TIMESTAMP, NF_VLAN_TABLE } from "../packet.ts";
import { POOLED_BYTES } from "../pooled_bytes.ts";

/** `NFQNL_MSG_*`. */
export const NFQNL_MSG = {
  NFQNL_MSG_PACKET: 0,
  NFQNL_MSG_VERDICT: 1,
  NFQNL_MSG_CONFIG: 2,
  NFQNL_MSG_VERDICT_BATCH: 3,
} as const;

/** `NFQNL_CFG_CMD_*`. */
export const NFQNL_CFG_CMD = {
  NFQNL_CFG_CMD_NONE: 0,
  NFQNL_CFG_CMD_BIND: 1,
  NFQNL_CFG_CMD_UNBIND: 2,
  NFQNL_CFG_CMD_PF_BIND: 3,
  NFQNL_CFG_CMD_PF_UNBIND: 4,
} as const;

/** `NFQA_CFG_F_*` flag bits by name. */
export const NFQA_CFG_FLAGS = {
  0x1: "fail-open",
  0x2: "conntrack",
  0x4: "gso",
  0x8: "uid-gid",
  0x10: "secctx",
} as const;

/** `NFQA_SKB_*` bits of `NFQA_SKB_INFO`. */
export const NFQA_SKB_INFO_BITS = {
  0x1: "csum-not-ready",
  0x2: "gso",
  0x4: "csum-not-verified",
} as const;

/** `struct nfqnl_msg_packet_hdr`. */
export const NFQNL_PACKET_HDR = { packetId: "u32be", hwProtocol: "u16be", hook: "u8" } as const;

/** `struct nfqnl_msg_verdict_hdr`. */
export const NFQNL_VERDICT_HDR = { verdict: "u32be", id: "u32be" } as const;

/** `NFQA_*`: a queued packet, and the attributes of a verdict. */
export const NFQA_TABLE = {
  packetHdr: { type: 1, kind: "struct", struct: NFQNL_PACKET_HDR }, // NFQA_PACKET_HDR
  verdictHdr: { type: 2, kind: "struct", struct: NFQNL_VERDICT_HDR }, // NFQA_VERDICT_HDR
  mark: { type: 3, kind: "u32be" }, // NFQA_MARK
  timestamp: { type: 4, kind: "struct", struct: NF_TIMESTAMP }, // NFQA_TIMESTAMP
  indev: { type: 5, kind: "u32be" }, // NFQA_IFINDEX_INDEV
  outdev: { type: 6, kind: "u32be" }, // NFQA_IFINDEX_OUTDEV
  physIndev: { type: 7, kind: "u32be" }, // NFQA_IFINDEX_PHYSINDEV
  physOutdev: { type: 8, kind: "u32be" }, // NFQA_IFINDEX_PHYSOUTDEV
  hwAddr: { type: 9, kind: "codec", codec: HW_ADDR_CODEC }, // NFQA_HWADDR
  payload: { type: 10, kind: "codec", codec: POOLED_BYTES }, // NFQA_PAYLOAD
  ct: { type: 11, kind: "nested", table: CTA_TABLE }, // NFQA_CT
  ctInfo: { type: 12, kind: "u32be", names: IP_CT_INFO }, // NFQA_CT_INFO
  capLen: { type: 13, kind: "u32be" }, // NFQA_CAP_LEN
  skbInfo: { type: 14, kind: "u32be", bits: NFQA_SKB_INFO_BITS }, // NFQA_SKB_INFO
  exp: { type: 15, kind: "nested", table: CTA_EXPECT_TABLE }, // NFQA_EXP
  uid: { type: 16, kind: "u32be" }, // NFQA_UID
  gid: { type: 17, kind: "u32be" }, // NFQA_GID
  secctx: { type: 18, kind: "string" }, // NFQA_SECCTX
  vlan: { type: 19, kind: "nested", table: NF_VLAN_TABLE }, // NFQA_VLAN
  l2hdr: { type: 20, kind: "bytes" }, // NFQA_L2HDR
  priority: { type: 21, kind: "u32be" }, // NFQA_PRIORITY
} as const;

/** `struct nfqnl_msg_config_cmd`. */
export const NFQNL_CONFIG_CMD = { command: "u8", pad: "pad1", pf: "u16be" } as const;

/** `struct nfqnl_msg_config_params` (packed: 5 bytes). */
export const NFQNL_CONFIG_PARAMS = { copyRange: "u32be", copyMode: "u8" } as const;

/** `NFQA_CFG_*`: binding and configuring a queue. */
export const NFQA_CFG_TABLE = {
  cmd: { type: 1, kind: "struct", struct: NFQNL_CONFIG_CMD }, // NFQA_CFG_CMD
  params: { type: 2, kind: "struct", struct: NFQNL_CONFIG_PARAMS }, // NFQA_CFG_PARAMS
  queueMaxlen: { type: 3, kind: "u32be" }, // NFQA_CFG_QUEUE_MAXLEN
  mask: { type: 4, kind: "u32be", bits: NFQA_CFG_FLAGS }, // NFQA_CFG_MASK
  flags: { type: 5, kind: "u32be", bits: NFQA_CFG_FLAGS }, // NFQA_CFG_FLAGS
} as const;
