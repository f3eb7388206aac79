/**
 * A load-time check of the regular expressions rules bring (`|re`): a repetition nested in another
 * repetition (`(a+)+`, `(?:\w+\s?)*`, `(x*y?)*`) lets a backtracking engine such as V8's try
 * exponentially many ways to split a string that does not match, and the strings a rule reads are
 * the attacker's (OWASP "Regular expression Denial of Service"; the classic test is star height
 * above one). Rules may come from outside the project (SigmaHQ, an analyst's folder), so such a
 * pattern is refused with the rule's error, not run. Input length is bounded separately
 * (MAX_REGEX_INPUT), which is what keeps single-level patterns (`[^|]*x` from every start)
 * polynomial. Not caught: overlapping alternatives under one repetition (`(a|aa)+`), and a
 * lookahead's body is read as part of its group.
 */

/** A repeat whose upper bound is at least this counts as repeating (`{2,3}` does not, `{1,50}` does). */
const REPEAT_BOUND = 4;

/**
 * The repetition operator at `i` (just after an atom), as [how far it reaches, whether it repeats]:
 * `*`, `+` and `{n,}` / `{n,m}` with m ≥ REPEAT_BOUND repeat; `?` and small bounds do not.
 */
function quantifierAt(src: string, i: number): [end: number, repeats: boolean] {
  const c = src[i];
  if (c === '*' || c === '+') return [i + 1, true];
  if (c === '?') return [i + 1, false];
  if (c !== '{') return [i, false];
  const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
  if (!m) return [i, false]; // a literal `{`
  const upper = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
  return [i + m[0].length, upper >= REPEAT_BOUND];
}

/**
 * The first group of `src` that repeats and holds a repetition (the group's text, cut to 60
 * characters), or null when there is none. `src` is a pattern `new RegExp` accepted.
 */
export function nestedRepetition(src: string): string | null {
  // Per open group: where it starts, and whether a repetition was seen inside it.
  const open: { start: number; inner: boolean }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    let atomEnd: number;
    let groupInner = false;
    let groupStart = -1;
    if (c === '\\') atomEnd = i + 2;
    else if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      open.push({ start: i, inner: false });
      i++;
      continue;
    } else if (c === ')') {
      const g = open.pop();
      atomEnd = i + 1;
      if (g) {
        groupInner = g.inner;
        groupStart = g.start;
      }
    } else atomEnd = i + 1;
    const [end, repeats] = quantifierAt(src, atomEnd);
    const lazy = end > atomEnd && src[end] === '?' ? 1 : 0;
    if (repeats) {
      if (groupInner) return src.slice(groupStart, Math.min(end, groupStart + 60));
      if (open.length > 0) open[open.length - 1]!.inner = true;
    } else if (groupInner && open.length > 0) open[open.length - 1]!.inner = true; // (a+)? inside a repeat still repeats
    i = end + lazy;
  }
  return null;
}
