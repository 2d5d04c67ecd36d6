/**
 * `ingress` and `clsact`: the hooks filters attach to on the way in (and
 * out, for clsact). Neither takes options.
 *
 * @module
 */

import type { QdiscKind } from "../kind.ts";

/** The ingress module. */
export const ingress: QdiscKind = { kind: "ingress", bareText: "---------------- " };

/** The clsact module. */
export const clsact: QdiscKind = { kind: "clsact" };
