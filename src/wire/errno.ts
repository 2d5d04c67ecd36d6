/**
 * Linux errno names and texts, for codec and family code. The table lives
 * in `src/sys` (the lowest layer, which needs it for `SysError`).
 *
 * @module
 */

export { ERRNO, errnoName, errnoText } from "../sys/errno.ts";
