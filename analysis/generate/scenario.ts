/**
 * `mlshield generate`'s engine: a seeded, deterministic incident — a simulated ML cluster's benign
 * activity with one attack family woven in — rendered as a bundle of real-format files (Kubernetes
 * audit logs with rotated gzip backups, DCGM exporter captures, application events, PyTorch
 * checkpoints, manifest) plus ground-truth labels kept apart from the bundle.
 *
 * Adding a family: a file under ./families/ with a `draw…Params(rng)` and a `generate…(ctx, victim,
 * params)` that tags its records with phases, and an entry in FAMILIES below.
 */
import { addBenignWorkloads, generateBenign } from './benign.js';
import { ClusterBuilder, type Workload } from './cluster.js';
import { ATTACK_SCENARIOS, FAMILY_DEFS, type AttackTargets } from './families/registry.js';
import { renderIncident, type BundleFile } from './incident-bundle.js';
import { dateMicros, MINUTE_US } from './iso-time.js';
import type { Labels } from './labels.js';
import { Prng } from './prng.js';
import { resourceVersionClock, type ScenarioContext } from './scenario-context.js';
import { Timeline } from './timeline.js';

export const SCENARIOS = ATTACK_SCENARIOS;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface GenerateOptions {
  scenario: ScenarioName;
  seed: number;
  /** Window start; default a seed-dependent morning on 2026-11-20 (UTC). */
  start?: Date;
  /** Window length; default 60 minutes (the default sample stays under 5 MB). */
  durationMinutes?: number;
  /** Training + evaluation jobs in the window (default 8). */
  benignJobs?: number;
}

export interface GeneratedIncident {
  /** The bundle's files, paths relative to the bundle root. */
  files: BundleFile[];
  labels: Labels;
}

/** kube-apiserver --audit-log-maxsize=1 (MB, as lumberjack counts it). */
const AUDIT_MAX_BYTES = 1024 * 1024;
const SCRAPE_INTERVAL_US = 30_000_000;

function validate(opts: GenerateOptions): { durationMinutes: number; benignJobs: number } {
  if (!SCENARIOS.includes(opts.scenario)) throw new RangeError(`unknown scenario ${String(opts.scenario)}; known: ${SCENARIOS.join(', ')}`);
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError('seed must be an integer');
  const durationMinutes = opts.durationMinutes ?? 60;
  if (!(durationMinutes >= 30 && durationMinutes <= 24 * 60)) throw new RangeError('durationMinutes must be between 30 and 1440');
  const benignJobs = opts.benignJobs ?? 8;
  if (!Number.isInteger(benignJobs) || benignJobs < 2 || benignJobs > 60) throw new RangeError('benignJobs must be an integer between 2 and 60');
  if (opts.start && Number.isNaN(opts.start.getTime())) throw new RangeError('start is not a valid date');
  return { durationMinutes, benignJobs };
}

export function generateIncident(opts: GenerateOptions): GeneratedIncident {
  const { durationMinutes, benignJobs } = validate(opts);
  const rng = new Prng(opts.seed);
  const startUs = opts.start ? Math.floor(dateMicros(opts.start) / 1e6) * 1e6 : Date.UTC(2026, 10, 20, 7, 0, 0) * 1000 + rng.fork('start').int(0, 300) * MINUTE_US;
  const endUs = startUs + durationMinutes * MINUTE_US;
  const builder = new ClusterBuilder(rng.fork('cluster'), { gpuNodes: 3, gpusPerNode: 2, cpuNodes: 2 });
  const cluster = builder.cluster;
  const benignOpts = { jobs: benignJobs, ciRuns: 2 };
  const workloads = addBenignWorkloads(builder, benignOpts, startUs, endUs);
  const timeline = new Timeline(cluster.gpu);
  const ctx: ScenarioContext = { builder, cluster, timeline, startUs, endUs, resourceVersion: resourceVersionClock(rng.fork('rv'), startUs), rng };
  // The attack claims its GPU before evaluation jobs take the free ones.
  const targets: AttackTargets = { training: workloads.training, lateral: [...workloads.training, ...workloads.loaders, ...workloads.notebooks], inferenceModels: workloads.inference.map((w) => w.name), claimed: new Set() };
  const { params } = FAMILY_DEFS[opts.scenario].run(ctx, targets, rng.fork(opts.scenario));
  generateBenign(ctx, workloads, benignOpts);
  const d = new Date(startUs / 1000);
  const incidentId = `INC-${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}-${String(rng.fork('incident').int(1000, 9999))}`;
  const rendered = renderIncident(
    timeline,
    cluster,
    { scenario: opts.scenario, seed: opts.seed, incidentId, startUs, endUs, auditMaxBytes: AUDIT_MAX_BYTES, scrapeIntervalUs: SCRAPE_INTERVAL_US, params },
    rng.fork('render'),
  );
  return rendered;
}
