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
  /** How the bands were chosen and what they achieved on the validation split. */
  targetRecall: number;
  targetPrecision: number;
  validationRecallAtClear: number;
  validationPrecisionAtAlert: number;
  /** Share of validation events in each band. */
  validationShare: { clear: number; escalate: number; alert: number };
}

export type BandDecision = 'clear' | 'escalate' | 'alert';

export function bandDecision(score: number, bands: Pick<ScoreBands, 'clearBelow' | 'alertAtOrAbove'>): BandDecision {
  // NaN (a broken model output) is never cleared.
  if (!(score >= bands.clearBelow)) return Number.isNaN(score) ? 'escalate' : 'clear';
  return score >= bands.alertAtOrAbove ? 'alert' : 'escalate';
}

/**
 * clearBelow: the highest threshold that keeps validation recall of malicious events ≥
 * targetRecall (events scoring at or above it are not cleared). alertAtOrAbove: the lowest
 * threshold whose validation precision (among events at or above it) is ≥ targetPrecision; above 1
 * (nothing alerts) when none reaches it. If the alert threshold falls below the clear threshold, the
 * clear threshold moves down to it: an event precise enough to alert is never cleared.
 */
export function chooseScoreBands(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>, targetRecall = 0.99, targetPrecision = 0.98): ScoreBands {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let totalPos = 0;
  for (let i = 0; i < n; i++) if (labels[i]) totalPos++;

  let clearBelow = 0;
  let alertAtOrAbove = Number.POSITIVE_INFINITY;
  let precisionAtAlert = Number.NaN;
  // Walk thresholds from the top; at each distinct score t, count events with score ≥ t.
  let tp = 0;
  let seen = 0;
  let clearChosen = false;
  for (let i = 0; i < n; ) {
    const t = scores[idx[i]!]!;
    let j = i;
    while (j < n && scores[idx[j]!] === t) {
      if (labels[idx[j]!]) tp++;
      j++;
    }
    seen = j;
    const precision = tp / seen;
    if (precision >= targetPrecision) {
      alertAtOrAbove = t;
      precisionAtAlert = precision;
    }
    if (!clearChosen && totalPos > 0 && tp / totalPos >= targetRecall) {
      clearBelow = t;
      clearChosen = true;
    }
    i = j;
  }
  if (!clearChosen) clearBelow = 0; // no malicious events: clear nothing on this evidence
  if (alertAtOrAbove === Number.POSITIVE_INFINITY) alertAtOrAbove = 1.000001;
  if (alertAtOrAbove < clearBelow) clearBelow = alertAtOrAbove;

  let recalled = 0;
  const share = { clear: 0, escalate: 0, alert: 0 };
  for (let i = 0; i < n; i++) {
    const d = bandDecision(scores[i]!, { clearBelow, alertAtOrAbove });
    share[d]++;
    if (labels[i] && d !== 'clear') recalled++;
  }
  if (n > 0) {
    share.clear /= n;
    share.escalate /= n;
    share.alert /= n;
  }
  return {
    clearBelow,
    alertAtOrAbove,
    targetRecall,
    targetPrecision,
    validationRecallAtClear: totalPos === 0 ? Number.NaN : recalled / totalPos,
    validationPrecisionAtAlert: precisionAtAlert,
    validationShare: share,
  };
}
