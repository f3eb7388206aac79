import { describe, expect, it } from 'vitest';
import { hashSplits } from './data-hash.js';
import { decodeModel } from './onnx-builder.js';
import { syntheticSplit } from './synthetic-trajectories.js';
import { PARITY_TOLERANCE, trainModels, type TrainedModels } from './train-models.js';
import { parseTrainingReport, renderTrainingReport } from './training-report.js';
import type { TrainingData } from './sequence-dataset.js';

const data: TrainingData = {
  train: syntheticSplit(31, 90, 0.3),
  validation: syntheticSplit(32, 30, 0.3),
  test: syntheticSplit(33, 30, 0.3),
  heldOut: syntheticSplit(34, 16, 0.5, true),
};
const HP = { lstm: { hidden: 24, epochs: 6 } };

let trained: Promise<TrainedModels> | null = null;
function once(): Promise<TrainedModels> {
  return (trained ??= trainModels(data, 1234, HP));
}

describe('trainModels on a synthetic benchmark', () => {
  it('trains both models in seconds and separates attacks on unseen data', async () => {
    const { report, seconds } = await once();
    expect(seconds.lstm).toBeLessThan(20);
    expect(report.lstm.metrics.test.auc).toBeGreaterThan(0.9);
    expect(report.lstm.metrics.heldOut!.auc).toBeGreaterThan(0.9);
    expect(report.iforest.metrics.test.auc).toBeGreaterThan(0.9);
    expect(report.lstm.trainLossCurve).toHaveLength(6);
    expect(report.lstm.trainLossCurve[5]!).toBeLessThan(report.lstm.trainLossCurve[0]!);
  });

  it('checks the exported files against the TypeScript forward passes', async () => {
    const { report } = await once();
    expect(report.lstm.parity).toMatchObject({ split: 'validation', provider: 'cpu' });
    expect(report.lstm.parity.items).toBe(report.data.splits.validation.events);
    expect(report.lstm.parity.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(report.iforest.parity.maxAbsDiff).toBeLessThan(PARITY_TOLERANCE);
    expect(report.iforest.parity.items).toBe(report.data.splits.validation.gpuWindows);
  });

  it('writes a complete, parseable report and keeps the files small', async () => {
    const { report, lstmOnnx, iforestOnnx } = await once();
    expect(lstmOnnx.length).toBeLessThan(1 << 20);
    expect(iforestOnnx.length).toBeLessThan(1 << 20);
    expect(report.lstm.bytes).toBe(lstmOnnx.length);
    expect(report.seed).toBe(1234);
    expect(report.data.sha256).toBe(hashSplits([['train', data.train], ['validation', data.validation], ['test', data.test], ['heldOut', data.heldOut]]));
    expect(report.data.splits.train.trajectories).toBe(90);
    expect(report.lstm.featureNames).toHaveLength(63);
    expect(report.iforest.featureNames).toHaveLength(29);
    expect(report.iforest.trainedOn).toMatch(/benign/);
    const b = report.lstm.bands;
    expect(b.clearBelow).toBeLessThanOrEqual(b.alertAtOrAbove);
    expect(b.validationRecallAtClear).toBeGreaterThanOrEqual(0.99);
    // The LSTM's alert band is chosen per trajectory: at most 0.5% of normal validation trajectories alert.
    expect(b.targetPrecision).toBeNull();
    expect(b.trajectory!.normalsAlerted).toBeLessThanOrEqual(0.005 * b.trajectory!.normals);
    expect(b.trajectory!.normals).toBeGreaterThan(0);
    expect(report.lstm.metrics.validation.trajectories).toEqual({ normals: b.trajectory!.normals, normalsAlerted: b.trajectory!.normalsAlerted, attacks: b.trajectory!.attacks, attacksAlerted: b.trajectory!.attacksAlerted });
    expect(report.iforest.bands.targetPrecision).toBe(0.98);
    expect(report.iforest.metrics.test.trajectories).toBeUndefined();
    const parsed = parseTrainingReport(renderTrainingReport(report));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.report.lstm.bands.clearBelow).toBe(b.clearBelow);
    // The ONNX files name the data and seed they came from.
    for (const bytes of [lstmOnnx, iforestOnnx]) {
      const meta = Object.fromEntries(decodeModel(bytes).metadataProps.map((e) => [e.key, e.value]));
      expect(meta['mlshield.data_sha256']).toBe(report.data.sha256);
      expect(meta['mlshield.seed']).toBe('1234');
    }
  });

  it('is deterministic: same data and seed give identical bytes; another seed does not', async () => {
    const small: TrainingData = { train: data.train.slice(0, 30), validation: data.validation.slice(0, 10), test: data.test.slice(0, 10) };
    const hp = { lstm: { hidden: 8, epochs: 2 }, iforest: { trees: 20 } };
    const a = await trainModels(small, 5, hp);
    const b = await trainModels(small, 5, hp);
    expect(b.lstmOnnx).toEqual(a.lstmOnnx);
    expect(b.iforestOnnx).toEqual(a.iforestOnnx);
    expect(renderTrainingReport(b.report)).toBe(renderTrainingReport(a.report));
    const c = await trainModels(small, 6, hp);
    expect(c.lstmOnnx).not.toEqual(a.lstmOnnx);
    expect(c.report.data.sha256).toBe(a.report.data.sha256);
  });

  it('hashes the data canonically: key order does not matter, content does', () => {
    const t = data.train.slice(0, 2);
    const reordered = t.map((s) => ({ gpuWindows: s.gpuWindows, labels: s.labels, events: s.events, group: s.group, job: s.job }));
    expect(hashSplits([['train', reordered]])).toBe(hashSplits([['train', t]]));
    const flipped = t.map((s, i) => (i === 0 ? { ...s, labels: s.labels.map((l, k) => (k === 0 ? !l : l)) } : s));
    expect(hashSplits([['train', flipped]])).not.toBe(hashSplits([['train', t]]));
  });

  it('refuses mislabelled input with a clear message', async () => {
    const bad = { ...data.train[0]!, labels: [true] };
    await expect(trainModels({ train: [bad], validation: [], test: [] }, 1)).rejects.toThrow(/1 labels for \d+ events/);
  });
});
