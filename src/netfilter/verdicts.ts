/**
 * The netfilter core's verdicts (`<linux/netfilter.h>`), which nftables
 * rules and NFQUEUE verdicts both carry.
 *
 * @module
 */

/** `NF_*` verdict numbers, by the names nft and the kernel give them. */
export const NF_VERDICTS = {
  0: "drop",
  1: "accept",
  2: "stolen",
  3: "queue",
  4: "repeat",
  5: "stop",
} as const;
