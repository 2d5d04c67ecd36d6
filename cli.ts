/**
 * The `nlkit` command: `ip`-style link, addr, route, neigh, rule, monitor
 * and netns commands, and `conntrack`-style `ct`.
 *
 * @example
 * ```sh
 * deno run -A jsr:@nlkit/netlink/cli -j link show
 * ```
 *
 * @module
 */

import process from "node:process";
import { main } from "./src/cli/main.ts";

const args: string[] = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? process.argv.slice(2);
process.exit(await main(args));
