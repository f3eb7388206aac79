/** Event times for recurring activity: Poisson arrivals and jittered periodic schedules (microseconds). */
import type { Prng } from './prng.js';

/** Arrivals of a Poisson process with the given mean gap, in [startUs, endUs). */
export function poissonTimes(rng: Prng, startUs: number, endUs: number, meanGapSeconds: number): number[] {
  const out: number[] = [];
  for (let t = startUs + rng.exponential(meanGapSeconds) * 1e6; t < endUs; t += rng.exponential(meanGapSeconds) * 1e6) out.push(Math.round(t));
  return out;
}

/** A periodic schedule with a random phase and ± jitter per tick, in [startUs, endUs). */
export function periodicTimes(rng: Prng, startUs: number, endUs: number, periodSeconds: number, jitterSeconds: number): number[] {
  const out: number[] = [];
  const period = periodSeconds * 1e6;
  for (let t = startUs + rng.range(0, period); t < endUs; t += period) {
    const j = Math.round(t + rng.range(-jitterSeconds, jitterSeconds) * 1e6);
    if (j >= startUs && j < endUs) out.push(j);
  }
  return out;
}
