/**
 * NFLOG (`NFNL_SUBSYS_ULOG`) message numbers and attribute tables
 * (`NFULA_*`, `NFULA_CFG_*`). Every scalar is big-endian on the wire.
 *
 * @module
 */

import { CTA_TABLE } from "../conntrack/tables.ts";
import { HW_ADDR_CODEC, IP_CT_INFO, NF_TIMESTAMP, NF_VLAN_TABLE } from "../packet.ts";
import { POOLED_BYTES } from "../pooled_bytes.ts";

/** `NFULNL_MSG_*`. */
export const NFULNL_MSG = {
  NFULNL_MSG_PACKET: 0,
  NFULNL_MSG_CONFIG: 1,
} as const;

/** `NFULNL_CFG_CMD_*`. */
export const NFULNL_CFG_CMD = {
  NFULNL_CFG_CMD_NONE: 0,
  NFULNL_CFG_CMD_BIND: 1,
  NFULNL_CFG_CMD_UNBIND: 2,
  NFULNL_CFG_CMD_PF_BIND: 3,
  NFULNL_CFG_CMD_PF_UNBIND: 4,
} as const;

/** `NFULNL_CFG_F_*` flag bits by name. */
export const NFULNL_CFG_FLAGS = {
  0x1: "seq",
  0x2: "seq-global",
  0x4: "conntrack",
} as const;

/** `struct nfulnl_msg_packet_hdr`. */
export const NFULNL_PACKET_HDR = { hwProtocol: "u16be", hook: "u8", pad: "pad1" } as const;

/** `NFULA_*`: a logged packet. */
export const NFULA_TABLE = {
  packetHdr: { type: 1, kind: "struct", struct: NFULNL_PACKET_HDR }, // NFULA_PACKET_HDR
  mark: { type: 2, kind: "u32be" }, // NFULA_MARK
  timestamp: { type: 3, kind: "struct", struct: NF_TIMESTAMP }, // NFULA_TIMESTAMP
  indev: { type: 4, kind: "u32be" }, // NFULA_IFINDEX_INDEV
  outdev: { type: 5, kind: "u32be" }, // NFULA_IFINDEX_OUTDEV
  physIndev: { type: 6, kind: "u32be" }, // NFULA_IFINDEX_PHYSINDEV
  physOutdev: { type: 7, kind: "u32be" }, // NFULA_IFINDEX_PHYSOUTDEV
  hwAddr: { type: 8, kind: "codec", codec: HW_ADDR_CODEC }, // NFULA_HWADDR
  payload: { type: 9, kind: "codec", codec: POOLED_BYTES }, // NFULA_PAYLOAD
  prefix: { type: 10, kind: "string" }, // NFULA_PREFIX
  uid: { type: 11, kind: "u32be" }, // NFULA_UID
  seq: { type: 12, kind: "u32be" }, // NFULA_SEQ
  seqGlobal: { type: 13, kind: "u32be" }, // NFULA_SEQ_GLOBAL
  gid: { type: 14, kind: "u32be" }, // NFULA_GID
  hwType: { type: 15, kind: "u16be" }, // NFULA_HWTYPE
  hwHeader: { type: 16, kind: "bytes" }, // NFULA_HWHEADER
  hwLen: { type: 17, kind: "u16be" }, // NFULA_HWLEN
  ct: { type: 18, kind: "nested", table: CTA_TABLE }, // NFULA_CT
  ctInfo: { type: 19, kind: "u32be", names: IP_CT_INFO }, // NFULA_CT_INFO
  vlan: { type: 20, kind: "nested", table: NF_VLAN_TABLE }, // NFULA_VLAN
  l2hdr: { type: 21, kind: "bytes" }, // NFULA_L2HDR
} as const;

/** `struct nfulnl_msg_config_cmd`. */
export const NFULNL_CONFIG_CMD = { command: "u8" } as const;

/** `struct nfulnl_msg_config_mode` (packed: 6 bytes). */
export const NFULNL_CONFIG_MODE = { copyRange: "u32be", copyMode: "u8", pad: "pad1" } as const;

/** `NFULA_CFG_*`: binding and configuring a log group. */
export const NFULA_CFG_TABLE = {
  cmd: { type: 1, kind: "struct", struct: NFULNL_CONFIG_CMD }, // NFULA_CFG_CMD
  mode: { type: 2, kind: "struct", struct: NFULNL_CONFIG_MODE }, // NFULA_CFG_MODE
  nlbufsiz: { type: 3, kind: "u32be" }, // NFULA_CFG_NLBUFSIZ
  timeout: { type: 4, kind: "u32be" }, // NFULA_CFG_TIMEOUT
  qthresh: { type: 5, kind: "u32be" }, // NFULA_CFG_QTHRESH
  flags: { type: 6, kind: "u16be", bits: NFULNL_CFG_FLAGS }, // NFULA_CFG_FLAGS
} as const;
