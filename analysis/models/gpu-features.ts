/**
 * GPU telemetry window features for the Layer-2 Isolation Forest: for one (job, node, gpu) over one
 * time window, the mean / max / standard deviation of nine dcgm-exporter fields (names as
 * dcgm-exporter's default counters CSV spells them), scaled to about [0, 1], plus a
 * utilisation-versus-tensor-pipe mismatch (busy SMs with idle tensor pipes: copying or casting
 * weights, not training). Telemetry only: nothing here reads events or labels.
 */
import type { GpuSample } from '../core/records.js';

interface FieldSpec {
  name: string;
  field: string;
  scale: (v: number) => number;
}

const log1pOver = (max: number) => {
  const k = 1 / Math.log1p(max);
  return (v: number) => Math.log1p(Math.max(0, v)) * k;
};
const over = (max: number) => (v: number) => v / max;

const FIELDS: readonly FieldSpec[] = [
  { name: 'util', field: 'DCGM_FI_DEV_GPU_UTIL', scale: over(100) },
  { name: 'fb_used', field: 'DCGM_FI_DEV_FB_USED', scale: log1pOver(196_608) }, // MiB; 192 GiB
  { name: 'mem_copy', field: 'DCGM_FI_DEV_MEM_COPY_UTIL', scale: over(100) },
  { name: 'pcie_tx', field: 'DCGM_FI_PROF_PCIE_TX_BYTES', scale: log1pOver(1e11) }, // bytes/s
  { name: 'pcie_rx', field: 'DCGM_FI_PROF_PCIE_RX_BYTES', scale: log1pOver(1e11) },
  { name: 'nvlink_tx', field: 'DCGM_FI_PROF_NVLINK_TX_BYTES', scale: log1pOver(1e12) },
  { name: 'power', field: 'DCGM_FI_DEV_POWER_USAGE', scale: over(1000) }, // W
  { name: 'enc', field: 'DCGM_FI_DEV_ENC_UTIL', scale: over(100) },
  { name: 'tensor', field: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', scale: (v) => v }, // ratio 0..1
];
const FIELD_INDEX = new Map(FIELDS.map((f, i) => [f.field, i]));
const TENSOR = FIELDS.findIndex((f) => f.name === 'tensor');
const UTIL = FIELDS.findIndex((f) => f.name === 'util');

export const GPU_FEATURES: readonly string[] = [
  ...FIELDS.flatMap((f) => [`${f.name}_mean`, `${f.name}_max`, `${f.name}_std`]),
  'tensor_reported',
  'util_tensor_mismatch',
];
export const GPU_FEATURE_COUNT = GPU_FEATURES.length;
/** The telemetry fields read, for callers that filter samples before windowing. */
export const GPU_FEATURE_FIELDS: readonly string[] = FIELDS.map((f) => f.field);

/** Index of a DCGM field among the features' fields, or -1 when the features do not read it. */
export function gpuFeatureFieldIndex(field: string): number {
  return FIELD_INDEX.get(field) ?? -1;
}

/**
 * Version of how raw values become the scaled values the features summarise (FIELDS' fields and
 * scales, clampScaled). Window summaries stored in a case file (store/gpu-window-parts.ts) hold
 * accumulator state over scaled values: a case whose stored version differs is summarised again
 * from its samples. gpu-features.test.ts pins the scaled values, so a change here without a new
 * version fails a test.
 */
export const GPU_FEATURE_SCALE_VERSION = 1;
/** Length of an accumulator's state (`state` / `mergeState`): count, sum, sum of squares, max per field. */
export const GPU_FEATURE_STATE_LENGTH = 4 * FIELDS.length;

/** The scaled value of field `k` (gpuFeatureFieldIndex) the features summarise. */
export function gpuFeatureScaled(k: number, v: number): number {
  return clampScaled(FIELDS[k]!.scale(v));
}

/**
 * Running per-field count, sum, sum of squares and maximum of one window's scaled values, in one
 * array of plain numbers (a window is built sample by sample without keeping the samples; typed
 * arrays, each its own backing store, cost more to allocate than the fold itself over tens of
 * thousands of windows). The state of accumulators over parts of a window merges into the state
 * over the whole (`mergeState`); every number in it is finite (scaled values are clamped, and the
 * maximum of a field with no value is 0, unused).
 */
export class GpuFeatureAccumulator {
  /** count[k] at k, sum at n + k, sum of squares at 2n + k, max at 3n + k (n fields). */
  private readonly s: number[] = new Array<number>(GPU_FEATURE_STATE_LENGTH).fill(0);

  /** Adds one value of field `k` (gpuFeatureFieldIndex); non-finite values are skipped. */
  add(k: number, v: number): void {
    if (!Number.isFinite(v)) return;
    const x = clampScaled(FIELDS[k]!.scale(v));
    const s = this.s;
    const n = FIELDS.length;
    if (s[k] === 0 || x > s[3 * n + k]!) s[3 * n + k] = x;
    s[k]!++;
    s[n + k]! += x;
    s[2 * n + k]! += x * x;
  }

  /** Back to no value (an accumulator reused window after window). */
  reset(): void {
    this.s.fill(0);
  }

  /** The state: GPU_FEATURE_STATE_LENGTH finite numbers (a copy). */
  state(): number[] {
    return this.s.slice();
  }

  /** Adds the state of another accumulator over other samples of the window (`state()`, from `at` of `state`). */
  mergeState(state: ArrayLike<number>, at = 0): void {
    const s = this.s;
    const n = FIELDS.length;
    for (let k = 0; k < n; k++) {
      const c = state[at + k]!;
      if (!(c > 0)) continue;
      const m = state[at + 3 * n + k]!;
      if (s[k] === 0 || m > s[3 * n + k]!) s[3 * n + k] = m;
      s[k]! += c;
      s[n + k]! += state[at + n + k]!;
      s[2 * n + k]! += state[at + 2 * n + k]!;
    }
  }

  features(): number[] {
    const n = FIELDS.length;
    const out: number[] = new Array<number>(GPU_FEATURE_COUNT).fill(0);
    const s = this.s;
    for (let k = 0; k < n; k++) {
      const c = s[k]!;
      if (c === 0) continue;
      const mean = s[n + k]! / c;
      out[3 * k] = mean;
      out[3 * k + 1] = s[3 * n + k]!;
      out[3 * k + 2] = Math.sqrt(Math.max(0, s[2 * n + k]! / c - mean * mean));
    }
    const tensorReported = s[TENSOR]! > 0;
    out[3 * n] = tensorReported ? 1 : 0;
    // Busy GPU, idle tensor pipes. Without the tensor field there is nothing to compare: 0.
    out[3 * n + 1] = tensorReported ? out[3 * UTIL]! * (1 - Math.min(1, out[3 * TENSOR]!)) : 0;
    return out;
  }
}

/**
 * Features of one window: `samples` are the DCGM samples of one (job, node, gpu) inside the window.
 * Blank samples (value null) and non-finite values are skipped; a field with no sample gives zeros.
 */
export function gpuWindowFeatures(samples: readonly GpuSample[]): number[] {
  const acc = new GpuFeatureAccumulator();
  for (const s of samples) {
    const v = s.value;
    if (v === null) continue;
    const k = FIELD_INDEX.get(s.field);
    if (k !== undefined) acc.add(k, v);
  }
  return acc.features();
}

/** Scaled values are kept in a sane range: a hostile exporter can write 1e308 or negative counters. */
function clampScaled(x: number): number {
  return x < -1 ? -1 : x > 10 ? 10 : x;
}

export interface GpuWindow {
  job: string | null;
  node: string | null;
  gpu: string | null;
  /** Window start and end (µs, [start, end)). */
  start: number;
  end: number;
  sampleCount: number;
  features: number[];
}

/**
 * Cuts samples into fixed windows per (job, node, gpu), aligned to multiples of `windowSeconds`
 * since the epoch, and returns each window that holds at least `minSamples` samples, in key then
 * time order.
 */
export function gpuWindows(samples: Iterable<GpuSample>, windowSeconds = 60, minSamples = 1): GpuWindow[] {
  const width = Math.max(1, Math.round(windowSeconds * 1e6));
  const groups = new Map<string, { job: string | null; node: string | null; gpu: string | null; start: number; samples: GpuSample[] }>();
  for (const s of samples) {
    if (!Number.isFinite(s.ts) || !FIELD_INDEX.has(s.field)) continue;
    const start = Math.floor(s.ts / width) * width;
    const key = `${s.job ?? ''}\u0000${s.node ?? ''}\u0000${s.gpu ?? ''}\u0000${start}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { job: s.job, node: s.node, gpu: s.gpu, start, samples: [] }));
    g.samples.push(s);
  }
  const out: GpuWindow[] = [];
  for (const g of groups.values()) {
    if (g.samples.length < minSamples) continue;
    out.push({ job: g.job, node: g.node, gpu: g.gpu, start: g.start, end: g.start + width, sampleCount: g.samples.length, features: gpuWindowFeatures(g.samples) });
  }
  out.sort((a, b) => compareGpuKeys(a, b) || a.start - b.start);
  return out;
}

/** Order of (job, node, gpu) keys the windows come in (null as ''). */
export function compareGpuKeys(a: { job: string | null; node: string | null; gpu: string | null }, b: { job: string | null; node: string | null; gpu: string | null }): number {
  return cmp(a.job, b.job) || cmp(a.node, b.node) || cmp(a.gpu, b.gpu);
}

function cmp(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
