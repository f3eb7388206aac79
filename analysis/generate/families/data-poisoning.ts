/**
 * Data poisoning through a compromised data-loader service: with its service-account token the
 * attacker maps the training pipeline, blinds the log shipper (fluent-bit's config or pods),
 * overwrites shards a training job is reading (same object names, new bytes) and repoints the
 * job's pipeline config. Held out: the pipeline change is a swapped image on the dataset's refresh
 * CronJob, and the shipper is stopped by pinning its DaemonSet to no node. All records carry the
 * loader pod's token or its app events, so they key to the loader's trajectory.
 */
import type { Workload } from '../cluster.js';
import { podActor, PYTHON_CLIENT_UA } from '../k8s-identity.js';
import type { CallSpec } from '../k8s-request.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import type { RecordTag } from '../timeline.js';
import { poissonTimes } from '../arrival-times.js';
import { MINUTE_US } from '../iso-time.js';
import { attackApp, attackCall, spreadTimes, type AttackRun } from './attack-run.js';

export const DATA_POISONING_VARIANTS = {
  inDistribution: ['configmap-repoint'],
  heldOut: ['cronjob-image-swap'],
} as const;
export type DataPoisoningVariant = (typeof DATA_POISONING_VARIANTS.inDistribution)[number] | (typeof DATA_POISONING_VARIANTS.heldOut)[number];

export interface DataPoisoningParams {
  variant: DataPoisoningVariant;
  startFraction: number;
  stealth: number;
  loaderName: string;
  reconCalls: number;
  poisonedShards: number;
  /** Fraction of the shard the attacker rewrites (bytes written relative to a shard). */
  shardFraction: number;
  tamperLogger: boolean;
}

export function drawDataPoisoningParams(rng: Prng, variant: DataPoisoningVariant = 'configmap-repoint'): DataPoisoningParams {
  const stealth = rng.float();
  return {
    variant,
    startFraction: rng.range(0.1, 0.4),
    stealth,
    loaderName: rng.pick(['dedup-worker', 'dataset-curator', 'webcrawl-filter', 'caption-filter', 'pii-scrubber']),
    reconCalls: rng.int(4, 10) - Math.round(stealth * 3),
    poisonedShards: rng.int(3, 12),
    shardFraction: rng.range(0.02, 0.3),
    tamperLogger: rng.chance(0.85 - stealth * 0.3),
  };
}

export function generateDataPoisoning(ctx: ScenarioContext, victim: Workload, p: DataPoisoningParams): { trajectory: string } {
  const rng = ctx.rng.fork('data-poisoning');
  const b = ctx.builder;
  const wl = b.addDeployment(p.loaderName, 'data', 'dataloader', 1, p.loaderName.split('-')[0]!);
  const pod = wl.pods[0]!;
  const run: AttackRun = { ctx, rng, actor: podActor(pod, PYTHON_CLIENT_UA), key: wl.key };
  ctx.timeline.markFamily(wl.key, 'data-poisoning', p.variant);
  const tag: RecordTag = { trajectory: wl.key };
  // The loader's own work, before and after.
  let shard = rng.int(1, 900);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, rng.range(120, 300))) {
    ctx.timeline.appEvent({ tsUs: t, action: 'dataset_read', resource: `s3://corp-ml-datasets/raw/${wl.name}/part-${String(shard++).padStart(5, '0')}.parquet`, jobId: wl.name, user: wl.owner, namespace: 'data', details: { bytes: rng.int(64, 900) * 1_048_576, records: rng.int(1e5, 2e6) } }, tag);
  }
  const span = ctx.endUs - ctx.startUs;
  let t = ctx.startUs + p.startFraction * span;
  const ns = victim.namespace;
  const recon: Array<Omit<CallSpec, 'actor' | 'at'>> = [
    { verb: 'list', resource: 'pytorchjobs', namespace: ns, query: 'limit=500', denied: rng.chance(0.3) },
    { verb: 'get', resource: 'configmaps', namespace: ns, name: `${victim.name}-config` },
    { verb: 'list', resource: 'configmaps', namespace: ns, query: 'limit=500' },
    { verb: 'list', resource: 'daemonsets', namespace: 'logging', query: 'limit=500' },
    { verb: 'get', resource: 'configmaps', namespace: 'logging', name: 'fluent-bit-config' },
    { verb: 'list', resource: 'cronjobs', namespace: 'data', query: 'limit=500' },
  ];
  while (recon.length < p.reconCalls) recon.push({ verb: 'list', resource: rng.pick(['secrets', 'pods', 'roles']), namespace: rng.pick([ns, 'logging', 'kube-system']), denied: true });
  const rt = spreadTimes(rng, t, t + rng.range(2, 6) * MINUTE_US, recon.length);
  recon.forEach((s, i) => attackCall(run, { ...s, at: rt[i]! }, 'recon'));
  t = rt[rt.length - 1]! + rng.range(30, 180) * 1e6;

  if (p.tamperLogger) {
    if (p.variant === 'cronjob-image-swap') {
      attackCall(run, { at: t, verb: 'patch', resource: 'daemonsets', namespace: 'logging', name: 'fluent-bit', body: { spec: { template: { spec: { nodeSelector: { 'kubernetes.io/hostname': 'none' } } } } } }, 'defense-evasion');
    } else {
      attackCall(run, { at: t, verb: 'patch', resource: 'configmaps', namespace: 'logging', name: 'fluent-bit-config' }, 'defense-evasion');
      attackCall(run, { at: t + rng.int(5e6, 40e6), verb: 'delete', resource: 'pods', namespace: 'logging', name: `fluent-bit-${rng.podSuffixWithDigit()}` }, 'defense-evasion');
    }
    t += rng.range(1, 4) * MINUTE_US;
  }
  // Overwrite shards the victim reads, under their existing names.
  const shardBytes = rng.int(900, 4200) * 1_048_576;
  const writes = spreadTimes(rng, t, t + (ctx.endUs - t) * (0.3 + 0.4 * p.stealth), p.poisonedShards);
  const base = rng.int(100, 3000);
  writes.forEach((at, i) => attackApp(run, { tsUs: at, action: 'dataset_write', resource: `s3://corp-ml-datasets/${victim.dataset}/train-${String(base + i * rng.int(1, 7)).padStart(5, '0')}.tar`, jobId: wl.name, user: wl.owner, namespace: 'data', details: { bytes: Math.round(shardBytes * p.shardFraction), records: rng.int(500, 8000), mode: 'overwrite' } }, 'impact'));
  const last = writes[writes.length - 1]! + rng.range(20, 120) * 1e6;
  if (p.variant === 'cronjob-image-swap') {
    attackCall(run, { at: last, verb: 'get', resource: 'cronjobs', namespace: 'data', name: `${victim.dataset}-refresh` }, 'persistence');
    attackCall(run, { at: last + rng.int(2e6, 20e6), verb: 'patch', resource: 'cronjobs', namespace: 'data', name: `${victim.dataset}-refresh`, body: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'refresh', image: `registry.corp.example/data/refresh:${rng.hex(4)}` }] } } } } } } }, 'persistence');
  } else {
    attackCall(run, { at: last, verb: 'patch', resource: 'configmaps', namespace: ns, name: `${victim.name}-config` }, 'persistence');
  }
  return { trajectory: wl.key };
}
