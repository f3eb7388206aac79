import { describe, expect, it } from 'vitest';
import { decodeModel } from './onnx-builder.js';
import { EVENT_FEATURES, EVENT_FEATURE_COUNT, SEQUENCE_LENGTH } from './event-features.js';
import { exportLstmOnnx, LSTM_INPUT_NAME, LSTM_OUTPUT_NAME } from './lstm-onnx.js';
import { lstmScores, roundedToFloat32, type LstmParams } from './lstm-model.js';
import { loadOnnxModel, releaseModel, scoreSequences } from './onnx-runtime.js';
import { SeededRandom } from './seeded-random.js';

function randomParams(I: number, H: number, seed: number): LstmParams {
  const rng = new SeededRandom(seed);
  const v = (n: number, s: number) => Float64Array.from({ length: n }, () => rng.range(-s, s));
  return roundedToFloat32({ inputSize: I, hidden: H, W: v(4 * H * I, 0.6), R: v(4 * H * H, 0.4), b: v(4 * H, 0.5), wOut: v(H, 1), bOut: 0.3 });
}

/** Windows like the real ones: left padding, sparse one-hots, a few dense values. */
function randomWindows(count: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const d = EVENT_FEATURE_COUNT;
  const out = new Float32Array(count * SEQUENCE_LENGTH * d);
  for (let s = 0; s < count; s++) {
    const pad = rng.int(SEQUENCE_LENGTH);
    for (let t = pad; t < SEQUENCE_LENGTH; t++) {
      const base = (s * SEQUENCE_LENGTH + t) * d;
      out[base] = 1;
      for (let k = 1; k < d; k++) if (rng.float() < 0.2) out[base + k] = rng.float() < 0.7 ? 1 : rng.range(-1, 1.5);
    }
  }
  return out;
}

const info = { seq: SEQUENCE_LENGTH, featureNames: EVENT_FEATURES, producerVersion: 'test', metadata: [['mlshield.seed', '5']] as [string, string][] };

describe('exportLstmOnnx', () => {
  it('declares the documented graph', () => {
    const p = randomParams(EVENT_FEATURE_COUNT, 8, 1);
    const m = decodeModel(exportLstmOnnx(p, info));
    expect(m.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 14]]);
    const g = m.graph!;
    expect(g.node!.map((n) => n.opType)).toEqual(['Transpose', 'LSTM', 'Squeeze', 'Gemm', 'Sigmoid']);
    expect(g.input![0]!.name).toBe(LSTM_INPUT_NAME);
    expect(g.input![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', SEQUENCE_LENGTH, EVENT_FEATURE_COUNT]);
    expect(g.output![0]!.name).toBe(LSTM_OUTPUT_NAME);
    const dims = Object.fromEntries(g.initializer!.map((t) => [t.name, t.dims!.map(Number)]));
    expect(dims).toMatchObject({ W: [1, 32, EVENT_FEATURE_COUNT], R: [1, 32, 8], B: [1, 64], W_out: [8, 1], b_out: [1] });
    const meta = Object.fromEntries(m.metadataProps.map((e) => [e.key, e.value]));
    expect(meta['mlshield.features']!.split(',')).toEqual([...EVENT_FEATURES]);
    expect(meta['mlshield.seed']).toBe('5');
  });

  it('runs in onnxruntime-node (CPU) like the TypeScript forward pass, batched or not', async () => {
    const p = randomParams(EVENT_FEATURE_COUNT, 32, 2);
    const bytes = exportLstmOnnx(p, info);
    expect(bytes.length).toBeLessThan(1 << 20);
    expect(exportLstmOnnx(p, info)).toEqual(bytes);
    const handle = await loadOnnxModel(bytes, 'cpu');
    expect(handle.status).toBe('loaded');
    const count = 300;
    const windows = randomWindows(count, 3);
    const onnx = await scoreSequences(handle, windows, count, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
    const chunked = await scoreSequences(handle, windows, count, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT, 7);
    await releaseModel(handle);
    if (onnx.status !== 'scored' || chunked.status !== 'scored') throw new Error('not scored');
    expect(Array.from(chunked.scores)).toEqual(Array.from(onnx.scores));
    const ts = lstmScores(p, windows, count, SEQUENCE_LENGTH);
    let maxDiff = 0;
    let spread = 0;
    for (let i = 0; i < count; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(onnx.scores[i]! - ts[i]!));
      spread = Math.max(spread, Math.abs(ts[i]! - ts[0]!));
    }
    expect(maxDiff).toBeLessThan(1e-5);
    expect(spread).toBeGreaterThan(0.1); // the check is not vacuous: scores differ between windows
  });
});
