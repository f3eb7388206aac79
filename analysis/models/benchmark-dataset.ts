/**
 * Turns a generated benchmark (`mlshield generate --benchmark`: <dir>/<split>/bundle and
 * <dir>/<split>/labels.json) into training data: each split is ingested through the real
 * pipeline into <dir>/<split>/case.sqlite, events grouped by trajectory in time order, and labels
 * joined by (file, line) — the provenance every stored event keeps. Labels become targets only.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { caseEvents, type CaseEvent } from '../cascade/case-events.js';
import { parseGroundTruth, resolveGroundTruth, type GroundTruth } from '../cascade/ground-truth.js';
import { parseTimestampMicros, type GpuSample } from '../core/records.js';
import { gpuWindows } from './gpu-features.js';
import type { TrainingData, TrajectorySample } from './sequence-dataset.js';

export const BENCHMARK_SPLITS = ['train', 'validation', 'test', 'heldout'] as const;
export type BenchmarkSplit = (typeof BENCHMARK_SPLITS)[number];

export interface SplitCase {
  split: BenchmarkSplit;
  casePath: string;
  labelsPath: string;
}

/** Ingests a split's bundle into its case file unless a complete case is already there. */
export async function ingestSplit(dir: string, split: BenchmarkSplit, log: (s: string) => void = () => undefined): Promise<SplitCase | null> {
  const bundle = join(dir, split, 'bundle');
  const labelsPath = join(dir, split, 'labels.json');
  if (!existsSync(bundle) || !existsSync(labelsPath)) return null;
  const casePath = join(dir, split, 'case.sqlite');
  const done = `${casePath}.complete`;
  if (!existsSync(done)) {
    for (const s of ['', '-wal', '-shm']) rmSync(casePath + s, { force: true });
    const store = CaseStore.open(casePath);
    const r = await ingestBundle(await openBundleRoot(bundle), store);
    store.close();
    log(`${split}: ingested ${r.events} events, ${r.gpuSamples} GPU samples (${r.seconds.toFixed(1)} s)`);
    rmSync(done, { force: true });
    (await import('node:fs')).writeFileSync(done, '');
  }
  return { split, casePath, labelsPath };
}

/** Trajectory samples of one split's case, labelled from its ground truth. */
export function splitSamples(c: SplitCase): TrajectorySample[] {
  const gt = parseGroundTruth(readFileSync(c.labelsPath, 'utf8'), c.labelsPath);
  const store = CaseStore.open(c.casePath, { readonly: true });
  try {
    const malicious = new Set<number>();
    for (const t of resolveGroundTruth(store.db, gt)) for (const id of t.malicious_events.keys()) malicious.add(id);
    const byJob = new Map<string, CaseEvent[]>();
    for (const e of caseEvents(store.db)) {
      if (e.job === null) continue;
      let list = byJob.get(e.job);
      if (!list) byJob.set(e.job, (list = []));
      list.push(e);
    }
    const gpuByJob = new Map<string, GpuSample[]>();
    const rows = store.db
      .prepare('SELECT ts, node, gpu, job, field, value FROM gpu_samples_view WHERE job IS NOT NULL AND value IS NOT NULL')
      .iterate() as IterableIterator<{ ts: number; node: string | null; gpu: string | null; job: string; field: string; value: number }>;
    for (const r of rows) {
      let list = gpuByJob.get(r.job);
      if (!list) gpuByJob.set(r.job, (list = []));
      list.push({ ts: r.ts, node: r.node, gpu: r.gpu, job: r.job, field: r.field, value: r.value });
    }
    const badWindows = maliciousGpuIntervals(gt);
    const samples: TrajectorySample[] = [];
    for (const [job, events] of byJob) {
      const windows = gpuWindows(gpuByJob.get(job) ?? [], 60).map((w) => ({
        features: w.features,
        malicious: badWindows.some((b) => b.node === w.node && b.gpu === w.gpu && b.start < w.end && w.start < b.end),
      }));
      samples.push({ job, group: c.split, events, labels: events.map((e) => malicious.has(e.id)), gpuWindows: windows });
    }
    return samples.sort((a, b) => (a.job < b.job ? -1 : a.job > b.job ? 1 : 0));
  } finally {
    store.close();
  }
}

function maliciousGpuIntervals(gt: GroundTruth): { node: string; gpu: string; start: number; end: number }[] {
  const out: { node: string; gpu: string; start: number; end: number }[] = [];
  for (const t of gt.trajectories) {
    for (const w of t.gpuWindows ?? []) {
      const start = parseTimestampMicros(w.start);
      const end = parseTimestampMicros(w.end);
      if (start !== null && end !== null) out.push({ node: w.hostname, gpu: String(w.gpu), start, end });
    }
  }
  return out;
}

/** All splits of a benchmark folder as TrainingData (held-out variants when present). */
export async function loadBenchmark(dir: string, log: (s: string) => void = () => undefined): Promise<TrainingData> {
  const get = async (split: BenchmarkSplit): Promise<TrajectorySample[] | null> => {
    const c = await ingestSplit(dir, split, log);
    return c ? splitSamples(c) : null;
  };
  const train = await get('train');
  const validation = await get('validation');
  const test = await get('test');
  if (!train || !validation || !test) throw new Error(`${dir} is not a benchmark folder: it needs train/, validation/ and test/ each with bundle/ and labels.json`);
  const heldOut = await get('heldout');
  return heldOut ? { train, validation, test, heldOut } : { train, validation, test };
}
