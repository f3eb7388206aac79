/**
 * Benign activity of the simulated ML cluster: the workloads it runs (training and evaluation jobs,
 * data loaders, notebooks, inference services, CI, add-ons) and the traffic they, the control
 * plane and the people operating them produce. Attack families run inside this noise.
 */
import type { ClusterBuilder, Workload } from './cluster.js';
import { addControlPlaneWorkloads, generateControlPlane } from './benign-control-plane.js';
import { generatePeople } from './benign-people.js';
import { generateTraining } from './benign-training.js';
import { podActor, PYTHON_CLIENT_UA } from './k8s-identity.js';
import { poissonTimes } from './arrival-times.js';
import type { ScenarioContext } from './scenario-context.js';

export interface BenignOptions {
  /** Training + evaluation jobs in the window (training jobs are capped by GPU capacity). */
  jobs: number;
  ciRuns: number;
}

export interface BenignWorkloads {
  training: Workload[];
  addons: Workload[];
  loaders: Workload[];
  notebooks: Workload[];
  inference: Workload[];
  runner: Workload;
  dispatcher: Workload;
  evalJobs: number;
}

export function addBenignWorkloads(b: ClusterBuilder, opts: BenignOptions, startUs: number, endUs: number): BenignWorkloads {
  const training = b.addTrainingJobs(Math.min(3, Math.max(1, opts.jobs - 1)), startUs, endUs);
  const addons = addControlPlaneWorkloads(b);
  const loaders = ['shard-prefetcher', 'feature-store-sync', 'tokenizer-service'].map((n) => b.addDeployment(n, 'data', 'dataloader', 2, n.split('-')[0]!));
  const notebooks = b.cluster.researchers.slice(0, 2).map((h) => b.addStatefulSet(`nb-${h.email.split('.')[0]}`, 'research-nlp', 'notebook', 1, 'notebook', 'default-editor', h.email));
  const inference = ['triton-llama', 'vllm-mistral'].map((n) => b.addDeployment(n, 'inference', 'inference', 2, n.split('-')[0]!));
  const runner = b.addDeployment('gitlab-runner', 'ci', 'ci', 1, 'gitlab-runner');
  const dispatcher = b.addDeployment('eval-dispatcher', 'ml-platform', 'operator', 1, 'dispatcher');
  return { training, addons, loaders, notebooks, inference, runner, dispatcher, evalJobs: Math.max(0, opts.jobs - training.length) };
}

function serviceChatter(ctx: ScenarioContext, wls: Workload[]): void {
  const rng = ctx.rng.fork('service-chatter');
  for (const wl of wls) {
    const actor = podActor(wl.pods[0]!, PYTHON_CLIENT_UA);
    const verb = wl.role === 'operator' ? 'list' : 'get';
    for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, wl.role === 'operator' ? 300 : 900)) {
      if (verb === 'list') ctx.timeline.call(rng, { at: t, actor, verb, resource: 'jobs', namespace: 'ml-eval', query: 'labelSelector=ml.corp.example%2Ftarget&limit=500' }, { trajectory: wl.key });
      else ctx.timeline.call(rng, { at: t, actor, verb, resource: 'configmaps', namespace: wl.namespace, name: `${wl.name}-config` }, { trajectory: wl.key });
    }
  }
}

export function generateBenign(ctx: ScenarioContext, w: BenignWorkloads, opts: BenignOptions): void {
  generateControlPlane(ctx, w.addons);
  generateTraining(ctx, w.training, w.evalJobs, w.dispatcher, w.loaders);
  generatePeople(ctx, { training: w.training, notebooks: w.notebooks, inference: w.inference, runner: w.runner }, opts.ciRuns);
  // Inference pods are replaced by CI rollouts, so only the dispatcher polls on a fixed identity.
  serviceChatter(ctx, [w.dispatcher]);
}
