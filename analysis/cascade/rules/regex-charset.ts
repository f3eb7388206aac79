/**
 * Sets of characters for the regex safety analysis (regex-ambiguity.ts): sorted, disjoint, inclusive
 * ranges of code points (code units below 0x10000 where the pattern has no `u` flag). Only the
 * questions the analysis asks are answered: union, complement, "do these two share a character",
 * and a case-insensitive closure that may add more than the `i` flag does, never less (ECMA-262
 * Canonicalize: without `u`, a non-ASCII character never folds to an ASCII one; with `u`, simple
 * case folding adds U+017F ſ ~ s and U+212A K ~ k).
 */

/** Flat [lo0, hi0, lo1, hi1, …], sorted and disjoint. */
export type CharSet = readonly number[];

export const MAX_CHAR = 0x10ffff;
export const EMPTY: CharSet = [];
export const ALL: CharSet = [0, MAX_CHAR];

export function single(c: number): CharSet {
  return [c, c];
}

/** The set of `[lo, hi]` pairs given in any order, overlapping or not. */
export function fromRanges(pairs: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = pairs.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

const pairsOf = (s: CharSet): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; i += 2) out.push([s[i]!, s[i + 1]!]);
  return out;
};

export function union(a: CharSet, b: CharSet): CharSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return fromRanges([...pairsOf(a), ...pairsOf(b)]);
}

export function complement(a: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i]! > next) out.push(next, a[i]! - 1);
    next = a[i + 1]! + 1;
  }
  if (next <= MAX_CHAR) out.push(next, MAX_CHAR);
  return out;
}

/** Whether `a` and `b` have a character in common. */
export function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

/**
 * `s` with every character the `i` flag can make it match: ASCII letters in both cases, all of
 * non-ASCII once `s` holds any non-ASCII character (a superset of its folds), and with `unicode`
 * the folds between ASCII `k`/`s` and U+212A / U+017F.
 */
export function caseClosure(s: CharSet, unicode: boolean): CharSet {
  const extra: Array<[number, number]> = [];
  const letters = (lo: number, hi: number, shift: number): void => {
    for (let i = 0; i < s.length; i += 2) {
      const a = Math.max(s[i]!, lo);
      const b = Math.min(s[i + 1]!, hi);
      if (a <= b) extra.push([a + shift, b + shift]);
    }
  };
  letters(0x41, 0x5a, 0x20);
  letters(0x61, 0x7a, -0x20);
  let out = union(s, fromRanges(extra));
  if (unicode && intersects(out, fromRanges([[0x4b, 0x4b], [0x53, 0x53], [0x6b, 0x6b], [0x73, 0x73]]))) out = union(out, fromRanges([[0x17f, 0x17f], [0x212a, 0x212a]]));
  if (intersects(out, [0x80, MAX_CHAR])) {
    out = union(out, [0x80, MAX_CHAR]);
    if (unicode) out = union(out, fromRanges([[0x4b, 0x4b], [0x53, 0x53], [0x6b, 0x6b], [0x73, 0x73]]));
  }
  return out;
}

export const DIGIT: CharSet = [0x30, 0x39];
export const WORD: CharSet = fromRanges([[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]]);
/** ECMA-262 WhiteSpace and LineTerminator (`\s`). */
export const SPACE: CharSet = fromRanges([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
/** `.` without the `s` flag: anything but a line terminator. */
export const DOT: CharSet = complement(fromRanges([[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]));
