/**
 * Checkpoint triage results in a case (tables `checkpoints`, `findings`, `tensors`; the
 * `checkpoints.report` column holds one artifact's TriageResult JSON, triage-result.ts) turned into
 * report entries with a weight-anomaly heatmap: one row per tensor, one column per aligned
 * log-magnitude bin (tensors/histogram.ts), cropped to the bins any shown tensor uses. Empty tables
 * give an empty list; a damaged report column gives a checkpoint without a heatmap, never a throw.
 */
import type { Db } from '../store/case-store.js';
import { binLabel } from '../triage/tensors/histogram.js';
import type { CheckpointEntry, HeatmapEntry } from './forensic-report.js';
import { isSeverity } from '../triage/severity.js';

/** Rows of the heatmap at most (tensors with the widest magnitude spread first). */
export const HEATMAP_MAX_TENSORS = 48;
const MAX_REPORT_CHARS = 64 << 20;

interface TensorHistogram {
  name: string;
  histogram: number[];
}

export function reportCheckpoints(db: Db): CheckpointEntry[] {
  const rows = db
    .prepare('SELECT id, path, format, sha256, verdict, report, triaged_at FROM checkpoints ORDER BY path, id')
    .all() as { id: number; path: string; format: string; sha256: string; verdict: string; report: string; triaged_at: string }[];
  const findingsOf = db.prepare('SELECT finding_id AS id, severity, message, location FROM findings WHERE checkpoint_id = ? ORDER BY id');
  const tensorsOf = db.prepare('SELECT name, histogram FROM tensors WHERE checkpoint_id = ? ORDER BY rowid');
  return rows.map((r) => {
    const parsed = parseReport(r.report);
    let findings = findingsOf.all(r.id) as CheckpointEntry['findings'];
    if (findings.length === 0 && parsed) findings = findingsFromReport(parsed);
    // The report's severity scale is triage/severity.ts; a value outside it (an edited case) reads as info.
    findings = findings.map((f) => (isSeverity(f.severity) ? f : { ...f, severity: 'info' }));
    let hists = (tensorsOf.all(r.id) as { name: string; histogram: string | null }[]).flatMap((t) => {
      const h = parseHistogram(t.histogram);
      return h ? [{ name: t.name, histogram: h }] : [];
    });
    if (hists.length === 0 && parsed) hists = histogramsFromReport(parsed);
    return {
      id: r.id,
      path: r.path,
      format: r.format,
      sha256: r.sha256,
      verdict: r.verdict,
      triagedAt: r.triaged_at,
      findings,
      tensors: hists.length,
      heatmap: weightHeatmap(hists),
    };
  });
}

function parseReport(text: string): Record<string, unknown> | null {
  if (text.length > MAX_REPORT_CHARS) return null;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function parseHistogram(v: unknown): number[] | null {
  let arr: unknown = v;
  if (typeof v === 'string') {
    try {
      arr = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(arr) || arr.length === 0 || arr.length > 4096) return null;
  const out: number[] = [];
  for (const x of arr) out.push(typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);
  return out;
}

function findingsFromReport(r: Record<string, unknown>): CheckpointEntry['findings'] {
  const list = Array.isArray(r['findings']) ? (r['findings'] as unknown[]) : [];
  const out: CheckpointEntry['findings'] = [];
  for (const f of list.slice(0, 10_000)) {
    if (!f || typeof f !== 'object') continue;
    const o = f as Record<string, unknown>;
    if (typeof o['id'] !== 'string' || typeof o['message'] !== 'string') continue;
    out.push({ id: o['id'], severity: typeof o['severity'] === 'string' ? o['severity'] : 'info', message: o['message'], location: typeof o['location'] === 'string' ? o['location'] : null });
  }
  return out;
}

function histogramsFromReport(r: Record<string, unknown>): TensorHistogram[] {
  const list = Array.isArray(r['tensors']) ? (r['tensors'] as unknown[]) : [];
  const out: TensorHistogram[] = [];
  for (const t of list.slice(0, 100_000)) {
    if (!t || typeof t !== 'object') continue;
    const o = t as Record<string, unknown>;
    const stats = o['stats'] && typeof o['stats'] === 'object' ? (o['stats'] as Record<string, unknown>) : null;
    const h = stats ? parseHistogram(stats['histogram']) : null;
    if (typeof o['name'] === 'string' && h) out.push({ name: o['name'], histogram: h });
  }
  return out;
}

/** Number of distinct bins a tensor uses: the scaled or corrupted ones spread widest. */
function spread(h: readonly number[]): number {
  let n = 0;
  for (const c of h) if (c > 0) n++;
  return n;
}

export function weightHeatmap(tensors: readonly TensorHistogram[]): HeatmapEntry | null {
  if (tensors.length === 0) return null;
  const shown = [...tensors]
    .map((t, i) => ({ t, i, s: spread(t.histogram) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, HEATMAP_MAX_TENSORS)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.t);
  const width = Math.max(...shown.map((t) => t.histogram.length));
  let lo = width;
  let hi = -1;
  for (const t of shown) {
    t.histogram.forEach((c, i) => {
      if (c > 0) {
        lo = Math.min(lo, i);
        hi = Math.max(hi, i);
      }
    });
  }
  if (hi < 0) return null;
  const cells = shown.map((t) => {
    let max = 0;
    for (let i = lo; i <= hi; i++) max = Math.max(max, t.histogram[i] ?? 0);
    const row: number[] = [];
    for (let i = lo; i <= hi; i++) {
      const c = t.histogram[i] ?? 0;
      row.push(max > 0 && c > 0 ? Math.round((Math.log1p(c) / Math.log1p(max)) * 1000) / 1000 : 0);
    }
    return row;
  });
  const binLabels: string[] = [];
  for (let i = lo; i <= hi; i++) binLabels.push(binLabel(i));
  return { tensors: shown.map((t) => t.name), binLabels, cells };
}
