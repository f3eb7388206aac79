/**
 * Model extraction through the inference API: a client workload maps the serving endpoints, then
 * floods the gateway with highly diverse prompts (near every prompt distinct, log-probabilities
 * requested) to harvest a training set for a copy, and ships the harvested pairs out. The gateway's
 * per-minute usage roll-ups carry the client's job id and namespace. Held out: a slow, long
 * harvest that stays under the gateway's rate limits, without log-probabilities.
 */
import { podActor, PYTHON_CLIENT_UA } from '../k8s-identity.js';
import type { CallSpec } from '../k8s-request.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import { periodicTimes } from '../arrival-times.js';
import { MINUTE_US } from '../iso-time.js';
import { attackApp, attackCall, spreadTimes, type AttackRun } from './attack-run.js';

export const MODEL_EXTRACTION_VARIANTS = {
  inDistribution: ['logprob-flood'],
  heldOut: ['under-rate-limit'],
} as const;
export type ModelExtractionVariant = (typeof MODEL_EXTRACTION_VARIANTS.inDistribution)[number] | (typeof MODEL_EXTRACTION_VARIANTS.heldOut)[number];

export interface ModelExtractionParams {
  variant: ModelExtractionVariant;
  startFraction: number;
  stealth: number;
  clientName: string;
  namespace: string;
  /** Requests per minute during the harvest. */
  rate: number;
  /** Share of distinct prompts. */
  diversity: number;
  harvestMinutes: number;
  uploads: number;
}

export function drawModelExtractionParams(rng: Prng, variant: ModelExtractionVariant = 'logprob-flood'): ModelExtractionParams {
  const stealth = rng.float();
  const slow = variant === 'under-rate-limit';
  return {
    variant,
    startFraction: rng.range(0.05, 0.3),
    stealth,
    clientName: rng.pick(['qa-harvest', 'feature-fill', 'prompt-regress', 'synthetic-gen', 'benchmark-runner']),
    namespace: rng.pick(['apps', 'analytics', 'research-nlp']),
    rate: slow ? rng.range(25, 70) : rng.range(1500, 6000) * (1 - 0.5 * stealth),
    diversity: rng.range(0.96, 1),
    harvestMinutes: slow ? 0 : rng.range(8, 22),
    uploads: rng.int(1, 3),
  };
}

export function generateModelExtraction(ctx: ScenarioContext, model: string, p: ModelExtractionParams): { trajectory: string } {
  const rng = ctx.rng.fork('model-extraction');
  const b = ctx.builder;
  const wl = b.addWorkload({ name: p.clientName, namespace: p.namespace, role: 'eval', serviceAccount: 'default', owner: `system:serviceaccount:${p.namespace}:default` });
  const cpu = b.cpuNodes();
  const pod = b.addPod(wl, `${wl.name}-${rng.podSuffixWithDigit()}`, rng.pick(cpu.length > 0 ? cpu : ctx.cluster.nodes), 'client');
  const run: AttackRun = { ctx, rng, actor: podActor(pod, PYTHON_CLIENT_UA), key: wl.key };
  ctx.timeline.markFamily(wl.key, 'model-extraction', p.variant);
  const span = ctx.endUs - ctx.startUs;
  const t0 = ctx.startUs + p.startFraction * span;
  const recon: Array<Omit<CallSpec, 'actor' | 'at'>> = [
    { verb: 'list', resource: 'services', namespace: 'inference', query: 'limit=500', denied: rng.chance(0.3) },
    { verb: 'get', resource: 'endpoints', namespace: 'inference', name: model, denied: rng.chance(0.3) },
    { verb: 'get', resource: 'configmaps', namespace: 'inference', name: `${model}-config`, denied: true },
  ];
  const rt = spreadTimes(rng, t0, t0 + rng.range(1, 3) * MINUTE_US, recon.length);
  recon.forEach((s, i) => attackCall(run, { ...s, at: rt[i]! }, 'recon'));
  const usage = (t: number, requests: number, phase: 'recon' | 'collection'): void => {
    attackApp(run, { tsUs: t, action: 'inference_usage', resource: `v1/models/${model}/generate`, jobId: wl.name, user: wl.owner, namespace: p.namespace, details: { model, requests, distinct_prompts: Math.round(requests * p.diversity), prompt_tokens: requests * rng.int(20, 160), completion_tokens: requests * rng.int(1, 40), logprobs: p.variant === 'under-rate-limit' ? 0 : rng.pick([5, 10, 20]), errors_429: p.variant === 'under-rate-limit' ? 0 : Math.round(requests * rng.range(0, 0.08)) } }, phase);
  };
  const probeStart = rt[rt.length - 1]! + 20e6;
  for (let i = 0; i < 2; i++) usage(probeStart + i * 60e6, rng.int(3, 40), 'recon');
  const h0 = probeStart + 3 * MINUTE_US;
  const h1 = p.harvestMinutes > 0 ? Math.min(ctx.endUs - 2 * MINUTE_US, h0 + p.harvestMinutes * MINUTE_US) : ctx.endUs - 2 * MINUTE_US;
  let pairs = 0;
  for (const t of periodicTimes(rng, h0, h1, 60, 1)) {
    const n = Math.max(1, Math.round(rng.gaussian(p.rate, p.rate * 0.1)));
    pairs += n;
    usage(t, n, 'collection');
  }
  const bytes = pairs * rng.int(600, 2400);
  const parts = spreadTimes(rng, h1, ctx.endUs - 10e6, p.uploads);
  parts.forEach((t, i) => attackApp(run, { tsUs: t, action: 'artifact_upload', resource: `/tmp/harvest/pairs-${String(i).padStart(3, '0')}.jsonl.zst`, jobId: wl.name, user: wl.owner, namespace: p.namespace, details: { destination: `https://${rng.pick(['transfer.sh', 'files.catbox.moe', 'pixeldrain.com'])}/u/${rng.hex(6)}`, bytes: Math.round(bytes / p.uploads) } }, 'exfiltration', Math.round(bytes / p.uploads)));
  return { trajectory: wl.key };
}
