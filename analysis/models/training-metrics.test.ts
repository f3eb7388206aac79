import { describe, expect, it } from 'vitest';
import { bandDecision, chooseScoreBands, rocAuc } from './training-metrics.js';

describe('rocAuc', () => {
  it('is the rank statistic with ties averaged', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(rocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
    expect(rocAuc(new Float32Array([0.9, 0.1]), new Uint8Array([1, 0]))).toBe(1);
  });
});

describe('chooseScoreBands', () => {
  // 100 benign at 0.00..0.495, 100 malicious at 0.30..0.795: they overlap on [0.30, 0.50).
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < 100; i++) {
    scores.push(i * 0.005);
    labels.push(false);
    scores.push(0.3 + i * 0.005);
    labels.push(true);
  }

  it('clears below the highest threshold keeping 99% recall and alerts from the lowest 98%-precise one', () => {
    const b = chooseScoreBands(scores, labels);
    // 99 of 100 malicious are ≥ 0.305; the 100th at 0.30 may be lost.
    expect(b.clearBelow).toBeCloseTo(0.305, 9);
    expect(b.validationRecallAtClear).toBe(0.99);
    // Above 0.495 only malicious; lowest t with precision ≥ 0.98 among scores ≥ t.
    expect(b.validationPrecisionAtAlert).toBeGreaterThanOrEqual(0.98);
    expect(b.alertAtOrAbove).toBeLessThanOrEqual(0.5);
    expect(b.alertAtOrAbove).toBeGreaterThan(b.clearBelow);
    const share = b.validationShare;
    expect(share.clear + share.escalate + share.alert).toBeCloseTo(1, 12);
    expect(bandDecision(0.1, b)).toBe('clear');
    expect(bandDecision(0.4, b)).toBe('escalate');
    expect(bandDecision(0.7, b)).toBe('alert');
    expect(bandDecision(Number.NaN, b)).toBe('escalate');
  });

  it('never clears what it would alert on, and alerts on nothing when nothing is precise', () => {
    const separable = chooseScoreBands([0.1, 0.2, 0.9, 0.95], [false, false, true, true]);
    expect(separable.clearBelow).toBe(0.9);
    expect(separable.alertAtOrAbove).toBe(0.9);
    const noisy = chooseScoreBands([0.5, 0.5, 0.5, 0.5], [true, false, true, false]);
    expect(noisy.alertAtOrAbove).toBeGreaterThan(1);
    expect(noisy.clearBelow).toBe(0.5);
    expect(bandDecision(0.5, noisy)).toBe('escalate');
  });
});
