/**
 * Building NFLOG requests: binding and configuring a group. Pure: bad
 * input throws before anything is sent.
 *
 * @module
 */

import { NFNL_SUBSYS_ULOG, nfnlMessage, nfnlType } from "../../wire/nfnetlink.ts";
import type { Attrs } from "../../wire/table.ts";
import { checkCopyMode, checkFlagNames, checkU16, checkU32, type CopyMode } from "../packet.ts";
import { checkKeys } from "../../wire/invalid.ts";
import { NFULA_CFG_TABLE, NFULNL_CFG_CMD, NFULNL_CFG_FLAGS, NFULNL_MSG } from "./tables.ts";

/** A log group flag (`NFULNL_CFG_F_*`). */
export type LogFlag = "seq" | "seq-global" | "conntrack";

/** How a log group is configured. */
export interface LogConfig {
  /** How much of each packet to copy. Default `packet`. */
  copyMode?: CopyMode;
  /** Bytes of each packet to copy in `packet` mode (0..65535). Default 65535. */
  copyRange?: number;
  /** Packets the kernel gathers into one datagram before sending (`NFULA_CFG_QTHRESH`). */
  threshold?: number;
  /** Longest wait, in hundredths of a second, before a partly filled datagram is sent (`NFULA_CFG_TIMEOUT`). */
  timeout?: number;
  /** Kernel buffer for gathering packets, in bytes (`NFULA_CFG_NLBUFSIZ`). */
  bufferSize?: number;
  /** Flags to turn on; the others are turned off. */
  flags?: readonly LogFlag[];
}

const FLAG_NAMES: readonly string[] = Object.values(NFULNL_CFG_FLAGS);
const CONFIG_KEYS = ["copyMode", "copyRange", "threshold", "timeout", "bufferSize", "flags"];

/** Builds an `NFULNL_MSG_CONFIG` that binds (or unbinds) `group` and applies `cfg`. */
export function buildLogConfig(group: number, cfg: LogConfig, command: "bind" | "unbind" | "none"): Uint8Array {
  checkU16(group, "log group");
  checkKeys(cfg, CONFIG_KEYS, "log options");
  const cmd = { bind: NFULNL_CFG_CMD.NFULNL_CFG_CMD_BIND, unbind: NFULNL_CFG_CMD.NFULNL_CFG_CMD_UNBIND, none: 0 }[
    command
  ];
  const attrs: Attrs<typeof NFULA_CFG_TABLE> = {};
  if (cmd) attrs.cmd = { command: cmd };
  if (command !== "unbind") {
    attrs.mode = {
      copyRange: checkU16(cfg.copyRange ?? 0xffff, "copy range"),
      copyMode: checkCopyMode(cfg.copyMode ?? "packet"),
    };
    if (cfg.bufferSize !== undefined) attrs.nlbufsiz = checkU32(cfg.bufferSize, "buffer size");
    if (cfg.timeout !== undefined) attrs.timeout = checkU32(cfg.timeout, "timeout");
    if (cfg.threshold !== undefined) attrs.qthresh = checkU32(cfg.threshold, "threshold");
    attrs.flags = checkFlagNames(cfg.flags ?? [], FLAG_NAMES, "log flag");
  }
  return nfnlMessage(nfnlType(NFNL_SUBSYS_ULOG, NFULNL_MSG.NFULNL_MSG_CONFIG), 0, 0, group)
    .attrs(NFULA_CFG_TABLE, attrs).finish();
}
