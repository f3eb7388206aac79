/**
 * A glob run as a nondeterministic automaton (Thompson's construction): one pass over the subject
 * keeping the set of pattern states reached, so time is O(subject × pattern) whatever the input,
 * where one RegExp for the glob backtracks (each `[^…]*` retries every split: O(n^k) for k stars on
 * a subject that does not match). Used by command globs (command-glob-match.ts: `*` and `?` never
 * take a shell control character) and by path globs with an inner `**` (path-glob.ts:
 * `*` and `?` never take a `/`). Every ε-move goes forward, so one pass in state order closes a set.
 */

/**
 * One state: a literal code, one code outside the restricted set (`one`), a loop over codes
 * outside it (`star`), a loop over any code (`any`), or a state that consumes nothing and also
 * reaches the later state `skip` (the entry of an optional group). Loops and skips also reach the
 * next state; the state after the last one accepts.
 */
export type GlobState = { lit: number } | 'one' | 'star' | 'any' | { skip: number };

const LIT = 0;
const ONE = 1;
const STAR = 2;
const ANY = 3;
const SKIP = 4;

/** The code at `i` of `s` and how many units it takes: a code point when `codePoints`, else a unit. */
function codeAt(s: string, i: number, codePoints: boolean): number {
  const c = s.charCodeAt(i);
  if (!codePoints || c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return c;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff ? 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00) : c;
}

interface Compiled {
  m: number;
  kind: Uint8Array;
  arg: Int32Array;
  /** The codes `one` and `star` never take: `only` when there is one, else `banned`. */
  only: number;
  banned: ReadonlySet<number>;
  codePoints: boolean;
}

/**
 * A whole-subject test of `states`. `restricted`: the codes `one` and `star` never take;
 * `codePoints`: read the subject by code point (a command as the shell reads it) rather than by
 * UTF-16 code unit (a RegExp without the `u` flag). A skip must point past its own state. Up to 30
 * states the set is one integer (bit-parallel, a few operations a character); beyond, an array.
 * `wide` forces the array (tests compare the two).
 */
export function globAutomatonMatcher(states: readonly GlobState[], restricted: readonly number[], codePoints: boolean, wide = false): (s: string) => boolean {
  const m = states.length;
  const kind = new Uint8Array(m);
  const arg = new Int32Array(m);
  states.forEach((t, j) => {
    if (t === 'one') kind[j] = ONE;
    else if (t === 'star') kind[j] = STAR;
    else if (t === 'any') kind[j] = ANY;
    else if ('lit' in t) arg[j] = t.lit;
    else {
      if (!(t.skip > j && t.skip <= m)) throw new Error(`glob state ${j} skips backwards`);
      kind[j] = SKIP;
      arg[j] = t.skip;
    }
  });
  const c: Compiled = { m, kind, arg, only: restricted.length === 1 ? restricted[0]! : -1, banned: new Set(restricted), codePoints };
  return m <= 30 && !wide ? bitMatcher(c) : arrayMatcher(c);
}

/** Shift-And over one 31-bit integer: bit j is state j. */
function bitMatcher({ m, kind, arg, only, banned, codePoints }: Compiled): (s: string) => boolean {
  const ascii = new Int32Array(128);
  const other = new Map<number, number>();
  let oneMask = 0;
  let starMask = 0;
  let anyMask = 0;
  let epsMask = 0;
  const skipFrom: number[] = [];
  const skipTo: number[] = [];
  for (let j = 0; j < m; j++) {
    const bit = 1 << j;
    const k = kind[j]!;
    if (k === LIT) {
      const code = arg[j]!;
      if (code < 128) ascii[code]! |= bit;
      else other.set(code, (other.get(code) ?? 0) | bit);
    } else if (k === ONE) oneMask |= bit;
    else if (k === STAR) starMask |= bit;
    else if (k === ANY) anyMask |= bit;
    if (k >= STAR) epsMask |= bit;
    if (k === SKIP) {
      skipFrom.push(bit);
      skipTo.push(1 << arg[j]!);
    }
  }
  const accept = 1 << m;
  const close = (d: number): number => {
    for (;;) {
      let e = (d & epsMask) << 1;
      for (let i = 0; i < skipFrom.length; i++) if (d & skipFrom[i]!) e |= skipTo[i]!;
      if ((e & ~d) === 0) return d;
      d |= e;
    }
  };
  const start = close(1);
  return (s) => {
    let d = start;
    for (let i = 0; i < s.length; i++) {
      const c = codeAt(s, i, codePoints);
      if (c > 0xffff) i++;
      const lits = c < 128 ? ascii[c]! : (other.get(c) ?? 0);
      let n = ((d & lits) << 1) | (d & anyMask);
      if (only >= 0 ? c !== only : !banned.has(c)) n |= ((d & oneMask) << 1) | (d & starMask);
      if (n === 0) return false;
      d = close(n);
    }
    return (d & accept) !== 0;
  };
}

/** The same automaton over arrays of flags (any number of states). */
function arrayMatcher({ m, kind, arg, only, banned, codePoints }: Compiled): (s: string) => boolean {
  /** ε-closure of `set` from state `lo` on; returns the highest state set. */
  const close = (set: Uint8Array, lo: number, hi: number): number => {
    for (let j = lo; j <= hi && j < m; j++) {
      if (set[j] === 0) continue;
      const k = kind[j]!;
      if (k >= STAR) {
        set[j + 1] = 1;
        if (j + 1 > hi) hi = j + 1;
        if (k === SKIP) {
          const to = arg[j]!;
          set[to] = 1;
          if (to > hi) hi = to;
        }
      }
    }
    return hi;
  };
  return (s) => {
    let cur = new Uint8Array(m + 1);
    let next = new Uint8Array(m + 1);
    cur[0] = 1;
    // Only states lo..hi can be set: the scan skips the rest of the pattern.
    let lo = 0;
    let hi = close(cur, 0, 0);
    for (let i = 0; i < s.length; i++) {
      const c = codeAt(s, i, codePoints);
      if (c > 0xffff) i++;
      const free = only >= 0 ? c !== only : !banned.has(c);
      let nlo = m + 1;
      let nhi = -1;
      for (let j = lo; j <= hi && j < m; j++) {
        if (cur[j] === 0) continue;
        const k = kind[j]!;
        let to = -1;
        if (k === LIT) to = c === arg[j] ? j + 1 : -1;
        else if (k === ONE) to = free ? j + 1 : -1;
        else if (k === STAR) to = free ? j : -1;
        else if (k === ANY) to = j;
        if (to < 0) continue;
        next[to] = 1;
        if (to < nlo) nlo = to;
        if (to > nhi) nhi = to;
      }
      cur.fill(0, lo, hi + 1);
      if (nhi < 0) return false;
      nhi = close(next, nlo, nhi);
      const swap = cur;
      cur = next;
      next = swap;
      lo = nlo;
      hi = nhi;
    }
    return cur[m] === 1;
  };
}
