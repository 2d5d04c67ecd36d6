/**
 * The `notrack` expression: exempts the packet from connection tracking; it has no attributes.
 *
 * @module
 */

/** The notrack expression has no attributes. */
export const NFTA_NOTRACK_TABLE = {} as const;
