/**
 * How the service runs an ingest: behind an interface so the desktop shell and `mlshield serve`
 * run it in a worker thread (the UI thread / HTTP loop stays responsive) and tests run a fake.
 */
import { Worker } from 'node:worker_threads';
import type { AnalysisRunView } from '../../contract/types.js';

export interface IngestJob {
  bundlePath: string;
  casePath: string;
}

/** The judge's model and key from the app's settings (null: the environment, then the default, decide). */
export interface JudgeJobSettings {
  apiKey: string | null;
  model: string | null;
}

export interface AnalysisJob {
  casePath: string;
  judge?: JudgeJobSettings;
}

/** What the worker is asked to do: ingest a bundle, or analyse the case (triage + cascade). */
export type WorkerJob = ({ mode: 'ingest' } & IngestJob) | ({ mode: 'analyze' } & AnalysisJob);

export interface AnalysisStageProgress {
  stage: string;
  done: number;
  total: number;
  elapsedSeconds: number;
}

export interface AnalysisOutcome {
  run: AnalysisRunView;
  flaggedTrajectories: number;
  checkpointsTriaged: number;
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
  /** Checkpoint triage and the detection cascade over the case (the bundle path is in its meta). */
  analyze(job: AnalysisJob, onProgress: (p: AnalysisStageProgress) => void): Promise<AnalysisOutcome>;
}

/** Messages the worker (ingest-worker.ts) posts back. */
export type WorkerMessage =
  | { type: 'progress'; progress: RunnerProgress }
  | { type: 'analysis-progress'; progress: AnalysisStageProgress }
  | { type: 'done'; outcome: IngestOutcome }
  | { type: 'analysis-done'; outcome: AnalysisOutcome }
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
      return inWorker<IngestOutcome>(workerUrl, { mode: 'ingest', ...job }, (m) => {
        if (m.type === 'progress') onProgress(m.progress);
        return m.type === 'done' ? { outcome: m.outcome } : null;
      });
    },
    analyze(job, onProgress) {
      return inWorker<AnalysisOutcome>(workerUrl, { mode: 'analyze', ...job }, (m) => {
        if (m.type === 'analysis-progress') onProgress(m.progress);
        return m.type === 'analysis-done' ? { outcome: m.outcome } : null;
      });
    },
  };
}

/** One job in a fresh worker; `onMessage` returns the outcome when a message ends the job. */
function inWorker<T>(workerUrl: URL, job: WorkerJob, onMessage: (m: WorkerMessage) => { outcome: T } | null): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerUrl, { workerData: job });
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      if (m.type === 'error') {
        settled = true;
        reject(new IngestError(m.message, m.code));
        return;
      }
      const end = onMessage(m);
      if (end) {
        settled = true;
        resolve(end.outcome);
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
}
