/**
 * Scores a finished cascade run against ground truth: trajectory precision / recall / false-positive
 * rate, LSTM AUC, ML-EIR@0 and @5, detection gap and damage prevented (temporal-metrics.ts, where
 * misses count). Also lists flagged trajectories, which needs no labels.
 */
import type { Db } from '../store/case-store.js';
import type { ResolvedTrajectory } from './ground-truth.js';
import { OUTCOME, type CascadeSummary } from './cascade-runner.js';
import { confusion, damagePrevented, detectionGap, earlyInterventionRate, rocAuc, type AttackOutcome } from './temporal-metrics.js';

export interface FlaggedTrajectory {
  job: string;
  family: string | null;
  firstAlertTs: number;
  firstAlertPhase: string | null;
  firstAlertLayer: number;
  alerts: number;
  score: number;
  phases: { phase: string; firstTs: number; alerts: number }[];
}

/** Families too generic to name an attack when a specific one also fired (a misconfiguration rule). */
const GENERIC_FAMILIES = new Set(['k8s-misconfig']);

interface AlertRow {
  job: string;
  ts: number;
  layer: number;
  phase: string | null;
  family: string | null;
  score: number | null;
  attrs: string;
}

/** The (family, phase) pairs an alert stands for: every non-clear rule hit on it, else its own. */
function alertHits(r: AlertRow): { family: string | null; phase: string | null }[] {
  try {
    const hits = (JSON.parse(r.attrs) as { hits?: { decision?: string; family?: string; phase?: string | null }[] }).hits;
    if (Array.isArray(hits) && hits.length > 0) {
      const deciding = hits.filter((h) => h.decision !== 'clear').map((h) => ({ family: h.family ?? null, phase: h.phase ?? null }));
      if (deciding.length > 0) return deciding;
    }
  } catch {
    /* attrs written by this tool; a damaged row falls back to its own columns */
  }
  return [{ family: r.family, phase: r.phase }];
}

/**
 * Trajectories with at least one alert, most severe first (by first alert time within a score).
 * The family is the one most of the trajectory's alerting rule hits name (a generic family only when
 * nothing specific fired), and the phases are that family's, each at its first alert — so an exec
 * that both a lateral-movement rule and a staging rule match still shows as the attack's staging.
 */
export function flaggedTrajectories(db: Db): FlaggedTrajectory[] {
  const rows = db
    .prepare(
      `SELECT job, ts, layer, phase, family, score, attrs FROM detections
       WHERE decision = 'alert' AND job IS NOT NULL ORDER BY job, ts, id`,
    )
    .all() as AlertRow[];
  const byJob = new Map<string, AlertRow[]>();
  for (const r of rows) {
    let list = byJob.get(r.job);
    if (!list) byJob.set(r.job, (list = []));
    list.push(r);
  }
  const out: FlaggedTrajectory[] = [];
  for (const [job, list] of byJob) {
    const tally = new Map<string, number>();
    for (const r of list) for (const h of alertHits(r)) if (h.family) tally.set(h.family, (tally.get(h.family) ?? 0) + 1);
    const ranked = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const family = (ranked.find(([f]) => !GENERIC_FAMILIES.has(f)) ?? ranked[0])?.[0] ?? null;
    const phases: FlaggedTrajectory['phases'] = [];
    for (const r of list) {
      for (const h of alertHits(r)) {
        if (!h.phase || (family !== null && h.family !== family)) continue;
        const p = phases.find((x) => x.phase === h.phase);
        if (p) p.alerts++;
        else phases.push({ phase: h.phase, firstTs: r.ts, alerts: 1 });
      }
    }
    const first = list[0]!;
    out.push({
      job,
      family,
      firstAlertTs: first.ts,
      firstAlertPhase: first.phase,
      firstAlertLayer: first.layer,
      alerts: list.length,
      score: maxScore(list),
      phases: phases.sort((a, b) => a.firstTs - b.firstTs),
    });
  }
  return out.sort((a, b) => b.score - a.score || a.firstAlertTs - b.firstAlertTs);
}

/**
 * A Layer-1 alert is certain (1), a model's is its score. A loop, not Math.max(...list): spreading
 * one job's alerts as arguments overflows the stack past ~120k of them (a hostile bundle can make
 * one job alert that often), which threw out of flaggedTrajectories and cascadeMetrics.
 */
function maxScore(list: readonly AlertRow[]): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const r of list) m = Math.max(m, r.layer === 1 ? 1 : (r.score ?? 0));
  return m;
}

export interface CascadeMetrics {
  precision: number;
  recall: number;
  fpr: number;
  auc: number | null;
  eir0: number;
  eir5: number;
  gapMedian: number;
  gapMean: number;
  gapP90: number;
  gapMedianSeconds: number;
  damagePrevented: number;
  attacks: number;
  detected: number;
  missed: number;
  normals: number;
  flaggedNormals: number;
  /** Flagged jobs that the labels do not list at all. */
  unlabelledFlagged: number;
  /** Labelled malicious records not found in the case. */
  unmatchedLabels: number;
  byFamily: Record<string, { attacks: number; detected: number; eir5: number }>;
}

const ALERT_CODES = new Set<number>([OUTCOME.ALERT_L1, OUTCOME.ALERT_L2, OUTCOME.ALERT_L3]);

export function cascadeMetrics(db: Db, run: CascadeSummary, truth: readonly ResolvedTrajectory[]): CascadeMetrics {
  const eventsOf = db.prepare('SELECT id, ts FROM events WHERE job = ? ORDER BY ts, id');
  const gpuAlerts = db.prepare("SELECT ts FROM detections WHERE event_id IS NULL AND decision = 'alert' AND job = ? ORDER BY ts");
  const attacks: (AttackOutcome & { family: string })[] = [];
  const items: { malicious: boolean; flagged: boolean }[] = [];
  const scores: number[] = [];
  const labels: boolean[] = [];
  let unmatched = 0;
  const labelled = new Set<string>();
  for (const t of truth) {
    labelled.add(t.job);
    unmatched += t.missing;
    const events = eventsOf.all(t.job) as { id: number; ts: number }[];
    const gpu = (gpuAlerts.all(t.job) as { ts: number }[]).map((r) => r.ts);
    const alertIdx: number[] = [];
    let inJob = 0;
    events.forEach((e, i) => {
      if (ALERT_CODES.has(run.outcomes[e.id] ?? 0)) alertIdx.push(i);
      if (t.malicious_events.has(e.id)) inJob++;
      const s = run.lstmScores[e.id];
      if (s !== undefined && !Number.isNaN(s)) {
        scores.push(s);
        // A positive is a labelled record of an attack: records listed under a trajectory labelled
        // benign contradict its label and are scored as the normal events the trajectory counts as.
        labels.push(t.malicious && t.malicious_events.has(e.id));
      }
    });
    // A labelled record stored under another job is not part of this trajectory (t_start, damage
    // and AUC all read the job's own events): before, it was dropped silently; it is unmatched.
    unmatched += t.malicious_events.size - inJob;
    // A GPU-window alert is raised at the window's end: the first event at or after it.
    // (Binary search: a scan per alert is quadratic on a long job with many windows.)
    for (const ts of gpu) {
      let lo = 0;
      let hi = events.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (events[mid]!.ts < ts) lo = mid + 1;
        else hi = mid;
      }
      if (lo < events.length) alertIdx.push(lo);
    }
    alertIdx.sort((a, b) => a - b);
    const flagged = alertIdx.length > 0 || gpu.length > 0;
    items.push({ malicious: t.malicious, flagged });
    if (!t.malicious) continue;
    const malicious: { index: number; bytes?: number }[] = [];
    events.forEach((e, i) => {
      const m = t.malicious_events.get(e.id);
      if (m) malicious.push({ index: i, bytes: m.bytes });
    });
    if (malicious.length === 0) {
      // Labelled attack with none of its records in the case: a miss by construction.
      attacks.push({ job: t.job, family: t.family, startIndex: 0, startTs: 0, detectIndex: null, detectTs: null, malicious: [] });
      continue;
    }
    const startIndex = malicious[0]!.index;
    const detectIndex = alertIdx.find((i) => i >= startIndex) ?? null;
    attacks.push({
      job: t.job,
      family: t.family,
      startIndex,
      startTs: events[startIndex]!.ts,
      detectIndex,
      detectTs: detectIndex === null ? null : events[detectIndex]!.ts,
      malicious,
    });
  }
  const flaggedJobs = flaggedTrajectories(db).map((f) => f.job);
  const unlabelledFlagged = flaggedJobs.filter((j) => !labelled.has(j)).length;
  const c = confusion(items);
  const gap = detectionGap(attacks);
  const byFamily: CascadeMetrics['byFamily'] = {};
  for (const fam of new Set(attacks.map((a) => a.family))) {
    const of = attacks.filter((a) => a.family === fam);
    byFamily[fam] = { attacks: of.length, detected: of.filter((a) => a.detectIndex !== null).length, eir5: earlyInterventionRate(of, 5) };
  }
  const auc = rocAuc(scores, labels);
  return {
    precision: c.precision,
    recall: c.recall,
    fpr: c.fpr,
    auc: Number.isNaN(auc) ? null : auc,
    eir0: earlyInterventionRate(attacks, 0),
    eir5: earlyInterventionRate(attacks, 5),
    gapMedian: gap.median,
    gapMean: gap.mean,
    gapP90: gap.p90,
    gapMedianSeconds: gap.medianSeconds,
    damagePrevented: damagePrevented(attacks),
    attacks: attacks.length,
    detected: gap.detected,
    missed: gap.missed,
    normals: c.tn + c.fp,
    flaggedNormals: c.fp,
    unlabelledFlagged,
    unmatchedLabels: unmatched,
    byFamily,
  };
}
