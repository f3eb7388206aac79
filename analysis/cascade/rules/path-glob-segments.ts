/**
 * Path globs without `**` inside (path-glob.ts): `*` and `?` never take a `/`, so every `/` of a
 * path the glob matches is one of the glob's own literal `/`. The glob's k slashes cut it into k+1
 * parts and the path (or the part of it the glob covers) into k+1 segments; the i-th part must
 * match the i-th segment as a whole. A part is literal characters, `?` and `*`, matched on its
 * segment in one pass (star-runs.ts). Time: linear in the path, for a given glob.
 */
import { starRunsTest, type StarRun } from './star-runs.js';

const SLASH = 47;

/** One piece of a glob part: literal text (no `/`), one character (`?`) or a star. */
export type PartPiece = string | 'one' | 'star';

/**
 * A run of literal characters and `?` (stored as `\0` with a flag per position): compared in
 * place with startsWith when it has no `?`, found with indexOf of its first literal stretch.
 */
class LiteralRun implements StarRun {
  readonly length: number;
  private readonly holes: boolean[] | null;
  /** The first stretch without `?` and where it sits in the run ('' when the run is all `?`). */
  private readonly anchor: string;
  private readonly anchorAt: number;
  constructor(private readonly text: string, holes: boolean[]) {
    this.length = text.length;
    this.holes = holes.some(Boolean) ? holes : null;
    let a = 0;
    while (a < text.length && holes[a]) a++;
    let b = a;
    while (b < text.length && !holes[b]) b++;
    this.anchor = text.slice(a, b);
    this.anchorAt = a;
  }
  matchAt(s: string, at: number): boolean {
    const holes = this.holes;
    if (holes === null) return s.startsWith(this.text, at);
    if (at + this.length > s.length) return false;
    for (let i = 0; i < this.length; i++) {
      const c = s.charCodeAt(at + i);
      if (holes[i] ? c === SLASH : c !== this.text.charCodeAt(i)) return false;
    }
    return true;
  }
  search(s: string, from: number): number {
    if (this.holes === null) return s.indexOf(this.text, from);
    const last = s.length - this.length;
    for (let at = from; at <= last; at++) {
      if (this.anchor !== '') {
        const found = s.indexOf(this.anchor, at + this.anchorAt);
        if (found < 0) return -1;
        at = found - this.anchorAt;
        if (at > last) return -1;
      }
      if (this.matchAt(s, at)) return at;
    }
    return -1;
  }
}

/** Whether a part matches `s.slice(from, to)` (a range without `/`) as a whole. */
type PartTest = (s: string, from: number, to: number) => boolean;

/** A part without `?`: its literal runs between stars, tested with startsWith and one indexOf. */
function literalPartTest(runs: readonly string[]): PartTest | null {
  const head = runs[0]!;
  if (runs.length === 1) return (s, from, to) => to - from === head.length && s.startsWith(head, from);
  const tail = runs[runs.length - 1]!;
  const mids = runs.slice(1, -1).filter((r) => r !== '');
  const min = head.length + tail.length + mids.reduce((n, r) => n + r.length, 0);
  if (mids.length > 1) return null;
  const mid = mids[0] ?? '';
  // `*text*` (a bucket glob's `*dataset*`) is one indexOf; the startsWith calls only when needed.
  if (head === '' && tail === '') {
    return (s, from, to) => {
      const at = s.indexOf(mid, from);
      return at >= 0 && at + mid.length <= to;
    };
  }
  return (s, from, to) => {
    if (to - from < min || (head !== '' && !s.startsWith(head, from)) || (tail !== '' && !s.startsWith(tail, to - tail.length))) return false;
    if (mid === '') return true;
    const at = s.indexOf(mid, from + head.length);
    return at >= 0 && at + mid.length <= to - tail.length;
  };
}

function partTest(pieces: readonly PartPiece[]): PartTest {
  const runs: LiteralRun[] = [];
  const texts: string[] = [];
  let text = '';
  let holes: boolean[] = [];
  for (const p of [...pieces, 'star' as const]) {
    if (p === 'star') {
      runs.push(new LiteralRun(text, holes));
      texts.push(text);
      text = '';
      holes = [];
    } else if (p === 'one') {
      text += '\0';
      holes.push(true);
    } else {
      text += p;
      for (let i = 0; i < p.length; i++) holes.push(false);
    }
  }
  const literal = pieces.includes('one') ? null : literalPartTest(texts);
  return literal ?? starRunsTest(runs);
}

/**
 * The glob whose parts (between its literal `/`) are `parts`, as its literal head (the leading
 * parts without wildcards, with their slashes: `s3://`, `/data/`) and a test of the rest: from
 * `from` (just after the head) on, the segments must be exactly as many as the remaining parts,
 * or, with `open` (a trailing `/**`), the glob may stop at a `/` and leave the rest of the path to
 * it. `slash` is `s.indexOf('/', from)`, which the caller may share between globs.
 */
export interface SegmentGlob {
  head: string;
  rest(s: string, from: number, slash: number): boolean;
  /** `X` when the rest is one part `*X*` and a trailing `/**` (the bucket of `s3://*dataset*` + `/**`), else null. */
  openInfix: string | null;
}

export function segmentGlob(parts: readonly (readonly PartPiece[])[], open: boolean): SegmentGlob {
  let lead = 0;
  while (lead < parts.length - 1 && parts[lead]!.every((p) => p !== 'one' && p !== 'star')) lead++;
  const head = parts.slice(0, lead).map((p) => `${p.join('')}/`).join('');
  const tests = parts.slice(lead).map(partTest);
  const k = tests.length - 1;
  const rest = (s: string, from: number, slash: number): boolean => {
    let pos = from;
    let e = slash;
    for (let i = 0; i < k; i++) {
      if (e < 0 || !tests[i]!(s, pos, e)) return false;
      pos = e + 1;
      e = s.indexOf('/', pos);
    }
    if (e < 0) e = s.length;
    else if (!open) return false;
    return tests[k]!(s, pos, e);
  };
  const last = parts[parts.length - 1]!;
  const infix = lead === parts.length - 1 && open && last.length === 3 && last[0] === 'star' && last[2] === 'star' ? last[1]! : null;
  return { head, rest, openInfix: infix === 'one' || infix === 'star' ? null : infix };
}

/** `segmentGlob` as one test of `s` from `from` on. */
export function segmentGlobTest(parts: readonly (readonly PartPiece[])[], open: boolean): (s: string, from?: number) => boolean {
  const { head, rest } = segmentGlob(parts, open);
  return (s, from = 0) => {
    if (!s.startsWith(head, from)) return false;
    const at = from + head.length;
    return rest(s, at, s.indexOf('/', at));
  };
}

/** The start of the last `slashes + 1` segments of `s.slice(from)`: -1 when it has fewer. */
export function lastSegmentsStart(s: string, from: number, slashes: number): number {
  let at = s.length;
  for (let n = 0; n <= slashes; n++) {
    const q = at > from ? s.lastIndexOf('/', at - 1) : -1;
    if (q < from) return n === slashes ? from : -1;
    at = q;
  }
  return at + 1;
}
