/**
 * The netlink transport.
 *
 * @module
 */

export * from "./socket.ts";
export * from "./errors.ts";
export * from "./capture.ts";
export * from "./family.ts";
export { type DumpPlan, DumpStream as FamilyDumpStream, type DumpStreamOptions } from "./dump_stream.ts";
export { type Sys, SysError } from "../sys/sys.ts";
export { loadSys, setLibcPath } from "../sys/load.ts";
