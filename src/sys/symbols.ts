/**
 * The libc symbols nlkit calls, in one table written against Deno's FFI
 * types; the Bun loader translates the same table. Each parameter carries
 * its C type.
 *
 * @module
 */

/** The libc symbol table. */
export const SYMBOLS = {
  socket: {
    parameters: [
      "i32", // int domain
      "i32", // int type
      "i32", // int protocol
    ],
    result: "i32", // int fd
  },
  bind: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32",
  },
  getsockname: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32",
  },
  sendto: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // const struct sockaddr *dest_addr
      "u32", // socklen_t addrlen
    ],
    result: "i32", // ssize_t, read as its low 32 bits: netlink datagrams stay far below 2 GiB
  },
  recvfrom: {
    parameters: [
      "i32", // int sockfd
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
      "buffer", // struct sockaddr *src_addr
      "buffer", // socklen_t *addrlen
    ],
    result: "i32", // ssize_t, low 32 bits as above
  },
  recvmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct msghdr *msg
      "i32", // int flags
    ],
    result: "i32", // ssize_t, low 32 bits as above
  },
  setsockopt: {
    parameters: [
      "i32", // int sockfd
      "i32", // int level
      "i32", // int optname
      "buffer", // const void *optval
      "u32", // socklen_t optlen
    ],
    result: "i32",
  },
  getsockopt: {
    parameters: [
      "i32", // int sockfd
      "i32", // int level
      "i32", // int optname
      "buffer", // void *optval
      "buffer", // socklen_t *optlen
    ],
    result: "i32",
  },
  close: {
    parameters: [
      "i32", // int fd
    ],
    result: "i32",
  },
  read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buf
      "usize", // size_t count
    ],
    result: "i32", // ssize_t, low 32 bits
  },
  write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buf
      "usize", // size_t count
    ],
    result: "i32", // ssize_t, low 32 bits
  },
  poll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "u64", // nfds_t nfds
      "i32", // int timeout
    ],
    result: "i32",
  },
  eventfd: {
    parameters: [
      "u32", // unsigned int initval
      "i32", // int flags
    ],
    result: "i32",
  },
  open: {
    parameters: [
      "buffer", // const char *pathname
      "i32", // int flags
      "u32", // mode_t mode
    ],
    result: "i32",
  },
  mkdir: {
    parameters: [
      "buffer", // const char *pathname
      "u32", // mode_t mode
    ],
    result: "i32",
  },
  unlink: {
    parameters: [
      "buffer", // const char *pathname
    ],
    result: "i32",
  },
  setns: {
    parameters: [
      "i32", // int fd
      "i32", // int nstype
    ],
    result: "i32",
  },
  unshare: {
    parameters: [
      "i32", // int flags
    ],
    result: "i32",
  },
  mount: {
    parameters: [
      "buffer", // const char *source
      "buffer", // const char *target
      "buffer", // const char *filesystemtype
      "u64", // unsigned long mountflags
      "buffer", // const void *data
    ],
    result: "i32",
  },
  umount2: {
    parameters: [
      "buffer", // const char *target
      "i32", // int flags
    ],
    result: "i32",
  },
  ioctl: {
    parameters: [
      "i32", // int fd
      "u64", // unsigned long request
      "buffer", // void *argp
    ],
    result: "i32",
  },
  // The same call for requests whose argument is a value, not a pointer (TUNSETPERSIST).
  ioctl_int: {
    name: "ioctl",
    parameters: [
      "i32", // int fd
      "u64", // unsigned long request
      "u64", // unsigned long value
    ],
    result: "i32",
  },
  getpid: {
    parameters: [],
    result: "i32", // pid_t
  },
  gettid: {
    parameters: [],
    result: "i32", // pid_t
  },
  getnameinfo: {
    parameters: [
      "buffer", // const struct sockaddr *sa
      "u32", // socklen_t salen
      "buffer", // char *host
      "u32", // socklen_t hostlen
      "buffer", // char *serv
      "u32", // socklen_t servlen
      "i32", // int flags
    ],
    result: "i32", // 0 or an EAI_* code
  },
  getaddrinfo: {
    parameters: [
      "buffer", // const char *node
      "buffer", // const char *service (NULL)
      "buffer", // const struct addrinfo *hints
      "buffer", // struct addrinfo **res
    ],
    result: "i32", // 0 or an EAI_* code
  },
  // The list getaddrinfo made, and the text of its codes: addresses passed as integers (no pointer objects).
  freeaddrinfo: {
    parameters: [
      "usize", // struct addrinfo *res
    ],
    result: "void",
  },
  gai_strerror: {
    parameters: [
      "i32", // int errcode
    ],
    result: "usize", // const char *
  },
  // memcpy from an address libc gave (an addrinfo, its sockaddr, a message) into a buffer.
  memcpy_from: {
    name: "memcpy",
    parameters: [
      "buffer", // void *dest
      "usize", // const void *src
      "usize", // size_t n
    ],
    result: "usize", // void *dest
  },
  strlen: {
    parameters: [
      "usize", // const char *s
    ],
    result: "usize", // size_t
  },
  __errno_location: {
    parameters: [],
    result: "pointer", // int *
  },
  // syscall(2), bound for bpf(2), which glibc does not wrap.
  syscall_bpf: {
    name: "syscall",
    parameters: [
      "i64", // long number (SYS_bpf)
      "i32", // int cmd
      "buffer", // union bpf_attr *attr
      "u32", // unsigned int size
    ],
    result: "i32", // long, read as its low 32 bits: an fd, 0 or -1
  },
  recvmmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct mmsghdr *msgvec
      "u32", // unsigned int vlen
      "i32", // int flags
      "buffer", // struct timespec *timeout
    ],
    result: "i32", // int: datagrams read
  },
} as const;

/** `SYS_bpf` by architecture (Deno's and Node's names), or undefined where nlkit does not know it. */
export function bpfSyscallNumber(arch: string): number | undefined {
  if (arch === "x86_64" || arch === "x64") return 321;
  if (arch === "aarch64" || arch === "arm64" || arch === "riscv64") return 280;
  return undefined;
}

/** Names of the symbols in {@link SYMBOLS}. */
export type SymbolName = keyof typeof SYMBOLS;

/**
 * Candidate libc paths: the caller's override alone, else in order the
 * `NLKIT_LIBC` variable (read only where the environment is already open:
 * reading it never prompts), glibc by soname and by its usual absolute
 * paths (so `deno run --allow-ffi=/lib/x86_64-linux-gnu/libc.so.6` works),
 * then musl (Alpine, OpenWrt).
 */
export function libcCandidates(arch: string, override?: string): string[] {
  if (override) return [override];
  const env = readEnv("NLKIT_LIBC");
  const a64 = arch === "arm64" || arch === "aarch64";
  const gnu = a64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
  const musl = a64 ? "aarch64" : "x86_64";
  return [
    ...(env ? [env] : []),
    "libc.so.6",
    `/lib/${gnu}/libc.so.6`,
    `/usr/lib/${gnu}/libc.so.6`,
    "/lib64/libc.so.6",
    `libc.musl-${musl}.so.1`,
    `/lib/ld-musl-${musl}.so.1`,
    "/lib/libc.so",
  ];
}

function readEnv(name: string): string | undefined {
  try {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    if (!g.Deno) return g.process?.env?.[name];
    // Asking Deno for a variable it was not granted would prompt in a terminal.
    if (g.Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
    return g.Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: use the defaults
  }
}
