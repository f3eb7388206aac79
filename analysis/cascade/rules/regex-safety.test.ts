import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/mulberry32.js';
import { nestedRepetition, regexHazard } from './regex-safety.js';

describe('nestedRepetition', () => {
  it('finds a repetition inside a repeated group', () => {
    for (const [src, group] of [
      ['(a+)+$', '(a+)+'],
      ['^(?:\\w+\\s?)*$', '(?:\\w+\\s?)*'],
      ['(x*y?)*z', '(x*y?)*'],
      ['((ab)+c)*', '((ab)+c)*'],
      ['(?:(a+)?b)+', '(?:(a+)?b)+'],
      ['(?:[a-z]+\\.){2,}com', '(?:[a-z]+\\.){2,}'],
      ['(a{1,50}){1,50}', '(a{1,50}){1,50}'],
      ['(.*a)*?x', '(.*a)*'],
      // A separator the inner repetition can also take, an alternation, a nested group: refused.
      ['(?:-[a-z-]+)*', '(?:-[a-z-]+)*'],
      ['(?:-\\S+)*', '(?:-\\S+)*'],
      ['(?:-a+|b+)*', '(?:-a+|b+)*'],
      ['(?:-(?:a+))*', '(?:-(?:a+))*'],
      ['(?:x.*)+y', '(?:x.*)+'],
    ] as const) {
      expect(() => new RegExp(src)).not.toThrow();
      expect(nestedRepetition(src), src).toBe(group);
    }
  });

  it('reads the separator under the pattern\'s flags: with i, [a-z] takes an A', () => {
    expect(nestedRepetition('^(?:A[a-z]+)*$')).toBeNull();
    expect(nestedRepetition('^(?:A[a-z]+)*$', 'i')).toBe('(?:A[a-z]+)*');
  });

  it('passes single-level patterns, the shipped ones among them', () => {
    for (const src of [
      'a+b*c?',
      '(?:ab)+',
      '[a-z]+(?:\\.[a-z]+)?',
      '(?:curl|wget)(?:(?!curl|wget)[^|;])*\\|\\s*(?:ba|z|da)?sh\\b',
      '\\(+\\)*',
      '[(+*]+',
      '[\\]+]+x',
      '(a+){2,3}',
      '(?:a{2})+',
      'x{2,}',
      '{not a quantifier}+',
      '^/mnt/(?:ckpt|models)/.*\\.(?:pt|bin|safetensors)$',
      // Rounds that must start at a separator the inner repetition cannot take: one way to split.
      '^MLS-[A-Z0-9]+(?:-[A-Z0-9]+)*-\\d{3}$',
      '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$',
      '^[+-]?\\d+(?:_\\d+)*$',
      '(?<name>/[^/]+)+',
    ]) {
      expect(() => new RegExp(src)).not.toThrow();
      expect(nestedRepetition(src), src).toBeNull();
    }
  });

  it('refuses the classic exponential and polynomial patterns, naming the sub-pattern', () => {
    for (const [src, part, why] of [
      ['(a|aa)+', '(a|aa)+', /split a string more than one way/],
      ['(a|a)*', '(a|a)*', /split/],
      ['(\\w|\\d)+$', '(\\w|\\d)+', /split/],
      ['(x+x+)+y', '(x+x+)+', /repeats a repetition/],
      ['(?:ab|a)*c', '(?:ab|a)*', /split/],
      ['(.*a){12}', '(.*a){12}', /repeats a repetition/],
      ['(\\d|\\w)*', '(\\d|\\w)*', /split/],
      ['^(([a-z])+.)+[A-Z]([a-z])+$', '(([a-z])+.)+', /repeats a repetition/],
      // Optional parts that let a round end in two places, bounded rounds from REPEAT_BOUND on.
      ['(?:a?a)+b', '(?:a?a)+', /split/],
      ['(?:-a*-?)*x', '(?:-a*-?)*', /split/],
      ['(?:a{1,3})+$', '(?:a{1,3})+', /split/],
      ['(a|ab){4}c', '(a|ab){4}', /split/],
      // Competing repetitions before something that can fail: O(n^3) and worse.
      ['.*a.*b', '.*a.*b', /polynomial/],
      ['\\w*a*b', '\\w*a*b', /polynomial/],
      ['^(a+){2,3}$', '(a+){2,3}$', /polynomial/],
      ['(.*a){3}', '(.*a){3}', /polynomial/],
      ['x(?=.*a.*b)', '(?=.*a.*b)', /polynomial/],
      ['^\\d+\\d+\\d+x', '\\d+\\d+\\d+x', /polynomial/],
    ] as const) {
      expect(() => new RegExp(src)).not.toThrow();
      const h = regexHazard(src);
      expect(h?.part, src).toBe(part);
      expect(h?.reason, src).toMatch(why);
      expect(nestedRepetition(src), src).toBe(part);
    }
  });

  it('passes quadratic and linear shapes, SigmaHQ-style patterns among them', () => {
    for (const src of [
      'a*b',
      '^.*a.*b',
      '(?:a|b)*c',
      '(a+){2,3}',
      '.*whoami.*',
      '.*-[eE]nc.*',
      '.{1000,}',
      '^(443|80|8080|4444)$',
      'ex(pression|ec)',
      '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$',
      '\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b',
      '^system:serviceaccount:[^:]+:[^:]+$',
      '^/api/v1/namespaces/[^/]+/pods/[^/]+/exec',
      'https?://[^\\s/]+/.*\\.(?:sh|py)',
      '\\w+@\\w+\\.\\w+',
      '(?:\\w|-){1,63}',
      '^(?:[0-9]{1,3}\\.)+$',
      '(?<=a*a*b)c',
      // Alternatives that only look alike: no character in common, given what follows.
      '(?:k|\u212a)+',
      '(?:ab|cd)*x',
    ]) {
      expect(() => new RegExp(src)).not.toThrow();
      expect(regexHazard(src), src).toBeNull();
    }
  });

  it('reads characters under the flags: i folds cases (with u, K and ſ too), s widens the dot', () => {
    expect(regexHazard('(?:a|A)+')).toBeNull();
    expect(regexHazard('(?:a|A)+', 'i')?.part).toBe('(?:a|A)+');
    expect(regexHazard('(?:[^a]|A)+', 'i')?.part).toBe('(?:[^a]|A)+');
    expect(regexHazard('(?:k|\u212a)+', 'i')).toBeNull();
    expect(regexHazard('(?:k|\u212a)+', 'iu')?.part).toBe('(?:k|\u212a)+');
    expect(regexHazard('(?:.|\n)+')).toBeNull();
    expect(regexHazard('(?:.|\n)+', 's')?.part).toBe('(?:.|\n)+');
    expect(regexHazard('(?:\\p{L}|a)+', 'u')?.part).toBe('(?:\\p{L}|a)+');
  });

  it('refuses what it cannot analyse in bounded work, and never throws on an accepted pattern', () => {
    const deep = `${'('.repeat(150)}a${')'.repeat(150)}`;
    expect(regexHazard(deep)?.reason).toMatch(/too complex/);
    const unrolled = `${'(?:'.repeat(12)}a*${'){3}'.repeat(12)}`;
    expect(() => new RegExp(unrolled)).not.toThrow();
    expect(regexHazard(unrolled)).not.toBeNull();
    for (const src of ['[]', '[^]*', '\\c', '\\8', '\\1(a)', '(?<n>a)\\k<n>', '\\k', 'a{,5}', '\\u{41}', '[\\b-\\d]', '\\x4', '(?:)', '|', 'a|', '[\\c_]']) {
      expect(() => new RegExp(src)).not.toThrow();
      expect(() => regexHazard(src), src).not.toThrow();
    }
  });

  it('never throws or hangs on a pattern V8 accepts (seeded random sources, all flags)', () => {
    const rnd = mulberry32(90210);
    const bits = ['(', ')', '(?:', '(?=', '(?!', '(?<=', '(?<!', '(?<g>', '\\k<g>', '[', ']', '[^', '-', '\\', '|', '*', '+', '?', '{', '}', '{2,}', '{1,3}', ',', '^', '$', '.', 'a', 'b', 'K', '\u212a', '\\d', '\\w', '\\s', '\\b', '\\1', '\\0', '\\c', '\\x4', '\\u{1F600}', '\\p{L}', '\ud83d', '\ude00'];
    let compiled = 0;
    const t0 = performance.now();
    for (let round = 0; round < 20_000; round++) {
      let src = '';
      for (let n = Math.floor(rnd() * 10); n > 0; n--) src += bits[Math.floor(rnd() * bits.length)]!;
      const flags = ['', 'i', 'm', 's', 'u', 'iu', 'is', 'v'][Math.floor(rnd() * 8)]!;
      try {
        new RegExp(src, flags);
      } catch {
        continue;
      }
      compiled++;
      expect(() => regexHazard(src, flags), `${JSON.stringify(src)} /${flags}`).not.toThrow();
    }
    expect(compiled).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(4000);
  });
});

