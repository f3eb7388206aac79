/**
 * Compares a checkpoint's fingerprint with a reference's: tensors missing or added, shape and dtype
 * changes, and for tensors whose bytes differ (SHA-256), how: NaN/Inf that were not there, a
 * magnitude range off by an order of magnitude or more (W×1000 moves absMax ×1000), a value
 * distribution that diverges on the aligned bins (Jensen–Shannon), or — bytes differ, statistics
 * close — a targeted edit such as one changed row, pinned to its tensor by its hash.
 */
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import type { Fingerprint, TensorFingerprint } from './fingerprint.js';
import { jensenShannon } from './histogram.js';

/** absMax ratio at or beyond which (or its inverse) the range has shifted. */
export const RANGE_RATIO = 10;
/** Jensen–Shannon divergence (bits) above which the distribution has shifted. */
export const JSD_SHIFT = 0.1;
const MAX_LISTED = 200;

export const DIFF_STATUSES = ['identical', 'modified', 'missing', 'extra', 'shape-changed', 'dtype-changed'] as const;
export type DiffStatus = (typeof DIFF_STATUSES)[number];

export interface TensorDiff {
  name: string;
  status: DiffStatus;
  /** Jensen–Shannon divergence of the aligned histograms (modified tensors). */
  jsd?: number;
  /** absMax / reference absMax. */
  rangeRatio?: number;
  /** (mean − reference mean) / reference std. */
  meanShift?: number;
}

export interface Comparison {
  reference: { path: string; sha256: string; format: string };
  identical: number;
  modified: number;
  missing: number;
  extra: number;
  diffs: TensorDiff[];
  findings: Finding[];
}

function ratio(a: number | null, b: number | null): number | undefined {
  if (a === null || b === null) return undefined;
  if (b === 0) return a === 0 ? 1 : Infinity;
  return a / b;
}

function describe(d: TensorDiff): string {
  const parts: string[] = [];
  if (d.rangeRatio !== undefined) parts.push(`absMax ×${d.rangeRatio.toPrecision(3)}`);
  if (d.jsd !== undefined) parts.push(`JS divergence ${d.jsd.toFixed(4)}`);
  if (d.meanShift !== undefined) parts.push(`mean shift ${d.meanShift.toFixed(3)} σ`);
  return parts.join(', ');
}

function modifiedFinding(name: string, cur: TensorFingerprint, ref: TensorFingerprint, d: TensorDiff): Finding {
  if (cur.nan + cur.inf > 0 && ref.nan + ref.inf === 0) {
    return triageFinding('COMPARE_NONFINITE', `${name}: ${cur.nan} NaN and ${cur.inf} Inf where the reference has none (${describe(d)})`, name);
  }
  const r = d.rangeRatio;
  if (r !== undefined && (r >= RANGE_RATIO || r <= 1 / RANGE_RATIO)) {
    return triageFinding('COMPARE_RANGE', `${name}: magnitude range changed ${r >= 1 ? '×' + r.toPrecision(3) : '÷' + (1 / r).toPrecision(3)} (${describe(d)})`, name);
  }
  if (d.jsd !== undefined && d.jsd >= JSD_SHIFT) {
    return triageFinding('COMPARE_DISTRIBUTION', `${name}: value distribution diverges from the reference (${describe(d)})`, name);
  }
  return triageFinding('COMPARE_MODIFIED', `${name}: bytes differ from the reference (SHA-256 ${cur.sha256?.slice(0, 12) ?? '?'}… vs ${ref.sha256?.slice(0, 12) ?? '?'}…) while the statistics stay close (${describe(d)}): a targeted edit`, name);
}

export function compareFingerprints(current: Fingerprint, reference: Fingerprint): Comparison {
  const refByName = new Map<string, TensorFingerprint>();
  for (const t of reference.tensors) if (!refByName.has(t.name)) refByName.set(t.name, t);
  const curNames = new Set<string>();
  const out: Comparison = {
    reference: { path: reference.source.path, sha256: reference.source.sha256, format: reference.source.format },
    identical: 0, modified: 0, missing: 0, extra: 0, diffs: [], findings: [],
  };
  const push = (f: Finding): void => {
    if (out.findings.length < MAX_LISTED) out.findings.push(f);
  };
  for (const cur of current.tensors) {
    if (curNames.has(cur.name)) continue;
    curNames.add(cur.name);
    const ref = refByName.get(cur.name);
    if (!ref) {
      out.extra++;
      out.diffs.push({ name: cur.name, status: 'extra' });
      push(triageFinding('COMPARE_EXTRA', `${cur.name} (${cur.dtype} [${cur.shape.join(', ')}]) is not in the reference`, cur.name));
      continue;
    }
    if (cur.shape.length !== ref.shape.length || cur.shape.some((s, i) => s !== ref.shape[i])) {
      out.modified++;
      out.diffs.push({ name: cur.name, status: 'shape-changed' });
      push(triageFinding('COMPARE_SHAPE', `${cur.name}: shape [${cur.shape.join(', ')}], reference [${ref.shape.join(', ')}]`, cur.name));
      continue;
    }
    if (cur.dtype !== ref.dtype) {
      out.modified++;
      out.diffs.push({ name: cur.name, status: 'dtype-changed' });
      push(triageFinding('COMPARE_DTYPE', `${cur.name}: dtype ${cur.dtype}, reference ${ref.dtype}`, cur.name));
      continue;
    }
    if (cur.sha256 !== null && cur.sha256 === ref.sha256) {
      out.identical++;
      out.diffs.push({ name: cur.name, status: 'identical' });
      continue;
    }
    out.modified++;
    const d: TensorDiff = { name: cur.name, status: 'modified' };
    if (cur.histogram && ref.histogram) d.jsd = jensenShannon(cur.histogram, ref.histogram);
    const r = ratio(cur.absMax, ref.absMax);
    if (r !== undefined) d.rangeRatio = r;
    if (cur.mean !== null && ref.mean !== null && ref.std !== null && ref.std > 0) d.meanShift = (cur.mean - ref.mean) / ref.std;
    out.diffs.push(d);
    push(modifiedFinding(cur.name, cur, ref, d));
  }
  for (const ref of reference.tensors) {
    if (curNames.has(ref.name)) continue;
    curNames.add(ref.name);
    out.missing++;
    out.diffs.push({ name: ref.name, status: 'missing' });
    push(triageFinding('COMPARE_MISSING', `${ref.name} (${ref.dtype} [${ref.shape.join(', ')}]) of the reference is missing`, ref.name));
  }
  const unlisted = out.modified + out.missing + out.extra - out.findings.length;
  if (unlisted > 0) out.findings.push(triageFinding('COMPARE_MODIFIED', `${unlisted} more differing tensors not listed (${out.modified} modified, ${out.missing} missing, ${out.extra} extra in all)`));
  return out;
}
