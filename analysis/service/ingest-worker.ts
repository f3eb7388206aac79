/**
 * Worker-thread entry that ingests one bundle into one case file and posts progress (see
 * ingest-runner.ts). Built to dist/cli/workbench-ingest-worker.js; the case file is opened by this thread's
 * own SQLite connection (WAL lets the service keep reading meanwhile).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { rebuildSearchIndex } from './search-index.js';
import type { IngestJob, WorkerMessage } from './ingest-runner.js';

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

async function run(job: IngestJob): Promise<void> {
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

run(workerData as IngestJob).catch((err: unknown) => {
  const e = err as { message?: unknown; code?: unknown };
  post({ type: 'error', message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) });
});
