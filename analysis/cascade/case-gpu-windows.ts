/**
 * GPU telemetry windows of a case, per (job, node, gpu): one pass over the samples producing both
 * the per-field summaries the Layer-1 GPU rules read and the feature vectors of the Isolation
 * Forest (analysis/models/gpu-features.ts).
 */
import type { Db } from '../store/case-store.js';
import type { GpuSample } from '../core/records.js';
import { gpuWindows, type GpuWindow as ModelWindow } from '../models/gpu-features.js';
import type { GpuFieldSummary, GpuWindow as RuleWindow } from './rules/gpu-window.js';

export const GPU_WINDOW_SECONDS = 60;

export interface CaseGpuWindow {
  rule: RuleWindow;
  model: ModelWindow;
}

export function caseGpuWindows(db: Db, windowSeconds = GPU_WINDOW_SECONDS): CaseGpuWindow[] {
  const rows = db
    .prepare('SELECT ts, node, gpu, job, field, value FROM gpu_samples_view WHERE value IS NOT NULL ORDER BY ts')
    .iterate() as IterableIterator<{ ts: number; node: string | null; gpu: string | null; job: string | null; field: string; value: number }>;
  const samples: GpuSample[] = [];
  for (const r of rows) samples.push({ ts: r.ts, node: r.node, gpu: r.gpu, job: r.job, field: r.field, value: r.value });
  const width = Math.round(windowSeconds * 1e6);
  const model = gpuWindows(samples, windowSeconds);
  // Field summaries over the same [start, end) windows and keys.
  const summaries = new Map<string, Record<string, GpuFieldSummary & { n: number }>>();
  for (const s of samples) {
    if (s.value === null) continue;
    const start = Math.floor(s.ts / width) * width;
    const key = `${s.job ?? ''}\u0000${s.node ?? ''}\u0000${s.gpu ?? ''}\u0000${start}`;
    let fields = summaries.get(key);
    if (!fields) summaries.set(key, (fields = {}));
    const f = fields[s.field];
    if (!f) fields[s.field] = { mean: s.value, max: s.value, min: s.value, n: 1 };
    else {
      f.n++;
      f.mean += (s.value - f.mean) / f.n;
      if (s.value > f.max) f.max = s.value;
      if (s.value < f.min) f.min = s.value;
    }
  }
  return model.map((m) => {
    const key = `${m.job ?? ''}\u0000${m.node ?? ''}\u0000${m.gpu ?? ''}\u0000${m.start}`;
    const fields: Record<string, GpuFieldSummary> = {};
    for (const [name, f] of Object.entries(summaries.get(key) ?? {})) fields[name] = { mean: f.mean, max: f.max, min: f.min };
    return { model: m, rule: { job: m.job, node: m.node, gpu: m.gpu, start: m.start, end: m.end, fields } };
  });
}
