/**
 * `mlshield generate --benchmark`: the training/evaluation corpus for Layer 2 — thousands of short
 * trajectories in four split bundles (train / validation / test of in-distribution attack variants,
 * and a held-out split whose attacks use only variants training never sees), each a normal
 * incident bundle with its own labels.json, plus benchmark.json describing the whole.
 */
import { generateEpisode, type Episode, type PlannedAttack } from './benchmark-episode.js';
import { renderSplit } from './benchmark-render.js';
import { ATTACK_SCENARIOS, FAMILY_DEFS } from './families/registry.js';
import type { BundleFile } from './incident-bundle.js';
import { MINUTE_US } from './iso-time.js';
import type { Labels } from './labels.js';
import { Prng } from './prng.js';

export const BENCHMARK_SPLITS = ['train', 'validation', 'test', 'heldout'] as const;
export type BenchmarkSplitName = (typeof BENCHMARK_SPLITS)[number];

/** Episodes per split at scale 1 (each ~14 benign trajectories and 5 attacks). */
const EPISODES: Record<BenchmarkSplitName, number> = { train: 72, validation: 24, test: 24, heldout: 24 };
const ATTACKS_PER_EPISODE = 5;

export interface BenchmarkOptions {
  seed: number;
  /** Multiplies the episode count (≥ 2 episodes per split); default 1. */
  scale?: number;
}

export interface BenchmarkSplit {
  split: BenchmarkSplitName;
  files: BundleFile[];
  labels: Labels;
}

export interface BenchmarkSummary {
  seed: number;
  scale: number;
  splits: Record<BenchmarkSplitName, { episodes: number; trajectories: number; benign: number; attacks: number; byFamily: Record<string, number>; byVariant: Record<string, number> }>;
  totals: { trajectories: number; benign: number; attacks: number };
  variants: Record<string, { inDistribution: readonly string[]; heldOut: readonly string[]; describe: Record<string, string> }>;
}

/** Attacks of episode `i`: all families but one (rotating), variants drawn from the split's pool. */
function planAttacks(rng: Prng, split: BenchmarkSplitName, i: number): PlannedAttack[] {
  const skip = ATTACK_SCENARIOS[i % ATTACK_SCENARIOS.length];
  return ATTACK_SCENARIOS.filter((f) => f !== skip)
    .slice(0, ATTACKS_PER_EPISODE)
    .map((family) => {
      const v = FAMILY_DEFS[family].variants;
      return { family, variant: rng.pick(split === 'heldout' ? v.heldOut : v.inDistribution) };
    });
}

export function generateBenchmark(opts: BenchmarkOptions): { splits: BenchmarkSplit[]; summary: BenchmarkSummary } {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError('seed must be an integer');
  const scale = opts.scale ?? 1;
  if (!(scale > 0 && scale <= 4)) throw new RangeError('scale must be in (0, 4]');
  const root = new Prng(opts.seed);
  const splits: BenchmarkSplit[] = [];
  const summary: BenchmarkSummary = { seed: opts.seed, scale, splits: {} as BenchmarkSummary['splits'], totals: { trajectories: 0, benign: 0, attacks: 0 }, variants: {} };
  BENCHMARK_SPLITS.forEach((split, s) => {
    const rng = root.fork(split);
    const n = Math.max(2, Math.round(EPISODES[split] * scale));
    const taken = new Set<string>();
    // Splits are disjoint stretches of time; episodes follow each other with short gaps.
    let t = Date.UTC(2026, 9, 1 + s * 10, 6, 0, 0) * 1000 + rng.int(0, 120) * MINUTE_US;
    const episodes: Episode[] = [];
    for (let i = 0; i < n; i++) {
      const ep = generateEpisode(`${opts.seed}/${split}/${i}`, t, planAttacks(rng, split, i), taken);
      episodes.push(ep);
      t = ep.endUs + rng.int(1, 20) * MINUTE_US;
    }
    const { files, labels } = renderSplit(episodes, { split, seed: opts.seed, incidentId: `INC-${new Date(episodes[0]!.startUs / 1000).toISOString().slice(0, 10).replace(/-/g, '')}-${rng.fork('incident').int(1000, 9999)}`, auditMaxBytes: 16 * 1024 * 1024, stepSeconds: 30 }, rng.fork('render'));
    splits.push({ split, files, labels });
    const byFamily: Record<string, number> = {};
    const byVariant: Record<string, number> = {};
    for (const tr of labels.trajectories) {
      byFamily[tr.family] = (byFamily[tr.family] ?? 0) + 1;
      if (tr.variant) byVariant[`${tr.family}/${tr.variant}`] = (byVariant[`${tr.family}/${tr.variant}`] ?? 0) + 1;
    }
    const attacks = labels.trajectories.filter((x) => x.malicious).length;
    summary.splits[split] = { episodes: n, trajectories: labels.trajectories.length, benign: labels.trajectories.length - attacks, attacks, byFamily, byVariant };
    summary.totals.trajectories += labels.trajectories.length;
    summary.totals.attacks += attacks;
    summary.totals.benign += labels.trajectories.length - attacks;
  });
  for (const f of ATTACK_SCENARIOS) summary.variants[f] = { ...FAMILY_DEFS[f].variants, describe: FAMILY_DEFS[f].describe };
  return { splits, summary };
}
