/**
 * Worker-thread entry for the workbench's long jobs (see ingest-runner.ts): ingest one bundle into
 * one case file, or analyse a case (checkpoint triage, then the cascade). Built to
 * dist/cli/workbench-ingest-worker.js; the case file is opened by this thread's own SQLite
 * connection (WAL lets the service keep reading meanwhile).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { BUNDLE_PATH_META } from '../triage/case-triage.js';
import { rebuildSearchIndex } from './search-index.js';
import { analyzeCase } from './case-analysis.js';
import type { AnalysisJob, IngestJob, WorkerJob, WorkerMessage } from './ingest-runner.js';

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

async function ingest(job: IngestJob): Promise<void> {
  const root = await openBundleRoot(job.bundlePath);
  const store = CaseStore.open(job.casePath);
  try {
    let last = { filesDone: 0, bytes: 0, records: 0, quarantined: 0, rate: 0, elapsedSeconds: 0 };
    const result = await ingestBundle(root, store, {
      progressIntervalMs: 150,
      onProgress: (p) => {
        last = p;
        post({ type: 'progress', progress: { phase: 'reading', ...p } });
      },
    });
    // Checkpoint triage reads the bytes from the bundle later (as `mlshield ingest` records it).
    store.setMeta(BUNDLE_PATH_META, job.bundlePath);
    post({ type: 'progress', progress: { ...last, phase: 'indexing', currentFile: 'building the search index' } });
    rebuildSearchIndex(store);
    post({
      type: 'done',
      outcome: {
        events: result.events,
        gpuSamples: result.gpuSamples,
        quarantined: result.quarantined,
        seconds: result.seconds,
        sources: result.sources.map((s) => ({
          path: s.path, kind: s.kind, status: s.status, read: s.read, stored: s.stored, quarantined: s.quarantined,
          ...(s.note ? { note: s.note } : {}),
        })),
      },
    });
  } finally {
    store.close();
  }
}

async function analyze(job: AnalysisJob): Promise<void> {
  const store = CaseStore.open(job.casePath);
  try {
    let lastPost = 0;
    const outcome = await analyzeCase(store, (p) => {
      // Layer 1 reports every 20,000 events; still, never flood the main thread.
      const now = performance.now();
      if (now - lastPost < 100 && p.done !== 0) return;
      lastPost = now;
      post({ type: 'analysis-progress', progress: p });
    }, job.judge);
    post({ type: 'analysis-done', outcome });
  } finally {
    store.close();
  }
}

const job = workerData as WorkerJob;
(job.mode === 'analyze' ? analyze(job) : ingest(job)).catch((err: unknown) => {
  const e = err as { message?: unknown; code?: unknown };
  post({ type: 'error', message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) });
});
