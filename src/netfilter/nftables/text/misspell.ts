/**
 * nft's "did you mean" (src/misspell.c): the closest name within a
 * threshold, by nft's own edit distance. Ported as written, quirks
 * included (it compares each string from its second character and lets
 * the rows of its table overlap), so nlkit suggests what nft suggests.
 *
 * @module
 */

/** nft's string_distance, over UTF-8 bytes as nft reads them. */
function distance(a: Uint8Array, b: Uint8Array): number {
  const la = a.length, lb = b.length;
  const d = new Uint32Array((la + 1) * (lb + 1));
  const at = (i: number, j: number) => i * lb + j; // nft's DISTANCE(i, j): rows of lb, not lb + 1
  const ch = (s: Uint8Array, i: number) => (i < s.length ? s[i] : 0); // s[len] is the C string's NUL
  for (let i = 0; i <= la; i++) d[at(i, 0)] = i;
  for (let j = 0; j <= lb; j++) d[at(0, j)] = j;
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const sub = ch(a, i) === ch(b, j) ? 0 : 1;
      let v = Math.min(d[at(i - 1, j)] + 1, d[at(i, j - 1)] + 1, d[at(i - 1, j - 1)] + sub);
      if (i > 1 && j > 1 && ch(a, i) === ch(b, j - 1) && ch(a, i - 1) === ch(b, j)) {
        v = Math.min(v, d[at(i - 2, j - 2)] + sub);
      }
      d[at(i, j)] = v;
    }
  }
  return d[at(la, lb)];
}

const utf8 = new TextEncoder();

/**
 * The candidate nft would suggest for `name`: of `candidates` (name and
 * value, in nft's cache order), the first at the smallest distance within
 * nft's threshold, or undefined.
 */
export function closest<T>(name: string, candidates: Iterable<readonly [string, T]>): T | undefined {
  const b = utf8.encode(name);
  let best: T | undefined;
  let min = Infinity;
  for (const [cand, value] of candidates) {
    const a = utf8.encode(cand);
    const max = Math.max(a.length, b.length), minLen = Math.min(a.length, b.length);
    if (max <= 1) continue;
    const threshold = max - minLen <= 1 ? Math.max(Math.ceil(max / 3), 1) : Math.ceil((max + 2) / 3);
    const dist = distance(a, b);
    if (dist <= threshold && dist < min) [min, best] = [dist, value];
  }
  return best;
}
