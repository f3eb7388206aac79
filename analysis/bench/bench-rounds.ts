/**
 * Paired timings over several rounds (`npm run bench -- ingest`): on a shared 2-core machine one
 * pair of runs can differ by 20–30% from the next, so the bench alternates its two sides round after
 * round and reports medians with their range. The ratio is the median of each round's own ratio
 * (both sides of a round meet the same machine load), not the ratio of the medians.
 */

/** Rounds a bench measures (MLSHIELD_BENCH_ROUNDS, default 3). */
export function benchRounds(): number {
  const n = Number(process.env.MLSHIELD_BENCH_ROUNDS ?? '3');
  return Number.isInteger(n) && n >= 1 ? n : 3;
}

export interface PairedRound {
  /** The reference side (the floor). */
  base: number;
  /** The measured side (ours). */
  ours: number;
}

export interface PairedSummary {
  rounds: number;
  baseMedian: number;
  oursMedian: number;
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
}

/** The median of `xs` (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summarizeRounds(rounds: readonly PairedRound[]): PairedSummary {
  if (rounds.length === 0) throw new Error('no rounds to summarise');
  const ratios = rounds.map((r) => r.ours / r.base);
  return {
    rounds: rounds.length,
    baseMedian: median(rounds.map((r) => r.base)),
    oursMedian: median(rounds.map((r) => r.ours)),
    ratioMedian: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
  };
}
