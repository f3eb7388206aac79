import { describe, expect, it } from 'vitest';
import { confusion, damagePrevented, detectionGap, earlyInterventionRate, quantile, rocAuc, type AttackOutcome } from './temporal-metrics.js';

const S = 1_000_000;
function attack(startIndex: number, detectIndex: number | null, bytes: number[] = []): AttackOutcome {
  const malicious = Array.from({ length: Math.max(bytes.length, 4) }, (_, k) => ({ index: startIndex + k, bytes: bytes[k] }));
  return { job: `j${startIndex}-${detectIndex}`, startIndex, startTs: startIndex * S, detectIndex, detectTs: detectIndex === null ? null : detectIndex * S, malicious };
}

describe('temporal metrics', () => {
  it('ML-EIR counts misses in the denominator', () => {
    const a = [attack(10, 10), attack(10, 14), attack(10, 20), attack(10, null)];
    expect(earlyInterventionRate(a, 0)).toBe(0.25);
    expect(earlyInterventionRate(a, 5)).toBe(0.5);
    // The seed's formula (detected only) would say 2/3 at N=5: ours must be lower.
    expect(earlyInterventionRate(a, 5)).toBeLessThan(2 / 3);
  });

  it('detection gap is over detected trajectories, misses reported apart', () => {
    const g = detectionGap([attack(0, 0), attack(0, 2), attack(0, 10), attack(0, null)]);
    expect(g).toMatchObject({ detected: 3, missed: 1, mean: 4, median: 2 });
    expect(g.p90).toBeCloseTo(8.4);
    expect(g.medianSeconds).toBe(2);
  });

  it('damage prevented weighs bytes after t_detect, else malicious events', () => {
    // bytes at indices 5..8; detected at 6: bytes at 7 and 8 prevented.
    expect(damagePrevented([attack(5, 6, [100, 100, 300, 500])])).toBeCloseTo(800 / 1000);
    // no bytes: 4 malicious events at 5..8, detected at 5: 3 of 4 after.
    expect(damagePrevented([attack(5, 5)])).toBeCloseTo(0.75);
    expect(damagePrevented([attack(5, null, [10])])).toBe(0);
  });

  it('confusion at trajectory level', () => {
    const c = confusion([
      { malicious: true, flagged: true },
      { malicious: true, flagged: false },
      { malicious: false, flagged: true },
      { malicious: false, flagged: false },
      { malicious: false, flagged: false },
    ]);
    expect(c).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 2, precision: 0.5, recall: 0.5 });
    expect(c.fpr).toBeCloseTo(1 / 3);
  });

  it('ROC AUC matches the pairwise definition, ties as half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75);
    expect(rocAuc([1, 1], [true, false])).toBe(0.5);
    expect(rocAuc([1, 2], [true, true])).toBeNaN();
  });

  it('quantile interpolates like numpy', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([5], 0.9)).toBe(5);
  });
});
