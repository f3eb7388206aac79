/**
 * The aligned histogram every tensor gets: signed octave bins |x| ∈ [2^e, 2^(e+1)) for
 * e = KMIN…KMAX, one underflow bin (|x| < 2^KMIN, zero included, both signs), and an overflow bin
 * per sign. The edges are the same for every tensor of every checkpoint, so two fingerprints are
 * compared bin by bin with no re-binning, and a tensor scaled ×1000 moves ten bins. The bins come
 * from the float32 sign and exponent bits (exact, no logarithm), so the CPU kernel and the ONNX
 * graph fill them identically.
 */
import { ACC, RAW_BINS } from './stats-kernel.js';
import type { TensorStatistics } from '../triage-result.js';

export const KMIN = -32;
export const KMAX = 31;
const OCTAVES = KMAX - KMIN + 1; // 64
/** neg overflow, 64 negative octaves (large → small), underflow, 64 positive octaves, pos overflow. */
export const HISTOGRAM_BINS = 2 * OCTAVES + 3;
export const UNDERFLOW_BIN = OCTAVES + 1;

/** Aligned bin of a raw (sign·256 + float32 exponent byte) bin. */
export function alignedBin(raw: number): number {
  const byte = raw & 255;
  const negative = raw >= 256;
  const e = byte - 127;
  if (byte === 0 || e < KMIN) return UNDERFLOW_BIN;
  if (e > KMAX) return negative ? 0 : HISTOGRAM_BINS - 1;
  return negative ? 1 + (KMAX - e) : UNDERFLOW_BIN + 1 + (e - KMIN);
}

const RAW_TO_ALIGNED: Int32Array = (() => {
  const t = new Int32Array(RAW_BINS);
  for (let r = 0; r < RAW_BINS; r++) t[r] = alignedBin(r);
  return t;
})();

export function collapseHistogram(raw: ArrayLike<number>): number[] {
  const out = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (let r = 0; r < RAW_BINS; r++) {
    const c = raw[r] ?? 0;
    if (c) out[RAW_TO_ALIGNED[r] as number]! += c;
  }
  return out;
}

/** Human label of an aligned bin, for the heatmap axis: `-[2^3,2^4)`, `|x|<2^-32`, `+≥2^32`. */
export function binLabel(i: number): string {
  if (i === UNDERFLOW_BIN) return `|x|<2^${KMIN}`;
  if (i === 0) return `-≥2^${KMAX + 1}`;
  if (i === HISTOGRAM_BINS - 1) return `+≥2^${KMAX + 1}`;
  const e = i < UNDERFLOW_BIN ? KMAX - (i - 1) : KMIN + (i - UNDERFLOW_BIN - 1);
  return `${i < UNDERFLOW_BIN ? '-' : '+'}[2^${e},2^${e + 1})`;
}

/**
 * The octave of the median |x| (NaN for an empty histogram): KMIN − 1 when the median is in the
 * underflow bin, KMAX + 1 in the overflow bins. `skipUnderflow`: the median of the non-zero values.
 */
export function medianMagnitudeOctave(hist: readonly number[], skipUnderflow = false): number {
  const mag = new Array<number>(OCTAVES + 2).fill(0); // [underflow, KMIN..KMAX, overflow]
  let total = 0;
  for (let i = 0; i < hist.length; i++) {
    if (skipUnderflow && i === UNDERFLOW_BIN) continue;
    const c = hist[i] ?? 0;
    total += c;
    mag[magnitudeIndex(i)]! += c;
  }
  if (total === 0) return NaN;
  let acc = 0;
  for (let m = 0; m < mag.length; m++) {
    acc += mag[m]!;
    if (acc * 2 >= total) return KMIN - 1 + m;
  }
  return KMAX + 1;
}

/** Elements whose octave is at least `octave` (|x| ≥ 2^octave), from the histogram. */
export function countAtOrAboveOctave(hist: readonly number[], octave: number): number {
  let n = 0;
  for (let i = 0; i < hist.length; i++) if (KMIN - 1 + magnitudeIndex(i) >= octave) n += hist[i] ?? 0;
  return n;
}

function magnitudeIndex(i: number): number {
  if (i === UNDERFLOW_BIN) return 0;
  if (i === 0 || i === HISTOGRAM_BINS - 1) return OCTAVES + 1;
  const e = i < UNDERFLOW_BIN ? KMAX - (i - 1) : KMIN + (i - UNDERFLOW_BIN - 1);
  return e - KMIN + 1;
}

/** Jensen–Shannon divergence (base 2, in [0, 1]) of two histograms on the same bins. */
export function jensenShannon(a: readonly number[], b: readonly number[]): number {
  let ta = 0, tb = 0;
  for (const x of a) ta += x;
  for (const x of b) tb += x;
  if (ta === 0 && tb === 0) return 0;
  if (ta === 0 || tb === 0) return 1;
  let d = 0;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const p = (a[i] ?? 0) / ta;
    const q = (b[i] ?? 0) / tb;
    const m = (p + q) / 2;
    if (p > 0) d += 0.5 * p * Math.log2(p / m);
    if (q > 0) d += 0.5 * q * Math.log2(q / m);
  }
  return Math.min(1, Math.max(0, d));
}

/** Statistics from a kernel (or ONNX) accumulator and its raw histogram. */
export function finalizeStats(acc: ArrayLike<number>, rawHist: ArrayLike<number>): TensorStatistics {
  const count = acc[ACC.count] ?? 0;
  const nan = acc[ACC.nan] ?? 0;
  const posInf = acc[ACC.posInf] ?? 0;
  const negInf = acc[ACC.negInf] ?? 0;
  const finite = count - nan - posInf - negInf;
  const sum = acc[ACC.sum] ?? 0;
  const sumSquares = acc[ACC.sumSquares] ?? 0;
  const min = finite > 0 ? (acc[ACC.min] ?? null) : null;
  const max = finite > 0 ? (acc[ACC.max] ?? null) : null;
  const mean = finite > 0 ? sum / finite : null;
  const variance = finite > 0 && mean !== null ? Math.max(0, sumSquares / finite - mean * mean) : null;
  const zeros = acc[ACC.zeros] ?? 0;
  return {
    count, finite, sum, sumSquares, nan, posInf, negInf, min, max,
    absMax: min !== null && max !== null ? Math.max(Math.abs(min), Math.abs(max)) : null,
    mean, std: variance === null ? null : Math.sqrt(variance), zeros, zeroShare: count > 0 ? zeros / count : 0,
    histogram: collapseHistogram(rawHist),
  };
}
