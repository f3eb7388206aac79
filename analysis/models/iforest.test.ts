import { describe, expect, it } from 'vitest';
import { exportIsolationForestOnnx } from './iforest-onnx.js';
import { averagePathLength, featureMatrix, isolationScores, trainIsolationForest, DEFAULT_IFOREST_HYPERPARAMETERS } from './iforest-train.js';
import { decodeModel } from './onnx-builder.js';
import { loadOnnxModel, releaseModel, scoreGpuWindows } from './onnx-runtime.js';
import { SeededRandom } from './seeded-random.js';
import { rocAuc } from './training-metrics.js';

const F = 6;
const names = Array.from({ length: F }, (_, k) => `f${k}`);

function inliers(n: number, rng: SeededRandom): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: F }, (_, k) => 0.5 + 0.05 * rng.normal() + (k === 0 ? 0.01 * rng.normal() : 0)));
}

describe('averagePathLength', () => {
  it('follows c(n) = 2H(n−1) − 2(n−1)/n', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 9);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });
});

describe('Isolation Forest', () => {
  const rng = new SeededRandom(8);
  const train = inliers(600, rng);
  const x = featureMatrix(train, F);
  const forest = trainIsolationForest(x, train.length, F, DEFAULT_IFOREST_HYPERPARAMETERS, new SeededRandom(1));
  const normal = inliers(200, rng);
  // Anomalous windows move several fields at once (a bulk copy: low SM use, high copy engine and PCIe TX, idle tensor pipes).
  const outliers = Array.from({ length: 20 }, (_, i) => normal[i]!.map((v, k) => ((k + i) % 3 === 0 ? v + 0.3 : (k + i) % 3 === 1 ? v - 0.25 : v)));
  const evalRows = [...normal, ...outliers];
  const labels = evalRows.map((_, i) => i >= normal.length);
  const ts = isolationScores(forest, featureMatrix(evalRows, F), evalRows.length);

  it('grows 100 trees on ψ = 256 with the height limit 8', () => {
    expect(forest.trees).toHaveLength(100);
    expect(forest.sampleSize).toBe(256);
    const small = trainIsolationForest(featureMatrix(train.slice(0, 40), F), 40, F, DEFAULT_IFOREST_HYPERPARAMETERS, new SeededRandom(1));
    expect(small.sampleSize).toBe(40);
  });

  it('scores outliers above inliers', () => {
    expect(rocAuc(ts, labels)).toBeGreaterThan(0.97);
    const meanIn = ts.slice(0, normal.length).reduce((a, b) => a + b, 0) / normal.length;
    const meanOut = ts.slice(normal.length).reduce((a, b) => a + b, 0) / outliers.length;
    expect(meanIn).toBeLessThan(0.5);
    expect(meanOut).toBeGreaterThan(meanIn + 0.1);
    for (const s of ts) expect(s > 0 && s <= 1).toBe(true);
  });

  it('exports a TreeEnsembleRegressor that onnxruntime-node scores like TypeScript', async () => {
    const bytes = exportIsolationForestOnnx(forest, { featureNames: names, producerVersion: 'test', metadata: [] });
    expect(bytes.length).toBeLessThan(1 << 20);
    expect(exportIsolationForestOnnx(forest, { featureNames: names, producerVersion: 'test', metadata: [] })).toEqual(bytes);
    const m = decodeModel(bytes);
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 14], ['ai.onnx.ml', 3]]);
    expect(m.graph!.node!.map((n) => `${n.domain}:${n.opType}`)).toEqual(['ai.onnx.ml:TreeEnsembleRegressor', ':Mul', ':Exp']);
    const handle = await loadOnnxModel(bytes, 'cpu');
    const r = await scoreGpuWindows(handle, featureMatrix(evalRows, F), evalRows.length, F);
    await releaseModel(handle);
    if (r.status !== 'scored') throw new Error(r.reason);
    let maxDiff = 0;
    for (let i = 0; i < evalRows.length; i++) maxDiff = Math.max(maxDiff, Math.abs(r.scores[i]! - ts[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('is deterministic per seed', () => {
    const again = trainIsolationForest(x, train.length, F, DEFAULT_IFOREST_HYPERPARAMETERS, new SeededRandom(1));
    expect(Array.from(isolationScores(again, featureMatrix(evalRows, F), evalRows.length))).toEqual(Array.from(ts));
    const other = trainIsolationForest(x, train.length, F, DEFAULT_IFOREST_HYPERPARAMETERS, new SeededRandom(2));
    expect(Array.from(isolationScores(other, featureMatrix(evalRows, F), evalRows.length))).not.toEqual(Array.from(ts));
  });
});
