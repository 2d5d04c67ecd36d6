/**
 * The errors nlkit throws, in one leaf module every layer may import
 * (`src/sys` included). Every class carries `code`, an errno-style name,
 * so callers can branch on `e.code` across families:
 *
 * - {@link NlkitError}: the base, with `code` and `operation`.
 * - {@link NetlinkError}: a refused operation, with its errno. A kernel
 *   refusal is always one; so is a refusal nlkit makes on the kernel's
 *   behalf before sending (a link name that resolves to nothing, a
 *   namespace that does not exist, a permission the runtime lacks), then
 *   with `requestType` 0.
 * - {@link NotFoundError} (a `NetlinkError`): the object does not exist,
 *   `code` `ENOENT`, `ENODEV`, `ESRCH` or `ENXIO`, whether the kernel said
 *   so or nlkit's own lookup found nothing.
 * - {@link PermissionError} (a `NetlinkError`): a capability or a runtime
 *   permission is missing, named in `permission`.
 * - {@link InvalidArgumentError} (a `TypeError`, for older callers): bad
 *   input refused before anything was sent, `code` `EINVAL`.
 *
 * @module
 */

import { EACCES, ENODEV, ENOENT, ENXIO, EPERM, errnoName, errnoText, ESRCH } from "./sys/errno.ts";

/** errno values with a meaning here. */
const ERRNO = { EPERM, ENOENT, ESRCH, ENXIO, EACCES, ENODEV } as const;

/** errno names that mean "no such object": a kernel refusal with one is a {@link NotFoundError}. */
export const NOT_FOUND_CODES: ReadonlySet<string> = new Set(["ENOENT", "ENODEV", "ESRCH", "ENXIO"]);

/** The base of nlkit's errors: what failed (`operation`) and why (`code`). */
export class NlkitError extends Error {
  /** An errno-style name: `ENODEV`, `EPERM`, `EINVAL`... */
  readonly code: string;
  /** What was attempted: `RTM_NEWLINK`, `open network namespace`, `dlopen libc`... */
  readonly operation: string;
  /** Creates the error. */
  constructor(message: string, code: string, operation: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NlkitError";
    this.code = code;
    this.operation = operation;
  }
}

/** What the kernel's extended ack says about a refusal (a subset of `ExtAck`). */
export interface RefusalDetail {
  /** The kernel's text (`NLMSGERR_ATTR_MSG`). */
  message?: string;
  /** Offset of the rejected attribute in the request (`NLMSGERR_ATTR_OFFS`). */
  offset?: number;
  /** Type of a missing attribute (`NLMSGERR_ATTR_MISS_TYPE`). */
  missingType?: number;
}

/**
 * A refused operation: by the kernel (an `NLMSG_ERROR` with an errno), or
 * by nlkit on the kernel's behalf before sending (`requestType` 0). Carries
 * the errno by number and name, the kernel's extended-ack message and
 * offset, and the operation's name (the family's name for the request).
 */
export class NetlinkError extends NlkitError {
  /** Positive errno, e.g. 2. */
  readonly errno: number;
  /** The kernel's extended-ack message, when it sent one. */
  readonly kernelMessage?: string;
  /** Offset in the request of the attribute the kernel rejected. */
  readonly offset?: number;
  /** Type of a missing attribute the kernel reported. */
  readonly missingType?: number;
  /** `nlmsg_type` of the failed request; 0 when nlkit refused before sending. */
  readonly requestType: number;
  /** The failed request's bytes, when known. */
  readonly request?: Uint8Array;

  /**
   * Creates the error; `operation` names what was attempted (e.g.
   * "RTM_NEWLINK"), `message` replaces the generated text.
   */
  constructor(
    errno: number,
    ext: RefusalDetail,
    requestType: number,
    operation: string,
    request?: Uint8Array,
    message?: string,
  ) {
    const code = errnoName(errno);
    super(message ?? `${operation} failed: ${ext.message || errnoText(errno)} (${code})`, code, operation);
    this.name = "NetlinkError";
    this.errno = errno;
    this.kernelMessage = ext.message;
    this.offset = ext.offset;
    this.missingType = ext.missingType;
    this.requestType = requestType;
    this.request = request;
  }
}

/** The arguments of {@link NetlinkError}'s constructor, which its subclasses take first. */
export type NetlinkErrorArgs = ConstructorParameters<typeof NetlinkError>;

/** What a {@link NotFoundError} looked for. */
export interface Lookup {
  /** The kind of object: `link`, `network namespace`, `nft table`... */
  kind: string;
  /** The name, index or key looked up. */
  key: string | number;
}

/**
 * The object does not exist: a link, namespace, table, qdisc, nexthop,
 * conntrack entry... `code` is the kernel's errno name for it (`ENODEV`
 * for a link, `ENOENT` for most others, `ESRCH` for a route). `kind` and
 * `key` say what was looked up when nlkit knows (its own lookups); a
 * kernel refusal leaves them undefined and names the `operation`.
 */
export class NotFoundError extends NetlinkError {
  /** The kind of object looked up, when known. */
  readonly kind?: string;
  /** The name, index or key looked up, when known. */
  readonly key?: string | number;

  /**
   * A kernel refusal (`errno`, `ext`, `requestType` from its reply) or,
   * with `lookup` and `message`, nlkit's own lookup that found nothing.
   */
  constructor(...args: [...NetlinkErrorArgs, lookup?: Lookup]) {
    const [errno, ext, requestType, operation, request, message, lookup] = args;
    super(errno, ext, requestType, operation, request, message);
    this.name = "NotFoundError";
    this.kind = lookup?.kind;
    this.key = lookup?.key;
  }
}

/**
 * A lookup by nlkit that found nothing, before any change was sent.
 * `code` is what the kernel would answer (`ENODEV` for a link).
 */
export function notFound(
  lookup: Lookup,
  operation: string,
  message: string,
  code: "ENOENT" | "ENODEV" | "ESRCH" | "ENXIO" = "ENOENT",
): NotFoundError {
  return new NotFoundError(ERRNO[code], {}, 0, operation, undefined, message, lookup);
}

/**
 * A capability or runtime permission is missing: `permission` names it
 * (`CAP_NET_ADMIN`, `CAP_SYS_ADMIN`, `--allow-ffi`, `--allow-read`,
 * `--allow-run`). `code` is `EPERM` or `EACCES`.
 */
export class PermissionError extends NetlinkError {
  /** The capability or runtime permission that would allow the operation. */
  readonly permission: string;

  /** Creates the error; the message says which `permission` is needed. */
  constructor(
    errno: number,
    ext: RefusalDetail,
    requestType: number,
    operation: string,
    permission: string,
    request?: Uint8Array,
    message?: string,
  ) {
    super(
      errno,
      ext,
      requestType,
      operation,
      request,
      message ?? permissionText(errno, ext, operation, permission),
    );
    this.name = "PermissionError";
    this.permission = permission;
  }
}

/** `OP failed: TEXT (EPERM): needs root or CAP_X` (or `Deno's --allow-x`), plus `otherCause`. */
function permissionText(
  errno: number,
  ext: RefusalDetail,
  operation: string,
  permission: string,
  otherCause?: string,
): string {
  const needs = permission.startsWith("CAP_") ? `root or ${permission}` : `Deno's ${permission}`;
  const why = `${needs}${otherCause ? `, or ${otherCause}` : ""}`;
  return `${operation} failed: ${ext.message || errnoText(errno)} (${errnoName(errno)}): needs ${why}`;
}

/**
 * The runtime refused access (Deno without `--allow-ffi`, `--allow-read`
 * or `--allow-run`): `permission` is the flag that grants it; the runtime's
 * own error is the `cause`.
 */
export function runtimePermission(operation: string, permission: string, cause: unknown): PermissionError {
  const e = new PermissionError(ERRNO.EACCES, {}, 0, operation, permission);
  e.cause = cause;
  return e;
}

/** Whether `e` is the runtime's refusal of a permission (Deno's `NotCapable`/`PermissionDenied`). */
export function isRuntimePermissionDenied(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === "NotCapable" || name === "PermissionDenied";
}

/** NFQUEUE/NFLOG binds, which EPERM also refuses when another socket has bound the queue or group. */
const BOUND_BY_ANOTHER = new Set(["NFQNL_MSG_CONFIG", "NFULNL_MSG_CONFIG"]);
const BOUND_ELSEWHERE = "another socket has bound this queue or group";

/**
 * The error for a kernel refusal: a {@link NotFoundError} for a not-found
 * errno, a {@link PermissionError} (needing CAP_NET_ADMIN) for EPERM or
 * EACCES, else a {@link NetlinkError}. `otherCause` completes the hint where
 * EPERM has another meaning too (by default for NFQUEUE/NFLOG binds:
 * another socket has bound the queue or group).
 */
export function refusal(
  errno: number,
  ext: RefusalDetail,
  requestType: number,
  operation: string,
  request?: Uint8Array,
  otherCause: string | undefined = BOUND_BY_ANOTHER.has(operation) ? BOUND_ELSEWHERE : undefined,
): NetlinkError {
  if (NOT_FOUND_CODES.has(errnoName(errno))) return new NotFoundError(errno, ext, requestType, operation, request);
  if (errno === ERRNO.EPERM || errno === ERRNO.EACCES) {
    const message = permissionText(errno, ext, operation, "CAP_NET_ADMIN", otherCause);
    return new PermissionError(errno, ext, requestType, operation, "CAP_NET_ADMIN", request, message);
  }
  return new NetlinkError(errno, ext, requestType, operation, request);
}

/**
 * A value or key the caller passed cannot be used, refused before anything
 * was sent. It extends `TypeError` for older callers; catch it by class or
 * by `code === "EINVAL"`.
 */
export class InvalidArgumentError extends TypeError {
  /** Always `"EINVAL"`, like the kernel's refusal of a bad argument. */
  readonly code = "EINVAL";
  /** The key or value that was refused. */
  readonly argument: string;

  /** Creates the error; `argument` is the key or value it is about (the message's quoted value by default). */
  constructor(message: string, argument?: string) {
    super(message);
    this.name = "InvalidArgumentError";
    this.argument = argument ?? /"([^"]*)"/.exec(message)?.[1] ?? "";
  }
}

/**
 * A link that does not exist (`ENODEV`, as the kernel answers), looked up
 * by name or index; `note` adds why (e.g. "not a tun/tap device").
 */
export function linkNotFound(nameOrIndex: string | number, note?: string): NotFoundError {
  const message = `Unknown link: "${nameOrIndex}"${note ? ` (${note})` : ""}`;
  return notFound({ kind: "link", key: nameOrIndex }, "RTM_GETLINK", message, "ENODEV");
}
