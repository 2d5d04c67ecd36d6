/**
 * The `queue` expression: hands the packet to a userspace program on an
 * NFQUEUE queue, a fixed one, a range of them, or one a register names.
 *
 * @module
 */

/** `NFTA_QUEUE_*`. */
export const NFTA_QUEUE_TABLE = {
  num: { type: 1, kind: "u16be" }, // NFTA_QUEUE_NUM: the first queue
  total: { type: 2, kind: "u16be" }, // NFTA_QUEUE_TOTAL: how many queues from it
  flags: { type: 3, kind: "u16be" }, // NFTA_QUEUE_FLAGS: NFT_QUEUE_FLAG_BYPASS (1), NFT_QUEUE_FLAG_CPU_FANOUT (2)
  sregQnum: { type: 4, kind: "u32be" }, // NFTA_QUEUE_SREG_QNUM: the queue number from a register
} as const;

/** `NFT_QUEUE_FLAG_*` by nft's names for them. */
export const NFT_QUEUE_FLAGS = { bypass: 1, fanout: 2 } as const;
