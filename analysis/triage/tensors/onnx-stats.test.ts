/**
 * The ONNX Runtime statistics graph, run with the CPU execution provider, against the typed-array
 * kernel on the same bytes: counts, min and max must be identical, sums equal to float64 rounding,
 * histograms identical on the aligned bins (±0 fall in the one underflow bin on both paths).
 */
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { ACC } from './stats-kernel.js';
import { collapseHistogram } from './histogram.js';
import { inlineEngine } from './stats-engine.js';
import { onnxStatsEngine } from './onnx-stats.js';
import { scanArtifact, type TensorJob } from './tensor-scan.js';
import { mulberry32 } from '../../core/mulberry32.js';

const prng = mulberry32;

function floats(n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    // Mostly weights, with every octave from 2^-140 to 2^127 represented, and exact powers of two.
    f[i] = r < 0.8 ? (rnd() - 0.5) * 0.2 : r < 0.9 ? (rnd() < 0.5 ? -1 : 1) * 2 ** Math.floor(rnd() * 267 - 140) : (rnd() - 0.5) * 2 ** Math.floor(rnd() * 250 - 120);
  }
  [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 2 ** -126, 2 ** -127, 1, -1, 0.5].forEach((v, k) => { f[k * 31] = v; });
  return new Uint8Array(f.buffer);
}

function halves(n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const b = new Uint8Array(n * 2);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

describe('ONNX statistics graph (CPU provider) vs typed-array kernel', () => {
  it('gives the same numbers on float32, float16 and bfloat16 tensors, across chunk boundaries', async () => {
    const parts: [string, Uint8Array][] = [['float32', floats(300_001, 1)], ['float16', halves(123_457, 2)], ['bfloat16', halves(99_999, 3)], ['float32', floats(7, 4)]];
    const file = new Uint8Array(parts.reduce((a, [, p]) => a + p.length, 0));
    const src = bufferSource('t.bin', file);
    let at = 0;
    const jobs: TensorJob[] = parts.map(([dtype, p]) => {
      file.set(p, at);
      const j: TensorJob = { dtype, littleEndian: true, span: { source: src, offset: at, length: p.length } };
      at += p.length;
      return j;
    });
    const onnx = await onnxStatsEngine('cpu');
    try {
      const a = await scanArtifact(src, jobs, inlineEngine());
      const b = await scanArtifact(src, jobs, onnx);
      expect(b.sha256).toBe(a.sha256);
      for (let i = 0; i < jobs.length; i++) {
        const x = a.outcomes[i]!.result!;
        const y = b.outcomes[i]!.result!;
        for (const k of ['count', 'nan', 'posInf', 'negInf', 'zeros', 'min', 'max'] as const) expect(y.acc[ACC[k]], `${i} ${k}`).toBe(x.acc[ACC[k]]);
        for (const k of ['sum', 'sumSquares'] as const) {
          expect(Math.abs(y.acc[ACC[k]]! - x.acc[ACC[k]]!), `${i} ${k}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x.acc[ACC[k]]!)));
        }
        expect(collapseHistogram(y.hist)).toEqual(collapseHistogram(x.hist));
        expect(y.sha256).toBe(x.sha256);
      }
    } finally {
      await onnx.close();
    }
  });
});
