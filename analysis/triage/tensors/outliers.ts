/**
 * Value findings over a checkpoint's tensors: non-finite values (counted apart, so a NaN never
 * hides a maximum), a few values thousands of times the tensor's median magnitude, a tensor whose
 * magnitude stands far above the model's other tensors of the same role (same name suffix and
 * rank: every `*.weight` matrix, every `*.bias`), and all-zero or constant tensors. Robust
 * statistics only (medians of the aligned histogram, median absolute deviation across tensors),
 * so one poisoned tensor cannot move its own yardstick.
 */
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import type { TriageTensor } from '../triage-result.js';
import { countAtOrAboveOctave, medianMagnitudeOctave } from './histogram.js';

/** Values this many octaves above the median non-zero magnitude (≥ 2^12 = 4096×) are outliers… */
export const OUTLIER_OCTAVES = 12;
/** …when they are at most this share of the tensor (more is a distribution, not outliers). */
const OUTLIER_MAX_SHARE = 0.01;
const MIN_OUTLIER_COUNT = 64;
/** Role outliers: at least this many octaves (32×) above the role's median absMax… */
export const ROLE_MIN_OCTAVES = 5;
/** …and this many robust standard deviations (1.4826 · MAD) of log2 absMax. */
const ROLE_Z = 6;
const ROLE_MIN_GROUP = 4;

const FLOAT_DTYPES = new Set(['float32', 'float16', 'bfloat16', 'float64', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'complex64', 'complex128', 'complex32']);

export function isFloatDtype(dtype: string): boolean {
  return FLOAT_DTYPES.has(dtype);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** `weight/2`: the last name segment and the rank. */
export function tensorRole(t: Pick<TriageTensor, 'name' | 'shape'>): string {
  return `${t.name.slice(t.name.lastIndexOf('.') + 1)}/${t.shape.length}`;
}

export function tensorFindings(tensors: readonly TriageTensor[]): Finding[] {
  const out: Finding[] = [];
  const roles = new Map<string, { t: TriageTensor; v: number }[]>();
  for (const t of tensors) {
    const s = t.stats;
    if (!s) continue;
    const nonFinite = s.nan + s.posInf + s.negInf;
    if (nonFinite > 0) {
      out.push(triageFinding(t.constant && s.nan === 0 ? 'TENSOR_INFINITE_CONSTANT' : 'TENSOR_NONFINITE', `${t.name}: ${s.nan} NaN, ${s.posInf} +Inf, ${s.negInf} -Inf among ${s.count} values (finite range ${s.min} … ${s.max})`, t.name));
    }
    if (!isFloatDtype(t.dtype) || s.finite < 2) continue;
    if (s.zeros === s.count) {
      const matrix = t.shape.length >= 2 && s.count >= 1024;
      out.push(triageFinding(matrix ? 'TENSOR_ALL_ZERO_MATRIX' : 'TENSOR_ALL_ZERO', `${t.name}: all ${s.count} values are zero`, t.name));
      continue;
    }
    if (s.min === s.max && nonFinite === 0) {
      out.push(triageFinding('TENSOR_CONSTANT', `${t.name}: all ${s.count} values are ${s.min}`, t.name));
      continue;
    }
    if (s.finite >= MIN_OUTLIER_COUNT) {
      const med = medianMagnitudeOctave(s.histogram, true);
      const n = Number.isFinite(med) ? countAtOrAboveOctave(s.histogram, med + OUTLIER_OCTAVES) : 0;
      if (n > 0 && n <= OUTLIER_MAX_SHARE * s.finite) {
        out.push(triageFinding('TENSOR_OUTLIER_VALUES', `${t.name}: ${n} value(s) at least 2^${OUTLIER_OCTAVES}× the median non-zero magnitude (~2^${med}); absMax ${s.absMax}`, t.name));
      }
    }
    if (s.absMax !== null && s.absMax > 0 && s.count >= 16) {
      const key = tensorRole(t);
      const list = roles.get(key) ?? [];
      list.push({ t, v: Math.log2(s.absMax) });
      roles.set(key, list);
    }
  }
  for (const [role, list] of roles) {
    if (list.length < ROLE_MIN_GROUP) continue;
    const m = median(list.map((x) => x.v));
    const mad = median(list.map((x) => Math.abs(x.v - m))) * 1.4826;
    for (const { t, v } of list) {
      if (v - m >= Math.max(ROLE_MIN_OCTAVES, ROLE_Z * mad)) {
        out.push(triageFinding('TENSOR_OUTLIER_ROLE', `${t.name}: absMax ${t.stats!.absMax} is ${(2 ** (v - m)).toFixed(0)}× the median absMax of the ${list.length} ${role.replace('/', ' tensors of rank ')}`, t.name));
      }
    }
  }
  return out;
}
