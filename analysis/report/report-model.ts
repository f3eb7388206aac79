/**
 * Reads a case file into one ForensicReport (forensic-report.ts): sources, the cascade run and
 * its funnel, the attack timeline per phase, alerts with their raw record and `file:line`,
 * checkpoint findings with the weight heatmap (report-checkpoints.ts), the judge's reasoning,
 * analyst annotations and the chain of custody. Every format renders from this object, so the
 * numbers in HTML, PDF, JSON and SARIF are the same numbers. Bounded: at most `maxAlerts` alerts
 * and `maxRawBytes` of each raw record are copied (totals are always exact).
 */
import type { Db } from '../store/case-store.js';
import { summarizeCase } from '../store/case-summary.js';
import { flaggedTrajectories } from '../cascade/cascade-metrics.js';
import { ATTACK_PHASES } from '../cascade/taxonomy.js';
import type {
  AlertEntry, AnnotationEntry, CustodyEntry, ForensicReport, JudgementEntry, PhaseLane, ReportCascade, ReportMetrics, ReportSummary, ReportTimeline, SourceEntry,
} from './forensic-report.js';
import { REPORT_FORMAT_VERSION, REPORT_SCHEMA_ID } from './forensic-report.js';
import { reportCheckpoints } from './report-checkpoints.js';
import { isoFromMicros } from './report-time.js';
import { isSeverity } from '../triage/severity.js';

export interface ReportOptions {
  now?: Date;
  /** Alerts listed in full (default 5,000); the rest are counted in `alertsTotal`. */
  maxAlerts?: number;
  /** Bytes of each raw record copied into the report (default 4,096). */
  maxRawBytes?: number;
  /** Buckets of the timeline axis (default 120). */
  timelineBuckets?: number;
}

const SEVERITY_RANK_SQL = "CASE d.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END";

export function buildForensicReport(db: Db, custody: CustodyEntry, opts: ReportOptions = {}): ForensicReport {
  const now = opts.now ?? new Date();
  const sources = readSources(db);
  const timeline = readTimeline(db, opts.timelineBuckets ?? 120);
  const cascade = readCascade(db);
  const checkpoints = reportCheckpoints(db);
  const alertsTotal = count(db, "SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert'");
  const alerts = readAlerts(db, opts.maxAlerts ?? 5000, opts.maxRawBytes ?? 4096);
  const judgements = readJudgements(db);
  const annotations = readAnnotations(db);
  const summary = readSummary(db, sources, timeline, alertsTotal, checkpoints.length, checkpoints.reduce((a, c) => a + c.findings.length, 0), annotations.length);
  const title = `Forensic report${summary.incidentId ? ` — ${summary.incidentId}` : ''}`;
  return {
    $schema: REPORT_SCHEMA_ID,
    formatVersion: REPORT_FORMAT_VERSION,
    title,
    generatedAt: now.toISOString(),
    summary,
    sources,
    timeline,
    cascade: cascade?.run ?? null,
    metrics: cascade?.metrics ?? null,
    alerts,
    alertsTotal,
    checkpoints,
    judgements,
    annotations,
    custody,
  };
}

function count(db: Db, sql: string): number {
  return (db.prepare(sql).get() as { n: number }).n;
}

function readSources(db: Db): SourceEntry[] {
  return db
    .prepare(
      `SELECT id, path, kind, bytes, sha256, status, note, records_read AS read, records_stored AS stored, records_quarantined AS quarantined
       FROM sources ORDER BY id`,
    )
    .all() as SourceEntry[];
}

function manifestFacts(db: Db): { incidentId: string | null; cluster: string | null } {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'manifest'").get() as { value: string } | undefined;
  if (!row) return { incidentId: null, cluster: null };
  try {
    const m = JSON.parse(row.value) as Record<string, unknown>;
    const str = (v: unknown): string | null => (typeof v === 'string' && v.length <= 256 ? v : null);
    return { incidentId: str(m['incident_id'] ?? m['incidentId']), cluster: str(m['cluster']) };
  } catch {
    return { incidentId: null, cluster: null };
  }
}

function readSummary(
  db: Db, sources: SourceEntry[], timeline: ReportTimeline, alerts: number, checkpoints: number, checkpointFindings: number, annotations: number,
): ReportSummary {
  const s = summarizeCase(db, 0);
  const { incidentId, cluster } = manifestFacts(db);
  const families = db
    .prepare("SELECT family, COUNT(*) AS alerts FROM detections WHERE decision = 'alert' AND family IS NOT NULL GROUP BY family ORDER BY alerts DESC, family")
    .all() as { family: string; alerts: number }[];
  const detections = count(db, 'SELECT COUNT(*) AS n FROM detections');
  const escalations = count(db, "SELECT COUNT(*) AS n FROM detections WHERE decision = 'escalate'");
  const first = s.firstTs === null ? null : isoFromMicros(s.firstTs);
  const last = s.lastTs === null ? null : isoFromMicros(s.lastTs);
  const flagged = timeline.trajectories.length;
  const top = families[0];
  const headline =
    `${s.events} events from ${sources.length} input files` +
    (first && last ? ` between ${first} and ${last}` : '') +
    `; ${s.quarantined} records quarantined. The cascade raised ${alerts} alerts on ${flagged} trajectories` +
    (top ? `, most of them ${top.family} (${top.alerts})` : '') +
    `; ${checkpoints} checkpoints triaged with ${checkpointFindings} findings.`;
  return {
    incidentId,
    cluster,
    events: s.events,
    eventsBySource: s.eventsBySource,
    gpuSamples: s.gpuSamples,
    sources: sources.length,
    sourcesRefused: sources.filter((x) => x.status !== 'ok').length,
    quarantined: s.quarantined,
    quarantineReasons: s.quarantineReasons,
    firstTs: first,
    lastTs: last,
    trajectories: s.trajectories,
    flaggedTrajectories: flagged,
    detections,
    alerts,
    escalations,
    families,
    checkpoints,
    checkpointFindings,
    annotations,
    headline,
  };
}

/** Kill-chain phases first (taxonomy.ts order), then any other phase by first alert, 'other' last. */
function phaseOrder(a: { phase: string; first: number }, b: { phase: string; first: number }): number {
  const ia = (ATTACK_PHASES as readonly string[]).indexOf(a.phase);
  const ib = (ATTACK_PHASES as readonly string[]).indexOf(b.phase);
  const ra = ia < 0 ? (a.phase === 'other' ? 1e9 : 1e6) : ia;
  const rb = ib < 0 ? (b.phase === 'other' ? 1e9 : 1e6) : ib;
  return ra - rb || a.first - b.first;
}

function readTimeline(db: Db, bucketCount: number): ReportTimeline {
  const span = db.prepare("SELECT MIN(ts) AS lo, MAX(ts) AS hi FROM detections WHERE decision = 'alert'").get() as { lo: number | null; hi: number | null };
  const flagged = flaggedTrajectories(db).map((t) => ({
    job: t.job,
    family: t.family,
    alerts: t.alerts,
    firstAlertTs: isoFromMicros(t.firstAlertTs),
    firstAlertPhase: t.firstAlertPhase,
    firstAlertLayer: t.firstAlertLayer,
    phases: [...t.phases].sort((a, b) => a.firstTs - b.firstTs).map((p) => ({ phase: p.phase, firstTs: isoFromMicros(p.firstTs), alerts: p.alerts })),
  }));
  if (span.lo === null || span.hi === null) {
    return { from: null, to: null, fromMicros: null, toMicros: null, bucketCount, phases: [], trajectories: flagged };
  }
  const lo = span.lo;
  const width = Math.max(1, span.hi - lo + 1);
  const lanes = new Map<string, { phase: string; first: number; last: number; alerts: number; buckets: number[] }>();
  const rows = db.prepare("SELECT COALESCE(phase, 'other') AS phase, ts FROM detections WHERE decision = 'alert' ORDER BY ts").iterate() as Iterable<{ phase: string; ts: number }>;
  for (const r of rows) {
    let lane = lanes.get(r.phase);
    if (!lane) {
      lane = { phase: r.phase, first: r.ts, last: r.ts, alerts: 0, buckets: new Array<number>(bucketCount).fill(0) };
      lanes.set(r.phase, lane);
    }
    lane.alerts++;
    lane.last = r.ts;
    const b = Math.min(bucketCount - 1, Math.floor(((r.ts - lo) / width) * bucketCount));
    lane.buckets[b]!++;
  }
  const phases: PhaseLane[] = [...lanes.values()].sort(phaseOrder).map((l) => ({
    phase: l.phase, alerts: l.alerts, firstTs: isoFromMicros(l.first), lastTs: isoFromMicros(l.last), buckets: l.buckets,
  }));
  return { from: isoFromMicros(lo), to: isoFromMicros(span.hi), fromMicros: lo, toMicros: span.hi, bucketCount, phases, trajectories: flagged };
}

/** A stored run summary is JSON we wrote, but a case file is evidence that may have been edited: read each field defensively. */
function readCascade(db: Db): { run: ReportCascade; metrics: ReportMetrics | null } | null {
  const row = db
    .prepare('SELECT id, started_at, finished_at, tool_version, device, summary FROM analysis_runs ORDER BY id DESC LIMIT 1')
    .get() as { id: number; started_at: string; finished_at: string | null; tool_version: string; device: string | null; summary: string | null } | undefined;
  if (!row) return null;
  let s: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(row.summary ?? '{}');
    if (parsed && typeof parsed === 'object') s = parsed as Record<string, unknown>;
  } catch {
    /* an unreadable summary leaves the counts at zero */
  }
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);
  const counts = obj(s['counts']);
  const [l1, l2, l3, gpu] = [obj(counts['l1']), obj(counts['l2']), obj(counts['l3']), obj(counts['gpu'])];
  const events = num(s['events']);
  const providers = obj(s['providers']);
  const judge = obj(s['judge']);
  const run: ReportCascade = {
    runId: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    toolVersion: row.tool_version,
    device: row.device,
    events,
    // The funnel: what each layer was given, and what stayed open for the analyst at the end.
    funnel: [
      { stage: 'Layer 1 rules', events },
      { stage: 'Layer 2 models', events: num(l2['reached']) },
      { stage: 'Layer 3 judge', events: num(l3['reached']) },
      { stage: 'Alerts', events: num(l1['alert']) + num(l2['alert']) + num(l3['alert']) },
      { stage: 'Open for analyst', events: num(l3['open']) },
    ],
    l1: { cleared: num(l1['cleared']), alert: num(l1['alert']), escalate: num(l1['escalate']), pass: num(l1['pass']) },
    l2: { reached: num(l2['reached']), cleared: num(l2['cleared']), alert: num(l2['alert']), uncertain: num(l2['uncertain']), unavailable: num(l2['unavailable']) },
    l3: { reached: num(l3['reached']), alert: num(l3['alert']), cleared: num(l3['cleared']), open: num(l3['open']), notRun: num(l3['notRun']) },
    gpu: {
      windows: num(gpu['windows']),
      ruleAlerts: num(gpu['ruleAlerts']),
      forestAlerts: num(gpu['forestAlerts']),
      // Runs stored before the count existed read as 0, with no reason.
      unscored: num(gpu['unscored']),
      unscoredReason: typeof gpu['unscoredReason'] === 'string' ? gpu['unscoredReason'].slice(0, 200) : null,
    },
    providers: { lstm: str(providers['lstm'], 'unknown'), iforest: str(providers['iforest'], 'unknown') },
    judge: { model: typeof judge['model'] === 'string' ? judge['model'] : null, status: str(judge['status'], 'unknown') },
    totalSeconds: numOrNull(obj(s['timing'])['totalSeconds']),
  };
  const m = s['metrics'];
  let metrics: ReportMetrics | null = null;
  if (m && typeof m === 'object') {
    const o = m as Record<string, unknown>;
    metrics = {
      eir0: num(o['eir0']),
      eir5: num(o['eir5']),
      gapMedianEvents: numOrNull(o['gapMedian']),
      gapMeanEvents: numOrNull(o['gapMean']),
      gapP90Events: numOrNull(o['gapP90']),
      gapMedianSeconds: numOrNull(o['gapMedianSeconds']),
      damagePrevented: num(o['damagePrevented']),
      attacks: num(o['attacks']),
      detected: num(o['detected']),
      missed: num(o['missed']),
      precision: numOrNull(o['precision']),
      recall: numOrNull(o['recall']),
    };
  }
  return { run, metrics };
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 32) : [];
}

function readAlerts(db: Db, max: number, maxRaw: number): AlertEntry[] {
  const rows = db
    .prepare(
      `SELECT d.id, d.event_id, d.ts, d.layer, d.rule_id, d.model, d.score, d.decision, d.phase, d.severity, d.family, d.job, d.reasoning, d.attrs,
              e.line, e.raw, s.path AS source_path, s.sha256 AS source_sha256
       FROM detections d LEFT JOIN events e ON e.id = d.event_id LEFT JOIN sources s ON s.id = e.source_id
       WHERE d.decision = 'alert' ORDER BY ${SEVERITY_RANK_SQL} DESC, d.ts, d.id LIMIT ?`,
    )
    .all(max) as {
    id: number; event_id: number | null; ts: number; layer: number; rule_id: string | null; model: string | null; score: number | null; decision: string;
    phase: string | null; severity: string; family: string | null; job: string | null; reasoning: string | null; attrs: string;
    line: number | null; raw: string | null; source_path: string | null; source_sha256: string | null;
  }[];
  return rows.map((r) => {
    const attack = new Set<string>();
    const atlas = new Set<string>();
    try {
      const a = JSON.parse(r.attrs) as { hits?: unknown };
      if (Array.isArray(a.hits)) {
        for (const h of a.hits as Record<string, unknown>[]) {
          if (h && h['ruleId'] === r.rule_id) {
            for (const t of stringList(h['attack'])) attack.add(t);
            for (const t of stringList(h['atlas'])) atlas.add(t);
          }
        }
      }
    } catch {
      /* attrs are ours; a damaged value only loses the technique ids */
    }
    const raw = r.raw === null ? null : r.raw.length > maxRaw ? r.raw.slice(0, maxRaw) : r.raw;
    return {
      detectionId: r.id,
      eventId: r.event_id,
      ts: isoFromMicros(r.ts),
      tsMicros: r.ts,
      layer: r.layer,
      ruleId: r.rule_id,
      model: r.model,
      score: r.score,
      decision: r.decision,
      phase: r.phase,
      severity: isSeverity(r.severity) ? r.severity : 'info',
      family: r.family,
      job: r.job,
      reasoning: r.reasoning,
      attack: [...attack],
      atlas: [...atlas],
      source: r.source_path !== null && r.line !== null ? { path: r.source_path, line: r.line, sha256: r.source_sha256 } : null,
      raw,
      rawTruncated: r.raw !== null && r.raw.length > maxRaw,
    };
  });
}

function readJudgements(db: Db): JudgementEntry[] {
  return db
    .prepare(
      `SELECT id, event_id AS eventId, model, prompt_hash AS promptHash, verdict, confidence, family, phase, reasoning,
              input_tokens AS inputTokens, output_tokens AS outputTokens, status, created_at AS createdAt
       FROM judgements ORDER BY id LIMIT 10000`,
    )
    .all() as JudgementEntry[];
}

function readAnnotations(db: Db): AnnotationEntry[] {
  const rows = db
    .prepare(
      `SELECT a.target_kind AS targetKind, a.target_id AS targetId, a.starred, a.tags, a.comment, a.author, a.updated_at AS updatedAt,
              e.ts, e.actor, e.action, e.resource, c.path AS checkpointPath, d.rule_id AS ruleId
       FROM annotations a
       LEFT JOIN events e ON a.target_kind = 'event' AND e.id = a.target_id
       LEFT JOIN checkpoints c ON a.target_kind = 'checkpoint' AND c.id = a.target_id
       LEFT JOIN detections d ON a.target_kind = 'detection' AND d.id = a.target_id
       WHERE a.starred = 1 OR a.tags <> '[]' OR a.comment <> ''
       ORDER BY a.updated_at, a.id LIMIT 10000`,
    )
    .all() as {
    targetKind: string; targetId: number; starred: number; tags: string; comment: string; author: string | null; updatedAt: string;
    ts: number | null; actor: string | null; action: string | null; resource: string | null; checkpointPath: string | null; ruleId: string | null;
  }[];
  return rows.map((r) => {
    let tags: string[] = [];
    try {
      tags = stringList(JSON.parse(r.tags));
    } catch {
      tags = [];
    }
    const label =
      r.targetKind === 'event' && r.ts !== null
        ? `${isoFromMicros(r.ts)} ${r.actor ?? '—'} ${r.action ?? ''} ${r.resource ?? ''}`.trim()
        : r.targetKind === 'checkpoint' && r.checkpointPath
          ? r.checkpointPath
          : r.targetKind === 'detection' && r.ruleId
            ? `detection ${r.targetId} (${r.ruleId})`
            : `${r.targetKind} ${r.targetId}`;
    return { targetKind: r.targetKind, targetId: r.targetId, label, starred: r.starred === 1, tags, comment: r.comment, author: r.author, updatedAt: r.updatedAt };
  });
}
