/**
 * A load-time check of the regular expressions rules bring (`|re`): the strings a rule reads are
 * the attacker's, and a backtracking engine such as V8's can take exponential or high-polynomial
 * time on a crafted one that does not match (OWASP "Regular expression Denial of Service"). Rules
 * may come from outside the project (SigmaHQ, an analyst's folder), so such a pattern is refused
 * with the rule's error, not run. Three hazards, checked in this order:
 *
 * 1. A repetition nested in another repetition (`(a+)+`, `(?:\w+\s?)*`, `(x*y?)*`): star height
 *    above one. Allowed: a repeated group whose body starts with a literal character that none of
 *    its inner repetitions can match (`(?:-[A-Z0-9]+)*`, `(\.[a-z_]\w*)*`): each round must begin
 *    at that separator, so there is one way to split (a lookahead's body is read as part of its
 *    group here).
 * 2. A repeated group whose rounds can split a string two ways: overlapping alternatives or
 *    optional parts (`(a|aa)+`, `(\w|\d)*`, `(?:a?a)+`): regex-ambiguity.ts.
 * 3. Repetitions in sequence competing for the same characters before something that can fail,
 *    O(n^3) or worse (`.*a.*b` unanchored, `^(a+){2,3}$`): regex-ambiguity.ts.
 *
 * What remains is at most quadratic (`[^|]*x` tried from every start), which the bound on the
 * input (field-test.ts MAX_REGEX_INPUT) keeps in hand.
 */
import { parseRegex, RegexTooComplex } from './regex-ast.js';
import { ambiguousRepeat, coverSpan, polynomialBacktracking, REPEAT_BOUND } from './regex-ambiguity.js';

/** How much of an unsafe sub-pattern a rule's error quotes. */
const PART_CHARS = 60;

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
 * than one way (the group's text, cut to 60 characters), or null when there is none.
 */
function nestedRepeatGroup(src: string, flags: string): string | null {
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
      if (repeats && closed.inner && !separated(closed, flags)) return src.slice(closed.start, Math.min(end, closed.start + PART_CHARS));
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


/** What makes `src` unsafe: the sub-pattern (cut to 60 characters) and why, in words for the rule's error. */
export interface RegexHazard {
  part: string;
  reason: string;
}

/**
 * The first hazard of `src` (module doc), or null when it has none. `src` is a pattern
 * `new RegExp(src, flags)` accepted.
 */
export function regexHazard(src: string, flags = ''): RegexHazard | null {
  const nested = nestedRepeatGroup(src, flags);
  if (nested !== null) return { part: nested, reason: 'repeats a repetition' };
  try {
    const root = parseRegex(src, flags);
    const cut = (start: number, end: number): string => src.slice(start, Math.min(end, start + PART_CHARS));
    const split = ambiguousRepeat(root);
    if (split !== null) return { part: cut(split.start, split.end), reason: 'repeats a group whose rounds can split a string more than one way (overlapping alternatives or optional parts)' };
    const poly = polynomialBacktracking(root);
    if (poly !== null) return { part: cut(...coverSpan(root, poly.start, poly.end)), reason: 'has repetitions in sequence that can take the same characters, before a part that can fail (polynomial backtracking)' };
    return null;
  } catch (e) {
    if (e instanceof RegexTooComplex) return { part: src.slice(0, PART_CHARS), reason: `is too complex to check (${e.message})` };
    throw e;
  }
}

/**
 * The unsafe sub-pattern of `src` (regexHazard's `part`: the text a rule's error quotes), or null.
 * Named for the first hazard it caught; it reports all three.
 */
export function nestedRepetition(src: string, flags = ''): string | null {
  return regexHazard(src, flags)?.part ?? null;
}
