/**
 * One benchmark episode: a 30–45 minute window of an autoscaled GPU node pool (fresh node names)
 * running its own benign work — training jobs with checkpoints, evaluation Jobs, data loaders,
 * notebooks, CI rollouts, on-call sessions, Ray clusters, inference clients, data-prep Jobs — with
 * several attacks woven in. Workload names are unique across the episodes of a bundle (takenKeys),
 * so every trajectory key is too. The audit policy of the benchmark cluster drops kubelet
 * heartbeats (Lease renewals, node status; `level: None`, as the GCE policy does for
 * `system:nodes` on leases and nodes/status) and add-on informer watches, to keep bundles small.
 */
import { addBenignWorkloads } from './benign.js';
import { dataPrepJob, inferenceClient, addRayCluster, rayClusterLife } from './benign-services.js';
import { generatePeople } from './benign-people.js';
import { generateTraining } from './benign-training.js';
import { ClusterBuilder, type Cluster } from './cluster.js';
import { FAMILY_DEFS, type AttackScenario, type AttackTargets } from './families/registry.js';
import { MINUTE_US } from './iso-time.js';
import { Prng } from './prng.js';
import { resourceVersionClock, type ScenarioContext } from './scenario-context.js';
import { Timeline } from './timeline.js';

export interface PlannedAttack {
  family: AttackScenario;
  variant: string;
}

export interface Episode {
  timeline: Timeline;
  cluster: Cluster;
  startUs: number;
  endUs: number;
  /** Drawn parameters per attack trajectory. */
  params: Map<string, Record<string, unknown>>;
}

export function generateEpisode(seed: string, startUs: number, attacks: readonly PlannedAttack[], takenKeys: Set<string>): Episode {
  const rng = new Prng(seed);
  const endUs = startUs + rng.int(30, 45) * MINUTE_US;
  const builder = new ClusterBuilder(rng.fork('cluster'), { gpuNodes: 6, gpusPerNode: 2, cpuNodes: 2, poolNames: true, takenKeys });
  const cluster = builder.cluster;
  const benignOpts = { jobs: rng.int(4, 7), ciRuns: rng.int(1, 2) };
  const w = addBenignWorkloads(builder, benignOpts, startUs, endUs);
  const timeline = new Timeline(cluster.gpu);
  const ctx: ScenarioContext = { builder, cluster, timeline, startUs, endUs, resourceVersion: resourceVersionClock(rng.fork('rv'), startUs), rng };
  const targets: AttackTargets = { training: w.training, lateral: [...w.training, ...w.loaders, ...w.notebooks], inferenceModels: w.inference.map((x) => x.name), claimed: new Set() };
  const params = new Map<string, Record<string, unknown>>();
  // Attacks claim their GPUs before evaluation jobs take the free ones.
  for (const a of attacks) {
    const def = FAMILY_DEFS[a.family];
    if (!def.feasible(targets, a.variant)) continue;
    const out = def.run(ctx, targets, rng.fork(`attack/${a.family}`), a.variant);
    params.set(out.trajectory, out.params);
  }
  const b = rng.fork('benign-services');
  if (b.chance(0.5)) {
    const ray = addRayCluster(ctx, b, b.int(1, 2));
    rayClusterLife(ctx, b, ray, endUs + MINUTE_US);
  }
  for (let i = 0, n = b.int(1, 2); i < n && w.inference.length > 0; i++) inferenceClient(ctx, b, b.pick(w.inference).name);
  if (b.chance(0.5) && w.training.length > 0) dataPrepJob(ctx, b, b.pick(w.training).dataset ?? 'web-text');
  generateTraining(ctx, w.training, w.evalJobs, w.dispatcher, w.loaders);
  generatePeople(ctx, { training: w.training, notebooks: w.notebooks, inference: w.inference, runner: w.runner }, benignOpts.ciRuns);
  return { timeline, cluster, startUs, endUs, params };
}
