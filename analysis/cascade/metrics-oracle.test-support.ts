/**
 * Test support for the metrics oracle tests: a small description of a scored incident (trajectories,
 * their events in time, which are malicious and with what bytes, which raised alerts, LSTM scores,
 * GPU-window alerts), written into a real SQLite case file, and a brute-force oracle that computes
 * issue 3's metrics from the description alone — never through temporal-metrics.ts or
 * cascade-metrics.ts.
 *
 * Definitions the oracle encodes (DESIGN.md "Temporal metrics", issue 3):
 * - a trajectory is a job's events ordered by (ts, id); positions count every event of the job;
 * - t_start = position of the first labelled malicious event of the job found in the case;
 * - t_detect = first position ≥ t_start holding an alert (an alerting event, or the first event at or
 *   after a GPU-window alert's time); ∞ if none. Alerts before t_start never count as detection;
 * - ML-EIR@N = #(t_detect − t_start ≤ N) / #attack trajectories (undetected and unresolvable ones in
 *   the denominator); gap over detected, type-7 quantiles; damage prevented per attack with a
 *   resolvable malicious event, bytes strictly after t_detect (else events), averaged over attacks;
 * - precision / recall / FPR over labelled trajectories, flagged = any alert of the job;
 * - AUC = P(score(malicious event) > score(other event)) + ½ P(equal), over scored events of
 *   labelled trajectories; a positive is a labelled event of a malicious trajectory.
 */
import type { CaseStore } from '../store/case-store.js';
import { OUTCOME, type CascadeSummary } from './cascade-runner.js';

export interface SimEvent {
  ts: number;
  /** Present when the event is one of the attack's labelled records. */
  malicious?: { phase: string; bytes?: number };
  alert?: boolean;
  /** LSTM score (stored as Float32, as the runner keeps it); absent = not scored. */
  score?: number;
}

export interface SimTrajectory {
  job: string;
  family: string;
  malicious: boolean;
  events: SimEvent[];
  /** Times of GPU-window alerts attributed to this job. */
  gpuAlerts?: number[];
  /** Leave this trajectory out of labels.json (an unlabelled job). */
  unlabelled?: boolean;
}

export interface HostileLabel {
  /** Index of the trajectory whose label list receives the entry. */
  traj: number;
  kind: 'duplicate' | 'unknown-file' | 'no-such-line' | 'other-job';
  /**
   * For duplicate: a labelled malicious event of the same trajectory (named twice); for other-job:
   * an event of a different trajectory.
   */
  ref?: { traj: number; event: number };
}

export interface SimCase {
  trajectories: SimTrajectory[];
  hostile?: HostileLabel[];
  /** Extra label trajectories with no events at all: [job, malicious]. */
  emptyLabels?: { job: string; family: string; malicious: boolean }[];
}

export interface Built {
  labelsText: string;
  run: CascadeSummary;
  /** Event id of trajectories[t].events[k]. */
  ids: number[][];
}

const FILES = ['audit/kube-apiserver-audit.log', 'audit/kube-apiserver-audit-1.log.gz', 'app/events.jsonl'];

/** Writes the case into `store` (its tables emptied first) and returns labels.json and the run. */
export function buildCase(store: CaseStore, c: SimCase, shuffle: () => number = Math.random): Built {
  const db = store.db;
  db.exec('DELETE FROM detections; DELETE FROM events; DELETE FROM sources;');
  const sourceIds = FILES.map((path) =>
    Number(db.prepare(`INSERT INTO sources(path, kind, bytes, status, ingested_at) VALUES (?, 'k8s_audit', 1, 'ok', 'now')`).run(path).lastInsertRowid),
  );
  // Insert in a shuffled order so ids do not follow time: the order by (ts, id) must come from the code.
  const all: { t: number; k: number }[] = [];
  c.trajectories.forEach((tr, t) => tr.events.forEach((_, k) => all.push({ t, k })));
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const ids = c.trajectories.map((tr) => tr.events.map(() => 0));
  const where = new Map<number, { file: string; line: number }>();
  const lineOf = FILES.map(() => 0);
  const insEvent = db.prepare(
    `INSERT INTO events(ts, source, action, job, attrs, source_id, line, offset) VALUES (?, 'k8s_audit', 'get', ?, '{}', ?, ?, 0)`,
  );
  // A few events with no job at all, which belong to no trajectory.
  insEvent.run(0, null, sourceIds[0], ++lineOf[0]!);
  for (const { t, k } of all) {
    const f = (t + k) % FILES.length;
    const line = ++lineOf[f]!;
    const id = Number(insEvent.run(c.trajectories[t]!.events[k]!.ts, c.trajectories[t]!.job, sourceIds[f], line).lastInsertRowid);
    ids[t]![k] = id;
    where.set(id, { file: FILES[f]!, line });
  }
  const maxId = Math.max(0, ...ids.flat()) + 1;
  const outcomes = new Uint8Array(maxId + 1);
  const lstmScores = new Float32Array(maxId + 1).fill(Number.NaN);
  const alertCodes = [OUTCOME.ALERT_L1, OUTCOME.ALERT_L2, OUTCOME.ALERT_L3];
  const quietCodes = [OUTCOME.CLEARED_L1, OUTCOME.CLEARED_L2, OUTCOME.CLEARED_L3, OUTCOME.OPEN];
  const insDet = db.prepare(
    `INSERT INTO detections(event_id, job, ts, layer, decision, severity, family, phase, run_id) VALUES (?, ?, ?, 1, ?, 'high', ?, ?, 1)`,
  );
  c.trajectories.forEach((tr, t) =>
    tr.events.forEach((e, k) => {
      const id = ids[t]![k]!;
      outcomes[id] = e.alert ? alertCodes[id % 3]! : quietCodes[id % 4]!;
      if (e.alert) insDet.run(id, tr.job, e.ts, 'alert', tr.family, e.malicious?.phase ?? null);
      else if (id % 5 === 0) insDet.run(id, tr.job, e.ts, 'escalate', tr.family, null); // not an alert
      if (e.score !== undefined) lstmScores[id] = e.score;
    }),
  );
  c.trajectories.forEach((tr) => {
    for (const ts of tr.gpuAlerts ?? []) insDet.run(null, tr.job, ts, 'alert', null, null);
    // A GPU rule escalation is not an alert.
    insDet.run(null, tr.job, 0, 'escalate', null, null);
  });
  const label = (t: number, k: number) => {
    const e = c.trajectories[t]!.events[k]!;
    const w = where.get(ids[t]![k]!)!;
    const out: Record<string, unknown> = { file: w.file, line: w.line, ts: new Date(e.ts / 1000).toISOString(), phase: e.malicious?.phase ?? 'recon' };
    if (e.malicious?.bytes !== undefined) out.bytes = e.malicious.bytes;
    return out;
  };
  const trajectories: Record<string, unknown>[] = [];
  const labelIndex = new Map<number, Record<string, unknown>[]>();
  c.trajectories.forEach((tr, t) => {
    if (tr.unlabelled) return;
    const events: Record<string, unknown>[] = [];
    tr.events.forEach((e, k) => {
      if (e.malicious) events.push(label(t, k));
    });
    labelIndex.set(t, events);
    trajectories.push({ job: tr.job, family: tr.family, malicious: tr.malicious, events });
  });
  for (const h of c.hostile ?? []) {
    const list = labelIndex.get(h.traj);
    if (!list) continue;
    if (h.kind === 'unknown-file') list.push({ file: 'nowhere/else.log', line: 1, ts: '2026-01-01T00:00:00Z', phase: 'recon', bytes: 999 });
    else if (h.kind === 'no-such-line') list.push({ file: FILES[0], line: 1_000_000, ts: '2026-01-01T00:00:00Z', phase: 'recon', bytes: 999 });
    else if (h.ref) list.push(label(h.ref.traj, h.ref.event));
  }
  for (const e of c.emptyLabels ?? []) trajectories.push({ job: e.job, family: e.family, malicious: e.malicious, events: [] });
  const run = fakeRun(outcomes, lstmScores, all.length);
  return { labelsText: JSON.stringify({ trajectories }), run, ids };
}

/** A run summary holding only what the metrics read (outcomes, LSTM scores); the rest zero. */
export function fakeRun(outcomes: Uint8Array, lstmScores: Float32Array, events = 0): CascadeSummary {
  return {
    runId: 1, events, layers: { l1Cleared: 0, l2Reached: 0, l3Reached: 0 },
    counts: {
      l1: { cleared: 0, alert: 0, escalate: 0, pass: 0, passCleared: 0 },
      l2: { reached: 0, cleared: 0, alert: 0, uncertain: 0, unavailable: 0 },
      l3: { reached: 0, alert: 0, cleared: 0, open: 0, notRun: 0, fromCache: 0, inputTokens: 0, outputTokens: 0 },
      gpu: { windows: 0, ruleAlerts: 0, forestAlerts: 0, unscored: 0, unscoredReason: null },
    },
    timing: { l1MicrosPerEvent: 0, l2MillisPerEvent: 0, l3SecondsPerEvent: 0, totalSeconds: 0 },
    providers: { lstm: 'none', iforest: 'none' }, judge: { model: null, status: 'not-run' }, detections: 0,
    outcomes, lstmScores,
  };
}

export interface OracleMetrics {
  precision: number; recall: number; fpr: number; auc: number | null;
  eir0: number; eir5: number; gapMedian: number; gapMean: number; gapP90: number; gapMedianSeconds: number;
  damagePrevented: number; attacks: number; detected: number; missed: number; normals: number;
  flaggedNormals: number; unlabelledFlagged: number; unmatchedLabels: number;
  byFamily: Record<string, { attacks: number; detected: number; eir5: number }>;
}

/** Type-7 quantile, written out: sorted values, linear interpolation at (n − 1)·q. */
function q7(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

/** The metrics, brute force, from the description (the ids only break ties in time). */
export function oracle(c: SimCase, built: Built): OracleMetrics {
  const labelled = c.trajectories.map((tr) => !tr.unlabelled);
  // Distinct label refs per labelled trajectory that name no event of that trajectory.
  let unmatched = 0;
  c.trajectories.forEach((_, t) => {
    if (!labelled[t]) return;
    const keys = new Set<string>();
    for (const h of c.hostile ?? []) {
      if (h.traj !== t) continue;
      if (h.kind === 'unknown-file' || h.kind === 'no-such-line') keys.add(h.kind);
      else if (h.ref!.traj !== t) keys.add(`${h.ref!.traj}:${h.ref!.event}`);
    }
    unmatched += keys.size;
  });
  const attacks: { family: string; gap: number | null; gapS: number | null; damage: number | null }[] = [];
  let tp = 0, fp = 0, tn = 0, fn = 0;
  const pos: number[] = [];
  const neg: number[] = [];
  c.trajectories.forEach((tr, t) => {
    if (!labelled[t]) return;
    const order = tr.events.map((e, k) => ({ e, id: built.ids[t]![k]! })).sort((a, b) => a.e.ts - b.e.ts || a.id - b.id);
    const alertAt = new Set<number>();
    order.forEach((o, i) => {
      if (o.e.alert) alertAt.add(i);
    });
    for (const g of tr.gpuAlerts ?? []) {
      for (let i = 0; i < order.length; i++) {
        if (order[i]!.e.ts >= g) {
          alertAt.add(i);
          break;
        }
      }
    }
    const flagged = alertAt.size > 0 || (tr.gpuAlerts ?? []).length > 0;
    if (tr.malicious) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
    for (const o of order) {
      if (o.e.score === undefined) continue;
      (tr.malicious && o.e.malicious ? pos : neg).push(Math.fround(o.e.score));
    }
    if (!tr.malicious) return;
    let start = -1;
    for (let i = 0; i < order.length; i++) if (order[i]!.e.malicious) { start = i; break; }
    if (start < 0) {
      attacks.push({ family: tr.family, gap: null, gapS: null, damage: null });
      return;
    }
    let detect = -1;
    for (let i = start; i < order.length; i++) if (alertAt.has(i)) { detect = i; break; }
    let totalBytes = 0;
    let nMal = 0;
    for (const o of order) if (o.e.malicious) { totalBytes += o.e.malicious.bytes ?? 0; nMal++; }
    let after = 0;
    if (detect >= 0) for (let i = detect + 1; i < order.length; i++) {
      const m = order[i]!.e.malicious;
      if (m) after += totalBytes > 0 ? (m.bytes ?? 0) : 1;
    }
    attacks.push({
      family: tr.family,
      gap: detect < 0 ? null : detect - start,
      gapS: detect < 0 ? null : (order[detect]!.e.ts - order[start]!.e.ts) / 1e6,
      damage: detect < 0 ? 0 : after / (totalBytes > 0 ? totalBytes : nMal),
    });
  });
  for (const e of c.emptyLabels ?? []) {
    if (e.malicious) {
      attacks.push({ family: e.family, gap: null, gapS: null, damage: null });
      fn++;
    } else tn++;
  }
  const eir = (list: typeof attacks, n: number) => (list.length === 0 ? Number.NaN : list.filter((a) => a.gap !== null && a.gap <= n).length / list.length);
  const gaps = attacks.filter((a) => a.gap !== null).map((a) => a.gap!);
  const gapS = attacks.filter((a) => a.gapS !== null).map((a) => a.gapS!);
  const dmg = attacks.filter((a) => a.damage !== null).map((a) => a.damage!);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  const byFamily: OracleMetrics['byFamily'] = {};
  for (const a of attacks) {
    const of = attacks.filter((x) => x.family === a.family);
    byFamily[a.family] = { attacks: of.length, detected: of.filter((x) => x.gap !== null).length, eir5: eir(of, 5) };
  }
  const labelledJobs = new Set([...c.trajectories.filter((tr) => !tr.unlabelled).map((tr) => tr.job), ...(c.emptyLabels ?? []).map((e) => e.job)]);
  const unlabelledFlagged = c.trajectories.filter((tr) => tr.unlabelled && !labelledJobs.has(tr.job) && (tr.events.some((e) => e.alert) || (tr.gpuAlerts ?? []).length > 0)).length;
  return {
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    fpr: fp + tn === 0 ? Number.NaN : fp / (fp + tn),
    auc: pos.length === 0 || neg.length === 0 ? null : wins / (pos.length * neg.length),
    eir0: eir(attacks, 0),
    eir5: eir(attacks, 5),
    gapMedian: q7(gaps, 0.5),
    gapMean: gaps.length === 0 ? Number.NaN : gaps.reduce((s, x) => s + x, 0) / gaps.length,
    gapP90: q7(gaps, 0.9),
    gapMedianSeconds: q7(gapS, 0.5),
    damagePrevented: dmg.length === 0 ? Number.NaN : dmg.reduce((s, x) => s + x, 0) / dmg.length,
    attacks: attacks.length,
    detected: gaps.length,
    missed: attacks.length - gaps.length,
    normals: fp + tn,
    flaggedNormals: fp,
    unlabelledFlagged,
    unmatchedLabels: unmatched,
    byFamily,
  };
}

/** Field-by-field differences between the code's metrics and the oracle's (NaN equals NaN). */
export function differences(actual: object, expected: OracleMetrics): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean =>
    typeof a === 'number' && typeof b === 'number' ? (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 : a === b;
  const got = actual as Record<string, unknown>;
  for (const [k, v] of Object.entries(expected)) {
    if (k === 'byFamily') continue;
    if (!same(got[k], v)) out.push(`${k}: code ${String(got[k])}, oracle ${String(v)}`);
  }
  const fam = got.byFamily as Record<string, Record<string, number>>;
  const keys = new Set([...Object.keys(fam), ...Object.keys(expected.byFamily)]);
  for (const f of keys) {
    for (const k of ['attacks', 'detected', 'eir5'] as const) {
      const a = fam[f]?.[k];
      const b = expected.byFamily[f]?.[k];
      if (!same(a, b)) out.push(`byFamily.${f}.${k}: code ${String(a)}, oracle ${String(b)}`);
    }
  }
  return out;
}
