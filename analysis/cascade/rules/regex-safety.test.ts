import { describe, expect, it } from 'vitest';
import { nestedRepetition } from './regex-safety.js';

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
});
