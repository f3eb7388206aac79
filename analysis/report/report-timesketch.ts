/**
 * The case's timeline as Timesketch JSONL (timesketch.org docs "Import from JSON/CSV"): one JSON
 * object per line with the three required fields `message`, `datetime` (ISO 8601) and
 * `timestamp_desc`, plus `timestamp` (microseconds, which Timesketch also reads) and flat extra
 * fields. Every event is one line carrying its detections (severity, phase, rule ids) and the
 * analyst's annotation (`tag`, starred, comment); GPU-window alerts, which have no event, are lines
 * of their own. A generator: a case with millions of events is written without holding it in memory.
 */
import type { Db } from '../store/case-store.js';
import { isoFromMicros } from './report-time.js';

export const TIMESKETCH_REQUIRED_FIELDS = ['message', 'datetime', 'timestamp_desc'] as const;
const MAX_MESSAGE_CHARS = 2000;

/** What the timestamp of each source means (Timesketch's `timestamp_desc`). */
const TIMESTAMP_DESC: Readonly<Record<string, string>> = {
  k8s_audit: 'API Request Received',
  app: 'Application Event Logged',
  dcgm: 'Telemetry Sampled',
};

interface EventRow {
  id: number; ts: number; source: string; actor: string | null; action: string; resource: string | null; namespace: string | null;
  job: string | null; node: string | null; gpu: string | null; outcome: string | null; line: number; source_path: string; source_sha256: string | null;
  det_count: number | null; det_severity: number | null; det_phases: string | null; det_rules: string | null; det_families: string | null;
  starred: number | null; tags: string | null; comment: string | null;
}

const SEVERITY_NAMES = ['info', 'low', 'medium', 'high', 'critical'];
const SEVERITY_RANK_SQL = "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END";

function tagsOf(text: string | null): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string').slice(0, 32) : [];
  } catch {
    return [];
  }
}

const splitList = (s: string | null): string[] => (s ? [...new Set(s.split('\u001f'))].filter(Boolean).sort() : []);

export function* timesketchLines(db: Db): Generator<string> {
  const events = db
    .prepare(
      `SELECT e.id, e.ts, e.source, e.actor, e.action, e.resource, e.namespace, e.job, e.node, e.gpu, e.outcome, e.line,
              s.path AS source_path, s.sha256 AS source_sha256,
              d.n AS det_count, d.sev AS det_severity, d.phases AS det_phases, d.rules AS det_rules, d.families AS det_families,
              a.starred, a.tags, a.comment
       FROM events e JOIN sources s ON s.id = e.source_id
       LEFT JOIN (SELECT event_id, COUNT(*) AS n, MAX(${SEVERITY_RANK_SQL}) AS sev,
                         group_concat(phase, char(31)) AS phases, group_concat(COALESCE(rule_id, model), char(31)) AS rules,
                         group_concat(family, char(31)) AS families
                  FROM detections WHERE decision = 'alert' AND event_id IS NOT NULL GROUP BY event_id) d ON d.event_id = e.id
       LEFT JOIN annotations a ON a.target_kind = 'event' AND a.target_id = e.id
       ORDER BY e.ts, e.id`,
    )
    .iterate() as Iterable<EventRow>;
  for (const e of events) {
    const what = [e.actor ?? '—', e.action, e.resource ?? ''].join(' ').trim();
    const alerts = e.det_count ?? 0;
    const message = (alerts > 0 ? `[${SEVERITY_NAMES[e.det_severity ?? 0]} alert] ` : '') + what + (e.outcome ? ` → ${e.outcome}` : '');
    const tags = tagsOf(e.tags);
    if (e.starred === 1) tags.push('starred');
    if (alerts > 0) tags.push('mlshield-alert');
    const line: Record<string, unknown> = {
      message: message.slice(0, MAX_MESSAGE_CHARS),
      datetime: isoFromMicros(e.ts),
      timestamp: e.ts,
      timestamp_desc: TIMESTAMP_DESC[e.source] ?? 'Event Recorded',
      data_type: `mlshield:event:${e.source}`,
      event_id: e.id,
      source_type: e.source,
      actor: e.actor,
      action: e.action,
      resource: e.resource,
      namespace: e.namespace,
      job: e.job,
      node: e.node,
      gpu: e.gpu,
      outcome: e.outcome,
      source_file: e.source_path,
      source_line: e.line,
      source_sha256: e.source_sha256,
    };
    if (alerts > 0) {
      line['mlshield_alerts'] = alerts;
      line['mlshield_severity'] = SEVERITY_NAMES[e.det_severity ?? 0];
      line['mlshield_phases'] = splitList(e.det_phases).join(', ');
      line['mlshield_rules'] = splitList(e.det_rules).join(', ');
      line['mlshield_families'] = splitList(e.det_families).join(', ');
    }
    if (tags.length > 0) line['tag'] = tags;
    if (e.comment) line['comment'] = e.comment;
    yield JSON.stringify(line) + '\n';
  }
  const windows = db
    .prepare(
      `SELECT id, ts, job, rule_id, model, severity, phase, family, reasoning FROM detections
       WHERE event_id IS NULL AND decision = 'alert' ORDER BY ts, id`,
    )
    .iterate() as Iterable<{ id: number; ts: number; job: string | null; rule_id: string | null; model: string | null; severity: string; phase: string | null; family: string | null; reasoning: string | null }>;
  for (const d of windows) {
    yield JSON.stringify({
      message: `[${d.severity} alert] ${d.reasoning ?? d.rule_id ?? d.model ?? 'GPU telemetry window'}`.slice(0, MAX_MESSAGE_CHARS),
      datetime: isoFromMicros(d.ts),
      timestamp: d.ts,
      timestamp_desc: 'Telemetry Window End',
      data_type: 'mlshield:detection:gpu_window',
      detection_id: d.id,
      job: d.job,
      mlshield_rules: d.rule_id ?? d.model,
      mlshield_severity: d.severity,
      mlshield_phases: d.phase,
      mlshield_families: d.family,
      tag: ['mlshield-alert'],
    }) + '\n';
  }
}
