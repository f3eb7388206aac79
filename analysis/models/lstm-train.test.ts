import { describe, expect, it } from 'vitest';
import { lstmLogits, type LstmParams } from './lstm-model.js';
import { DEFAULT_LSTM_HYPERPARAMETERS, datasetLogits, trainLstm, windowLogitGradient } from './lstm-train.js';
import { SeededRandom } from './seeded-random.js';
import { buildSequenceDataset, denseWindows } from './sequence-dataset.js';
import { syntheticSplit } from './synthetic-trajectories.js';
import { rocAuc } from './training-metrics.js';

function randomParams(I: number, H: number, seed: number, scale = 0.5): LstmParams {
  const rng = new SeededRandom(seed);
  const v = (n: number) => Float64Array.from({ length: n }, () => rng.range(-scale, scale));
  return { inputSize: I, hidden: H, W: v(4 * H * I), R: v(4 * H * H), b: v(4 * H), wOut: v(H), bOut: rng.range(-scale, scale) };
}

const ds = buildSequenceDataset(syntheticSplit(21, 6, 0.5));

describe('LSTM backpropagation through time', () => {
  it('matches central finite differences', () => {
    const p = randomParams(ds.dim, 6, 3);
    // A late window (no padding) and an early one (padding rows).
    for (const index of [ds.count - 1, 2]) {
      const { logit, gradient } = windowLogitGradient(p, ds, index);
      expect(logit).toBeCloseTo(datasetLogits(p, ds)[index]!, 12);
      const rng = new SeededRandom(index);
      for (const key of ['W', 'R', 'b', 'wOut'] as const) {
        for (let trial = 0; trial < 12; trial++) {
          const k = rng.int(p[key].length);
          const analytic = gradient[key][k]!;
          const h = 1e-6;
          const orig = p[key][k]!;
          p[key][k] = orig + h;
          const up = windowLogitGradient(p, ds, index).logit;
          p[key][k] = orig - h;
          const down = windowLogitGradient(p, ds, index).logit;
          p[key][k] = orig;
          const numeric = (up - down) / (2 * h);
          expect(Math.abs(analytic - numeric)).toBeLessThan(1e-6 + 1e-5 * Math.abs(numeric));
        }
      }
      const bump = { ...p, bOut: p.bOut + 1 };
      expect(gradient.bOut).toBe(1);
      expect(windowLogitGradient(bump, ds, index).logit - logit).toBeCloseTo(1, 12);
    }
  });

  it('gives the same logits over shared sparse rows as over dense windows', () => {
    const p = randomParams(ds.dim, 8, 4);
    const sparse = datasetLogits(p, ds);
    const dense = lstmLogits(p, denseWindows(ds, 0, ds.count), ds.count, ds.seq);
    for (let i = 0; i < ds.count; i++) expect(sparse[i]).toBeCloseTo(dense[i]!, 10);
  });
});

describe('trainLstm', () => {
  it('learns the synthetic attacks and is deterministic', () => {
    const train = buildSequenceDataset(syntheticSplit(22, 40, 0.3));
    const val = buildSequenceDataset(syntheticSplit(23, 16, 0.3));
    const hp = { ...DEFAULT_LSTM_HYPERPARAMETERS, hidden: 12, epochs: 3 };
    const a = trainLstm(train, val, hp, new SeededRandom(1));
    const b = trainLstm(train, val, hp, new SeededRandom(1));
    expect(Array.from(a.params.W)).toEqual(Array.from(b.params.W));
    expect(a.lossCurve).toEqual(b.lossCurve);
    expect(a.lossCurve[2]!).toBeLessThan(a.lossCurve[0]!);
    expect(rocAuc(datasetLogits(a.params, val), val.labels)).toBeGreaterThan(0.9);
    expect(a.bestEpoch).toBeGreaterThanOrEqual(1);
  });

  it('caps the benign windows per epoch and keeps every malicious one', () => {
    const train = buildSequenceDataset(syntheticSplit(24, 20, 0.3));
    let pos = 0;
    for (const l of train.labels) pos += l;
    const r = trainLstm(train, null, { ...DEFAULT_LSTM_HYPERPARAMETERS, hidden: 4, epochs: 1, maxTrainSequences: pos + 10 }, new SeededRandom(2));
    expect(r.trainSequences).toBe(pos + 10);
    expect(r.validationAucCurve).toEqual([Number.NaN]);
  });
});
