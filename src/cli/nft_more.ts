/**
 * nft's commands beside list and the changes: `reset`, `rename`, `get`
 * and `describe`, each in its own module, loaded when used.
 *
 * @module
 */

import { type Args, UsageError } from "./args.ts";
import type { Context } from "./context.ts";
import type { NftFlags } from "./nft_list.ts";

/** Runs `nft reset|rename|get|describe ...`. */
export async function nftMore(ctx: Context, cmd: string, args: Args, flags: NftFlags): Promise<void> {
  switch (cmd) {
    case "reset": {
      const { nftReset } = await import("./nft_reset.ts");
      return await nftReset(ctx, args, flags);
    }
    case "rename": {
      const { nftRename } = await import("./nft_rename.ts");
      return await nftRename(ctx, args);
    }
    case "get": {
      const { nftGet } = await import("./nft_get.ts");
      return await nftGet(ctx, args, flags);
    }
    case "describe": {
      const { nftDescribe } = await import("./nft_describe.ts");
      return nftDescribe(ctx, args);
    }
  }
  throw new UsageError(`Cannot run nft ${cmd}`);
}
