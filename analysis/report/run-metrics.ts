/**
 * Ground-truth metrics (ML-EIR@0/@5, detection gap, damage prevented) stored on the analysis run
 * they score, so a report can show them later without the labels. A real incident has no labels:
 * its runs carry no `metrics` and the report says so instead of inventing numbers.
 */
import type { Db } from '../store/case-store.js';
import type { CascadeMetrics } from '../cascade/cascade-metrics.js';

export function storeRunMetrics(db: Db, runId: number, metrics: CascadeMetrics): void {
  db.prepare("UPDATE analysis_runs SET summary = json_set(COALESCE(summary, '{}'), '$.metrics', json(?)) WHERE id = ?").run(
    JSON.stringify(metrics, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
    runId,
  );
}
