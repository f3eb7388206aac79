import { describe, expect, it } from 'vitest';
import { meanOfBoth, meanWith } from './running-mean.js';

function fold(values: number[]): number {
  let m = 0;
  values.forEach((v, i) => (m = i === 0 ? v : meanWith(m, i + 1, v)));
  return m;
}

describe('running means of hostile values', () => {
  it('is the arithmetic mean of finite values', () => {
    expect(fold([1, 2, 3, 4])).toBeCloseTo(2.5, 12);
    expect(meanOfBoth(2, 3, 6, 1)).toBeCloseTo(3, 12);
  });

  it('is the infinity a set holds, before or after finite values, and NaN only with both', () => {
    expect(fold([Infinity, 3, 4])).toBe(Infinity);
    expect(fold([3, Infinity, 4])).toBe(Infinity);
    expect(fold([3, -Infinity])).toBe(-Infinity);
    expect(fold([Infinity, -Infinity, 1])).toBeNaN();
    expect(meanOfBoth(Infinity, 1, 5, 10)).toBe(Infinity);
    expect(meanOfBoth(5, 10, -Infinity, 1)).toBe(-Infinity);
  });

  it('does not overflow where a sum would', () => {
    expect(fold([1e308, 1e308, 1e308])).toBeCloseTo(1e308, -300);
    expect(meanOfBoth(1e308, 5, 1e308, 5)).toBe(1e308);
  });
});
