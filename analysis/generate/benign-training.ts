/**
 * The ML work itself: training jobs (steps, dataset shards, periodic checkpoints with their GPU
 * write bursts and uploads to the internal bucket), evaluation Jobs dispatched during the window
 * (which legitimately load other jobs' checkpoints and push to the model registry), and data
 * loader services streaming shards.
 */
import type { Workload } from './cluster.js';
import { controllerActor, podActor, PYTHON_CLIENT_UA, rbacReason } from './k8s-identity.js';
import { podBody } from './k8s-manifests.js';
import { periodicTimes, poissonTimes } from './arrival-times.js';
import { recordPodEnd, recordPodStart } from './pod-lifecycle.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';
import { MINUTE_US } from './iso-time.js';

/** Bytes of a bf16 state dict for the model families the cluster trains. */
export const MODEL_BYTES: Record<string, number> = {
  'llama-2-7b': 13_476_839_424,
  'mistral-7b-v0.3': 14_496_047_104,
  'bert-base-uncased': 437_985_387,
  'codellama-7b': 13_477_093_376,
  'whisper-large-v3': 3_087_284_237,
};

export const TRAINING_IMAGE = 'registry.corp.example/ml/pytorch-train:2.4.1-cuda12.4-r7';

export function checkpointPath(wl: Workload, step: number): string {
  return `/mnt/ckpt/${wl.name}/step_${step}/model.pt`;
}

/** Step a training job has reached at `us`. */
export function stepAt(ctx: ScenarioContext, wl: Workload, us: number): number {
  return Math.floor((wl.stepAtStart ?? 0) + ((us - ctx.startUs) / MINUTE_US) * (wl.stepsPerMinute ?? 30));
}

/** The checkpoint steps a job saves inside the window (every `every` steps). */
export function checkpointSteps(ctx: ScenarioContext, wl: Workload, every: number): number[] {
  const first = Math.ceil(stepAt(ctx, wl, ctx.startUs) / every) * every;
  const out: number[] = [];
  for (let s = first; s <= stepAt(ctx, wl, ctx.endUs); s += every) out.push(s);
  return out;
}

/** Time a job reaches `step`. */
export function timeOfStep(ctx: ScenarioContext, wl: Workload, step: number): number {
  return ctx.startUs + ((step - (wl.stepAtStart ?? 0)) / (wl.stepsPerMinute ?? 30)) * MINUTE_US;
}

export function checkpointEvery(wl: Workload): number {
  // About every 15–25 minutes of training, rounded to a multiple of 500 steps.
  return Math.max(500, Math.round(((wl.stepsPerMinute ?? 30) * 20) / 500) * 500);
}

function trainingJob(ctx: ScenarioContext, rng: Prng, wl: Workload): void {
  const tag: RecordTag = { trajectory: wl.key };
  const master = wl.pods[0]!;
  const bytes = MODEL_BYTES[wl.model ?? ''] ?? 1e9;
  const baseLoss = rng.range(0.9, 2.1);
  const app = ctx.timeline;
  for (const t of periodicTimes(rng, ctx.startUs, ctx.endUs, 60, 4)) {
    const step = stepAt(ctx, wl, t);
    const loss = baseLoss * (1 + 0.6 * Math.exp(-step / 25_000)) + rng.gaussian(0, 0.02);
    app.appEvent(
      {
        tsUs: t,
        action: 'train_step',
        resource: `pytorchjobs/${wl.name}`,
        jobId: wl.name,
        user: wl.owner,
        namespace: wl.namespace,
        details: {
          step,
          loss: Number(loss.toFixed(4)),
          lr: Number((2e-5 * Math.max(0.1, 1 - step / 200_000)).toExponential(3)),
          grad_norm: Number(rng.range(0.3, 1.4).toFixed(3)),
          tokens_per_sec: Math.round(rng.gaussian(wl.pods.length * 3100, 120)),
          world_size: wl.pods.length,
        },
      },
      tag,
    );
  }
  let shard = rng.int(100, 3000);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 180)) {
    shard++;
    app.appEvent(
      {
        tsUs: t,
        action: 'dataset_read',
        resource: `s3://corp-ml-datasets/${wl.dataset}/train-${String(shard).padStart(5, '0')}.tar`,
        jobId: wl.name,
        user: wl.owner,
        namespace: wl.namespace, details: { bytes: rng.int(900, 4200) * 1_048_576, records: rng.int(8000, 40000), rank: rng.int(0, wl.pods.length - 1) },
      },
      tag,
    );
  }
  for (const step of checkpointSteps(ctx, wl, checkpointEvery(wl))) {
    const t = Math.round(timeOfStep(ctx, wl, step));
    const seconds = rng.range(40, 110);
    if (t + seconds * 1e6 >= ctx.endUs) break;
    for (const p of wl.pods) if (p.gpu) ctx.timeline.gpu.addBurst(p.gpu, { startUs: t, endUs: t + seconds * 1e6, kind: 'checkpoint' });
    const done = t + Math.round(seconds * 1e6);
    app.appEvent(
      { tsUs: done, action: 'checkpoint_save', resource: checkpointPath(wl, step), jobId: wl.name, user: wl.owner, namespace: wl.namespace, details: { step, bytes, format: 'pytorch', duration_s: Number(seconds.toFixed(1)) } },
      tag,
    );
    const uploaded = done + rng.int(60, 240) * 1e6;
    if (uploaded < ctx.endUs) {
      app.appEvent(
        {
          tsUs: uploaded,
          action: 'artifact_upload',
          resource: checkpointPath(wl, step),
          jobId: wl.name,
          user: wl.owner,
          namespace: wl.namespace, details: { destination: `s3://corp-ml-checkpoints/${wl.namespace}/${wl.name}/step_${step}/model.pt`, bytes, storage_class: 'STANDARD_IA' },
        },
        tag,
      );
    }
  }
  // The training script re-reads its config map; the operator keeps the job status current.
  const self = podActor(master, PYTHON_CLIENT_UA);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 600)) {
    app.call(rng, { at: t, actor: self, verb: 'get', resource: 'configmaps', namespace: wl.namespace, name: `${wl.name}-config` }, tag);
  }
  const operator = ctx.cluster.workloads.find((w) => w.role === 'operator');
  if (operator) {
    const opActor = podActor(operator.pods[0]!, 'training-operator/v0.0.0 (linux/amd64) kubernetes/$Format', rbacReason({ kind: 'ClusterRoleBinding', name: 'training-operator' }, { kind: 'ClusterRole', name: 'training-operator' }, 'ServiceAccount "training-operator/kubeflow"'));
    for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 900)) {
      app.call(rng, { at: t, actor: opActor, verb: 'update', resource: 'pytorchjobs', namespace: wl.namespace, name: wl.name, subresource: 'status' }, tag);
    }
  }
}

/** Evaluation Jobs dispatched during the window against the training jobs' latest checkpoints. */
function evalJobs(ctx: ScenarioContext, rng: Prng, count: number, training: Workload[], dispatcher: Workload): void {
  const jobCtl = controllerActor('job-controller', ctx.builder.controllerUid('job-controller'), ctx.cluster.apiserverIP);
  const ttlCtl = controllerActor('ttl-after-finished-controller', ctx.builder.controllerUid('ttl-after-finished-controller'), ctx.cluster.apiserverIP);
  const dispatch = podActor(dispatcher.pods[0]!, PYTHON_CLIENT_UA);
  const evalNodes = ctx.builder.cpuNodes().length > 0 ? ctx.builder.cpuNodes() : ctx.cluster.nodes;
  const suites = ['mmlu', 'qa', 'tox', 'regress', 'longctx', 'safety', 'code'];
  for (let i = 0; i < count && training.length > 0; i++) {
    const target = training[i % training.length]!;
    const suite = suites[i % suites.length]!;
    const start = ctx.startUs + rng.range(0.03, 0.8) * (ctx.endUs - ctx.startUs);
    const steps = checkpointSteps(ctx, target, checkpointEvery(target)).filter((s) => timeOfStep(ctx, target, s) < start);
    const step = steps.length > 0 ? steps[steps.length - 1]! : Math.floor(stepAt(ctx, target, start) / 1000) * 1000;
    const wl = ctx.builder.addWorkload({ name: `eval-${target.name}-s${step}-${suite}`, namespace: 'ml-eval', role: 'eval', serviceAccount: 'evaluator', owner: 'svc-eval@corp.example', model: target.model });
    const name = wl.name;
    const durationUs = rng.range(9, 24) * MINUTE_US;
    const gpu = ctx.timeline.gpu.findFree(start, start + durationUs + 2 * MINUTE_US);
    const node = gpu ? ctx.builder.node(gpu.node) : rng.pick(evalNodes);
    const pod = ctx.builder.addPod(wl, `${name}-${rng.podSuffixWithDigit()}`, node, 'evaluator', gpu ?? undefined);
    const tag: RecordTag = { trajectory: wl.key };
    ctx.timeline.call(rng, { at: start - rng.int(1, 4) * 1e6, actor: dispatch, verb: 'create', resource: 'jobs', namespace: 'ml-eval', name, body: { kind: 'Job', apiVersion: 'batch/v1', metadata: { name, namespace: 'ml-eval', labels: { 'ml.corp.example/target': target.name } }, spec: { backoffLimit: 1, ttlSecondsAfterFinished: 600, template: { spec: { serviceAccountName: 'evaluator', restartPolicy: 'Never' } } }, status: {} } }, tag);
    const body = podBody(
      {
        name: pod.name,
        namespace: 'ml-eval',
        labels: { 'batch.kubernetes.io/job-name': name, 'job-name': name },
        owner: { apiVersion: 'batch/v1', kind: 'Job', name, uid: rng.uuid() },
        serviceAccount: 'evaluator',
        container: 'evaluator',
        image: 'registry.corp.example/ml/eval-harness:0.9.3',
        command: ['python', '-m', 'harness.run', '--checkpoint', checkpointPath(target, step), '--suite', suite],
        gpus: gpu ? 1 : 0,
        cpu: '8',
        memory: '48Gi',
        pvc: target.pvc ? { claim: target.pvc, mountPath: '/mnt/ckpt', readOnly: true } : undefined,
        restartPolicy: 'Never',
      },
      'controller',
    );
    const running = recordPodStart(ctx, rng, pod, jobCtl, start, body, tag);
    const end = running + durationUs;
    if (gpu) ctx.timeline.gpu.allocate(gpu, { startUs: running, endUs: end, namespace: 'ml-eval', pod: pod.name, container: 'evaluator', load: 'eval', fbMiB: rng.int(15_000, 26_000), nvlinkPeers: false });
    ctx.timeline.call(rng, { at: running + rng.int(100_000, 900_000), actor: jobCtl, verb: 'update', resource: 'jobs', namespace: 'ml-eval', name, subresource: 'status' }, tag);
    const bytes = MODEL_BYTES[target.model ?? ''] ?? 1e9;
    const app = (tsUs: number, action: 'checkpoint_load' | 'eval' | 'registry_push', resource: string, details: Record<string, unknown>): void => {
      if (tsUs < ctx.endUs) ctx.timeline.appEvent({ tsUs, action, resource, jobId: name, user: 'svc-eval@corp.example', namespace: 'ml-eval', details }, tag);
    };
    app(running + rng.int(20, 90) * 1e6, 'checkpoint_load', checkpointPath(target, step), { bytes, source_job: target.name, step });
    for (let k = 0, n = rng.int(2, 4); k < n; k++) {
      app(running + ((k + rng.range(0.5, 0.95)) / n) * durationUs, 'eval', `evalsuites/${suite}-v${rng.int(2, 5)}/shard-${k}`, { step, metric: suite === 'regress' ? 'loss' : 'accuracy', value: Number(rng.range(0.41, 0.83).toFixed(4)), samples: rng.int(500, 5000) });
    }
    if (rng.chance(0.4)) app(end - rng.int(10, 60) * 1e6, 'registry_push', `registry.corp.example/models/${target.name}:step-${step}`, { bytes, format: 'safetensors', source_job: target.name });
    if (end < ctx.endUs) {
      recordPodEnd(ctx, rng, pod, end, null, tag);
      ctx.timeline.call(rng, { at: end + rng.int(200_000, 2_000_000), actor: jobCtl, verb: 'update', resource: 'jobs', namespace: 'ml-eval', name, subresource: 'status' }, tag);
      ctx.timeline.call(rng, { at: end + 600e6 + rng.int(0, 5e6), actor: ttlCtl, verb: 'delete', resource: 'jobs', namespace: 'ml-eval', name }, tag);
    }
  }
}

function dataLoaders(ctx: ScenarioContext, rng: Prng, loaders: Workload[]): void {
  for (const wl of loaders) {
    const tag: RecordTag = { trajectory: wl.key };
    const actor = podActor(wl.pods[0]!, PYTHON_CLIENT_UA);
    for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 600)) {
      ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'configmaps', namespace: wl.namespace, name: `${wl.name}-config` }, tag);
    }
    let shard = rng.int(1, 900);
    for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 240)) {
      shard++;
      ctx.timeline.appEvent(
        { tsUs: t, action: 'dataset_read', resource: `s3://corp-ml-datasets/raw/${wl.name}/part-${String(shard).padStart(5, '0')}.parquet`, jobId: wl.name, user: wl.owner, namespace: wl.namespace, details: { bytes: rng.int(64, 900) * 1_048_576, records: rng.int(1e5, 2e6) } },
        tag,
      );
    }
  }
}

export function generateTraining(ctx: ScenarioContext, training: Workload[], evalCount: number, dispatcher: Workload, loaders: Workload[]): void {
  const rng = ctx.rng.fork('training');
  for (const wl of training) trainingJob(ctx, rng.fork(wl.key), wl);
  evalJobs(ctx, rng.fork('eval'), evalCount, training, dispatcher);
  dataLoaders(ctx, rng.fork('loaders'), loaders);
}
