import { describe, expect, it } from 'vitest';
import { benchRounds, median, summarizeRounds } from './bench-rounds.js';

describe('median', () => {
  it('takes the middle of an odd count and the mean of the middle two of an even one', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarizeRounds', () => {
  it("reports the median of each round's own ratio, not the ratio of the medians", () => {
    // Round 2 met a loaded machine on both sides: its own ratio stays 2.
    const s = summarizeRounds([
      { base: 5, ours: 9 },
      { base: 10, ours: 20 },
      { base: 6, ours: 9 },
    ]);
    expect(s.rounds).toBe(3);
    expect(s.baseMedian).toBe(6);
    expect(s.oursMedian).toBe(9);
    expect(s.ratioMedian).toBeCloseTo(1.8, 10);
    expect(s.oursMedian / s.baseMedian).toBeCloseTo(1.5, 10);
    expect(s.ratioMin).toBeCloseTo(1.5, 10);
    expect(s.ratioMax).toBe(2);
  });
  it('refuses to summarise nothing', () => {
    expect(() => summarizeRounds([])).toThrow(/no rounds/);
  });
});

describe('benchRounds', () => {
  it('reads MLSHIELD_BENCH_ROUNDS, and takes 3 where it is unset or not a positive whole number', () => {
    const saved = process.env.MLSHIELD_BENCH_ROUNDS;
    try {
      delete process.env.MLSHIELD_BENCH_ROUNDS;
      expect(benchRounds()).toBe(3);
      for (const [v, n] of [['5', 5], ['1', 1], ['0', 3], ['-2', 3], ['2.5', 3], ['x', 3]] as const) {
        process.env.MLSHIELD_BENCH_ROUNDS = v;
        expect(benchRounds()).toBe(n);
      }
    } finally {
      if (saved === undefined) delete process.env.MLSHIELD_BENCH_ROUNDS;
      else process.env.MLSHIELD_BENCH_ROUNDS = saved;
    }
  });
});
