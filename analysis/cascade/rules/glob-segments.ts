/**
 * Matching a Sigma wildcard pattern (wildcard.ts) with two or more `*` in time linear in the
 * value, where one RegExp `^a[\s\S]*b[\s\S]*c$` backtracks: each `[\s\S]*` tries every split, so a
 * value that does not match costs O(n^k) for k stars (measured: `*a*a*a*b` took 3.2 s on 300
 * characters and 11 s on 600; `system:serviceaccount:*:*trainer*` 11 ms on a 4 KB actor). The
 * values are the attacker's.
 *
 * The pattern is split at its stars into segments of fixed length (literal characters and `?`),
 * matched in one left-to-right pass (star-runs.ts). A segment is tested in place with a sticky
 * RegExp and searched for with a global one (the RegExp carries the case folding of the `i` flag);
 * each search resumes where the last ended.
 */
import { starRunsTest, type StarRun } from './star-runs.js';

/** One star-free run of the pattern: its RegExp source (characters and `[\s\S]` for `?`) and length. */
export interface GlobSegment {
  source: string;
  length: number;
}

/** A segment as a star run: sticky RegExp for "here", global RegExp for "first from here". */
class RegExpRun implements StarRun {
  readonly length: number;
  private readonly here: RegExp;
  private readonly next: RegExp;
  constructor(segment: GlobSegment, flags: string) {
    this.length = segment.length;
    this.here = new RegExp(segment.source, `${flags}y`);
    this.next = new RegExp(segment.source, `${flags}g`);
  }
  matchAt(s: string, at: number): boolean {
    this.here.lastIndex = at;
    return this.here.test(s);
  }
  search(s: string, from: number): number {
    this.next.lastIndex = from;
    const m = this.next.exec(s);
    return m === null ? -1 : m.index;
  }
}

/**
 * A test of `segments` (the runs between the stars, in order; empty runs allowed) against a
 * whole value, with RegExp `flags` ('' or 'i') for each run. One run (no star) is one RegExp.
 */
export function globMatcher(segments: readonly GlobSegment[], flags: string): (s: string) => boolean {
  if (segments.length === 1) {
    const whole = new RegExp(`^(?:${segments[0]!.source})$`, flags);
    return (s) => whole.test(s);
  }
  const test = starRunsTest(segments.map((g) => new RegExpRun(g, flags)));
  return (s) => test(s, 0, s.length);
}
