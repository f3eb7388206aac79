/** Read-side summary of a case file: what the demo, the CLI and the Overview show first. */
import type { Db } from './case-store.js';

export interface CaseSummary {
  sources: { path: string; kind: string; status: string; read: number; stored: number; quarantined: number; note: string | null }[];
  events: number;
  eventsBySource: Record<string, number>;
  gpuSamples: number;
  gpuSeries: number;
  quarantined: number;
  quarantineReasons: { reason: string; count: number }[];
  firstTs: number | null;
  lastTs: number | null;
  trajectories: number;
  topTrajectories: { job: string; events: number; firstTs: number; lastTs: number; actors: number }[];
  checkpoints: { path: string; kind: string; bytes: number; sha256: string | null }[];
}

export function summarizeCase(db: Db, topN = 15): CaseSummary {
  const sources = db
    .prepare(
      `SELECT path, kind, status, records_read AS read, records_stored AS stored, records_quarantined AS quarantined, note
       FROM sources ORDER BY id`,
    )
    .all() as CaseSummary['sources'];
  const bySource = db.prepare('SELECT source, COUNT(*) AS n FROM events GROUP BY source').all() as { source: string; n: number }[];
  const span = db
    .prepare(
      `SELECT MIN(t) AS first, MAX(t) AS last FROM (
         SELECT MIN(ts) AS t FROM events UNION ALL SELECT MAX(ts) FROM events
         UNION ALL SELECT MIN(ts) FROM gpu_samples UNION ALL SELECT MAX(ts) FROM gpu_samples)`,
    )
    .get() as { first: number | null; last: number | null };
  // Reasons are grouped on their first clause so "invalid JSON at position 12" and "…13" count together.
  const reasons = db
    .prepare(
      `SELECT CASE WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1) ELSE reason END AS reason,
              COUNT(*) AS count FROM quarantine GROUP BY 1 ORDER BY count DESC LIMIT 10`,
    )
    .all() as CaseSummary['quarantineReasons'];
  const trajectories = (db.prepare('SELECT COUNT(DISTINCT job) AS n FROM events WHERE job IS NOT NULL').get() as { n: number }).n;
  const top = db
    .prepare(
      `SELECT job, COUNT(*) AS events, MIN(ts) AS firstTs, MAX(ts) AS lastTs, COUNT(DISTINCT actor) AS actors
       FROM events WHERE job IS NOT NULL GROUP BY job ORDER BY events DESC LIMIT ?`,
    )
    .all(topN) as CaseSummary['topTrajectories'];
  const checkpoints = db
    .prepare("SELECT path, kind, bytes, sha256 FROM sources WHERE kind LIKE 'checkpoint_%' AND status = 'ok' ORDER BY path")
    .all() as CaseSummary['checkpoints'];
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  return {
    sources,
    events: bySource.reduce((a, r) => a + r.n, 0),
    eventsBySource: Object.fromEntries(bySource.map((r) => [r.source, r.n])),
    gpuSamples: count('SELECT COUNT(*) AS n FROM gpu_samples'),
    gpuSeries: count('SELECT COUNT(*) AS n FROM gpu_series'),
    quarantined: count('SELECT COUNT(*) AS n FROM quarantine'),
    quarantineReasons: reasons,
    firstTs: span.first,
    lastTs: span.last,
    trajectories,
    topTrajectories: top,
    checkpoints,
  };
}
