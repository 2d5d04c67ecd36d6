/**
 * The errors a refused operation becomes (declared in `src/errors.ts`, a
 * leaf module that `src/sys` may import too).
 *
 * @module
 */

export {
  type Lookup,
  NetlinkError,
  NlkitError,
  NotFoundError,
  PermissionError,
  type RefusalDetail,
} from "../errors.ts";
