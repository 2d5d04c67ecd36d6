/**
 * The ruleset generation (`NFT_MSG_GETGEN`): a counter the kernel bumps on
 * every committed batch, used for compare-and-swap.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkKeys } from "../../wire/invalid.ts";
import type { NlMsg } from "../../wire/message.ts";
import { NFT_MSG } from "./consts.ts";
import { parseNftMessage } from "./data.ts";
import { nftMessage, type NftOptions, withNftSocket } from "./socket.ts";
import type { NftGeneration } from "./_generated/types.ts";

export type { NftGeneration } from "./_generated/types.ts";

/** `NFTA_GEN_*`. */
export const NFTA_GEN_TABLE = {
  id: { type: 1, kind: "u32be" }, // NFTA_GEN_ID
  procPid: { type: 2, kind: "u32be" }, // NFTA_GEN_PROC_PID
  procName: { type: 3, kind: "string" }, // NFTA_GEN_PROC_NAME
} as const;

/** Parses an `NFT_MSG_NEWGEN` message (a GETGEN reply or the event closing a batch). */
export function parseGenMessage(m: NlMsg): NftGeneration {
  const { family: _f, ...gen } = parseNftMessage(NFTA_GEN_TABLE, m);
  return gen;
}

/** Reads the current ruleset generation (`NFT_MSG_GETGEN`). */
export async function getGeneration(opts: NftOptions = {}): Promise<NftGeneration> {
  checkKeys(opts, ["netns", "socket"], "getGeneration");
  return await withNftSocket(opts, async (s) => {
    const [gen] = await s.request(nftMessage(NFT_MSG.NFT_MSG_GETGEN, 0, 0).finish(), parseGenMessage);
    if (!gen || gen.id === undefined) {
      throw new InvalidArgumentError("Cannot read the generation: the kernel sent no NFTA_GEN_ID");
    }
    return gen;
  });
}
