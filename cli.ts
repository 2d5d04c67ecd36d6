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

import { exitProcess, prepareOutput, programArgs } from "./src/cli/io.ts";
import { main } from "./src/cli/main.ts";

await prepareOutput();
exitProcess(await main(programArgs()));
