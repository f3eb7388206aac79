/**
 * Sigma string values (Sigma specification v2, "Value modifiers" and "Wildcards"): `*` matches any
 * run of characters, `?` exactly one; `\*`, `\?` and `\\` escape; any other backslash is literal.
 * Matching is case-insensitive unless the `cased` modifier is given. Patterns are compiled once to
 * the cheapest test that implements them (equality, prefix, suffix, substring), and only the
 * irregular remainder becomes a RegExp.
 */
import { commandGlobMatcher, SHELL_CONTROL_CHARS, type CommandGlobToken } from './command-glob-match.js';
import { globMatcher, type GlobSegment } from './glob-segments.js';

export type MatchMode = 'equals' | 'contains' | 'startswith' | 'endswith';

const STAR = Symbol('star');
const ONE = Symbol('one');
type Part = string | typeof STAR | typeof ONE;

/** The shape a compiled pattern took: literal forms can be batched (field-test.ts). */
export type StringTestKind = 'any' | 'exact' | 'prefix' | 'suffix' | 'infix' | 'regex';

export interface StringTest {
  test(s: string): boolean;
  kind: StringTestKind;
  /** The literal of exact/prefix/suffix/infix tests (lower-case unless cased). */
  lit: string;
  cased: boolean;
  /** The pattern as an exact literal (lower-case unless cased) when it has no wildcard and mode is equals. */
  exact: string | null;
  /** For reasons: the pattern as written. */
  text: string;
}

/** Splits a Sigma value into literal runs and wildcards. */
export function wildcardParts(pattern: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
        continue;
      }
      lit += c;
      continue;
    }
    if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      const w = c === '*' ? STAR : ONE;
      // `**` is the same as `*`.
      if (!(w === STAR && parts[parts.length - 1] === STAR)) parts.push(w);
      continue;
    }
    lit += c;
  }
  if (lit) parts.push(lit);
  return parts;
}

export function hasWildcard(pattern: string): boolean {
  return wildcardParts(pattern).some((p) => typeof p !== 'string');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Case-insensitive matching without lower-casing the value. For an ASCII literal `lit` (lower
 * case), `s.toLowerCase()` equals / starts with / ends with / contains `lit` exactly when the
 * RegExp built here matches `s` itself. Why that holds (checked over every code point by
 * wildcard.test.ts): `toLowerCase` maps ASCII to ASCII one for one, every other code point to
 * non-ASCII of the same length, except U+212A KELVIN SIGN → 'k' and U+0130 (I WITH DOT ABOVE) →
 * 'i' + U+0307. So an ASCII run of the lower-cased value comes from ASCII letters of either case,
 * or a Kelvin sign for 'k', or — only as the run's last character, since U+0307 follows it — a
 * U+0130 for 'i'. Exact and suffix matches end at the end of the value, where U+0307 would stand,
 * so U+0130 never counts there. This replaces `toLowerCase` (an allocation per call) and
 * `startsWith` (slow over long common prefixes such as `system:serviceaccount:`) on the hot path.
 */
type FoldKind = 'exact' | 'prefix' | 'suffix' | 'infix';

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

function isAsciiLetterOrDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** RegExp source for `lit` as it must appear in the raw value (see above); `cased`: code for code. */
function literalSource(lit: string, kind: FoldKind, cased: boolean): string {
  let out = '';
  for (let i = 0; i < lit.length; i++) {
    const c = lit.charCodeAt(i);
    if (!cased && c >= 97 && c <= 122) {
      const ch = lit[i]!;
      if (ch === 'k') out += '[kK\\u212a]';
      else if (ch === 'i' && i === lit.length - 1 && (kind === 'prefix' || kind === 'infix')) out += '[iI\\u0130]';
      else out += `[${ch}${ch.toUpperCase()}]`;
    } else if (isAsciiLetterOrDigit(c)) out += lit[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function anchored(alternatives: string, kind: FoldKind): string {
  return kind === 'exact' ? `^(?:${alternatives})$` : kind === 'prefix' ? `^(?:${alternatives})` : kind === 'suffix' ? `(?:${alternatives})$` : alternatives;
}

/** One RegExp for literals of several kinds (OR), or null when one is not ASCII or it cannot be built. */
function foldedRegExp(parts: ReadonlyArray<{ lit: string; kind: FoldKind }>, cased: boolean): RegExp | null {
  if (!cased && parts.some((p) => !isAscii(p.lit))) return null;
  const groups: string[] = [];
  for (const kind of ['exact', 'prefix', 'suffix', 'infix'] as const) {
    const alts = parts.filter((p) => p.kind === kind).map((p) => literalSource(p.lit, kind, cased));
    if (alts.length) groups.push(anchored(alts.join('|'), kind));
  }
  try {
    return new RegExp(groups.join('|'));
  } catch {
    return null; // too large for the RegExp compiler: the caller keeps the plain form
  }
}

/**
 * Plain equality against several case-insensitive literals (`s` or `s.toLowerCase()` in the
 * set): a Set lookup for values already in lower case, the folded RegExp for the rest.
 */
export function exactSetTest(lits: readonly string[]): (s: string) => boolean {
  const set = new Set(lits);
  const re = foldedRegExp(lits.map((lit) => ({ lit, kind: 'exact' as const })), false);
  if (!re) return (s) => set.has(s) || set.has(s.toLowerCase());
  let min = Infinity;
  let max = 0;
  for (const l of lits) {
    min = Math.min(min, l.length);
    max = Math.max(max, l.length);
  }
  // Lower-casing an ASCII match keeps the length, so other lengths cannot match.
  return (s) => set.has(s) || (s.length >= min && s.length <= max && re.test(s));
}

/** Compiles one Sigma string value under a match mode. */
export function compileStringTest(pattern: string, mode: MatchMode, cased: boolean): StringTest {
  let parts = wildcardParts(pattern);
  if (mode === 'contains' || mode === 'endswith') if (parts[0] !== STAR) parts = [STAR, ...parts];
  if (mode === 'contains' || mode === 'startswith') if (parts[parts.length - 1] !== STAR) parts = [...parts, STAR];
  const fold = (s: string): string => (cased ? s : s.toLowerCase());
  const text = pattern;

  const base = { text, cased };
  if (parts.length === 0) return { ...base, test: (s) => s.length === 0, exact: '', kind: 'exact', lit: '' };
  if (parts.length === 1 && parts[0] === STAR) return { ...base, test: () => true, exact: null, kind: 'any', lit: '' };

  if (parts.length === 1 && typeof parts[0] === 'string') {
    const raw = parts[0];
    const lit = fold(raw);
    if (cased) return { ...base, test: (s) => s === raw, exact: raw, kind: 'exact', lit: raw };
    const len = lit.length;
    const re = foldedRegExp([{ lit, kind: 'exact' }], false);
    return {
      ...base,
      test: re ? (s) => s === lit || (s.length === len && re.test(s)) : (s) => s === raw || s.toLowerCase() === lit,
      exact: lit,
      kind: 'exact',
      lit,
    };
  }
  const p0 = parts[0];
  const p1 = parts[1];
  if (parts.length === 2 && typeof p0 === 'string' && p1 === STAR) {
    const lit = fold(p0);
    const re = foldedRegExp([{ lit, kind: 'prefix' }], cased);
    const test = re ? (s: string) => re.test(s) : (s: string) => s.startsWith(p0) || s.toLowerCase().startsWith(lit);
    return { ...base, test, exact: null, kind: 'prefix', lit };
  }
  if (parts.length === 2 && p0 === STAR && typeof p1 === 'string') {
    const lit = fold(p1);
    if (cased) return { ...base, test: (s) => s.endsWith(lit), exact: null, kind: 'suffix', lit };
    const re = foldedRegExp([{ lit, kind: 'suffix' }], false);
    return { ...base, test: re ? (s) => re.test(s) : (s) => s.endsWith(p1) || s.toLowerCase().endsWith(lit), exact: null, kind: 'suffix', lit };
  }
  const p2 = parts[2];
  if (parts.length === 3 && p0 === STAR && typeof p1 === 'string' && p2 === STAR) {
    const lit = fold(p1);
    if (cased) return { ...base, test: (s) => s.includes(lit), exact: null, kind: 'infix', lit };
    const re = foldedRegExp([{ lit, kind: 'infix' }], false);
    return { ...base, test: re ? (s) => re.test(s) : (s) => s.includes(p1) || s.toLowerCase().includes(lit), exact: null, kind: 'infix', lit };
  }
  // Two or more stars: matched run by run (glob-segments.ts), not as one backtracking RegExp.
  const segments = (lower: boolean): GlobSegment[] => {
    const out: GlobSegment[] = [{ source: '', length: 0 }];
    for (const p of parts) {
      const g = out[out.length - 1]!;
      if (p === STAR) out.push({ source: '', length: 0 });
      else if (p === ONE) {
        g.source += '[\\s\\S]';
        g.length++;
      } else {
        // The run's length as matched: lower-casing may lengthen it (U+0130 becomes two code units).
        const run = lower ? p.toLowerCase() : p;
        g.source += escapeRegex(run);
        g.length += run.length;
      }
    }
    return out;
  };
  const runs = segments(false);
  const raw = globMatcher(runs, '');
  if (cased) return { ...base, test: raw, exact: null, kind: 'regex', lit: '' };
  // Case-insensitive means what it means for the literal shapes above: the value as written or
  // lower-cased (`toLowerCase`) matches. The RegExp `i` flag folds by upper-casing instead, which
  // differs only on U+212A KELVIN SIGN (lower-cases to 'k', /k/i misses it) and U+0130 (lower-cases
  // to two code units, so `?` must not take it as one); for an ASCII pattern no other character
  // can tell the two apart (see `literalSource`). Values free of both (all but hostile ones) take
  // the `i` runs; the rest, and non-ASCII patterns, are lower-cased.
  const folded = globMatcher(runs, 'i');
  const lowered = globMatcher(segments(true), '');
  const asciiPattern = parts.every((p) => typeof p !== 'string' || isAscii(p));
  const test = asciiPattern
    ? (s: string) => (s.indexOf('\u212a') < 0 && s.indexOf('\u0130') < 0 ? folded(s) : raw(s) || lowered(s.toLowerCase()))
    : (s: string) => raw(s) || lowered(s.toLowerCase());
  return { ...base, test, exact: null, kind: 'regex', lit: '' };
}

/**
 * One test for a list of patterns (OR). Case-insensitive literal patterns become one folded
 * RegExp (a single scan of the value, nothing allocated); the rest are tried in turn.
 */
export function combineStringTests(tests: readonly StringTest[]): (s: string) => boolean {
  if (tests.length === 1) return tests[0]!.test;
  if (tests.some((t) => t.kind === 'any')) return () => true;
  const batch = tests.filter((t) => !t.cased && t.kind !== 'regex');
  const rest = tests.filter((t) => t.cased || t.kind === 'regex').map((t) => t.test);
  const re = batch.length ? foldedRegExp(batch.map((t) => ({ lit: t.lit, kind: t.kind as FoldKind })), false) : null;
  if (re || batch.length === 0) {
    if (rest.length === 0) return (s) => re!.test(s);
    return (s) => {
      if (re && re.test(s)) return true;
      for (let i = 0; i < rest.length; i++) if (rest[i]!(s)) return true;
      return false;
    };
  }
  const exact = new Set(batch.filter((t) => t.kind === 'exact').map((t) => t.lit));
  const prefix = batch.filter((t) => t.kind === 'prefix').map((t) => t.lit);
  const suffix = batch.filter((t) => t.kind === 'suffix').map((t) => t.lit);
  const infix = batch.filter((t) => t.kind === 'infix').map((t) => t.lit);
  // A value matches as written too (each test's own `s === raw || lower(s) === lit`): lower-casing
  // is context-sensitive (a final 'Σ' becomes 'ς'), so for a non-ASCII literal the written form can
  // match where the lower-cased one does not. An ASCII literal found as written is found lower-cased.
  const asWritten = batch.filter((t) => !isAscii(t.lit)).map((t) => t.test);
  return (s) => {
    const l = s.toLowerCase();
    if (exact.size && exact.has(l)) return true;
    for (let i = 0; i < prefix.length; i++) if (l.startsWith(prefix[i]!)) return true;
    for (let i = 0; i < suffix.length; i++) if (l.endsWith(suffix[i]!)) return true;
    for (let i = 0; i < infix.length; i++) if (l.includes(infix[i]!)) return true;
    for (let i = 0; i < rest.length; i++) if (rest[i]!(s)) return true;
    for (let i = 0; i < asWritten.length; i++) if (asWritten[i]!(s)) return true;
    return false;
  };
}

/** Any one character but a shell control character (command-glob-match.ts SHELL_CONTROL_CHARS). */
const SHELL_CONTROL_CLASS = `[^${SHELL_CONTROL_CHARS}]`;

/**
 * A case-sensitive glob over a command line (a behavioural spec's `exec.allow`), whose `*` and `?`
 * never stand for shell control characters: `sh -c nvidia-smi*` allows `sh -c nvidia-smi -q` but
 * not `sh -c nvidia-smi; curl -T /ckpt/model.pt …`, which a plain glob did. A pattern allows
 * such characters only where it writes them itself (`sh -c ps aux | grep * | head`).
 */
export function compileCommandGlob(pattern: string): (command: string) => boolean {
  const parts = wildcardParts(pattern);
  // Two or more stars: an automaton (command-glob-match.ts), not a RegExp that backtracks.
  if (parts.filter((p) => p === STAR).length >= 2) {
    return commandGlobMatcher(parts.flatMap((p): CommandGlobToken[] => (p === STAR ? ['star'] : p === ONE ? ['one'] : [...p].map((lit) => ({ lit })))));
  }
  let src = '^';
  for (const p of parts) src += p === STAR ? `${SHELL_CONTROL_CLASS}*` : p === ONE ? SHELL_CONTROL_CLASS : escapeRegex(p);
  const re = new RegExp(`${src}$`, 'u');
  return (command) => re.test(command);
}

/** A case-sensitive or -insensitive name glob (`train-*`, `system:serviceaccount:ml-*:*`). */
export function compileNameGlob(pattern: string, cased = false): (s: string) => boolean {
  return compileStringTest(pattern, 'equals', cased).test;
}
