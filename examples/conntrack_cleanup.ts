/**
 * Drops the tracked connections of one client after it went away: every
 * entry whose original source is ADDR, in one namespace, and says how many
 * went. Entries of other clients stay.
 *
 * Run as root: `deno run --allow-ffi examples/conntrack_cleanup.ts NETNS ADDR`
 * or `bun examples/conntrack_cleanup.ts NETNS ADDR`.
 */
import process from "node:process";
import { deleteConntrackByFilter, listConntrack } from "../mod.ts";

const [netns, addr] = process.argv.slice(2);
if (!netns || !addr) throw new Error("usage: conntrack_cleanup.ts NETNS ADDR");
const before = (await listConntrack({}, { netns })).length;
const deleted = await deleteConntrackByFilter({ orig: { src: addr } }, { netns });
const after = (await listConntrack({}, { netns })).length;
console.log(`deleted ${deleted} of ${before} entries from ${addr}; ${after} left`);
