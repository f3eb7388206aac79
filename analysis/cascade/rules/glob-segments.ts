/**
 * Matching a Sigma wildcard pattern (wildcard.ts) with two or more `*` in time linear in the
 * value, where one RegExp `^a[\s\S]*b[\s\S]*c$` backtracks: each `[\s\S]*` tries every split, so a
 * value that does not match costs O(n^k) for k stars (measured: `*a*a*a*b` took 3.2 s on 300
 * characters and 11 s on 600; `system:serviceaccount:*:*trainer*` 11 ms on a 4 KB actor). The
 * values are the attacker's.
 *
 * The pattern is split at its stars into segments of fixed length (literal characters and `?`).
 * The first must match at the start, the last at the end, and the ones between, in order, each
 * anywhere after the one before: taking each at its leftmost place is never worse (a later place
 * only leaves less room for the segments after it), so one left-to-right pass decides. A segment
 * with no `?` is found by indexOf-like RegExp search; each search resumes where the last ended.
 */

/** One star-free run of the pattern: its RegExp source (characters and `[\s\S]` for `?`) and length. */
export interface GlobSegment {
  source: string;
  length: number;
}

/**
 * A test of `segments` (the runs between the stars, in order; empty runs allowed) against a
 * whole value, with RegExp `flags` ('' or 'i') for each run. One run (no star) is one RegExp.
 */
export function globMatcher(segments: readonly GlobSegment[], flags: string): (s: string) => boolean {
  const k = segments.length;
  if (k === 1) {
    const whole = new RegExp(`^(?:${segments[0]!.source})$`, flags);
    return (s) => whole.test(s);
  }
  const lengths = segments.map((g) => g.length);
  const minLength = lengths.reduce((a, b) => a + b, 0);
  // The first and last runs are tested in place (sticky), the middle ones searched for (global).
  const head = segments[0]!.length > 0 ? new RegExp(segments[0]!.source, `${flags}y`) : null;
  const tail = segments[k - 1]!.length > 0 ? new RegExp(segments[k - 1]!.source, `${flags}y`) : null;
  const middle = segments.slice(1, k - 1).map((g) => (g.length > 0 ? new RegExp(g.source, `${flags}g`) : null));
  const headLength = lengths[0]!;
  const tailLength = lengths[k - 1]!;
  return (s) => {
    if (s.length < minLength) return false;
    if (head !== null) {
      head.lastIndex = 0;
      if (!head.test(s)) return false;
    }
    const end = s.length - tailLength;
    if (tail !== null) {
      tail.lastIndex = end;
      if (!tail.test(s)) return false;
    }
    let pos = headLength;
    for (let i = 0; i < middle.length; i++) {
      const re = middle[i];
      if (re == null) continue;
      re.lastIndex = pos;
      const m = re.exec(s);
      if (m === null) return false;
      pos = m.index + lengths[i + 1]!;
      if (pos > end) return false;
    }
    return pos <= end;
  };
}
