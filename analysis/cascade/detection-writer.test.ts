/** Detections are written in batches: every row arrives, in order, with its own fields, on a real case file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { beginAnalysisRun, DetectionWriter, JsonText } from './detection-writer.js';

describe('DetectionWriter', () => {
  it('stores every row in order, full batches and the rest, and replaces the previous run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-det-'));
    const store = CaseStore.open(join(dir, 'c.sqlite'));
    try {
      for (const n of [75, 3, 16, 0, 600]) {
        const runId = beginAnalysisRun(store.db, 'test', 'cpu');
        const w = new DetectionWriter(store.db, runId);
        for (let i = 0; i < n; i++) {
          w.add({
            eventId: null, job: `ml/job-${i}`, ts: 1000 + i, layer: i % 2 === 0 ? 1 : 2, ruleId: `R-${i}`, model: null, score: i / 100,
            decision: 'alert', phase: 'recon', severity: 'high', family: 'weight-exfil', reasoning: `because ${i}`, attrs: i % 3 === 0 ? new JsonText(`{"i":${i}}`) : { i },
          });
        }
        w.finish();
        const rows = store.db.prepare('SELECT job, ts, layer, rule_id, score, reasoning, attrs, run_id FROM detections ORDER BY id').all() as Record<string, unknown>[];
        expect(rows).toHaveLength(n);
        rows.forEach((r, i) => expect(r).toEqual({ job: `ml/job-${i}`, ts: 1000 + i, layer: i % 2 === 0 ? 1 : 2, rule_id: `R-${i}`, score: i / 100, reasoning: `because ${i}`, attrs: JSON.stringify({ i }), run_id: runId }));
        expect(w.count).toBe(n);
      }
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
