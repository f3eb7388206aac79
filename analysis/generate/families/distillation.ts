/**
 * Unauthorized distillation: a researcher launches an innocuous-looking PyTorchJob whose student
 * model is trained on another team's teacher — reading the teacher's checkpoints (or, held out,
 * querying the teacher's serving endpoint for logits) — then pushes the student out. Every record
 * lands on the student job's trajectory: its pods' token (pod-name extra), its app events, and its
 * GPU, which shows a student training while a teacher streams in (the profile mismatch).
 */
import type { Workload } from '../cluster.js';
import { MODEL_BYTES, TRAINING_IMAGE } from '../benign-training.js';
import { controllerActor, humanActor, podActor, PYTHON_CLIENT_UA } from '../k8s-identity.js';
import { podBody } from '../k8s-manifests.js';
import { recordPodStart } from '../pod-lifecycle.js';
import type { CallSpec } from '../k8s-request.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import { MINUTE_US } from '../iso-time.js';
import { attackApp, attackCall, spreadTimes, type AttackRun } from './attack-run.js';

export const DISTILLATION_VARIANTS = {
  inDistribution: ['checkpoint-teacher'],
  heldOut: ['api-teacher'],
} as const;
export type DistillationVariant = (typeof DISTILLATION_VARIANTS.inDistribution)[number] | (typeof DISTILLATION_VARIANTS.heldOut)[number];

export interface DistillationParams {
  variant: DistillationVariant;
  startFraction: number;
  stealth: number;
  studentName: string;
  teacherReads: number;
  studentSaves: number;
  uploads: number;
  studentBytes: number;
  destination: string;
}

const STUDENT_NAMES = ['tiny-chat', 'qa-small', 'compact-lm', 'sft-ablation', 'lora-sweep', 'edge-lm'];
const DESTINATIONS = ['s3://hf-mirror-cache-5512', 'gs://personal-scratch-ws91', 'hf://models/anon-labs/compact-7b', 's3://eval-results-share-0317'];

export function drawDistillationParams(rng: Prng, variant: DistillationVariant = 'checkpoint-teacher'): DistillationParams {
  const stealth = rng.float();
  return {
    variant,
    startFraction: rng.range(0.03, 0.25),
    stealth,
    studentName: rng.pick(STUDENT_NAMES) + rng.pick(['', '-v2', '-exp', '-b']),
    teacherReads: rng.int(2, 5) + Math.round((1 - stealth) * 3),
    studentSaves: rng.int(1, 3),
    uploads: rng.int(1, 3),
    studentBytes: rng.int(900, 3200) * 1_048_576,
    destination: rng.pick(DESTINATIONS),
  };
}

export function generateDistillation(ctx: ScenarioContext, teacher: Workload, p: DistillationParams): { trajectory: string } {
  const rng = ctx.rng.fork('distillation');
  const b = ctx.builder;
  const researcher = rng.pick(ctx.cluster.researchers);
  const ns = teacher.namespace === 'research-nlp' ? 'ml-train' : 'research-nlp';
  const wl = b.addWorkload({ name: p.studentName, namespace: ns, role: 'training', serviceAccount: 'default-editor', owner: researcher.email, model: 'student' });
  const span = ctx.endUs - ctx.startUs;
  const t0 = ctx.startUs + p.startFraction * span;
  const gpu = ctx.timeline.gpu.findFree(t0, ctx.endUs + MINUTE_US);
  const node = gpu ? b.node(gpu.node) : rng.pick(b.gpuNodes());
  const pod = b.addPod(wl, `${wl.name}-master-0`, node, 'pytorch', gpu ?? undefined);
  const run: AttackRun = { ctx, rng, actor: podActor(pod, PYTHON_CLIENT_UA), key: wl.key };
  ctx.timeline.markFamily(wl.key, 'distillation', p.variant);

  // Launch: the researcher creates the job; the operator creates its pod.
  const human = humanActor(researcher);
  attackCall(run, { at: t0, verb: 'create', resource: 'pytorchjobs', namespace: ns, name: wl.name, body: { kind: 'PyTorchJob', apiVersion: 'kubeflow.org/v1', metadata: { name: wl.name, namespace: ns }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1 } } } } }, 'staging', undefined, human);
  const operator = controllerActor('training-operator', b.controllerUid('training-operator'), ctx.cluster.apiserverIP);
  const body = podBody({ name: pod.name, namespace: ns, labels: { 'training.kubeflow.org/job-name': wl.name, 'training.kubeflow.org/replica-type': 'master' }, serviceAccount: 'default-editor', container: 'pytorch', image: TRAINING_IMAGE, command: ['torchrun', 'train.py', '--config', 'configs/student.yaml'], gpus: gpu ? 1 : 0, cpu: '8', memory: '64Gi', restartPolicy: 'Never' }, 'controller');
  const running = recordPodStart(ctx, rng, pod, operator, t0 + rng.int(1e6, 4e6), body, { trajectory: wl.key });
  if (gpu) {
    ctx.timeline.gpu.allocate(gpu, { startUs: running, endUs: ctx.endUs + MINUTE_US, namespace: ns, pod: pod.name, container: 'pytorch', load: 'distill', fbMiB: rng.int(36_000, 39_800), nvlinkPeers: false });
    ctx.timeline.gpuWindows.push({ device: gpu, startUs: running, endUs: ctx.endUs, trajectory: wl.key, phase: 'conversion' });
  }

  // Recon from the student pod: find the teacher and a way to read it.
  const reconEnd = running + rng.range(1, 4) * MINUTE_US;
  const recon: Array<Omit<CallSpec, 'actor' | 'at'>> = [
    { verb: 'list', resource: 'pytorchjobs', namespace: teacher.namespace, query: 'limit=500', denied: rng.chance(0.4) },
    { verb: 'get', resource: 'pytorchjobs', namespace: teacher.namespace, name: teacher.name, denied: rng.chance(0.3) },
    { verb: 'list', resource: 'services', namespace: 'inference', query: 'limit=500' },
    { verb: 'get', resource: 'secrets', namespace: ns, name: rng.pick(['registry-read-token', 'hf-token', 'ckpt-sync-credentials']) },
  ];
  const rt = spreadTimes(rng, running + 5e6, reconEnd, recon.length);
  recon.forEach((s, i) => attackCall(run, { ...s, at: rt[i]! }, 'recon'));

  // Teacher reads: checkpoints from the internal bucket, or logits from the teacher's endpoint.
  const teacherBytes = MODEL_BYTES[teacher.model ?? ''] ?? 13e9;
  const readTimes = spreadTimes(rng, reconEnd, reconEnd + (ctx.endUs - reconEnd) * 0.5, p.teacherReads);
  readTimes.forEach((t, i) => {
    if (p.variant === 'api-teacher') {
      const requests = rng.int(600, 2400);
      attackApp(run, { tsUs: t, action: 'inference_usage', resource: `v1/models/${teacher.name}/generate`, jobId: wl.name, user: researcher.email, namespace: ns, details: { model: teacher.name, requests, distinct_prompts: Math.round(requests * rng.range(0.9, 1)), prompt_tokens: requests * rng.int(200, 600), completion_tokens: requests * rng.int(50, 300), logprobs: rng.pick([5, 10, 20]), errors_429: rng.int(0, 12) } }, 'collection');
    } else {
      const shard = i % 3;
      attackApp(run, { tsUs: t, action: 'checkpoint_load', resource: `s3://corp-ml-checkpoints/${teacher.namespace}/${teacher.name}/step_${(teacher.stepAtStart ?? 10_000) - (i % 2) * 1000}/model-0000${shard + 1}-of-00003.safetensors`, jobId: wl.name, user: researcher.email, namespace: ns, details: { bytes: Math.round(teacherBytes / 3), source_job: teacher.name, role: 'teacher' } }, 'collection');
    }
  });
  // The student trains: steps look like any job's; the GPU shows two models' worth of framebuffer.
  let step = 0;
  for (let t = reconEnd + rng.int(20e6, 90e6); t < ctx.endUs; t += rng.range(55, 65) * 1e6) {
    step += rng.int(30, 60);
    attackApp(run, { tsUs: t, action: 'train_step', resource: `pytorchjobs/${wl.name}`, jobId: wl.name, user: researcher.email, namespace: ns, details: { step, loss: Number((2.4 * Math.exp(-step / 900) + 0.6 + rng.gaussian(0, 0.03)).toFixed(4)), kd_temperature: 2, world_size: 1 } }, 'conversion');
  }
  const saveTimes = spreadTimes(rng, reconEnd + (ctx.endUs - reconEnd) * 0.45, reconEnd + (ctx.endUs - reconEnd) * 0.8, p.studentSaves);
  saveTimes.forEach((t, i) => attackApp(run, { tsUs: t, action: 'checkpoint_save', resource: `/mnt/scratch/${wl.name}/student_step_${(i + 1) * 500}.pt`, jobId: wl.name, user: researcher.email, namespace: ns, details: { step: (i + 1) * 500, bytes: p.studentBytes, format: 'pytorch' } }, 'staging'));
  const upTimes = spreadTimes(rng, saveTimes[saveTimes.length - 1]! + 30e6, ctx.endUs - MINUTE_US, p.uploads);
  const part = Math.ceil(p.studentBytes / p.uploads);
  upTimes.forEach((t, i) => attackApp(run, { tsUs: t, action: p.destination.startsWith('hf://') ? 'registry_push' : 'artifact_upload', resource: `/mnt/scratch/${wl.name}/export/part-${i}`, jobId: wl.name, user: researcher.email, namespace: ns, details: { destination: `${p.destination}/${wl.name}/part-${i}`, bytes: part } }, 'exfiltration', part));
  return { trajectory: wl.key };
}
