/**
 * GPU telemetry windows of a case, per (job, node, gpu): one pass over the samples producing both
 * the per-field summaries the Layer-1 GPU rules read and the feature vectors of the Isolation
 * Forest (analysis/models/gpu-features.ts).
 *
 * The samples are read once in table order, as arrays, and folded into per-window accumulators:
 * no sample object is kept and no per-sample key string is built (a benchmark split holds ~240k
 * samples; building them as objects and grouping by string keys took about a third of the whole
 * cascade's time). What is computed is what `gpuWindows` computes over the same samples.
 */
import type { Db } from '../store/case-store.js';
import { GpuFeatureAccumulator, gpuFeatureFieldIndex, type GpuWindow as ModelWindow } from '../models/gpu-features.js';
import type { GpuFieldSummary, GpuWindow as RuleWindow } from './rules/gpu-window.js';

export const GPU_WINDOW_SECONDS = 60;

export interface CaseGpuWindow {
  rule: RuleWindow;
  model: ModelWindow;
}

interface SeriesInfo {
  group: number;
  field: string;
  /** gpuFeatureFieldIndex(field): -1 when the forest does not read it. */
  featureIndex: number;
}

interface Group {
  job: string | null;
  node: string | null;
  gpu: string | null;
  /** Windows by window number (start / width). */
  windows: Map<number, WindowAcc>;
}

interface WindowAcc {
  /** Samples of fields the forest reads: a window without one is not a window (as in gpuWindows). */
  modelSamples: number;
  features: GpuFeatureAccumulator;
  /** Per DCGM field (attacker-named: no prototype), running mean / max / min and count. */
  fields: Record<string, GpuFieldSummary & { n: number }>;
}

export function caseGpuWindows(db: Db, windowSeconds = GPU_WINDOW_SECONDS): CaseGpuWindow[] {
  const width = Math.max(1, Math.round(windowSeconds * 1e6));
  const groups: Group[] = [];
  const series = new Map<number, SeriesInfo>();
  const groupOf = new Map<string, number>();
  const seriesRows = db.prepare('SELECT id, node, gpu, job, field FROM gpu_series').iterate() as IterableIterator<{ id: number; node: string | null; gpu: string | null; job: string | null; field: string }>;
  for (const r of seriesRows) {
    const key = `${r.job ?? ''}\u0000${r.node ?? ''}\u0000${r.gpu ?? ''}`;
    let g = groupOf.get(key);
    if (g === undefined) {
      g = groups.length;
      groupOf.set(key, g);
      groups.push({ job: r.job, node: r.node, gpu: r.gpu, windows: new Map() });
    }
    series.set(r.id, { group: g, field: r.field, featureIndex: gpuFeatureFieldIndex(r.field) });
  }

  const samples = db.prepare('SELECT series_id, ts, value FROM gpu_samples WHERE value IS NOT NULL').raw(true).iterate() as IterableIterator<[number, number, number]>;
  for (const [sid, ts, value] of samples) {
    const s = series.get(sid);
    if (s === undefined || !Number.isFinite(ts)) continue;
    const no = Math.floor(ts / width);
    const windows = groups[s.group]!.windows;
    let w = windows.get(no);
    if (!w) windows.set(no, (w = { modelSamples: 0, features: new GpuFeatureAccumulator(), fields: Object.create(null) as WindowAcc['fields'] }));
    if (s.featureIndex >= 0) {
      w.modelSamples++;
      w.features.add(s.featureIndex, value);
    }
    const f = w.fields[s.field];
    if (!f) w.fields[s.field] = { mean: value, max: value, min: value, n: 1 };
    else {
      f.n++;
      f.mean += (value - f.mean) / f.n;
      if (value > f.max) f.max = value;
      if (value < f.min) f.min = value;
    }
  }

  const out: CaseGpuWindow[] = [];
  for (const g of groups) {
    for (const [no, w] of g.windows) {
      if (w.modelSamples === 0) continue;
      const start = no * width;
      const end = start + width;
      const fields: Record<string, GpuFieldSummary> = Object.create(null) as Record<string, GpuFieldSummary>;
      for (const name in w.fields) {
        const f = w.fields[name]!;
        fields[name] = { mean: f.mean, max: f.max, min: f.min };
      }
      out.push({
        model: { job: g.job, node: g.node, gpu: g.gpu, start, end, sampleCount: w.modelSamples, features: w.features.features() },
        rule: { job: g.job, node: g.node, gpu: g.gpu, start, end, fields },
      });
    }
  }
  // Key then time order, as gpuWindows returns them.
  out.sort((a, b) => cmp(a.model.job, b.model.job) || cmp(a.model.node, b.model.node) || cmp(a.model.gpu, b.model.gpu) || a.model.start - b.model.start);
  return out;
}

function cmp(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
