/**
 * The `nlkit` command: `ip`-style link, addr, route, neigh, rule, monitor
 * and netns commands, and `conntrack`-style `ct`.
 *
 * Run it as a program: `deno run --allow-ffi jsr:@nlkit/netlink/cli -j link show`
 * (`bunx jsr add @nlkit/netlink`, then `bun node_modules/@nlkit/netlink/cli.ts`
 * on Bun). Importing this module runs the command with the process's
 * arguments and exits with its status.
 *
 * @example Run `nlkit -j link show lo` from a script and read its JSON
 * ```ts
 * import assert from "node:assert/strict";
 * import { execFileSync } from "node:child_process";
 * import process from "node:process";
 * import { fileURLToPath } from "node:url";
 *
 * const cli = import.meta.resolve("@nlkit/netlink/cli");
 * const args = ["-j", "link", "show", "lo"];
 * const argv = process.versions.bun
 *   ? [cli.startsWith("file:") ? fileURLToPath(cli) : cli, ...args]
 *   : ["run", "--allow-ffi", cli, ...args]; // --allow-ffi is all it needs
 * const [lo] = JSON.parse(execFileSync(process.execPath, argv, { encoding: "utf8" }));
 * assert.equal(lo.ifname, "lo");
 * assert.equal(lo.link_type, "loopback");
 * ```
 *
 * @module
 */

import { exitProcess, prepareOutput, programArgs } from "./src/cli/io.ts";
import { main } from "./src/cli/main.ts";

await prepareOutput();
exitProcess(await main(programArgs()));
