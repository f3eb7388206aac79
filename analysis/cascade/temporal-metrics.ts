/**
 * StepShield-style temporal metrics over attack trajectories (DESIGN.md "Temporal metrics").
 * Misses count: an undetected attack stays in every denominator with t_detect = ∞ — the MLShield
 * seed computed its early-intervention rate over detected attacks only, so misses never lowered it.
 */

/** ROC AUC (rank-sum, ties as half): one implementation, shared with the training report. */
export { rocAuc } from '../models/training-metrics.js';

/**
 * One attack trajectory, its events in time order (index = position in the trajectory). "Within N
 * events" counts positions, so every event of the trajectory between t_start and t_detect counts,
 * benign ones included — the trajectory's steps, as StepShield counts an agent's steps.
 */
export interface AttackOutcome {
  job: string;
  /** Index of the first malicious event (t_start). */
  startIndex: number;
  startTs: number;
  /** Index of the first alert at or after t_start; null if never detected (t_detect = ∞). */
  detectIndex: number | null;
  detectTs: number | null;
  /** Malicious events: their index and exfiltrated bytes (0 or absent where none). */
  malicious: { index: number; bytes?: number }[];
}

/** ML-EIR@N: share of attack trajectories detected within N events of t_start (misses included). */
export function earlyInterventionRate(attacks: readonly AttackOutcome[], n: number): number {
  if (attacks.length === 0) return Number.NaN;
  let hit = 0;
  for (const a of attacks) if (a.detectIndex !== null && a.detectIndex - a.startIndex <= n) hit++;
  return hit / attacks.length;
}

export interface GapStats {
  detected: number;
  missed: number;
  /** In events, over detected trajectories only (misses are reported in `missed`). */
  mean: number;
  median: number;
  p90: number;
  /** The same in seconds of event time. */
  meanSeconds: number;
  medianSeconds: number;
  p90Seconds: number;
}

export function detectionGap(attacks: readonly AttackOutcome[]): GapStats {
  const events: number[] = [];
  const seconds: number[] = [];
  for (const a of attacks) {
    if (a.detectIndex === null || a.detectTs === null) continue;
    events.push(a.detectIndex - a.startIndex);
    seconds.push((a.detectTs - a.startTs) / 1e6);
  }
  return {
    detected: events.length,
    missed: attacks.length - events.length,
    mean: mean(events),
    median: quantile(events, 0.5),
    p90: quantile(events, 0.9),
    meanSeconds: mean(seconds),
    medianSeconds: quantile(seconds, 0.5),
    p90Seconds: quantile(seconds, 0.9),
  };
}

/**
 * Share of the attack's damage that came after the first alert: exfiltrated bytes where the
 * trajectory has any, else malicious events. An alert fires when its event is seen, so the event
 * at t_detect itself is damage already done. Undetected attacks prevent nothing.
 */
export function damagePrevented(attacks: readonly AttackOutcome[]): number {
  let total = 0;
  let prevented = 0;
  for (const a of attacks) {
    const bytes = a.malicious.reduce((s, m) => s + (m.bytes ?? 0), 0);
    const weight = (m: { bytes?: number }): number => (bytes > 0 ? (m.bytes ?? 0) : 1);
    const denom = bytes > 0 ? bytes : a.malicious.length;
    if (denom === 0) continue;
    total += 1;
    if (a.detectIndex === null) continue;
    let after = 0;
    for (const m of a.malicious) if (m.index > a.detectIndex) after += weight(m);
    prevented += after / denom;
  }
  return total === 0 ? Number.NaN : prevented / total;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  fpr: number;
}

/** Trajectory-level confusion: a trajectory is flagged when any of its events raised an alert. */
export function confusion(items: readonly { malicious: boolean; flagged: boolean }[]): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const it of items) {
    if (it.malicious) it.flagged ? tp++ : fn++;
    else it.flagged ? fp++ : tn++;
  }
  return {
    tp,
    fp,
    tn,
    fn,
    precision: tp + fp === 0 ? Number.NaN : tp / (tp + fp),
    recall: tp + fn === 0 ? Number.NaN : tp / (tp + fn),
    fpr: fp + tn === 0 ? Number.NaN : fp / (fp + tn),
  };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Linear-interpolated quantile (type 7, as numpy's default). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
