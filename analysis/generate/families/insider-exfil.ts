/**
 * Low-and-slow insider exfiltration: a researcher with legitimate read access copies a model out
 * a piece at a time, each transfer below any single-event threshold (a few hundred MB, minutes
 * apart, through the platform's own artifact client to a personal bucket) from their notebook.
 * Held out: the same cadence through `kubectl cp` (exec `tar cf -`) from the training job's own
 * pod — the on-call debugging gesture — so the records key to the training job's trajectory.
 */
import type { Workload } from '../cluster.js';
import { humanActor, podActor, PYTHON_CLIENT_UA } from '../k8s-identity.js';
import { MODEL_BYTES, checkpointEvery, checkpointSteps, timeOfStep } from '../benign-training.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import type { RecordTag } from '../timeline.js';
import { poissonTimes } from '../arrival-times.js';
import { attackApp, attackCall, attackExec, spreadTimes, type AttackRun } from './attack-run.js';

export const INSIDER_EXFIL_VARIANTS = {
  inDistribution: ['notebook-artifact-client'],
  heldOut: ['kubectl-cp-chunks'],
} as const;
export type InsiderExfilVariant = (typeof INSIDER_EXFIL_VARIANTS.inDistribution)[number] | (typeof INSIDER_EXFIL_VARIANTS.heldOut)[number];

export interface InsiderExfilParams {
  variant: InsiderExfilVariant;
  startFraction: number;
  stealth: number;
  /** Bytes per transfer: kept under a per-event threshold. */
  chunkBytes: number;
  chunks: number;
  destination: string;
}

export function drawInsiderExfilParams(rng: Prng, variant: InsiderExfilVariant = 'notebook-artifact-client'): InsiderExfilParams {
  const stealth = rng.float();
  return {
    variant,
    startFraction: rng.range(0.02, 0.2),
    stealth,
    chunkBytes: Math.round(rng.range(60, 420) * 1_048_576 * (1 - 0.5 * stealth)),
    chunks: rng.int(4, 10),
    destination: rng.pick(['gs://wz-personal-backup', 's3://my-ml-notes-2291', 'gs://thesis-artifacts-ad', 's3://home-lab-sync']),
  };
}

export function generateInsiderExfil(ctx: ScenarioContext, source: Workload, p: InsiderExfilParams): { trajectory: string } {
  const rng = ctx.rng.fork('insider-exfil');
  const span = ctx.endUs - ctx.startUs;
  const t0 = ctx.startUs + p.startFraction * span;
  const insider = rng.pick(ctx.cluster.researchers);
  const steps = checkpointSteps(ctx, source, checkpointEvery(source)).filter((s) => timeOfStep(ctx, source, s) < t0);
  const step = steps.length > 0 ? steps[steps.length - 1]! : Math.floor((source.stepAtStart ?? 10_000) / 1000) * 1000;
  const total = MODEL_BYTES[source.model ?? ''] ?? 3e9;
  const shards = Math.max(p.chunks, Math.ceil(total / p.chunkBytes));
  const shardName = (i: number): string => `/mnt/ckpt/${source.name}/step_${step}/model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
  const times = spreadTimes(rng, t0, ctx.endUs - 60e6, p.chunks);

  if (p.variant === 'kubectl-cp-chunks') {
    const pod = source.pods[0]!;
    const run: AttackRun = { ctx, rng, actor: humanActor(insider), key: source.key };
    ctx.timeline.markFamily(source.key, 'insider-exfil', p.variant);
    times.forEach((t, i) => {
      if (i === 0) attackCall(run, { at: t - rng.int(5e6, 40e6), verb: 'get', resource: 'pods', namespace: pod.namespace, name: pod.name }, 'collection');
      attackExec(run, t, pod, ['tar', 'cf', '-', shardName(i)], p.chunkBytes / rng.range(30e6, 90e6), 'exfiltration', p.chunkBytes);
    });
    return { trajectory: source.key };
  }

  // The insider's notebook: ordinary notebook work, with the copy-out woven in.
  const b = ctx.builder;
  const nb = b.addStatefulSet(`ws-${insider.email.split('.')[0]}`, 'research-nlp', 'notebook', 1, 'notebook', 'default-editor', insider.email);
  const tag: RecordTag = { trajectory: nb.key };
  const actor = podActor(nb.pods[0]!, PYTHON_CLIENT_UA);
  const run: AttackRun = { ctx, rng, actor, key: nb.key };
  ctx.timeline.markFamily(nb.key, 'insider-exfil', p.variant);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 420)) {
    ctx.timeline.call(rng, { at: t, actor, verb: 'list', resource: 'pods', namespace: nb.namespace }, tag);
    if (rng.chance(0.4)) ctx.timeline.appEvent({ tsUs: t + rng.int(1e6, 30e6), action: 'dataset_read', resource: `s3://corp-ml-datasets/${source.dataset}/val-${String(rng.int(0, 40)).padStart(5, '0')}.tar`, jobId: nb.name, user: insider.email, namespace: nb.namespace, details: { bytes: rng.int(20, 300) * 1_048_576, records: rng.int(500, 5000) } }, tag);
  }
  times.forEach((t, i) => {
    attackApp(run, { tsUs: t, action: 'checkpoint_load', resource: shardName(i).replace('/mnt/ckpt/', `s3://corp-ml-checkpoints/${source.namespace}/`), jobId: nb.name, user: insider.email, namespace: nb.namespace, details: { bytes: p.chunkBytes, source_job: source.name, step } }, 'collection');
    const up = t + rng.int(20e6, 240e6);
    attackApp(run, { tsUs: up, action: 'artifact_upload', resource: `/home/jovyan/.cache/tmp/${rng.hex(4)}.bin`, jobId: nb.name, user: insider.email, namespace: nb.namespace, details: { destination: `${p.destination}/${rng.hex(6)}`, bytes: p.chunkBytes, storage_class: 'STANDARD' } }, 'exfiltration', p.chunkBytes);
  });
  return { trajectory: nb.key };
}
