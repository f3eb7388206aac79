/**
 * A load-time check of the regular expressions rules bring (`|re`): a repetition nested in another
 * repetition (`(a+)+`, `(?:\w+\s?)*`, `(x*y?)*`) lets a backtracking engine such as V8's try
 * exponentially many ways to split a string that does not match, and the strings a rule reads are
 * the attacker's (OWASP "Regular expression Denial of Service"; the classic test is star height
 * above one). Rules may come from outside the project (SigmaHQ, an analyst's folder), so such a
 * pattern is refused with the rule's error, not run.
 *
 * Allowed: a repeated group whose body starts with a literal character that none of its inner
 * repetitions can match (`(?:-[A-Z0-9]+)*`, `(\.[a-z_]\w*)*`): each round must begin at that
 * separator, so there is one way to split. Input length is bounded separately (MAX_REGEX_INPUT),
 * which is what keeps single-level patterns (`[^|]*x` from every start) polynomial. Not caught:
 * overlapping alternatives under one repetition (`(a|aa)+`); a lookahead's body is read as part
 * of its group.
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

interface OpenGroup {
  start: number;
  /** A repetition inside (at any depth). */
  inner: boolean;
  /** The repeated atoms directly inside (sources); null once one is a group (not analysed). */
  repeated: string[] | null;
  /** The body's first atom when it is one literal character, else null; undefined before any atom. */
  lead: string | null | undefined;
  /** The body has a top-level alternation. */
  alternation: boolean;
}

/** `atom` (a literal character, escape or class) as the one character it stands for, when it is one. */
function literalChar(atom: string): string | null {
  if (atom.length === 1) return '.^$|'.includes(atom) ? null : atom;
  if (atom.length === 2 && atom[0] === '\\' && !/[A-Za-z0-9]/.test(atom[1]!)) return atom[1]!;
  return null;
}

/** Whether every round of the group `g` must start at a separator its inner repetitions cannot take. */
function separated(g: OpenGroup, flags: string): boolean {
  if (g.alternation || g.repeated === null || typeof g.lead !== 'string') return false;
  const lead = g.lead;
  return g.repeated.every((atom) => !new RegExp(`^(?:${atom})$`, flags).test(lead));
}

/**
 * The first group of `src` that repeats and holds a repetition that could split its rounds more
 * than one way (the group's text, cut to 60 characters), or null when there is none. `src` is a
 * pattern `new RegExp(src, flags)` accepted.
 */
export function nestedRepetition(src: string, flags = ''): string | null {
  const open: OpenGroup[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const top = open[open.length - 1];
    let atomEnd: number;
    let closed: OpenGroup | undefined;
    if (c === '\\') atomEnd = i + 2;
    else if (c === '[') {
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      if (top && top.lead === undefined) top.lead = null;
      let body = i + 1;
      if (src[body] === '?') body += src[body + 1] === '<' && src[body + 2] !== '=' && src[body + 2] !== '!' ? src.indexOf('>', body) + 1 - body : 2;
      open.push({ start: i, inner: false, repeated: [], lead: undefined, alternation: false });
      i = Math.max(body, i + 1);
      continue;
    } else if (c === '|') {
      if (top) top.alternation = true;
      i++;
      continue;
    } else if (c === ')') {
      closed = open.pop();
      atomEnd = i + 1;
    } else atomEnd = i + 1;
    const atom = src.slice(i, atomEnd);
    const [end, repeats] = quantifierAt(src, atomEnd);
    const lazy = end > atomEnd && src[end] === '?' ? 1 : 0;
    if (top && closed === undefined && top === open[open.length - 1] && top.lead === undefined) top.lead = repeats ? null : literalChar(atom);
    const parent = open[open.length - 1];
    if (closed !== undefined) {
      if (parent && parent.lead === undefined) parent.lead = null;
      if (repeats && closed.inner && !separated(closed, flags)) return src.slice(closed.start, Math.min(end, closed.start + 60));
      if (parent && (closed.inner || repeats)) {
        parent.inner = true;
        if (repeats || closed.inner) parent.repeated = null;
      }
    } else if (repeats && parent) {
      parent.inner = true;
      parent.repeated?.push(atom);
    }
    i = end + lazy;
  }
  return null;
}
