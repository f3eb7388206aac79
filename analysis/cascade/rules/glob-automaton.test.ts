import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { globAutomatonMatcher, type GlobState } from './glob-automaton.js';

/** The same automaton as a RegExp (skip: an optional group up to its target): the oracle. */
function oracleSource(states: readonly GlobState[], restricted: string, from = 0, to = states.length): string {
  const cls = `[^${restricted}]`;
  let src = '';
  for (let j = from; j < to; j++) {
    const t = states[j]!;
    if (t === 'one') src += cls;
    else if (t === 'star') src += `${cls}*`;
    else if (t === 'any') src += '[\\s\\S]*';
    else if ('lit' in t) src += String.fromCodePoint(t.lit).replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    else {
      src += `(?:${oracleSource(states, restricted, j + 1, t.skip)})?`;
      j = t.skip - 1;
    }
  }
  return src;
}

describe('globAutomatonMatcher', () => {
  it('decides as the RegExp does, in its one-integer and its array forms (seeded random automata)', () => {
    const rnd = mulberry32(31337);
    // By code point, a literal may be astral; by code unit (no `u`), a surrogate is one literal.
    const points = ['a', 'b', '/', ';', '\u00e9', '\u{1f600}'].map((c) => c.codePointAt(0)!);
    const units = ['a', 'b', '/', ';', '\u00e9', '\ud83d', '\ude00'].map((c) => c.charCodeAt(0));
    const subjectBits = ['a', 'b', '/', ';', '\u00e9', '\u{1f600}', '\ud83d', 'ab', ''];
    let matched = 0;
    for (let round = 0; round < 1500; round++) {
      const m = 1 + Math.floor(rnd() * (round % 2 === 0 ? 12 : 40));
      const codePoints = rnd() < 0.5;
      const codes = codePoints ? points : units;
      const states: GlobState[] = [];
      // Skips nest like groups: each ends at or before the one around it.
      const ends: number[] = [];
      for (let j = 0; j < m; j++) {
        while (ends.length && ends[ends.length - 1]! <= j) ends.pop();
        const r = rnd();
        const limit = ends.length ? ends[ends.length - 1]! : m;
        if (r < 0.1 && j + 1 < limit) {
          const to = j + 2 + Math.floor(rnd() * (limit - j - 1));
          states.push({ skip: Math.min(to, limit) });
          ends.push(Math.min(to, limit));
        } else states.push(r < 0.2 ? 'one' : r < 0.3 ? 'star' : r < 0.36 ? 'any' : { lit: codes[Math.floor(rnd() * codes.length)]! });
      }
      const restricted = rnd() < 0.5 ? '/' : ';/';
      const re = new RegExp(`^${oracleSource(states, restricted)}$`, codePoints ? 'u' : '');
      const bits = globAutomatonMatcher(states, [...restricted].map((c) => c.charCodeAt(0)), codePoints);
      const wide = globAutomatonMatcher(states, [...restricted].map((c) => c.charCodeAt(0)), codePoints, true);
      for (let k = 0; k < 8; k++) {
        let s = '';
        if (k < 4) {
          // An instance: the states walked in order, each skip taken or not.
          for (let j = 0; j < m; j++) {
            const t = states[j]!;
            if (t === 'one') s += 'a';
            else if (t === 'star') s += 'ab'.slice(0, Math.floor(rnd() * 3));
            else if (t === 'any') s += subjectBits[Math.floor(rnd() * subjectBits.length)]!;
            else if ('lit' in t) s += String.fromCodePoint(t.lit);
            else if (rnd() < 0.5) j = t.skip - 1;
          }
        } else for (let i = Math.floor(rnd() * 10); i > 0; i--) s += subjectBits[Math.floor(rnd() * subjectBits.length)]!;
        const want = re.test(s);
        const label = `${JSON.stringify(states)} ${codePoints} ${JSON.stringify(s)}`;
        expect(bits(s), label).toBe(want);
        expect(wide(s), label).toBe(want);
        if (want) matched++;
      }
    }
    expect(matched).toBeGreaterThan(1500);
  });

  it('refuses a skip that points backwards', () => {
    expect(() => globAutomatonMatcher([{ skip: 0 }], [], false)).toThrow(/backwards/);
  });
});
