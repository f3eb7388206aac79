/**
 * GGUF quantised tensors through the whole triage path: dequantised statistics (inline engine,
 * worker pool, and the pool's shared-memory read of a file on disk), the per-tensor SHA-256 over
 * the stored blocks, and an info finding for types with no dequantisation. The files are written
 * here (no GGUF is in the corpus) from float vectors quantised by a test-side quantiser with
 * exactly representable scales, so every statistic is exact.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { openFile } from '../fs-inputs.js';
import { halfBits, packK, seededInts, writeGguf, type GgufTensorSpec } from '../formats/gguf-quant.test-support.js';
import { onnxStatsEngine } from '../tensors/onnx-stats.js';
import { inlineEngine, type StatsEngine } from '../tensors/stats-engine.js';
import { workerPoolEngine } from '../tensors/stats-pool.js';
import { triageArtifact } from '../triage.js';
import { readGgufPlan } from './model-formats.js';
import type { TriageResult, TriageTensor } from '../triage-result.js';

const GGML = { F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, IQ2_XXS: 16 } as const;

/** Test-side Q8_0 quantiser: every x/d must be an integer in [-127, 127]. */
function quantizeQ8_0(x: readonly number[], d: number): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 34);
  for (let b = 0; b < x.length / 32; b++) {
    const h = halfBits(d);
    out[34 * b] = h & 0xff;
    out[34 * b + 1] = h >> 8;
    for (let j = 0; j < 32; j++) {
      const q = x[32 * b + j]! / d;
      if (!Number.isInteger(q) || q < -127 || q > 127) throw new Error(`${x[32 * b + j]} is not a Q8_0 code of ${d}`);
      out[34 * b + 2 + j] = q & 0xff;
    }
  }
  return out;
}

/** Test-side Q4_0 quantiser: x/d + 8 must be an integer in [0, 15]; value j and j+16 share a byte. */
function quantizeQ4_0(x: readonly number[], d: number): Uint8Array {
  const out = new Uint8Array((x.length / 32) * 18);
  for (let b = 0; b < x.length / 32; b++) {
    const h = halfBits(d);
    out[18 * b] = h & 0xff;
    out[18 * b + 1] = h >> 8;
    const code = (j: number): number => {
      const q = x[32 * b + j]! / d + 8;
      if (!Number.isInteger(q) || q < 0 || q > 15) throw new Error(`${x[32 * b + j]} is not a Q4_0 code of ${d}`);
      return q;
    };
    for (let j = 0; j < 16; j++) out[18 * b + 2 + j] = code(j) | (code(j + 16) << 4);
  }
  return out;
}

const X8 = Array.from({ length: 128 }, (_, i) => (((i * 37) % 255) - 127) * 0.125);
const X4 = Array.from({ length: 128 }, (_, i) => (((i * 5) % 16) - 8) * 0.5);
const K = packK('q4_k', 2, seededInts(3));
const IQ2 = Uint8Array.from({ length: 66 }, (_, i) => (i * 29) & 0xff);
const F16 = Uint8Array.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x00, 0x00]); // 1, -2, 0.5, 0

const TENSORS: GgufTensorSpec[] = [
  { name: 'blk.0.q8', dims: [64, 2], type: GGML.Q8_0, data: quantizeQ8_0(X8, 0.125) },
  { name: 'blk.0.q4', dims: [32, 4], type: GGML.Q4_0, data: quantizeQ4_0(X4, 0.5) },
  { name: 'blk.0.q4k', dims: [256, 2], type: GGML.Q4_K, data: K.bytes },
  { name: 'blk.0.iq2', dims: [256], type: GGML.IQ2_XXS, data: IQ2 },
  { name: 'blk.0.f16', dims: [4], type: GGML.F16, data: F16 },
];
const FILE = writeGguf(TENSORS);

function expected(values: ArrayLike<number>): { count: number; sum: number; min: number; max: number; mean: number; zeros: number } {
  let sum = 0, min = Infinity, max = -Infinity, zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (v === 0) zeros++;
  }
  return { count: values.length, sum, min, max, mean: sum / values.length, zeros };
}

function check(t: TriageTensor, values: ArrayLike<number>, stored: Uint8Array): void {
  const e = expected(values);
  expect(t.stats, t.name).not.toBeNull();
  const s = t.stats!;
  expect([s.count, s.finite, s.nan, s.posInf + s.negInf, s.zeros], t.name).toEqual([e.count, e.count, 0, 0, e.zeros]);
  expect([s.min, s.max], t.name).toEqual([e.min, e.max]);
  expect(s.sum, t.name).toBeCloseTo(e.sum, 9);
  expect(s.mean, t.name).toBeCloseTo(e.mean, 12);
  expect(t.sha256, t.name).toBe(createHash('sha256').update(stored).digest('hex'));
}

const engines: [string, () => StatsEngine][] = [['inline', () => inlineEngine()], ['workers', () => workerPoolEngine({ workers: 2 })]];

describe.each(engines)('GGUF quantised tensors (%s engine)', (_, make) => {
  it('dequantises Q8_0, Q4_0 and Q4_K exactly; hashes the stored blocks; says what it cannot decode', async () => {
    const engine = make();
    let r: TriageResult;
    try {
      r = await triageArtifact(bufferSource('m.gguf', FILE), { engine });
    } finally {
      await engine.close();
    }
    expect(r.format).toBe('gguf');
    const by = new Map(r.tensors.map((t) => [t.name, t]));
    expect(by.get('blk.0.q8')!.shape).toEqual([2, 64]);
    check(by.get('blk.0.q8')!, X8, TENSORS[0]!.data);
    check(by.get('blk.0.q4')!, X4, TENSORS[1]!.data);
    check(by.get('blk.0.q4k')!, K.values, K.bytes);
    check(by.get('blk.0.f16')!, [1, -2, 0.5, 0], F16);
    const iq = by.get('blk.0.iq2')!;
    expect(iq.stats).toBeNull();
    expect(iq.sha256).toBe(createHash('sha256').update(IQ2).digest('hex'));
    expect(iq.note).toMatch(/values not decoded for type iq2_xxs/);
    const f = r.findings.filter((x) => x.id === 'gguf.tensor.values-not-decoded');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('info');
    expect(f[0]!.message).toMatch(/values not decoded for type iq2_xxs \(1 tensor/);
    expect(r.findings.filter((x) => x.id === 'tensor.unreadable')).toEqual([]);
  });
});

describe('GGUF quantised tensors on the ONNX Runtime statistics engine (CPU)', () => {
  it('gives the inline numbers (the engine reads the decoded float32, the hash stays over the blocks)', async () => {
    const onnx = await onnxStatsEngine('cpu');
    try {
      const a = await triageArtifact(bufferSource('m.gguf', FILE), { engine: inlineEngine() });
      const b = await triageArtifact(bufferSource('m.gguf', FILE), { engine: onnx });
      expect(b.tensors.map((t) => [t.name, t.sha256, t.stats?.count, t.stats?.sum, t.stats?.min, t.stats?.max, t.stats?.histogram]))
        .toEqual(a.tensors.map((t) => [t.name, t.sha256, t.stats?.count, t.stats?.sum, t.stats?.min, t.stats?.max, t.stats?.histogram]));
    } finally {
      await onnx.close();
    }
  });
});

describe('GGUF dequantised values that ggml would read as NaN', () => {
  it('counts a Q8_0 block with a NaN scale as 32 NaNs and raises the non-finite finding', async () => {
    const block = new Uint8Array(34);
    block.set([0x00, 0x7e, 1, 2, 3]);
    const r = await triageArtifact(bufferSource('nan.gguf', writeGguf([{ name: 'w', dims: [32], type: GGML.Q8_0, data: block }])), { engine: inlineEngine() });
    expect(r.tensors[0]!.stats!.nan).toBe(32);
    expect(r.findings.some((f) => f.id === 'tensor.nonfinite')).toBe(true);
  });
});

describe('a big-endian GGUF (written for s390x)', () => {
  // ingest/sniff.ts recognises only little-endian GGUF versions, so the plan is asked directly.
  it('leaves its quantised blocks undecoded (hashed only) and says so once per type', async () => {
    const src = bufferSource('be.gguf', writeGguf(TENSORS.slice(0, 2), true));
    const plan = await readGgufPlan({ src, path: 'be.gguf', strict: false, canNest: false, nested: () => Promise.reject(new Error('no nesting')) });
    expect(plan.findings.some((f) => f.id === 'gguf.big-endian')).toBe(true);
    const f = plan.findings.filter((x) => x.id === 'gguf.tensor.values-not-decoded');
    expect(f.map((x) => x.message.match(/type (\w+)/)![1])).toEqual(['q8_0', 'q4_0']);
    for (const t of plan.tensors) {
      expect(t.job?.decode, t.name).toBeUndefined();
      expect(t.job?.span?.length, t.name).toBeGreaterThan(0);
      expect(t.note, t.name).toMatch(/in a big-endian file/);
    }
  });
});

describe('a multi-megabyte Q4_0 tensor, streamed block by block', () => {
  // 300 000 blocks (5.4 MB stored, 9.6 M values): 4 MiB read chunks cut blocks in two.
  const blocks = 300_000;
  const data = new Uint8Array(blocks * 18);
  const rnd = seededInts(5);
  let sum = 0, zeros = 0;
  for (let b = 0; b < blocks; b++) {
    data[18 * b] = 0x00;
    data[18 * b + 1] = 0x34; // d = 0.25
    for (let j = 0; j < 16; j++) {
      const q = rnd(0, 255);
      data[18 * b + 2 + j] = q;
      for (const code of [q & 15, q >> 4]) {
        sum += (code - 8) * 0.25;
        if (code === 8) zeros++;
      }
    }
  }
  const file = writeGguf([{ name: 'big', dims: [32 * 1000, blocks / 1000], type: GGML.Q4_0, data }]);
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(engines)('gives the exact statistics with the %s engine, from memory and from disk', async (_, make) => {
    const path = join(dir, 'big.gguf');
    writeFileSync(path, file);
    const sha = createHash('sha256').update(data).digest('hex');
    for (const fromDisk of [false, true]) {
      const engine = make();
      const f = fromDisk ? await openFile(path, 'big.gguf', file.length) : null;
      try {
        const r = await triageArtifact(f ? f.source : bufferSource('big.gguf', file), { engine });
        const t = r.tensors[0]!;
        expect(t.sha256).toBe(sha);
        expect(r.sha256).toBe(createHash('sha256').update(file).digest('hex'));
        const s = t.stats!;
        expect([s.count, s.nan, s.zeros, s.min, s.max, s.sum]).toEqual([blocks * 32, 0, zeros, -2, 1.75, sum]);
      } finally {
        await engine.close();
        await f?.close();
      }
    }
  });
});

describe('mutated GGUF files', () => {
  it('never throw or hang, and every decoded tensor counts its elements (300 seeded mutants)', async () => {
    const rnd = seededInts(99);
    const engine = inlineEngine();
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(FILE);
      const n = rnd(1, 6);
      for (let k = 0; k < n; k++) {
        const at = rnd(0, b.length - 1);
        b[at] = rnd(0, 3) === 0 ? 0xff : rnd(0, 255);
      }
      const cut = rnd(0, 4) === 0 ? b.subarray(0, rnd(1, b.length)) : b;
      const r = await triageArtifact(bufferSource(`m${i}.gguf`, cut), { engine });
      for (const t of r.tensors) if (t.stats) expect(t.stats.count, `${i} ${t.name}`).toBe(t.count);
    }
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
