/** Places a phase's sequential steps inside its time budget. */
import type { Prng } from '../prng.js';

/**
 * Start times for steps that run one after another in [t0, t1): the first starts at t0, the idle
 * time between steps is random (exponential shares), and if the steps' own durations (seconds)
 * would not fit in 85% of the budget they are shrunk proportionally. Returns starts and the
 * (possibly shrunk) durations, both in microseconds.
 */
export function layoutSteps(rng: Prng, t0: number, t1: number, durationsSeconds: readonly number[]): { starts: number[]; durations: number[] } {
  const span = Math.max(0, t1 - t0);
  let durations = durationsSeconds.map((s) => Math.max(0, s) * 1e6);
  const busy = durations.reduce((a, b) => a + b, 0);
  if (busy > span * 0.85 && busy > 0) durations = durations.map((d) => (d * span * 0.85) / busy);
  const free = span - durations.reduce((a, b) => a + b, 0);
  const shares = durations.map(() => rng.exponential(1));
  const shareSum = shares.reduce((a, b) => a + b, 0) || 1;
  const starts: number[] = [];
  let t = t0;
  for (let i = 0; i < durations.length; i++) {
    starts.push(Math.round(t));
    t += durations[i]! + (free * shares[i]!) / shareSum;
  }
  return { starts, durations: durations.map(Math.round) };
}
