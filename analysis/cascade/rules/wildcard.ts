/**
 * Sigma string values (Sigma specification v2, "Value modifiers" and "Wildcards"): `*` matches any
 * run of characters, `?` exactly one; `\*`, `\?` and `\\` escape; any other backslash is literal.
 * Matching is case-insensitive unless the `cased` modifier is given. Patterns are compiled once to
 * the cheapest test that implements them (equality, prefix, suffix, substring), and only the
 * irregular remainder becomes a RegExp.
 */

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

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
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
    const ascii = isAscii(lit);
    const len = lit.length;
    return {
      ...base,
      test: ascii ? (s) => s === raw || (s.length === len && s.toLowerCase() === lit) : (s) => s === raw || s.toLowerCase() === lit,
      exact: lit,
      kind: 'exact',
      lit,
    };
  }
  const p0 = parts[0];
  const p1 = parts[1];
  if (parts.length === 2 && typeof p0 === 'string' && p1 === STAR) {
    const lit = fold(p0);
    return cased
      ? { ...base, test: (s) => s.startsWith(lit), exact: null, kind: 'prefix', lit }
      : { ...base, test: (s) => s.startsWith(p0) || s.toLowerCase().startsWith(lit), exact: null, kind: 'prefix', lit };
  }
  if (parts.length === 2 && p0 === STAR && typeof p1 === 'string') {
    const lit = fold(p1);
    return cased
      ? { ...base, test: (s) => s.endsWith(lit), exact: null, kind: 'suffix', lit }
      : { ...base, test: (s) => s.endsWith(p1) || s.toLowerCase().endsWith(lit), exact: null, kind: 'suffix', lit };
  }
  const p2 = parts[2];
  if (parts.length === 3 && p0 === STAR && typeof p1 === 'string' && p2 === STAR) {
    const lit = fold(p1);
    return cased
      ? { ...base, test: (s) => s.includes(lit), exact: null, kind: 'infix', lit }
      : { ...base, test: (s) => s.includes(p1) || s.toLowerCase().includes(lit), exact: null, kind: 'infix', lit };
  }
  let src = '^';
  for (const p of parts) src += p === STAR ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : escapeRegex(p);
  src += '$';
  const re = new RegExp(src, cased ? '' : 'i');
  return { ...base, test: (s) => re.test(s), exact: null, kind: 'regex', lit: '' };
}

/**
 * One test for a list of patterns (OR). Case-insensitive literal patterns share a single
 * lower-casing of the value and a Set lookup for the exact ones; the rest are tried in turn.
 */
export function combineStringTests(tests: readonly StringTest[]): (s: string) => boolean {
  if (tests.length === 1) return tests[0]!.test;
  if (tests.some((t) => t.kind === 'any')) return () => true;
  const batch = tests.filter((t) => !t.cased && t.kind !== 'regex');
  const rest = tests.filter((t) => t.cased || t.kind === 'regex').map((t) => t.test);
  const exact = new Set(batch.filter((t) => t.kind === 'exact').map((t) => t.lit));
  const prefix = batch.filter((t) => t.kind === 'prefix').map((t) => t.lit);
  const suffix = batch.filter((t) => t.kind === 'suffix').map((t) => t.lit);
  const infix = batch.filter((t) => t.kind === 'infix').map((t) => t.lit);
  return (s) => {
    if (batch.length) {
      const l = s.toLowerCase();
      if (exact.size && exact.has(l)) return true;
      for (let i = 0; i < prefix.length; i++) if (l.startsWith(prefix[i]!)) return true;
      for (let i = 0; i < suffix.length; i++) if (l.endsWith(suffix[i]!)) return true;
      for (let i = 0; i < infix.length; i++) if (l.includes(infix[i]!)) return true;
    }
    for (let i = 0; i < rest.length; i++) if (rest[i]!(s)) return true;
    return false;
  };
}

/** A case-sensitive or -insensitive name glob (`train-*`, `system:serviceaccount:ml-*:*`). */
export function compileNameGlob(pattern: string, cased = false): (s: string) => boolean {
  return compileStringTest(pattern, 'equals', cased).test;
}
