import { describe, expect, it } from 'vitest';
import { bandDecision, chooseScoreBands, chooseTrajectoryBands, rocAuc, trajectoryAlerts } from './training-metrics.js';

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
    expect(bandDecision(-Infinity, b)).toBe('escalate');
    expect(bandDecision(Infinity, b)).toBe('escalate');
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

describe('chooseTrajectoryBands', () => {
  // 200 normal trajectories of 10 events: trajectory k's events score k·0.004 + i·0.0001 (max k·0.004 + 0.0009).
  // 20 attack trajectories of 10 events: 5 benign at 0.1, then 5 malicious at 0.95..0.99.
  const scores: number[] = [];
  const labels: boolean[] = [];
  const traj: number[] = [];
  for (let k = 0; k < 200; k++) {
    for (let i = 0; i < 10; i++) {
      scores.push(k * 0.004 + i * 0.0001);
      labels.push(false);
      traj.push(k);
    }
  }
  for (let a = 0; a < 20; a++) {
    for (let i = 0; i < 10; i++) {
      scores.push(i < 5 ? 0.1 : 0.95 + (i - 5) * 0.01);
      labels.push(i >= 5);
      traj.push(1000 + a);
    }
  }

  it('alerts from just above the normal maxima it must keep out (≤ 0.5% of normal trajectories)', () => {
    const b = chooseTrajectoryBands(scores, labels, traj);
    // 200 normals · 0.5% = 1 may alert: the bar is the 2nd highest normal maximum (k = 198: 0.7929);
    // the lowest score above it is trajectory 199's first event, 0.796.
    expect(b.alertAtOrAbove).toBeCloseTo(0.796, 12);
    expect(b.trajectory).toEqual({ maxNormalAlertShare: 0.005, normals: 200, normalsAlerted: 1, attacks: 20, attacksAlerted: 20 });
    expect(b.targetPrecision).toBeNull();
    expect(b.rule).toMatch(/normal validation trajectories/);
    // 99% of the 100 malicious events: all but one of the lowest (0.95) are kept → clear below 0.95, capped by the alert threshold.
    expect(b.clearBelow).toBe(b.alertAtOrAbove);
    expect(b.validationRecallAtClear).toBe(1);
    const share = b.validationShare;
    expect(share.clear + share.escalate + share.alert).toBeCloseTo(1, 12);
  });

  it('keeps every normal trajectory out at a 0% share and alerts on nothing without normals', () => {
    const strict = chooseTrajectoryBands(scores, labels, traj, 0);
    expect(strict.alertAtOrAbove).toBeCloseTo(0.95, 12);
    expect(strict.trajectory!.normalsAlerted).toBe(0);
    const onlyAttacks = chooseTrajectoryBands([0.2, 0.9], [false, true], [1, 1]);
    expect(onlyAttacks.alertAtOrAbove).toBeGreaterThan(1);
    expect(onlyAttacks.clearBelow).toBe(0.9);
  });

  it('counts an attack only from its first malicious event, and NaN never alerts', () => {
    const r = trajectoryAlerts([0.9, 0.1, 0.2, Number.NaN], [false, true, false, false], [1, 1, 2, 2], 0.5);
    expect(r).toEqual({ normals: 1, normalsAlerted: 0, attacks: 1, attacksAlerted: 0 });
    const b = chooseTrajectoryBands([Number.NaN, 0.3, 0.8], [false, false, true], [1, 1, 2], 0);
    expect(b.alertAtOrAbove).toBe(0.8);
  });
});
