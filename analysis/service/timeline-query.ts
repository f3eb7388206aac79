/**
 * The Timeline view's data: detections per attack phase and DCGM telemetry aggregated into equal
 * time buckets between `from` and `to`, so both share one axis. Aggregation happens in SQLite
 * (GROUP BY bucket) so a case with hundreds of millions of samples returns a few thousand numbers.
 */
import type { Db } from '../store/case-store.js';
import type { Timeline, TimelineDetection, TimelineSeries } from '../../contract/types.js';
import type { ParsedArgs } from '../../contract/calls.js';
import { ATTACK_PHASES, OTHER_PHASE } from '../../contract/phases.js';

/** Fields drawn when the caller names none: utilisation, memory, and the exfiltration paths. */
export const DEFAULT_GPU_FIELDS = [
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_MEM_COPY_UTIL',
  'DCGM_FI_PROF_PCIE_TX_BYTES',
  'DCGM_FI_PROF_PCIE_RX_BYTES',
  'DCGM_FI_PROF_NVLINK_TX_BYTES',
] as const;

/** At most this many detections are drawn; the Events view lists the rest. */
const MAX_DETECTIONS = 20_000;

export function caseSpan(db: Db): { first: number | null; last: number | null } {
  const r = db
    .prepare(
      `SELECT MIN(t) AS first, MAX(t) AS last FROM (
         SELECT MIN(ts) AS t FROM events UNION ALL SELECT MAX(ts) FROM events
         UNION ALL SELECT MIN(ts) FROM gpu_samples UNION ALL SELECT MAX(ts) FROM gpu_samples)`,
    )
    .get() as { first: number | null; last: number | null };
  return r;
}

export function timeline(db: Db, q: ParsedArgs<'timeline.get'>): Timeline {
  const span = caseSpan(db);
  const from = q.from ?? span.first ?? 0;
  const to = Math.max(from, q.to ?? span.last ?? from);
  const n = q.buckets;
  const bucketUs = Math.max(1, Math.ceil((to - from + 1) / n));
  const buckets = Array.from({ length: n }, (_, i) => from + i * bucketUs);

  const detections = (
    db
      .prepare(
        `SELECT d.id, d.event_id AS eventId, d.ts, COALESCE(d.phase, d.family, '${OTHER_PHASE}') AS phase, d.severity, d.layer,
           COALESCE(d.rule_id, d.model, d.decision) AS rule, e.action, e.resource, COALESCE(d.job, e.job) AS job
         FROM detections d LEFT JOIN events e ON e.id = d.event_id
         WHERE d.ts BETWEEN ? AND ? AND d.decision <> 'clear'
         ORDER BY d.ts, d.id LIMIT ?`,
      )
      .all(from, to, MAX_DETECTIONS) as {
      id: number;
      eventId: number | null;
      ts: number;
      phase: string;
      severity: string;
      layer: number;
      rule: string;
      action: string | null;
      resource: string | null;
      job: string | null;
    }[]
  ).map(
    (d): TimelineDetection => ({
      id: d.id,
      eventId: d.eventId,
      ts: d.ts,
      phase: d.phase,
      severity: d.severity,
      layer: d.layer,
      job: d.job,
      label: [d.rule, d.action, d.resource].filter((x) => x).join(' · '),
    }),
  );
  const extra = [...new Set(detections.map((d) => d.phase))].filter((p) => !(ATTACK_PHASES as readonly string[]).includes(p)).sort();
  const phases = [...ATTACK_PHASES, ...extra.filter((p) => p !== OTHER_PHASE), ...(extra.includes(OTHER_PHASE) ? [OTHER_PHASE] : [])];

  const eventCounts = new Array<number>(n).fill(0);
  for (const r of db
    .prepare('SELECT CAST((ts - ?) / ? AS INTEGER) AS b, COUNT(*) AS c FROM events WHERE ts BETWEEN ? AND ? GROUP BY b')
    .iterate(from, bucketUs, from, to) as Iterable<{ b: number; c: number }>) {
    if (r.b >= 0 && r.b < n) eventCounts[r.b] = r.c;
  }

  const gpuFields = (db.prepare('SELECT DISTINCT field FROM gpu_series ORDER BY field').all() as { field: string }[]).map((r) => r.field);
  const wanted = (q.gpuFields ?? DEFAULT_GPU_FIELDS.filter((f) => gpuFields.includes(f))).filter((f) => gpuFields.includes(f));
  const gpu: TimelineSeries[] = wanted.map((field) => ({ field, mean: new Array(n).fill(null), max: new Array(n).fill(null) }));
  if (wanted.length > 0) {
    const byField = new Map(gpu.map((s) => [s.field, s]));
    const rows = db
      .prepare(
        `SELECT g.field AS field, CAST((s.ts - ?) / ? AS INTEGER) AS b, AVG(s.value) AS mean, MAX(s.value) AS mx
         FROM gpu_samples s JOIN gpu_series g ON g.id = s.series_id
         WHERE s.series_id IN (SELECT id FROM gpu_series WHERE field IN (${wanted.map(() => '?').join(',')}))
           AND s.ts BETWEEN ? AND ?
         GROUP BY g.field, b`,
      )
      .iterate(from, bucketUs, ...wanted, from, to) as Iterable<{ field: string; b: number; mean: number | null; mx: number | null }>;
    for (const r of rows) {
      const s = byField.get(r.field);
      if (!s || r.b < 0 || r.b >= n) continue;
      s.mean[r.b] = r.mean;
      s.max[r.b] = r.mx;
    }
  }
  return { from, to, bucketUs, buckets, phases, detections, eventCounts, gpu, gpuFields };
}
