/**
 * Value findings on synthetic tensors: non-finite values (and -inf masks in graph constants), a
 * few huge values inside an ordinary tensor, one tensor ×1000 among its role, all-zero and
 * constant tensors — and none of them on ordinary weights, zero-initialised biases or norm scales.
 */
import { describe, expect, it } from 'vitest';
import type { TriageTensor } from '../triage-result.js';
import { finalizeStats } from './histogram.js';
import { tensorFindings, tensorRole } from './outliers.js';
import { createStatsKernel } from './stats-kernel.js';

function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function tensor(name: string, shape: number[], values: Float32Array, constant = false): TriageTensor {
  const k = createStatsKernel(null);
  k.begin(1, 'float32', true, false);
  k.chunk(1, new Uint8Array(values.buffer));
  const r = k.end(1);
  const t: TriageTensor = { name, dtype: 'float32', shape, count: values.length, sha256: null, stats: finalizeStats(r.acc, r.hist) };
  if (constant) t.constant = true;
  return t;
}

const g = gaussian(7);
const weights = (n: number, scale = 0.05): Float32Array => new Float32Array(n).map(() => g() * scale);
const ordinary = (): TriageTensor[] => [0, 1, 2, 3, 4].flatMap((i) => [
  tensor(`blocks.${i}.fc.weight`, [32, 32], weights(1024)),
  tensor(`blocks.${i}.fc.bias`, [32], new Float32Array(32)),
  tensor(`blocks.${i}.norm.weight`, [32], new Float32Array(32).fill(1)),
]);

describe('tensor value findings', () => {
  it('keeps ordinary weights, zero biases and unit norm scales below medium', () => {
    const f = tensorFindings(ordinary());
    expect(f.filter((x) => x.severity !== 'low' && x.severity !== 'info')).toEqual([]);
    expect(new Set(f.map((x) => x.id))).toEqual(new Set(['tensor.all-zero', 'tensor.constant']));
  });

  it('flags NaN/Inf (high), but -inf in a graph constant only low', () => {
    const v = weights(100);
    v[3] = NaN;
    v[4] = Infinity;
    const mask = new Float32Array([0, -Infinity, -Infinity]);
    const f = tensorFindings([tensor('w', [100], v), tensor('mask', [3], mask, true)]);
    expect(f.map((x) => [x.id, x.severity, x.location])).toEqual([['tensor.nonfinite', 'high', 'w'], ['tensor.nonfinite.constant', 'low', 'mask']]);
    expect(f[0]!.message).toContain('1 NaN, 1 +Inf');
  });

  it('flags a few values thousands of times the median magnitude', () => {
    const v = weights(4096);
    v[100] = 500;
    v[200] = -800;
    const f = tensorFindings([tensor('emb.weight', [64, 64], v)]);
    expect(f.map((x) => x.id)).toEqual(['tensor.outlier.values']);
  });

  it('flags one tensor scaled ×1000 among the same role, and only it', () => {
    const list = ordinary();
    list.push(tensor('blocks.5.fc.weight', [32, 32], weights(1024, 50)));
    const f = tensorFindings(list).filter((x) => x.id === 'tensor.outlier.role');
    expect(f.map((x) => x.location)).toEqual(['blocks.5.fc.weight']);
    expect(tensorRole(list[0]!)).toBe('weight/2');
  });

  it('a zeroed weight matrix is medium, a zero vector low', () => {
    const f = tensorFindings([tensor('fc.weight', [64, 64], new Float32Array(4096)), tensor('fc.bias', [64], new Float32Array(64))]);
    expect(f.map((x) => [x.id, x.severity])).toEqual([['tensor.all-zero.matrix', 'medium'], ['tensor.all-zero', 'low']]);
  });
});
