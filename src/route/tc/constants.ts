/**
 * Traffic-control constants by their uapi names (`linux/rtnetlink.h`,
 * `linux/pkt_sched.h`, `linux/pkt_cls.h`).
 *
 * @module
 */

/** tc message types (`RTM_*QDISC`, `RTM_*TCLASS`, `RTM_*TFILTER`, `RTM_*ACTION`). */
export const RTM_TC = {
  RTM_NEWQDISC: 36,
  RTM_DELQDISC: 37,
  RTM_GETQDISC: 38,
  RTM_NEWTCLASS: 40,
  RTM_DELTCLASS: 41,
  RTM_GETTCLASS: 42,
  RTM_NEWTFILTER: 44,
  RTM_DELTFILTER: 45,
  RTM_GETTFILTER: 46,
  RTM_NEWACTION: 48,
  RTM_DELACTION: 49,
  RTM_GETACTION: 50,
  RTM_NEWCHAIN: 100,
  RTM_DELCHAIN: 101,
  RTM_GETCHAIN: 102,
} as const;

/** Special handles. */
export const TC_H = {
  TC_H_UNSPEC: 0,
  TC_H_ROOT: 0xffffffff,
  TC_H_INGRESS: 0xfffffff1,
  TC_H_CLSACT: 0xfffffff1,
  TC_H_MIN_INGRESS: 0xfff2,
  TC_H_MIN_EGRESS: 0xfff3,
} as const;

/** `TCA_*` attributes of a tcmsg. */
export const TCA = {
  TCA_KIND: 1,
  TCA_OPTIONS: 2,
  TCA_STATS: 3,
  TCA_XSTATS: 4,
  TCA_RATE: 5,
  TCA_FCNT: 6,
  TCA_STATS2: 7,
  TCA_STAB: 8,
  TCA_PAD: 9,
  TCA_DUMP_INVISIBLE: 10,
  TCA_CHAIN: 11,
  TCA_HW_OFFLOAD: 12,
  TCA_INGRESS_BLOCK: 13,
  TCA_EGRESS_BLOCK: 14,
  TCA_DUMP_FLAGS: 15,
  TCA_EXT_WARN_MSG: 16,
} as const;

/** `TCA_ACT_*` attributes of one action. */
export const TCA_ACT = {
  TCA_ACT_KIND: 1,
  TCA_ACT_OPTIONS: 2,
  TCA_ACT_INDEX: 3,
  TCA_ACT_STATS: 4,
  TCA_ACT_PAD: 5,
  TCA_ACT_COOKIE: 6,
  TCA_ACT_FLAGS: 7,
  TCA_ACT_HW_STATS: 8,
  TCA_ACT_USED_HW_STATS: 9,
  TCA_ACT_IN_HW_COUNT: 10,
} as const;

/** `TCA_ROOT_*` attributes of an action message (`tcamsg`). */
export const TCA_ROOT = {
  TCA_ROOT_TAB: 1,
  TCA_ROOT_FLAGS: 2,
  TCA_ROOT_COUNT: 3,
  TCA_ROOT_TIME_DELTA: 4,
} as const;

/** Verdicts (`TC_ACT_*`). */
export const TC_ACT = {
  TC_ACT_UNSPEC: -1,
  TC_ACT_OK: 0,
  TC_ACT_RECLASSIFY: 1,
  TC_ACT_SHOT: 2,
  TC_ACT_PIPE: 3,
  TC_ACT_STOLEN: 4,
  TC_ACT_QUEUED: 5,
  TC_ACT_REPEAT: 6,
  TC_ACT_REDIRECT: 7,
  TC_ACT_TRAP: 8,
  TC_ACT_JUMP: 1 << 28,
  TC_ACT_GOTO_CHAIN: 2 << 28,
} as const;

/** Classifier flags (`TCA_CLS_FLAGS_*`). */
export const TCA_CLS_FLAGS = {
  TCA_CLS_FLAGS_SKIP_HW: 1,
  TCA_CLS_FLAGS_SKIP_SW: 2,
  TCA_CLS_FLAGS_IN_HW: 4,
  TCA_CLS_FLAGS_NOT_IN_HW: 8,
} as const;

/** The most actions one filter holds (`TCA_ACT_MAX_PRIO`). */
export const TCA_ACT_MAX_PRIO = 32;
