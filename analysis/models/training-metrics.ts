/**
 * Metrics the training report needs: ROC AUC (rank-based, the Mann–Whitney U statistic with ties
 * averaged) and the score bands that clear / escalate / alert, chosen on the validation split.
 * (The cascade's own metrics live in analysis/cascade; models sit below the cascade and do not
 * import it.)
 */

/** ROC AUC of `scores` against boolean-ish `labels`; NaN when one class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const n = scores.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]!]) {
        pos++;
        rankSumPos += avgRank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Decision bands on a model score: below `clearBelow` → clear; at or above `alertAtOrAbove` →
 * alert; in between → escalate (to the LLM judge / the analyst).
 */
export interface ScoreBands {
  clearBelow: number;
  alertAtOrAbove: number;
  /** The rule that chose the bands, in words (it differs between the LSTM and the forest). */
  rule: string;
  /** How the bands were chosen and what they achieved on the validation split. */
  targetRecall: number;
  /** Event-level precision target of the alert band (null when the alert band is chosen per trajectory). */
  targetPrecision: number | null;
  validationRecallAtClear: number;
  /** Event-level precision of the alert band on validation (NaN when nothing alerts). */
  validationPrecisionAtAlert: number;
  /** Share of validation events in each band. */
  validationShare: { clear: number; escalate: number; alert: number };
  /** Trajectory-level outcome on validation; present when the bands were chosen per trajectory. */
  trajectory?: TrajectoryBandStats;
}

export interface TrajectoryBandStats {
  /** The ceiling on the share of normal trajectories with an event in the alert band. */
  maxNormalAlertShare: number;
  normals: number;
  normalsAlerted: number;
  attacks: number;
  /** Attack trajectories with an event at or after their first malicious event in the alert band. */
  attacksAlerted: number;
}

export type BandDecision = 'clear' | 'escalate' | 'alert';

export function bandDecision(score: number, bands: Pick<ScoreBands, 'clearBelow' | 'alertAtOrAbove'>): BandDecision {
  // A non-finite score (NaN, ±Infinity: a broken model output) is no judgement: never cleared,
  // never an alert. Callers that can say "unscored" do so before asking (layer2-scorer.ts).
  if (!Number.isFinite(score)) return 'escalate';
  if (score < bands.clearBelow) return 'clear';
  return score >= bands.alertAtOrAbove ? 'alert' : 'escalate';
}

/** Above any score in [0, 1]: the alert threshold when nothing may alert. */
const NOTHING_ALERTS = 1.000001;

const EVENT_RULE =
  'clearBelow: highest threshold keeping event recall (malicious events not cleared) ≥ targetRecall; ' +
  'alertAtOrAbove: lowest threshold whose event precision ≥ targetPrecision; clearBelow ≤ alertAtOrAbove';

/**
 * Event-level bands (the Isolation Forest's GPU windows, which belong to no trajectory here).
 * clearBelow: the highest threshold that keeps validation recall of malicious events ≥
 * targetRecall (events scoring at or above it are not cleared). alertAtOrAbove: the lowest
 * threshold whose validation precision (among events at or above it) is ≥ targetPrecision; above 1
 * (nothing alerts) when none reaches it. If the alert threshold falls below the clear threshold, the
 * clear threshold moves down to it: an event precise enough to alert is never cleared.
 */
export function chooseScoreBands(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, targetRecall = 0.99, targetPrecision = 0.98): ScoreBands {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let alertAtOrAbove = Number.POSITIVE_INFINITY;
  // Walk thresholds from the top; at each distinct score t, count events with score ≥ t.
  let tp = 0;
  for (let i = 0; i < n; ) {
    const t = scores[idx[i]!]!;
    let j = i;
    while (j < n && scores[idx[j]!] === t) {
      if (labels[idx[j]!]) tp++;
      j++;
    }
    if (tp / j >= targetPrecision) alertAtOrAbove = t;
    i = j;
  }
  if (alertAtOrAbove === Number.POSITIVE_INFINITY) alertAtOrAbove = NOTHING_ALERTS;
  const clearBelow = Math.min(recallThreshold(scores, labels, targetRecall), alertAtOrAbove);
  return { ...bandOutcome(scores, labels, clearBelow, alertAtOrAbove), rule: EVENT_RULE, targetRecall, targetPrecision };
}

const TRAJECTORY_RULE =
  'alertAtOrAbove: lowest threshold at which at most maxNormalAlertShare of normal validation trajectories ' +
  '(no malicious event) hold any event scoring at or above it — the cascade flags a trajectory on its first alert, ' +
  'so the band is set on the unit it is judged by, with room left for Layer-1 false positives; ' +
  'clearBelow: highest threshold keeping event recall (malicious events not cleared) ≥ targetRecall, ' +
  'which leaves the escalate band (Layer 3) as narrow as that recall allows; clearBelow ≤ alertAtOrAbove';

/**
 * Bands for a sequence model whose alerts flag whole trajectories (the LSTM; issue 3 judges the
 * cascade by trajectory recall at ≤ 1% of normal trajectories flagged, and by how early the first
 * alert comes). `trajectory[i]` names event i's trajectory (any integer id).
 *
 * alertAtOrAbove: the lowest threshold t such that the share of normal validation trajectories (no
 * malicious event) with any event scoring ≥ t stays ≤ maxNormalAlertShare (default 0.5%, half the
 * 1% budget: Layer 1 has false positives of its own). With the normal trajectories' maximum scores
 * m₁ ≥ m₂ ≥ … and k = ⌊share · normals⌋ allowed, that is just above m₍k+1₎; the threshold taken
 * is the lowest validation score above it (above 1 — nothing alerts — when no score is), so it is a
 * score the model actually produced. The event-level precision rule it replaces put the threshold at
 * 0.99999589 on the seed-1 benchmark: Layer 2 almost never alerted on its own.
 * clearBelow: as in chooseScoreBands, the highest threshold keeping event recall ≥ targetRecall,
 * moved down to alertAtOrAbove if above it; the escalate band (Layer 3's load) is what lies between.
 */
export function chooseTrajectoryBands(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  trajectory: ArrayLike<number>,
  maxNormalAlertShare = 0.005,
  targetRecall = 0.99,
): ScoreBands {
  const n = scores.length;
  // Per trajectory: its maximum score, and whether it holds a malicious event.
  const max = new Map<number, number>();
  const attack = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = trajectory[i]!;
    const s = scores[i]!;
    const m = max.get(t);
    // NaN never alerts (bandDecision escalates it), so it does not raise a maximum.
    if (m === undefined) max.set(t, Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s);
    else if (s > m) max.set(t, s);
    if (labels[i]) attack.add(t);
  }
  const normalMax: number[] = [];
  for (const [t, m] of max) if (!attack.has(t)) normalMax.push(m);
  normalMax.sort((a, b) => b - a);
  const allowed = Math.floor(maxNormalAlertShare * normalMax.length + 1e-9);
  let alertAtOrAbove = NOTHING_ALERTS;
  if (normalMax.length === 0) {
    // No normal trajectory to measure false alerts on: nothing alerts on this evidence.
  } else if (allowed >= normalMax.length) {
    // Every normal trajectory may alert (a share of 1): alert from the lowest score.
    for (let i = 0; i < n; i++) if (scores[i]! < alertAtOrAbove) alertAtOrAbove = scores[i]!;
  } else {
    const bar = normalMax[allowed]!;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s > bar && s < alertAtOrAbove) alertAtOrAbove = s;
    }
  }
  const clearBelow = Math.min(recallThreshold(scores, labels, targetRecall), alertAtOrAbove);
  const outcome = bandOutcome(scores, labels, clearBelow, alertAtOrAbove);
  return {
    ...outcome,
    rule: TRAJECTORY_RULE,
    targetRecall,
    targetPrecision: null,
    trajectory: { maxNormalAlertShare, ...trajectoryAlerts(scores, labels, trajectory, alertAtOrAbove) },
  };
}

/** Normal / attack trajectories with an alert-band event (an attack's counted from its first malicious event on). */
export function trajectoryAlerts(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  trajectory: ArrayLike<number>,
  alertAtOrAbove: number,
): Omit<TrajectoryBandStats, 'maxNormalAlertShare'> {
  const state = new Map<number, { attack: boolean; started: boolean; alertedAny: boolean; alertedAfterStart: boolean }>();
  for (let i = 0; i < scores.length; i++) {
    const t = trajectory[i]!;
    let st = state.get(t);
    if (!st) state.set(t, (st = { attack: false, started: false, alertedAny: false, alertedAfterStart: false }));
    if (labels[i]) st.attack = st.started = true;
    const alert = scores[i]! >= alertAtOrAbove;
    if (alert) st.alertedAny = true;
    if (alert && st.started) st.alertedAfterStart = true;
  }
  const r = { normals: 0, normalsAlerted: 0, attacks: 0, attacksAlerted: 0 };
  for (const st of state.values()) {
    if (st.attack) {
      r.attacks++;
      if (st.alertedAfterStart) r.attacksAlerted++;
    } else {
      r.normals++;
      if (st.alertedAny) r.normalsAlerted++;
    }
  }
  return r;
}

/** The highest score t with (malicious events scoring ≥ t) / (malicious events) ≥ targetRecall; 0 when none is malicious. */
function recallThreshold(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, targetRecall: number): number {
  const pos: number[] = [];
  for (let i = 0; i < scores.length; i++) if (labels[i] && !Number.isNaN(scores[i]!)) pos.push(scores[i]!);
  let total = 0;
  for (let i = 0; i < scores.length; i++) if (labels[i]) total++;
  if (total === 0) return 0; // no malicious events: clear nothing on this evidence
  pos.sort((a, b) => b - a);
  // Keep the top ⌈targetRecall · total⌉ malicious scores (NaN ones are never cleared and count as kept).
  const nanKept = total - pos.length;
  const need = Math.max(0, Math.ceil(targetRecall * total - 1e-9) - nanKept);
  if (need === 0) return pos.length > 0 ? pos[0]! : 0;
  return pos[Math.min(need, pos.length) - 1]!;
}

function bandOutcome(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  clearBelow: number,
  alertAtOrAbove: number,
): Pick<ScoreBands, 'clearBelow' | 'alertAtOrAbove' | 'validationRecallAtClear' | 'validationPrecisionAtAlert' | 'validationShare'> {
  const n = scores.length;
  let totalPos = 0;
  let recalled = 0;
  let trueAlerts = 0;
  const share = { clear: 0, escalate: 0, alert: 0 };
  for (let i = 0; i < n; i++) {
    const d = bandDecision(scores[i]!, { clearBelow, alertAtOrAbove });
    share[d]++;
    if (labels[i]) {
      totalPos++;
      if (d !== 'clear') recalled++;
      if (d === 'alert') trueAlerts++;
    }
  }
  const alerts = share.alert;
  if (n > 0) {
    share.clear /= n;
    share.escalate /= n;
    share.alert /= n;
  }
  return {
    clearBelow,
    alertAtOrAbove,
    validationRecallAtClear: totalPos === 0 ? Number.NaN : recalled / totalPos,
    validationPrecisionAtAlert: alerts === 0 ? Number.NaN : trueAlerts / alerts,
    validationShare: share,
  };
}
