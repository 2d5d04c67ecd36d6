/**
 * Terminal colours like `ip -c`: on only when stdout is a terminal and
 * `NO_COLOR` is unset, unless forced with `-c always`.
 *
 * @module
 */

import { envVar, isTerminal } from "./io.ts";

/** Colour roles `ip` uses. */
export type ColorRole = "ifname" | "mac" | "inet" | "inet6" | "up" | "down";

const CODES: Record<ColorRole, string> = {
  ifname: "\x1b[36m",
  mac: "\x1b[33m",
  inet: "\x1b[35m",
  inet6: "\x1b[34m",
  up: "\x1b[32m",
  down: "\x1b[31m",
};

/** Decides whether to colour: `mode` is "always", "never" or "auto". */
export function useColor(mode: string): boolean {
  if (mode === "always") return true;
  if (mode === "never") return false;
  const noColor = envVar("NO_COLOR");
  return (noColor === undefined || noColor === "") && isTerminal(1);
}

/** Paints text for a role, or returns it unchanged when colour is off. */
export type Painter = (role: ColorRole, text: string) => string;

/** The painter of colourless output: printers that write bytes skip it when they see it. */
export const NO_PAINT: Painter = (_role: ColorRole, text: string): string => text;

/** A painter that colours when `on`. */
export function painter(on: boolean): Painter {
  return on ? (role, text) => `${CODES[role]}${text}\x1b[0m` : NO_PAINT;
}
