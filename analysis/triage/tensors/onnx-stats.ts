/**
 * The statistics engine on ONNX Runtime (onnxruntime-node): each chunk is decoded to float32 on
 * the CPU (the kernel's own decoder), run through the stats graph (onnx-stats-graph.ts) on the
 * chosen execution provider, and merged into the same accumulator layout as the CPU kernel.
 * Hashing stays on the CPU (node:crypto). Wide dtypes (float64, 32/64-bit integers) need float64
 * arithmetic the float32 graph does not have: they go through the CPU kernel here, unchanged.
 */
import { createHash, type Hash } from 'node:crypto';
import { ACC, ACC_LENGTH, createStatsKernel, RAW_BINS, type KernelResult } from './stats-kernel.js';
import type { StatsEngine } from './stats-engine.js';
import { statsGraphModel } from './onnx-stats-graph.js';
import { buildF32StatsWasm } from './stats-wasm.js';

export type OnnxStatsProvider = 'cpu' | 'cuda' | 'webgpu';

const ELEMENT: Readonly<Record<string, number>> = { float32: 4, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, bool: 1, complex64: 4, complex32: 2, float8_e4m3fn: 1, float8_e5m2: 1, float8_e4m3fnuz: 1, float8_e5m2fnuz: 1, qint8: 1, quint8: 1 };

interface GraphState { dtype: string; le: boolean; esize: number; hash: Hash | null; carry: Uint8Array | null; acc: Float64Array; hist: Float64Array }

/** Loads ONNX Runtime and builds a session on `provider`; throws when the provider is unavailable. */
export async function onnxStatsEngine(provider: OnnxStatsProvider): Promise<StatsEngine> {
  const ort = await import('onnxruntime-node');
  // Failed provider loads come back as errors; ORT's own log would repeat them on stderr.
  ort.env.logLevel = 'fatal';
  const session = await ort.InferenceSession.create(await statsGraphModel(), { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel: 4 });
  // A provider can load and still fail on first use (no adapter, missing kernels): warm it up.
  await session.run({ x: new ort.Tensor('float32', new Float32Array([1, -2, 0]), [3]) });
  const kernel = createStatsKernel({ createHash: (a) => createHash(a) }, buildF32StatsWasm());
  const graph = new Map<number, GraphState>();
  const onCpu = new Set<number>();

  async function run(st: GraphState, values: Float32Array): Promise<void> {
    if (values.length === 0) return;
    const out = await session.run({ x: new ort.Tensor('float32', values, [values.length]) });
    const v = (name: string): number => Number((out[name]!.data as Float64Array | Float32Array)[0]);
    const a = st.acc;
    a[ACC.count] = a[ACC.count]! + values.length;
    a[ACC.sum] = a[ACC.sum]! + v('sum');
    a[ACC.sumSquares] = a[ACC.sumSquares]! + v('sumsq');
    a[ACC.min] = Math.min(a[ACC.min]!, v('min'));
    a[ACC.max] = Math.max(a[ACC.max]!, v('max'));
    a[ACC.nan] = a[ACC.nan]! + v('nan');
    a[ACC.posInf] = a[ACC.posInf]! + v('posinf');
    a[ACC.negInf] = a[ACC.negInf]! + v('neginf');
    a[ACC.zeros] = a[ACC.zeros]! + v('zeros');
    const h = out['hist']!.data as Float64Array;
    for (let i = 0; i < RAW_BINS; i++) st.hist[i] = st.hist[i]! + h[i]!;
  }

  return {
    name: `onnx-${provider}`,
    begin(id, dtype, le, hash) {
      const esize = ELEMENT[dtype];
      if (esize === undefined) {
        onCpu.add(id);
        kernel.begin(id, dtype, le, hash);
        return;
      }
      const acc = new Float64Array(ACC_LENGTH);
      acc[ACC.min] = Infinity;
      acc[ACC.max] = -Infinity;
      acc[ACC.decoded] = 1;
      graph.set(id, { dtype, le, esize, hash: hash ? createHash('sha256') : null, carry: null, acc, hist: new Float64Array(RAW_BINS) });
    },
    async chunk(id, bytes) {
      if (onCpu.has(id)) {
        kernel.chunk(id, bytes);
        return;
      }
      const st = graph.get(id);
      if (!st || bytes.length === 0) return;
      st.hash?.update(bytes);
      let b = bytes;
      if (st.carry) {
        b = new Uint8Array(st.carry.length + bytes.length);
        b.set(st.carry);
        b.set(bytes, st.carry.length);
        st.carry = null;
      }
      const whole = b.length - (b.length % st.esize);
      if (whole < b.length) st.carry = new Uint8Array(b.subarray(whole)); // a copy, even of a Buffer
      const values = kernel.decodeF32(st.dtype, st.le, b.subarray(0, whole));
      if (values) await run(st, values);
    },
    async end(id): Promise<KernelResult> {
      if (onCpu.delete(id)) return kernel.end(id);
      const st = graph.get(id);
      graph.delete(id);
      if (!st) return { acc: new Float64Array(ACC_LENGTH), hist: new Float64Array(RAW_BINS), sha256: null };
      if (st.carry) st.acc[ACC.partialBytes] = st.carry.length;
      return { acc: st.acc, hist: st.hist, sha256: st.hash ? st.hash.digest('hex') : null };
    },
    async close() {
      await session.release();
    },
  };
}
