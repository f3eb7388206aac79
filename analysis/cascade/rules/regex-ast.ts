/**
 * A JavaScript regular expression's source read into a small tree for the safety analysis
 * (regex-ambiguity.ts): characters as sets, sequences, alternations, groups, lookarounds,
 * assertions, backreferences and quantifiers, each with its place in the source. The source is one
 * `new RegExp(src, flags)` already accepted, so the reader does not validate; it follows ECMA-262
 * with Annex B (legacy octal escapes, `\c` without a letter, a `{` that is no quantifier, a `-`
 * beside a class escape, all literal), and with `u`/`v` reads code points and `\p{…}` (as any
 * character). With `i` every set is widened by regex-charset.ts `caseClosure`.
 */
import { ALL, caseClosure, complement, DIGIT, DOT, EMPTY, fromRanges, single, SPACE, union, WORD, type CharSet } from './regex-charset.js';

interface Span {
  start: number;
  end: number;
}

export type RegexNode =
  | (Span & { t: 'set'; set: CharSet })
  | (Span & { t: 'seq'; items: RegexNode[] })
  | (Span & { t: 'alt'; alts: RegexNode[] })
  | (Span & { t: 'group'; body: RegexNode })
  | (Span & { t: 'look'; body: RegexNode; behind: boolean })
  | (Span & { t: 'assert'; atStart: boolean })
  | (Span & { t: 'backref' })
  | (Span & { t: 'quant'; atom: RegexNode; min: number; max: number });

/** The nodes directly inside `n`. */
export function childrenOf(n: RegexNode): readonly RegexNode[] {
  if (n.t === 'seq') return n.items;
  if (n.t === 'alt') return n.alts;
  if (n.t === 'group' || n.t === 'look') return [n.body];
  return n.t === 'quant' ? [n.atom] : [];
}

/** Groups nested deeper than this are not analysed (the pattern is refused as too complex). */
export const MAX_REGEX_DEPTH = 100;

export class RegexTooComplex extends Error {}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const HEX = /^[0-9A-Fa-f]+$/;

/** How many capturing groups `src` has and whether one is named (for `\1` and `\k<…>`). */
function countGroups(src: string): { groups: number; named: boolean } {
  let groups = 0;
  let named = false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') {
      if (src[i + 1] !== '?') groups++;
      else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        groups++;
        named = true;
      }
    }
  }
  return { groups, named };
}

/** The tree of `src` read under `flags`; throws RegexTooComplex past MAX_REGEX_DEPTH. */
export function parseRegex(src: string, flags: string): RegexNode {
  const unicode = flags.includes('u') || flags.includes('v');
  const dotAll = flags.includes('s');
  const { groups, named } = countGroups(src);
  let caseless = flags.includes('i');
  let i = 0;

  const setNode = (set: CharSet, start: number): RegexNode => ({ t: 'set', set: caseless ? caseClosure(set, unicode) : set, start, end: i });
  /** The character at `i` (a code point with `u`), consumed. */
  const takeChar = (): number => {
    const c = unicode ? src.codePointAt(i)! : src.charCodeAt(i);
    i += c > 0xffff ? 2 : 1;
    return c;
  };

  /** An escape after `\` (at `i`): a character, or a set for `\d`-style escapes. */
  const escape = (inClass: boolean): number | CharSet => {
    const c = src[i]!;
    const lower = c.toLowerCase();
    if ('dws'.includes(lower)) {
      i++;
      const base = lower === 'd' ? DIGIT : lower === 'w' ? WORD : SPACE;
      return c === lower ? base : complement(base);
    }
    const simple: Record<string, number> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };
    if (simple[c] !== undefined) {
      i++;
      return simple[c]!;
    }
    if (inClass && c === 'b') {
      i++;
      return 0x08;
    }
    if (c === 'c') {
      const l = src[i + 1];
      if (l !== undefined && (/[A-Za-z]/.test(l) || (inClass && !unicode && /[0-9_]/.test(l)))) {
        i += 2;
        return l.charCodeAt(0) % 32;
      }
      return 0x5c; // Annex B: the backslash is literal and `c` is read next
    }
    if (c === 'x' && HEX.test(src.slice(i + 1, i + 3)) && src.slice(i + 1, i + 3).length === 2) {
      i += 3;
      return parseInt(src.slice(i - 2, i), 16);
    }
    if (c === 'u') {
      if (unicode && src[i + 1] === '{') {
        const close = src.indexOf('}', i);
        if (close < 0) return takeChar();
        const v = parseInt(src.slice(i + 2, close), 16);
        i = close + 1;
        return Number.isFinite(v) ? v : ALL;
      }
      const hex = src.slice(i + 1, i + 5);
      if (hex.length === 4 && HEX.test(hex)) {
        i += 5;
        const hi = parseInt(hex, 16);
        // With `u`, `\uD83D\uDE00` is one code point.
        const lo = /^\\u([Dd][C-Fc-f][0-9A-Fa-f]{2})/.exec(src.slice(i, i + 6));
        if (!unicode || hi < 0xd800 || hi > 0xdbff || lo === null) return hi;
        i += 6;
        return 0x10000 + ((hi - 0xd800) << 10) + (parseInt(lo[1]!, 16) - 0xdc00);
      }
    }
    if (unicode && (c === 'p' || c === 'P') && src.indexOf('}', i) > i) {
      i = src.indexOf('}', i) + 1;
      return ALL;
    }
    if (isDigit(c) && !unicode && c !== '8' && c !== '9') {
      // Legacy octal (Annex B): up to three digits, at most 0o377.
      let v = 0;
      let n = 0;
      while (n < 3 && src[i] !== undefined && src[i]! >= '0' && src[i]! <= '7' && v * 8 + Number(src[i]) <= 0o377) {
        v = v * 8 + Number(src[i]);
        i++;
        n++;
      }
      return v;
    }
    if (c === '0') {
      i++;
      return 0;
    }
    return takeChar();
  };

  const classNode = (start: number): RegexNode => {
    i++; // [
    const negated = src[i] === '^';
    if (negated) i++;
    const pairs: Array<[number, number]> = [];
    let set: CharSet = EMPTY;
    if (flags.includes('v')) {
      // Nested classes and set operations: read as any character.
      for (let depth = 1; i < src.length && depth > 0; i++) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') depth++;
        else if (src[i] === ']') depth--;
      }
      return setNode(ALL, start);
    }
    const atom = (): number | CharSet => {
      if (src[i] === '\\') {
        i++;
        return escape(true);
      }
      return takeChar();
    };
    while (i < src.length && src[i] !== ']') {
      const a = atom();
      if (src[i] === '-' && src[i + 1] !== ']' && i + 1 < src.length) {
        i++;
        const b = atom();
        if (typeof a === 'number' && typeof b === 'number') pairs.push([a, b]);
        else {
          for (const x of [a, b]) if (typeof x === 'number') pairs.push([x, x]);
          else set = union(set, x);
          pairs.push([0x2d, 0x2d]);
        }
      } else if (typeof a === 'number') pairs.push([a, a]);
      else set = union(set, a);
    }
    i++; // ]
    // Negated: the complement of the class as written, then widened (widening first would shrink it).
    const raw = union(set, fromRanges(pairs));
    return setNode(negated ? complement(raw) : raw, start);
  };

  const quantified = (atom: RegexNode): RegexNode => {
    const c = src[i];
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 40));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      i += m[0].length;
    } else return atom;
    if (src[i] === '?') i++;
    return quantified({ t: 'quant', atom, min, max, start: atom.start, end: i });
  };

  const term = (depth: number): RegexNode => {
    const start = i;
    const c = src[i]!;
    if (c === '^' || c === '$') {
      i++;
      return { t: 'assert', atStart: c === '^', start, end: i };
    }
    if (c === '\\' && (src[i + 1] === 'b' || src[i + 1] === 'B')) {
      i += 2;
      return { t: 'assert', atStart: false, start, end: i };
    }
    if (c === '(') {
      if (depth >= MAX_REGEX_DEPTH) throw new RegexTooComplex(`groups nested deeper than ${MAX_REGEX_DEPTH}`);
      i++;
      let kind: 'group' | 'ahead' | 'behind' = 'group';
      const outerCase = caseless;
      if (src[i] === '?') {
        const head = /^\?(?::|=|!|<=|<!|<[^>]*>|[imsx-]*:)/.exec(src.slice(i, i + 200))?.[0] ?? '?:';
        kind = head === '?=' || head === '?!' ? 'ahead' : head === '?<=' || head === '?<!' ? 'behind' : 'group';
        // `(?i:…)` modifiers: widen the body when `i` is switched on (never narrowed: a superset).
        if (/^\?[a-z]*i[a-z]*(-[a-z]*)?:$/.test(head)) caseless = true;
        i += head.length;
      }
      const body = disjunction(depth + 1);
      caseless = outerCase;
      i++; // )
      const node: RegexNode = kind === 'group' ? { t: 'group', body, start, end: i } : { t: 'look', body, behind: kind === 'behind', start, end: i };
      return kind === 'behind' ? node : quantified(node);
    }
    if (c === '.') {
      i++;
      return quantified(setNode(dotAll ? ALL : DOT, start));
    }
    if (c === '[') return quantified(classNode(start));
    if (c === '\\') {
      i++;
      const d = src[i];
      if (isDigit(d) && d !== '0') {
        let j = i;
        while (isDigit(src[j])) j++;
        if (Number(src.slice(i, j)) <= groups || unicode) {
          i = j;
          return quantified({ t: 'backref', start, end: i });
        }
      }
      if (d === 'k' && src[i + 1] === '<' && (named || unicode) && src.indexOf('>', i) > i) {
        i = src.indexOf('>', i) + 1;
        return quantified({ t: 'backref', start, end: i });
      }
      const e = escape(false);
      return quantified(setNode(typeof e === 'number' ? single(e) : e, start));
    }
    return quantified(setNode(single(takeChar()), start));
  };

  const alternative = (depth: number): RegexNode => {
    const start = i;
    const items: RegexNode[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const at = i;
      items.push(term(depth));
      if (i <= at) throw new RegexTooComplex(`cannot read the pattern at ${at}`);
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items, start, end: i };
  };

  const disjunction = (depth: number): RegexNode => {
    const start = i;
    const alts = [alternative(depth)];
    while (src[i] === '|') {
      i++;
      alts.push(alternative(depth));
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts, start, end: i };
  };

  const root = disjunction(0);
  if (i < src.length) throw new RegexTooComplex(`cannot read the pattern at ${i}`);
  return root;
}
