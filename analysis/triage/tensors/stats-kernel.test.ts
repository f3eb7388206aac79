/**
 * The statistics kernel against a plain element-by-element reference (decoding with the pickle
 * layer's elementReader), for every dtype it decodes, with NaN, ±Inf, ±0 and subnormals mixed in,
 * chunk boundaries that split elements, big-endian input, and the worker pool giving the inline
 * path's exact numbers.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { elementReader } from '../pickle/tensor-values.js';
import type { TorchDtype } from '../pickle/torch-dtypes.js';
import { ACC, createStatsKernel } from './stats-kernel.js';
import { alignedBin, collapseHistogram, finalizeStats, HISTOGRAM_BINS, UNDERFLOW_BIN } from './histogram.js';
import { inlineEngine } from './stats-engine.js';
import { workerPoolEngine } from './stats-pool.js';
import { buildF32StatsWasm } from './stats-wasm.js';
import { registerReadInto, scanArtifact } from './tensor-scan.js';
import { bufferSource } from '../../core/byte-source.js';
import { mulberry32 } from '../../core/mulberry32.js';

const prng = mulberry32;

const SIZE: Partial<Record<TorchDtype, number>> = { float32: 4, float64: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, bool: 1, float8_e4m3fn: 1, float8_e5m2: 1 };

/** Random bytes with special values planted (float dtypes). */
function sample(dtype: TorchDtype, n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  const b = new Uint8Array(n * SIZE[dtype]!);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  const dv = new DataView(b.buffer);
  if (dtype === 'float32') {
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, (rnd() - 0.5) * 0.2, true);
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e-39, 3.4e38, 2 ** -32, 2 ** 32, -(2 ** 31)];
    specials.forEach((v, k) => dv.setFloat32(((k * 997) % n) * 4, v, true));
  } else if (dtype === 'float64') {
    for (let i = 0; i < n; i++) dv.setFloat64(i * 8, (rnd() - 0.5) * 1e3, true);
    [NaN, Infinity, 0, 1e300, -1e-320].forEach((v, k) => dv.setFloat64(((k * 991) % n) * 8, v, true));
  }
  return b;
}

function reference(bytes: Uint8Array, dtype: TorchDtype, le = true) {
  const read = elementReader(bytes, dtype, le);
  const n = Math.floor(bytes.length / SIZE[dtype]!);
  let sum = 0, nan = 0, inf = 0, zeros = 0, min = Infinity, max = -Infinity;
  const raw = new Float64Array(512);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    const x = read(i);
    if (Number.isNaN(x)) { nan++; continue; }
    if (!Number.isFinite(x)) { inf++; continue; }
    sum += x;
    if (x === 0) zeros++;
    min = Math.min(min, x);
    max = Math.max(max, x);
    f[0] = x;
    let k = u[0]! >>> 23;
    if ((k & 255) === 255) k -= 1;
    raw[k]!++;
  }
  return { n, sum, nan, inf, zeros, min, max, hist: collapseHistogram(raw) };
}

const WASM = buildF32StatsWasm();

describe.each([['WebAssembly SIMD', WASM], ['JavaScript', null]])('stats kernel (%s loop)', (_loop, wasm) => {
  const dtypes = Object.keys(SIZE) as TorchDtype[];
  it.each(dtypes)('%s matches the element-by-element reference, in odd-sized chunks', (dtype) => {
    const bytes = sample(dtype, 150_001, dtype.length);
    const k = createStatsKernel({ createHash: (a) => createHash(a) }, wasm);
    k.begin(1, dtype, true, true);
    for (let at = 0; at < bytes.length; at += 7777) k.chunk(1, bytes.subarray(at, at + 7777));
    const r = k.end(1);
    const s = finalizeStats(r.acc, r.hist);
    const want = reference(bytes, dtype);
    expect(s.count).toBe(want.n);
    expect(s.nan).toBe(want.nan);
    expect(s.posInf + s.negInf).toBe(want.inf);
    expect(s.zeros).toBe(want.zeros);
    expect(s.min).toBe(want.n - want.nan - want.inf > 0 ? want.min : null);
    expect(s.max).toBe(want.n - want.nan - want.inf > 0 ? want.max : null);
    expect(Math.abs(s.sum - want.sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.sum)));
    expect(s.histogram).toEqual(want.hist);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reads big-endian elements (NumPy >f4) and hashes the bytes as stored', () => {
    const le = sample('float32', 1000, 3);
    const be = new Uint8Array(le.length);
    for (let i = 0; i < le.length; i += 4) for (let j = 0; j < 4; j++) be[i + j] = le[i + 3 - j]!;
    const k = createStatsKernel({ createHash: (a) => createHash(a) }, wasm);
    k.begin(1, 'float32', false, true);
    k.chunk(1, be);
    const r = k.end(1);
    expect(finalizeStats(r.acc, r.hist).sum).toBeCloseTo(reference(le, 'float32').sum, 9);
    expect(r.sha256).toBe(createHash('sha256').update(be).digest('hex'));
  });

  it('a NaN never masks the maximum (mlsec bug 2)', () => {
    const f = Float32Array.from([1, NaN, 500, -2, 3, 4, 5, 6, 7]);
    const k = createStatsKernel(null, wasm);
    k.begin(1, 'float32', true, false);
    k.chunk(1, new Uint8Array(f.buffer));
    const r = k.end(1);
    const s = finalizeStats(r.acc, r.hist);
    expect(s.nan).toBe(1);
    expect(s.max).toBe(500);
    expect(s.absMax).toBe(500);
  });

  it('keeps a partial trailing element out of the statistics and says so', () => {
    const k = createStatsKernel(null, wasm);
    k.begin(1, 'float32', true, false);
    k.chunk(1, new Uint8Array(10));
    const r = k.end(1);
    expect(r.acc[ACC.count]).toBe(2);
    expect(r.acc[ACC.partialBytes]).toBe(2);
  });

  it('hashes dtypes it cannot decode', () => {
    const k = createStatsKernel({ createHash: (a) => createHash(a) });
    k.begin(1, 'q4_0', true, true);
    k.chunk(1, new Uint8Array([1, 2, 3]));
    const r = k.end(1);
    expect(r.acc[ACC.decoded]).toBe(0);
    expect(r.sha256).toBe(createHash('sha256').update(new Uint8Array([1, 2, 3])).digest('hex'));
  });

  it('puts ±0 and tiny values in the one underflow bin and huge ones in the overflow bins', () => {
    expect(alignedBin(0)).toBe(UNDERFLOW_BIN);
    expect(alignedBin(256)).toBe(UNDERFLOW_BIN);
    expect(alignedBin(127 + 40)).toBe(HISTOGRAM_BINS - 1);
    expect(alignedBin(256 + 127 + 40)).toBe(0);
    expect(alignedBin(127)).toBe(UNDERFLOW_BIN + 1 + 32); // 1.0 is in [2^0, 2^1)
  });
});

/** Tensors of several dtypes one after another in a file (float32 with NaN, ±Inf, ±0, subnormals). */
function mixedFile(): { file: Uint8Array; parts: Uint8Array[]; jobs: { dtype: string; littleEndian: boolean; span: { source: never; offset: number; length: number } }[] } {
  const parts = [sample('float32', 300_000, 1), sample('float16', 200_000, 2), sample('float64', 100_000, 3), sample('int64', 5000, 4), sample('float32', 1_100_003, 5)];
  const dtypes = ['float32', 'float16', 'float64', 'int64', 'float32'];
  const file = new Uint8Array(parts.reduce((a, p) => a + p.length, 0) + 100);
  let at = 50;
  const jobs = parts.map((p, i) => {
    file.set(p, at);
    const job = { dtype: dtypes[i]!, littleEndian: true, span: { source: null as never, offset: at, length: p.length } };
    at += p.length;
    return job;
  });
  return { file, parts, jobs };
}

describe('worker pool', () => {
  it('gives the inline engine\'s exact numbers, one scan pass with the file hash', async () => {
    const { file, parts, jobs } = mixedFile();
    const src = bufferSource('mix.bin', file);
    for (const j of jobs) (j.span as { source: unknown }).source = src;
    const inline = await scanArtifact(src, jobs, inlineEngine());
    const pool = workerPoolEngine({ workers: 2, maxInFlightBytes: 1 << 20 });
    try {
      const pooled = await scanArtifact(src, jobs, pool);
      expect(pooled.sha256).toBe(createHash('sha256').update(file).digest('hex'));
      expect(pooled.sha256).toBe(inline.sha256);
      for (let i = 0; i < jobs.length; i++) {
        expect(Array.from(pooled.outcomes[i]!.result!.acc)).toEqual(Array.from(inline.outcomes[i]!.result!.acc));
        expect(Array.from(pooled.outcomes[i]!.result!.hist)).toEqual(Array.from(inline.outcomes[i]!.result!.hist));
        expect(pooled.outcomes[i]!.result!.sha256).toBe(createHash('sha256').update(parts[i]!).digest('hex'));
      }
    } finally {
      await pool.close();
    }
  });

  it('reads a file source straight into its shared WebAssembly memory and computes there, twice at once too', async () => {
    const { file, parts, jobs } = mixedFile();
    // A source that reads into caller memory, as the fs adapter's files do (fs-inputs.ts).
    const src = registerReadInto(bufferSource('mix.bin', file), (pos, target) => {
      const n = Math.max(0, Math.min(target.length, file.length - pos));
      target.set(file.subarray(pos, pos + n));
      return Promise.resolve(n);
    });
    for (const j of jobs) (j.span as { source: unknown }).source = src;
    const inline = await scanArtifact(bufferSource('mix.bin', file), jobs.map((j) => ({ ...j, span: { ...j.span, source: bufferSource('mix.bin', file) as never } })), inlineEngine());
    const pool = workerPoolEngine({ workers: 3 });
    const leases: boolean[] = [];
    const lease = pool.leaseRing!.bind(pool);
    pool.leaseRing = (bytes) => {
      const l = lease(bytes);
      leases.push(l !== null);
      return l;
    };
    try {
      // The second of two scans at once finds the ring leased and reads into a SharedArrayBuffer of its own.
      const [a, b] = await Promise.all([scanArtifact(src, jobs, pool), scanArtifact(src, jobs, pool)]);
      const c = await scanArtifact(src, jobs, pool);
      expect(leases).toEqual([true, false, true]);
      for (const pooled of [a, b, c]) {
        expect(pooled.sha256).toBe(createHash('sha256').update(file).digest('hex'));
        for (let i = 0; i < jobs.length; i++) {
          expect(Array.from(pooled.outcomes[i]!.result!.acc)).toEqual(Array.from(inline.outcomes[i]!.result!.acc));
          expect(Array.from(pooled.outcomes[i]!.result!.hist)).toEqual(Array.from(inline.outcomes[i]!.result!.hist));
          expect(pooled.outcomes[i]!.result!.sha256).toBe(createHash('sha256').update(parts[i]!).digest('hex'));
        }
      }
    } finally {
      await pool.close();
    }
  });

  it('gives the ring back when a read fails or comes up short, and the next scan works', async () => {
    const { file, jobs } = mixedFile();
    const failing = (mode: 'throw' | 'short'): ReturnType<typeof bufferSource> => registerReadInto(bufferSource('cut.bin', file), (pos, target) => {
      if (pos >= 3 << 20) {
        if (mode === 'throw') return Promise.reject(new Error('EIO'));
        return Promise.resolve(0);
      }
      const n = Math.min(target.length, file.length - pos);
      target.set(file.subarray(pos, pos + n));
      return Promise.resolve(n);
    });
    const pool = workerPoolEngine({ workers: 1 });
    try {
      for (const mode of ['throw', 'short'] as const) {
        const src = failing(mode);
        const js = jobs.map((j) => ({ ...j, span: { ...j.span, source: src as never } }));
        await expect(scanArtifact(src, js, pool)).rejects.toThrow(mode === 'throw' ? 'EIO' : /read returned nothing at byte/);
        const lease = pool.leaseRing!(1);
        expect(lease).not.toBeNull();
        lease!.release();
      }
      const ok = registerReadInto(bufferSource('ok.bin', file), (pos, target) => {
        const n = Math.max(0, Math.min(target.length, file.length - pos));
        target.set(file.subarray(pos, pos + n));
        return Promise.resolve(n);
      });
      const r = await scanArtifact(ok, jobs.map((j) => ({ ...j, span: { ...j.span, source: ok as never } })), pool);
      expect(r.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    } finally {
      await pool.close();
    }
  });
});
