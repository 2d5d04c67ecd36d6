/**
 * ip's legacy IPv4 address forms, read as iproute2's `get_addr_ipv4` and
 * `get_netmask` (lib/utils.c) read them: one to four parts, each a C
 * `strtoul` number of base 0 (`010` is octal 8, `0x0a` is 10) no larger than
 * 255, missing parts zero (`10.5` is 10.5.0.0, not inet_aton's 10.0.0.5);
 * a prefix length in base 0 too, or a contiguous dotted netmask. Words are
 * rewritten into the plain text the library takes (`10.5/16` →
 * `10.5.0.0/16`); anything else is left as it is, for the strict parsers to
 * refuse in their own words.
 *
 * @module
 */

/** A C `strtoul(text, &end, 0)` that must consume the whole text; undefined when it does not. */
function strtoul0(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (!m) return undefined;
  const n = parseInt(m[2], /^0[xX]/.test(m[2]) ? 16 : m[2].length > 1 && m[2][0] === "0" ? 8 : 10);
  // strtoul negates: "-0" is 0, any other negative wraps to a huge number.
  return m[1] === "-" && n !== 0 ? Number.MAX_SAFE_INTEGER : n;
}

/** The dotted quad of ip's IPv4 text (`10.5` → `10.5.0.0`), or undefined when ip would refuse it. */
export function ipv4Legacy(text: string): string | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;
  const out = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const n = strtoul0(parts[i]);
    if (n === undefined || n > 255) return undefined;
    out[i] = n;
  }
  return out.join(".");
}

/** ip's `get_netmask`: a base-0 number, or a contiguous dotted IPv4 mask; its bit count. */
function netmaskBits(text: string): number | undefined {
  const n = strtoul0(text);
  if (n !== undefined) return n <= 0xffffffff ? n : undefined;
  const quad = ipv4Legacy(text);
  if (quad === undefined) return undefined;
  const mask = quad.split(".").reduce((acc, b) => acc * 256 + Number(b), 0);
  const host = (~mask) >>> 0;
  if ((host & (host + 1)) !== 0) return undefined;
  return 32 - Math.log2(host + 1);
}

/**
 * An address or prefix word (`ADDR[/LEN]`) as ip reads it, in the library's
 * plain text: IPv4 short forms become dotted quads and lengths decimal.
 * `default`, `all`, `any`, names and malformed words come back unchanged.
 */
export function inetWord(word: string): string {
  const slash = word.indexOf("/");
  const addr = slash < 0 ? word : word.slice(0, slash);
  if (addr === "default" || addr === "all" || addr === "any") return word;
  const plain = addr.includes(":") ? addr : ipv4Legacy(addr);
  if (plain === undefined) return word;
  if (slash < 0) return plain;
  const len = netmaskBits(word.slice(slash + 1));
  if (len === undefined || len > (addr.includes(":") ? 128 : 32)) return word;
  return `${plain}/${len}`;
}
