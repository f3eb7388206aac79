/**
 * One Sigma field condition: `field|mod1|mod2: value-or-list` (Sigma specification v2, "Value
 * modifiers"). Compiled once to a predicate over whatever the field getter returns (a scalar, an
 * array of values — any element may match — or an object, whose values are matched, as for a
 * ConfigMap's `data`). A list of values means OR, or AND with `all`; `null` means absent or null.
 */
import { combineStringTests, compileStringTest, exactSetTest, type MatchMode, type StringTest } from './wildcard.js';
import { cidrContains, decimalQuad, hasLeadingZeroPart, ipInAny, parseCidr, parseIp, parseNumericIpv4, sameIp, type Cidr, type Ip16 } from './ip-cidr.js';
import { regexHazard } from './regex-safety.js';

export const SUPPORTED_MODIFIERS = [
  'contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'cased',
  'lt', 'lte', 'gt', 'gte', 'base64', 'base64offset', 'windash',
  // Compiled by field-ref.ts (it needs the other field's getter); listed so it is known.
  'fieldref',
] as const;

/** Modifiers accepted but not implemented: they load with a warning and change nothing. */
const IGNORED_MODIFIERS = new Set(['windash']);

/**
 * Longest string a regex is run on; the rest of an attacker-written value is not looked at. Rule
 * regexes are trusted but may backtrack quadratically; 4 KiB keeps such a worst case in the
 * milliseconds (a request URI or an exec command fits).
 */
export const MAX_REGEX_INPUT = 4096;
const MAX_OBJECT_VALUES = 256;

export type LeafTest = (leaf: unknown) => boolean;

export interface FieldTest {
  /** True when the field's value (as returned by the getter) satisfies the condition. */
  matches(v: unknown): boolean;
  /** Lower-case literals when this is plain case-insensitive equality (used for rule indexing). */
  exact: string[] | null;
  /** 0 cheap (equality) … 2 expensive (regex, cidr). */
  cost: number;
  /** True when an absent or null value can satisfy the test (`null` values, `exists: false`). */
  matchesAbsent?: boolean;
  /**
   * When set, `matches(v)` for a string `v` is exactly `strings(v)`: callers holding the string
   * can skip a call (detection.ts fuses it with the field read).
   */
  strings?: (s: string) => boolean;
}

export type FieldTestResult = { ok: true; test: FieldTest; warnings: string[] } | { ok: false; error: string };

function leafString(leaf: unknown): string | null {
  if (typeof leaf === 'string') return leaf;
  if (typeof leaf === 'number' || typeof leaf === 'boolean') return String(leaf);
  return null;
}

function leafNumber(leaf: unknown): number | null {
  if (typeof leaf === 'number') return leaf;
  if (typeof leaf === 'string' && leaf.length > 0 && leaf.length < 32) {
    const n = Number(leaf);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Leaves one `anyLeaf` call may visit, whatever the nesting: attacker arrays cost bounded time. */
export const MAX_LEAVES = 4096;
let budget = 0;

/** True when any leaf of `v` passes any of `tests`. Arrays nest; objects contribute their values. */
export function anyLeaf(v: unknown, tests: readonly LeafTest[]): boolean {
  if (v === null || typeof v !== 'object') {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
    return false;
  }
  budget = MAX_LEAVES;
  return walkLeaves(v, tests, 0);
}

function walkLeaves(v: unknown, tests: readonly LeafTest[], depth: number): boolean {
  if (Array.isArray(v)) {
    if (depth > 4) return false;
    for (let i = 0; i < v.length && budget > 0; i++) if (walkLeaves(v[i], tests, depth + 1)) return true;
    return false;
  }
  if (v !== null && typeof v === 'object') {
    if (depth > 1) return false;
    let k = 0;
    for (const key in v) {
      if (k++ >= MAX_OBJECT_VALUES || budget <= 0) break;
      const x = (v as Record<string, unknown>)[key];
      if (x !== null && typeof x === 'object') continue;
      if (walkLeaves(x, tests, depth + 1)) return true;
    }
    return false;
  }
  budget--;
  for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
  return false;
}

/** Leaves and nesting one `anyDeepLeaf` call may visit: a whole audit Event, bounded. */
export const MAX_DEEP_LEAVES = 16_384;
const MAX_DEEP_DEPTH = 32;

/**
 * True when any scalar anywhere in `v` (values of objects at any depth, elements of arrays) passes
 * any of `tests`: Sigma keywords search the whole event (Sigma specification v2, "Keywords"), as
 * pySigma's full-text backends do, not only its top-level values. Keys are not searched.
 */
export function anyDeepLeaf(v: unknown, tests: readonly LeafTest[]): boolean {
  budget = MAX_DEEP_LEAVES;
  return walkDeep(v, tests, 0);
}

function walkDeep(v: unknown, tests: readonly LeafTest[], depth: number): boolean {
  if (v !== null && typeof v === 'object') {
    if (depth >= MAX_DEEP_DEPTH) return false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && budget > 0; i++) if (walkDeep(v[i], tests, depth + 1)) return true;
      return false;
    }
    for (const key in v) {
      if (budget <= 0) break;
      if (walkDeep((v as Record<string, unknown>)[key], tests, depth + 1)) return true;
    }
    return false;
  }
  budget--;
  for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
  return false;
}

/**
 * Absent for `null` values and `exists`: undefined, null, or an array of only such values (`[]`,
 * `[null]`, what a fan-out over `[{image: null}]` gives). This is the reading of Elasticsearch's
 * `exists` query, which pySigma's `exists` and `null` conversions target; an object is present.
 */
function isAbsent(v: unknown, depth = 0): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v)) return false;
  // Past the bounds the value counts as present: padding must not make a field vanish.
  if (depth > 4 || v.length > MAX_LEAVES) return false;
  for (let i = 0; i < v.length; i++) if (!isAbsent(v[i], depth + 1)) return false;
  return true;
}

function base64Variants(value: string, offsets: boolean): string[] {
  const enc = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  if (!offsets) return [enc(value)];
  // Sigma base64offset: the value may start at any of three byte offsets inside a base64 stream.
  const start = [0, 2, 3];
  const endTrim = [0, 3, 2];
  const out: string[] = [];
  const len = Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < 3; i++) {
    const b = enc(' '.repeat(i) + value);
    const trim = endTrim[(len + i) % 3]!;
    out.push(b.slice(start[i], trim ? b.length - trim : b.length));
  }
  return out;
}

/**
 * How a `cidr` test reads an address text with two readings (`010.1.2.3`: 10.1.2.3 to a decimal
 * reader, 8.1.2.3 to WHATWG URL parsers, curl and inet_aton; egress-match.ts `destinationIp`):
 * `any` holds when either reading is inside, `every` only when both are. The detection compiler
 * (detection.ts) gives `every` to tests under an odd number of `not`s, so a rule hits when it
 * would hit under any reading: a deny fires on either, an exemption must hold in both.
 */
export type CidrReadings = 'any' | 'every';

function inAnyCidr(ip: Ip16, cidrs: readonly Cidr[]): boolean {
  for (let i = 0; i < cidrs.length; i++) if (cidrContains(cidrs[i]!, ip)) return true;
  return false;
}

/**
 * One `cidr` leaf test over a whole block list (an exemption list holds when each reading falls in
 * some block, not necessarily the same one). Texts without a leading-zero part (nearly all: one
 * scan) take `ipInAny`, then the WHATWG numeric forms (hex, one integer, fewer parts: one reading);
 * the others are read as `destinationIp` reads a destination.
 */
function cidrLeafTest(cidrs: readonly Cidr[], readings: CidrReadings): LeafTest {
  const every = readings === 'every';
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    if (!hasLeadingZeroPart(leaf)) {
      if (ipInAny(leaf, cidrs)) return true;
      // The one address a URL parser or inet_aton reads in `0xA9FEA9FE`, `2852039166` or
      // `169.254.43518` (169.254.169.254 each): a rule on the metadata address must see it.
      const numeric = parseNumericIpv4(leaf);
      return numeric !== null && inAnyCidr(numeric, cidrs);
    }
    const dec = decimalQuad(leaf);
    const url = parseNumericIpv4(leaf);
    // parseIp: an IPv6 literal's embedded quad, which URL parsers reject (as `destinationIp`).
    const first = dec ?? parseIp(leaf) ?? url;
    if (first === null) return false;
    const inFirst = inAnyCidr(first, cidrs);
    if (url === null || url === first || sameIp(first, url)) return inFirst;
    if (inFirst !== every) return inFirst;
    return inAnyCidr(url, cidrs);
  };
}

/**
 * Compiles `field|modifiers: values`. `values` is the YAML value (scalar or list); `cidrReadings`:
 * how a `cidr` test reads an ambiguous address (`CidrReadings`).
 */
export function compileFieldTest(modifiers: readonly string[], raw: unknown, cidrReadings: CidrReadings = 'any'): FieldTestResult {
  const warnings: string[] = [];
  type Mode = MatchMode | 're' | 'cidr' | 'exists' | 'lt' | 'lte' | 'gt' | 'gte';
  let mode = null as Mode | null;
  let all = false;
  let cased = false;
  let b64: 'plain' | 'offset' | null = null;
  let reFlags = '';
  for (const m of modifiers) {
    if (!(SUPPORTED_MODIFIERS as readonly string[]).includes(m)) return { ok: false, error: `unknown modifier '${m}'` };
    if (IGNORED_MODIFIERS.has(m)) {
      warnings.push(`modifier '${m}' is not implemented and is ignored`);
      continue;
    }
    if (m === 'all') all = true;
    else if (m === 'cased') cased = true;
    else if (m === 'base64') b64 = 'plain';
    else if (m === 'base64offset') b64 = 'offset';
    else if (m === 'i' || m === 'm' || m === 's') {
      if (mode !== 're') return { ok: false, error: `modifier '${m}' is only valid after 're'` };
      reFlags += m;
    } else {
      if (mode !== null) return { ok: false, error: `modifiers '${mode}' and '${m}' cannot be combined` };
      mode = m as Mode;
    }
  }
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) return { ok: false, error: 'empty value list' };
  if (values.length > 10_000) return { ok: false, error: 'more than 10000 values' };
  for (const v of values) {
    if (v !== null && typeof v === 'object') return { ok: false, error: 'values must be scalars (string, number, boolean, null)' };
  }

  if (mode === 'exists') {
    if (values.length !== 1 || typeof values[0] !== 'boolean') return { ok: false, error: "'exists' takes true or false" };
    const want = values[0];
    return { ok: true, warnings, test: { matches: (v) => !isAbsent(v) === want, exact: null, cost: 0, matchesAbsent: !want } };
  }

  const wantsNull = values.some((v) => v === null);
  const nonNull = values.filter((v) => v !== null);
  const tests: LeafTest[] = [];
  const stringTests: StringTest[] = [];
  const cidrs: Cidr[] = [];
  let exact: string[] | null = !all && !cased && !b64 && (mode === null || mode === 'equals') && !wantsNull ? [] : null;
  let cost = 0;

  for (const value of nonNull) {
    if (mode === 'lt' || mode === 'lte' || mode === 'gt' || mode === 'gte') {
      if (typeof value !== 'number') return { ok: false, error: `'${mode}' needs a number, got ${JSON.stringify(value)}` };
      const op = mode;
      tests.push((leaf) => {
        const n = leafNumber(leaf);
        if (n === null) return false;
        return op === 'lt' ? n < value : op === 'lte' ? n <= value : op === 'gt' ? n > value : n >= value;
      });
      exact = null;
      continue;
    }
    if (mode === 'cidr') {
      if (typeof value !== 'string') return { ok: false, error: `'cidr' needs a string` };
      const c: Cidr | null = parseCidr(value);
      if (!c) return { ok: false, error: `invalid CIDR '${value}'` };
      cidrs.push(c);
      exact = null;
      cost = 2;
      continue;
    }
    if (mode === 're') {
      if (typeof value !== 'string') return { ok: false, error: `'re' needs a string` };
      let re: RegExp;
      try {
        re = new RegExp(value, reFlags);
      } catch (e) {
        return { ok: false, error: `invalid regular expression '${value}': ${(e as Error).message}` };
      }
      const hazard = regexHazard(value, reFlags);
      if (hazard !== null) {
        return {
          ok: false,
          error: `regular expression '${value}' ${hazard.reason} (${hazard.part}): its time can grow without bound on hostile input (the fields are attacker-written); rewrite that part so each character can be taken one way only`,
        };
      }
      tests.push((leaf) => {
        const s = leafString(leaf);
        if (s === null) return false;
        return re.test(s.length > MAX_REGEX_INPUT ? s.slice(0, MAX_REGEX_INPUT) : s);
      });
      exact = null;
      cost = 2;
      continue;
    }
    if (typeof value === 'number' && mode === null && !b64) {
      const asText = String(value);
      tests.push((leaf) => leaf === value || leaf === asText);
      exact?.push(asText);
      continue;
    }
    if (typeof value === 'boolean' && mode === null && !b64) {
      const asText = String(value);
      tests.push((leaf) => leaf === value || (typeof leaf === 'string' && leaf.toLowerCase() === asText));
      exact?.push(asText);
      continue;
    }
    const text = String(value);
    const patterns = b64 ? base64Variants(text, b64 === 'offset') : [text];
    for (const p of patterns) {
      const st: StringTest = compileStringTest(p, mode ?? 'equals', cased || b64 !== null);
      stringTests.push(st);
      if (exact) {
        if (st.exact === null) exact = null;
        else exact.push(st.exact);
      }
      if (st.exact === null) cost = Math.max(cost, 1);
    }
  }

  if (cidrs.length) {
    // `all`: one test per block; else one over the list (`cidrLeafTest`).
    if (all) for (const c of cidrs) tests.push(cidrLeafTest([c], cidrReadings));
    else tests.push(cidrLeafTest(cidrs, cidrReadings));
  }

  if (all) {
    if (wantsNull) return { ok: false, error: "'all' cannot be combined with null" };
    // `all` needs one test per value.
    for (const st of stringTests) tests.push(stringLeafTest(st.test));
    const single = tests.map((t) => [t]);
    return { ok: true, warnings, test: { matches: (v) => single.every((t) => anyLeaf(v, t)), exact: null, cost: cost + 1 } };
  }

  // The string patterns as one test; plain equality against several literals is one Set lookup.
  let strTest: ((s: string) => boolean) | null = null;
  if (exact && exact.length > 1) {
    strTest = exactSetTest(exact);
    tests.length = 0; // the Set also covers the numeric and boolean literals
  } else if (stringTests.length) {
    strTest = combineStringTests(stringTests);
  }
  const matches = scalarFastPath(strTest, tests, wantsNull);
  if (wantsNull) return { ok: true, warnings, test: { matches, exact, cost, matchesAbsent: true } };
  return { ok: true, warnings, test: strTest && tests.length === 0 ? { matches, exact, cost, strings: strTest } : { matches, exact, cost } };
}

function stringLeafTest(test: (s: string) => boolean): LeafTest {
  return (leaf) => {
    const s = leafString(leaf);
    return s !== null && test(s);
  };
}

/**
 * The field matcher: a string value goes straight to the string test (the common case, one call),
 * numbers and booleans are matched as text and by the typed tests, arrays and maps fan out.
 */
function scalarFastPath(strTest: ((s: string) => boolean) | null, others: LeafTest[], wantsNull: boolean): (v: unknown) => boolean {
  const leafTests: LeafTest[] = strTest ? [stringLeafTest(strTest), ...others] : others;
  const n = others.length;
  if (wantsNull) return (v) => isAbsent(v) || anyLeaf(v, leafTests);
  if (strTest && n === 0) {
    return (v) => {
      if (typeof v === 'string') return strTest(v);
      if (v === undefined || v === null) return false;
      if (typeof v === 'object') return anyLeaf(v, leafTests);
      return (typeof v === 'number' || typeof v === 'boolean') && strTest(String(v));
    };
  }
  return (v) => {
    if (v === undefined || v === null) return false;
    if (typeof v === 'object') return anyLeaf(v, leafTests);
    if (strTest) {
      if (typeof v === 'string') {
        if (strTest(v)) return true;
      } else if ((typeof v === 'number' || typeof v === 'boolean') && strTest(String(v))) return true;
    }
    for (let i = 0; i < n; i++) if (others[i]!(v)) return true;
    return false;
  };
}
