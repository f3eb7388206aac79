/**
 * Test support: a fake IngestRunner that writes a small, realistic case through the real
 * CaseStore writer (audit events, app events, DCGM samples, one quarantined line) instead of
 * parsing a bundle, so the service is tested without the ingest readers.
 */
import { CaseStore } from '../store/case-store.js';
import { rebuildSearchIndex } from './search-index.js';
import type { IngestOutcome, IngestRunner } from './ingest-runner.js';
import { analysisRunView, type StoredRunSummary } from './analysis-view.js';

export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0) * 1000;
const MIN = 60_000_000;

export function fakeIngestRunner(opts: { events?: number; fail?: Error; failAnalysis?: Error } = {}): IngestRunner {
  return {
    /** Stores a run summary of the cascade's shape (no rules or models: the service is under test). */
    async analyze(job, onProgress) {
      if (opts.failAnalysis) throw opts.failAnalysis;
      onProgress({ stage: 'layer 1', done: 0, total: 1, elapsedSeconds: 0 });
      const store = CaseStore.open(job.casePath);
      try {
        const events = (store.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
        // Not beginAnalysisRun: it clears detections, and the fake ingest's detections must stay.
        const runId = Number(store.db.prepare("INSERT INTO analysis_runs(started_at, tool_version, device) VALUES (datetime('now'), 'test', 'cpu')").run().lastInsertRowid);
        // Typed as the cascade writes it, so a new summary field fails to compile here until the fake has it.
        const summary: StoredRunSummary = {
          runId, events, layers: { l1Cleared: 0.9, l2Reached: 0.08, l3Reached: 0.02 },
          counts: {
            l1: { cleared: 45, alert: 2, escalate: 1, pass: 2, passCleared: 0 },
            l2: { reached: 4, cleared: 2, alert: 1, uncertain: 1, unavailable: 0 },
            l3: { reached: 1, alert: 0, cleared: 0, open: 1, notRun: 1, fromCache: 0, inputTokens: 0, outputTokens: 0 },
            gpu: { windows: 0, ruleAlerts: 0, forestAlerts: 0, unscored: 0, unscoredReason: null },
          },
          timing: { l1MicrosPerEvent: 1, l2MillisPerEvent: 1, l3SecondsPerEvent: 0, totalSeconds: 0.01 },
          providers: { lstm: 'cpu', iforest: 'cpu' }, judge: { model: null, status: 'not run: no API key' }, detections: 2,
        };
        store.db.prepare("UPDATE analysis_runs SET finished_at = datetime('now'), summary = ? WHERE id = ?").run(JSON.stringify(summary), runId);
        return { run: analysisRunView(summary), flaggedTrajectories: 2, checkpointsTriaged: 0 };
      } finally {
        store.close();
      }
    },
    async run(job, onProgress) {
      if (opts.fail) throw opts.fail;
      const store = CaseStore.open(job.casePath);
      try {
        const audit = store.addSource({ path: 'audit/audit.log', kind: 'k8s_audit', bytes: 1000, sha256: 'a'.repeat(64), gzipped: false });
        const w = store.openRecordWriter(audit);
        const n = opts.events ?? 50;
        for (let i = 0; i < n; i++) {
          const verb = i % 10 === 3 ? 'get' : 'list';
          const resource = i % 10 === 3 ? 'secrets/aws-credentials' : 'pods';
          const raw = JSON.stringify({ kind: 'Event', verb, user: { username: i % 2 ? 'alice' : 'system:serviceaccount:ml:trainer' }, objectRef: { resource }, requestURI: `/api/v1/namespaces/ml/${resource}?n=${i}` });
          w.currentRaw = raw;
          w.currentLine = i + 1;
          w.event({
            ts: T0 + i * MIN, source: 'k8s_audit', actor: i % 2 ? 'alice' : 'system:serviceaccount:ml:trainer', action: verb, resource,
            namespace: 'ml', job: i % 3 === 0 ? 'train-42' : 'train-7', node: 'gpu-node-1', gpu: null, outcome: '200', attrs: { i }, line: i + 1, offset: i * 100,
          });
        }
        w.quarantine({ line: n + 1, offset: n * 100, reason: 'invalid JSON: unexpected end', head: '{"kind":"Ev' });
        w.finish();
        store.finishSource(audit, w.counts, 'ok', null);
        onProgress({ phase: 'reading', filesDone: 1, currentFile: 'audit/audit.log', bytes: 1000, records: n + 1, quarantined: 1, rate: 1000, elapsedSeconds: 0.1 });

        const dcgm = store.addSource({ path: 'dcgm/scrape.prom', kind: 'dcgm_prom', bytes: 500, sha256: 'b'.repeat(64), gzipped: false });
        const g = store.openRecordWriter(dcgm);
        for (let i = 0; i < 20; i++) {
          for (const gpu of ['0', '1']) {
            g.gpuRecord([{ ts: T0 + i * MIN * 2, node: 'gpu-node-1', gpu, job: 'train-42', field: 'DCGM_FI_DEV_GPU_UTIL', value: gpu === '0' ? 50 : 100 }], i + 1, 0);
          }
        }
        g.finish();
        store.finishSource(dcgm, g.counts, 'ok', null);
        store.addSource({ path: 'ckpt/model.pt', kind: 'checkpoint_pytorch_zip', bytes: 2048, sha256: 'c'.repeat(64), gzipped: false });
        store.finalizeIngest();
        // Two detections on the secret reads so the Timeline has lanes to draw.
        const secretIds = store.db.prepare("SELECT id, ts, job FROM events WHERE resource = 'secrets/aws-credentials' ORDER BY ts").all() as { id: number; ts: number; job: string }[];
        const ins = store.db.prepare(
          `INSERT INTO detections(event_id, job, ts, layer, rule_id, score, decision, phase, severity, family, reasoning, run_id)
           VALUES (?, ?, ?, 1, 'secret-read', 1, 'alert', ?, 'high', 'weight_exfiltration', 'reads a cloud credential', 1)`,
        );
        secretIds.forEach((e, i) => ins.run(e.id, e.job, e.ts, i === 0 ? 'recon' : 'staging'));
        onProgress({ phase: 'indexing', filesDone: 3, currentFile: 'building the search index', bytes: 1500, records: n + 21, quarantined: 1, rate: 1000, elapsedSeconds: 0.2 });
        rebuildSearchIndex(store);
        const outcome: IngestOutcome = {
          events: n, gpuSamples: 40, quarantined: 1, seconds: 0.2,
          sources: [
            { path: 'audit/audit.log', kind: 'k8s_audit', status: 'ok', read: n + 1, stored: n, quarantined: 1 },
            { path: 'dcgm/scrape.prom', kind: 'dcgm_prom', status: 'ok', read: 40, stored: 40, quarantined: 0 },
            { path: 'ckpt/model.pt', kind: 'checkpoint_pytorch_zip', status: 'ok', read: 0, stored: 0, quarantined: 0 },
          ],
        };
        return outcome;
      } finally {
        store.close();
      }
    },
  };
}
