/**
 * Read-side of the seed's monitoring API (`/api/v1/stats`, `/api/v1/alerts`, `/api/v1/events`
 * GET) and the Prometheus exposition (`/metrics`, text format 0.0.4).
 */
import type { Db } from '../store/case-store.js';

export interface CascadeStats {
  events: number;
  eventsBySource: Record<string, number>;
  gpuSamples: number;
  quarantined: number;
  detections: number;
  detectionsByLayer: Record<string, number>;
  alerts: number;
}

export function cascadeStats(db: Db): CascadeStats {
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  const bySource = db.prepare('SELECT source, COUNT(*) AS n FROM events GROUP BY source').all() as { source: string; n: number }[];
  const byLayer = db.prepare('SELECT layer, COUNT(*) AS n FROM detections GROUP BY layer').all() as { layer: number; n: number }[];
  return {
    events: bySource.reduce((a, r) => a + r.n, 0),
    eventsBySource: Object.fromEntries(bySource.map((r) => [r.source, r.n])),
    gpuSamples: count('SELECT COUNT(*) AS n FROM gpu_samples'),
    quarantined: count('SELECT COUNT(*) AS n FROM quarantine'),
    detections: byLayer.reduce((a, r) => a + r.n, 0),
    detectionsByLayer: Object.fromEntries(byLayer.map((r) => [`layer${r.layer}`, r.n])),
    alerts: count("SELECT COUNT(*) AS n FROM detections WHERE decision IN ('alert','escalate')"),
  };
}

export interface AlertRow {
  id: number;
  eventId: number | null;
  ts: string;
  job: string | null;
  layer: number;
  rule: string | null;
  severity: string;
  phase: string | null;
  family: string | null;
  decision: string;
  reasoning: string | null;
}

export function recentAlerts(db: Db, limit: number): AlertRow[] {
  const rows = db
    .prepare(
      `SELECT id, event_id AS eventId, ts, job, layer, COALESCE(rule_id, model) AS rule, severity, phase, family, decision, reasoning
       FROM detections WHERE decision IN ('alert','escalate') ORDER BY ts DESC, id DESC LIMIT ?`,
    )
    .all(limit) as (Omit<AlertRow, 'ts'> & { ts: number })[];
  return rows.map((r) => ({ ...r, ts: new Date(Math.floor(r.ts / 1000)).toISOString() }));
}

export function recentAppEvents(db: Db, limit: number): { id: number; ts: string; action: string; resource: string | null; job_id: string | null; user: string | null }[] {
  const rows = db
    .prepare(`SELECT id, ts, action, resource, job, actor FROM events WHERE source = 'app' ORDER BY ts DESC, id DESC LIMIT ?`)
    .all(limit) as { id: number; ts: number; action: string; resource: string | null; job: string | null; actor: string | null }[];
  return rows.map((r) => ({ id: r.id, ts: new Date(Math.floor(r.ts / 1000)).toISOString(), action: r.action, resource: r.resource, job_id: r.job, user: r.actor }));
}

/** Label values escaped per the exposition format: backslash, double quote and newline. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Prometheus text exposition format 0.0.4 (HELP, TYPE, then samples). */
export function prometheusText(stats: CascadeStats | null, extra: { requests: number; wsClients: number }): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [Record<string, string>, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels).map(([k, x]) => `${k}="${label(x)}"`).join(',');
      out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 0}`);
    }
  };
  metric('mlshield_up', 'gauge', 'Whether a case file is open (1) or not (0).', [[{}, stats ? 1 : 0]]);
  metric('mlshield_http_requests_total', 'counter', 'HTTP requests served by mlshield serve.', [[{}, extra.requests]]);
  metric('mlshield_websocket_clients', 'gauge', 'Connected WebSocket clients.', [[{}, extra.wsClients]]);
  if (stats) {
    metric('mlshield_events', 'gauge', 'Events in the open case, by source.', Object.entries(stats.eventsBySource).map(([s, n]) => [{ source: s }, n]));
    metric('mlshield_gpu_samples', 'gauge', 'DCGM samples in the open case.', [[{}, stats.gpuSamples]]);
    metric('mlshield_quarantined_records', 'gauge', 'Records quarantined in the open case.', [[{}, stats.quarantined]]);
    metric('mlshield_detections', 'gauge', 'Detections in the open case, by cascade layer.', Object.entries(stats.detectionsByLayer).map(([l, n]) => [{ layer: l }, n]));
    metric('mlshield_alerts', 'gauge', 'Detections that alert or escalate.', [[{}, stats.alerts]]);
  }
  return out.join('\n') + '\n';
}
