/**
 * How the service runs an ingest: behind an interface so the desktop shell and `mlshield serve`
 * run it in a worker thread (the UI thread / HTTP loop stays responsive) and tests run a fake.
 */
import { Worker } from 'node:worker_threads';

export interface IngestJob {
  bundlePath: string;
  casePath: string;
}

export interface RunnerProgress {
  phase: 'reading' | 'indexing';
  filesDone: number;
  currentFile: string;
  bytes: number;
  records: number;
  quarantined: number;
  rate: number;
  elapsedSeconds: number;
}

export interface IngestOutcome {
  events: number;
  gpuSamples: number;
  quarantined: number;
  seconds: number;
  sources: { path: string; kind: string; status: string; read: number; stored: number; quarantined: number; note?: string }[];
}

export interface IngestRunner {
  run(job: IngestJob, onProgress: (p: RunnerProgress) => void): Promise<IngestOutcome>;
}

/** Messages the worker (ingest-worker.ts) posts back. */
export type WorkerMessage =
  | { type: 'progress'; progress: RunnerProgress }
  | { type: 'done'; outcome: IngestOutcome }
  | { type: 'error'; message: string; code?: string };

/** An error carried over from the worker with its Node error code (ENOENT…) for plain wording. */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Runs each ingest in a fresh worker thread built from `workerUrl` (dist/cli/workbench-ingest-worker.js). */
export function workerIngestRunner(workerUrl: URL): IngestRunner {
  return {
    run(job, onProgress) {
      return new Promise<IngestOutcome>((resolve, reject) => {
        const worker = new Worker(workerUrl, { workerData: job });
        let settled = false;
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') onProgress(m.progress);
          else if (m.type === 'done') {
            settled = true;
            resolve(m.outcome);
          } else {
            settled = true;
            reject(new IngestError(m.message, m.code));
          }
        });
        worker.on('error', (err) => {
          if (!settled) reject(err);
          settled = true;
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new IngestError(`the ingest worker stopped unexpectedly (exit code ${code})`));
          settled = true;
        });
      });
    },
  };
}
