/**
 * The `open(2)` and `socket(2)` flags code here passes to libc (generic
 * architectures: x86, arm, arm64, riscv), by their uapi names.
 *
 * @module
 */

/** `open(2)` flags. */
export const O_RDONLY = 0, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_CLOEXEC = 0x80000;
/** `socket(2)` types and flags. */
export const SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
