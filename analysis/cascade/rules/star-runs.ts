/**
 * Matching a pattern of the shape `R0*R1*…*Rk` (fixed-length runs between stars, the star taking
 * any run of characters) against a range of a string, in one left-to-right pass: the first run
 * must match at the start, the last at the end, and the ones between, in order, each anywhere after
 * the one before. Taking each middle run at its leftmost place is never worse (a later place only
 * leaves less room for the runs after it), so the pass decides without backtracking, in time
 * linear in the range for a fixed pattern. One RegExp `^R0[\s\S]*R1…$` instead backtracks: each
 * star retries every split, O(n^k) on a value that does not match, and the values are the
 * attacker's. Used by Sigma wildcards (glob-segments.ts) and by the segments of path globs
 * (path-glob-segments.ts); how a run compares characters (case folding, `?`) is the caller's.
 */

/** One star-free run: how long it is, whether it matches at a place, and where it first matches. */
export interface StarRun {
  readonly length: number;
  /** Whether the run matches `s` starting exactly at `at` (the caller keeps `at + length` in range). */
  matchAt(s: string, at: number): boolean;
  /** The leftmost index ≥ `from` where the run matches in `s` (it may lie past the range), or -1. */
  search(s: string, from: number): number;
}

/**
 * A test of whether `s.slice(from, to)` matches `runs[0]*runs[1]*…*runs[k-1]` as a whole. With one
 * run (no star) the range must be exactly that run. The searches may look past `to` (a run found
 * there ends the test), so each call scans `s` at most once past the range.
 */
export function starRunsTest(runs: readonly StarRun[]): (s: string, from: number, to: number) => boolean {
  const k = runs.length;
  const head = runs[0]!;
  if (k === 1) return (s, from, to) => to - from === head.length && head.matchAt(s, from);
  const tail = runs[k - 1]!;
  const middle = runs.slice(1, k - 1).filter((r) => r.length > 0);
  const min = runs.reduce((n, r) => n + r.length, 0);
  const hasHead = head.length > 0;
  const hasTail = tail.length > 0;
  return (s, from, to) => {
    if (to - from < min) return false;
    const end = to - tail.length;
    if ((hasHead && !head.matchAt(s, from)) || (hasTail && !tail.matchAt(s, end))) return false;
    let pos = from + head.length;
    for (let i = 0; i < middle.length; i++) {
      const run = middle[i]!;
      const at = run.search(s, pos);
      if (at < 0) return false;
      pos = at + run.length;
      if (pos > end) return false;
    }
    return true;
  };
}
