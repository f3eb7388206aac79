/**
 * Benign services the benchmark's look-alikes need: Ray clusters whose dashboard takes job
 * submissions from corporate addresses (what a ShadowRay intrusion hides among), inference API
 * clients whose gateway usage roll-ups range from a chat backend's repetitive prompts to a batch
 * scorer's high-diversity flood (what model extraction hides among), and data-prep Jobs that write
 * new dataset shards (what poisoning hides among).
 */
import type { Workload } from './cluster.js';
import { podActor, PYTHON_CLIENT_UA } from './k8s-identity.js';
import { periodicTimes, poissonTimes } from './arrival-times.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';
import { MINUTE_US } from './iso-time.js';

const RAY_NAMES = ['rl-sweep', 'hpo-tune', 'batch-embed', 'rlhf-ppo', 'sim-rollout'];

/** A Ray cluster: `<name>-head-0` on a CPU node, `<name>-worker-N` each holding a GPU. */
export function addRayCluster(ctx: ScenarioContext, rng: Prng, workers: number): Workload {
  const b = ctx.builder;
  const wl = b.addWorkload({ name: rng.pick(RAY_NAMES), namespace: rng.pick(['ray', 'research-rl']), role: 'training', serviceAccount: 'ray-head', owner: rng.pick(ctx.cluster.researchers).email });
  const cpu = b.cpuNodes();
  b.addPod(wl, `${wl.name}-head-0`, rng.pick(cpu.length > 0 ? cpu : ctx.cluster.nodes), 'ray-head');
  const chosen = new Set<string>();
  for (let i = 0; i < workers; i++) {
    const gpu = ctx.timeline.gpu.findFree(ctx.startUs - MINUTE_US, ctx.endUs + MINUTE_US, chosen);
    if (gpu) chosen.add(gpu.uuid);
    const node = gpu ? b.node(gpu.node) : rng.pick(b.gpuNodes());
    b.addPod(wl, `${wl.name}-worker-${i}`, node, 'ray-worker', gpu ?? undefined);
  }
  return wl;
}

/** The cluster's own work until `untilUs`: corp-address job submissions, status polls, GPU training load. */
export function rayClusterLife(ctx: ScenarioContext, rng: Prng, wl: Workload, untilUs: number): void {
  const tag: RecordTag = { trajectory: wl.key };
  for (const w of wl.pods.slice(1)) {
    if (w.gpu) ctx.timeline.gpu.allocate(w.gpu, { startUs: ctx.startUs - MINUTE_US, endUs: untilUs, namespace: wl.namespace, pod: w.name, container: 'ray-worker', load: 'training', fbMiB: rng.int(20_000, 34_000), nvlinkPeers: false });
  }
  const owner = ctx.cluster.researchers.find((h) => h.email === wl.owner) ?? ctx.cluster.researchers[0]!;
  for (const t of poissonTimes(rng, ctx.startUs, Math.min(untilUs, ctx.endUs), rng.range(240, 600))) {
    const id = `raysubmit_${rng.chars(16, 'ABCDEFGHIJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz123456789')}`;
    const entry = rng.pick(['python tune_ppo.py --num-samples 16', 'python rollout.py --workers 2', 'python embed.py --shard {s}', 'python train_rl.py --config cfg/ppo.yaml']).replace('{s}', String(rng.int(0, 63)));
    ctx.timeline.appEvent({ tsUs: t, action: 'ray_job_submit', resource: `ray/${wl.name}/jobs/${id}`, jobId: wl.name, user: owner.email, namespace: wl.namespace, details: { submission_id: id, entrypoint: entry, client_addr: owner.ip, runtime_env: { working_dir: 's3://corp-ml-code/ray/' + wl.name + '.zip' } } }, tag);
    for (const [dt, status] of [[rng.int(2, 9), 'RUNNING'], [rng.int(120, 900), 'SUCCEEDED']] as const) {
      if (t + dt * 1e6 < untilUs) ctx.timeline.appEvent({ tsUs: t + dt * 1e6, action: 'ray_job_status', resource: `ray/${wl.name}/jobs/${id}`, jobId: wl.name, user: owner.email, namespace: wl.namespace, details: { submission_id: id, status, client_addr: owner.ip } }, tag);
    }
  }
  const head = podActor(wl.pods[0]!, PYTHON_CLIENT_UA);
  for (const t of periodicTimes(rng, ctx.startUs, ctx.endUs, 300, 20)) {
    ctx.timeline.call(rng, { at: t, actor: head, verb: 'get', resource: 'configmaps', namespace: wl.namespace, name: `${wl.name}-autoscaler` }, tag);
    ctx.timeline.call(rng, { at: t + rng.int(1e5, 2e6), actor: head, verb: 'list', resource: 'pods', namespace: wl.namespace, query: `labelSelector=ray.io%2Fcluster%3D${wl.name}` }, tag);
  }
}

/** A benign inference API client: per-minute gateway usage roll-ups keyed to the client workload. */
export function inferenceClient(ctx: ScenarioContext, rng: Prng, model: string): Workload {
  const batch = rng.chance(0.4);
  const b = ctx.builder;
  const wl = batch
    ? b.addWorkload({ name: rng.pick(['nightly-scoring', 'offline-eval', 'embed-refresh']), namespace: 'ml-eval', role: 'eval', serviceAccount: 'evaluator', owner: 'svc-eval@corp.example' })
    : b.addWorkload({ name: rng.pick(['chat-backend', 'support-assist', 'search-rerank']), namespace: 'apps', role: 'inference', serviceAccount: 'gateway-client', owner: 'system:serviceaccount:apps:gateway-client' });
  const cpu = b.cpuNodes();
  const node = rng.pick(cpu.length > 0 ? cpu : ctx.cluster.nodes);
  if (batch) b.addPod(wl, `${wl.name}-${rng.podSuffixWithDigit()}`, node, 'client');
  else b.addPod(wl, `${wl.name}-${rng.templateHash()}-${rng.podSuffix()}`, node, 'client');
  const tag: RecordTag = { trajectory: wl.key };
  const t0 = batch ? ctx.startUs + rng.range(0.05, 0.6) * (ctx.endUs - ctx.startUs) : ctx.startUs;
  const t1 = batch ? Math.min(ctx.endUs, t0 + rng.range(8, 25) * MINUTE_US) : ctx.endUs;
  const rate = batch ? rng.range(500, 2500) : rng.range(40, 400);
  for (const t of periodicTimes(rng, t0, t1, 60, 1)) {
    const requests = Math.max(1, Math.round(rng.gaussian(rate, rate * 0.15)));
    const distinct = batch ? rng.range(0.85, 1) : rng.range(0.35, 0.8);
    ctx.timeline.appEvent({ tsUs: t, action: 'inference_usage', resource: `v1/models/${model}/generate`, jobId: wl.name, user: wl.owner, namespace: wl.namespace, details: { model, requests, distinct_prompts: Math.round(requests * distinct), prompt_tokens: requests * rng.int(80, 700), completion_tokens: requests * rng.int(20, 300), logprobs: batch && rng.chance(0.3) ? 1 : 0, errors_429: rng.chance(0.1) ? rng.int(1, 5) : 0 } }, tag);
  }
  return wl;
}

/** A data-prep Job writing a new version of a dataset (new shard names, corp bucket). */
export function dataPrepJob(ctx: ScenarioContext, rng: Prng, dataset: string): Workload {
  const b = ctx.builder;
  const version = rng.int(5, 30);
  const wl = b.addWorkload({ name: `prep-${dataset.replace(/-v\d+$/, '')}-v${version}`, namespace: 'data', role: 'dataloader', serviceAccount: 'data-prep', owner: 'svc-data@corp.example' });
  const cpu = b.cpuNodes();
  const pod = b.addPod(wl, `${wl.name}-${rng.podSuffixWithDigit()}`, rng.pick(cpu.length > 0 ? cpu : ctx.cluster.nodes), 'prep');
  const tag: RecordTag = { trajectory: wl.key };
  const actor = podActor(pod, PYTHON_CLIENT_UA);
  const t0 = ctx.startUs + rng.range(0, 0.5) * (ctx.endUs - ctx.startUs);
  ctx.timeline.call(rng, { at: t0, actor, verb: 'get', resource: 'configmaps', namespace: 'data', name: `${wl.name}-config` }, tag);
  let shard = 0;
  for (const t of poissonTimes(rng, t0, ctx.endUs, rng.range(40, 120))) {
    ctx.timeline.appEvent({ tsUs: t, action: rng.chance(0.5) ? 'dataset_read' : 'dataset_write', resource: `s3://corp-ml-datasets/${dataset.replace(/-v\d+$/, '')}-v${version}/train-${String(shard++).padStart(5, '0')}.tar`, jobId: wl.name, user: wl.owner, namespace: 'data', details: { bytes: rng.int(200, 2400) * 1_048_576, records: rng.int(5000, 40000) } }, tag);
  }
  return wl;
}
