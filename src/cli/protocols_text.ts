/**
 * The text of `/etc/protocols`, read alone: conntrack's `-p` needs only
 * this, not ip's built-in protocol table (which loads the route tables).
 *
 * @module
 */

/** `/etc/protocols` names and aliases, by name, from the file's text. */
export function parseProtocols(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const raw of text.split("\n")) {
    const [name, num, ...aliases] = raw.replace(/#.*/, "").trim().split(/\s+/);
    if (!name || !/^\d+$/.test(num ?? "")) continue;
    for (const n of [name, ...aliases]) if (!m.has(n)) m.set(n, Number(num));
  }
  return m;
}
