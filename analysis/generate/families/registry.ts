/**
 * The attack families `mlshield generate` knows: for each, its technique variants (the benchmark
 * trains on `inDistribution` and keeps `heldOut` for the held-out split only), what each variant
 * means, and how to run it against an episode's workloads.
 */
import type { Workload } from '../cluster.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import { DATA_POISONING_VARIANTS, drawDataPoisoningParams, generateDataPoisoning, type DataPoisoningVariant } from './data-poisoning.js';
import { DISTILLATION_VARIANTS, drawDistillationParams, generateDistillation, type DistillationVariant } from './distillation.js';
import { drawInsiderExfilParams, generateInsiderExfil, INSIDER_EXFIL_VARIANTS, type InsiderExfilVariant } from './insider-exfil.js';
import { drawModelExtractionParams, generateModelExtraction, MODEL_EXTRACTION_VARIANTS, type ModelExtractionVariant } from './model-extraction.js';
import { drawShadowRayParams, generateShadowRay, SHADOWRAY_VARIANTS, type ShadowRayVariant } from './shadowray.js';
import { drawWeightExfilParams, generateWeightExfil, WEIGHT_EXFIL_VARIANTS, type WeightExfilVariant } from './weight-exfil.js';

export const ATTACK_SCENARIOS = ['weight-exfil', 'distillation', 'shadowray', 'data-poisoning', 'model-extraction', 'insider-exfil'] as const;
export type AttackScenario = (typeof ATTACK_SCENARIOS)[number];

/** What an attack can land on in one window. */
export interface AttackTargets {
  training: Workload[];
  /** Workloads with pods a compromised pod might exec into. */
  lateral: Workload[];
  /** Serving deployments (model names) behind the inference gateway. */
  inferenceModels: string[];
  /** Trajectories already taken by another attack in the window. */
  claimed: Set<string>;
}

export interface FamilyDef {
  variants: { inDistribution: readonly string[]; heldOut: readonly string[] };
  /** One line per variant, for benchmark.json. */
  describe: Record<string, string>;
  /** Whether the window has what the family needs. */
  feasible(t: AttackTargets, variant: string): boolean;
  run(ctx: ScenarioContext, t: AttackTargets, rng: Prng, variant?: string): { trajectory: string; params: Record<string, unknown> };
}

function freeTraining(t: AttackTargets, minPods = 1): Workload | undefined {
  return t.training.find((w) => w.pods.length >= minPods && !t.claimed.has(w.key));
}

function claim(t: AttackTargets, key: string): string {
  t.claimed.add(key);
  return key;
}

export const FAMILY_DEFS: Record<AttackScenario, FamilyDef> = {
  'weight-exfil': {
    variants: WEIGHT_EXFIL_VARIANTS,
    describe: {
      curl: 'four phases from a training job master token; parts pushed with curl -T to an object host',
      rclone: 'same chain; parts pushed with rclone copy',
      'aws-s3': 'same chain; parts pushed with aws s3 cp --endpoint-url to a foreign S3 endpoint',
      'hf-cli': 'HELD OUT: same chain; parts pushed with huggingface-cli upload to a private hub repo',
    },
    feasible: (t) => freeTraining(t, 2) !== undefined || freeTraining(t) !== undefined,
    run(ctx, t, rng, variant) {
      const victim = freeTraining(t, 2) ?? freeTraining(t)!;
      const params = drawWeightExfilParams(rng, variant as WeightExfilVariant | undefined);
      const out = generateWeightExfil(ctx, victim, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params, victim: victim.key, attackerPod: out.attackerPod } };
    },
  },
  distillation: {
    variants: DISTILLATION_VARIANTS,
    describe: {
      'checkpoint-teacher': "a researcher's student PyTorchJob reads another team's teacher checkpoints, trains (GPU: student + teacher resident), saves student artifacts and uploads them out",
      'api-teacher': "HELD OUT: the student gets the teacher's outputs from its serving endpoint (gateway usage with log-probabilities) instead of reading checkpoints",
    },
    feasible: (t) => t.training.length > 0,
    run(ctx, t, rng, variant) {
      const teacher = rng.pick(t.training);
      const params = drawDistillationParams(rng, (variant ?? 'checkpoint-teacher') as DistillationVariant);
      const out = generateDistillation(ctx, teacher, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params, teacher: teacher.key } };
    },
  },
  shadowray: {
    variants: SHADOWRAY_VARIANTS,
    describe: {
      'dashboard-jobs-api': 'Ray Jobs API submission from an external address (CVE-2023-48022), head-pod token recon, secret theft, exec into other workloads, optional CronJob persistence, full-rate GPU miner on the workers',
      'stolen-kubeconfig-exec': 'HELD OUT: entry by kubectl exec into the head pod from an external address with a stolen on-call kubeconfig; duty-cycled (throttled) miner',
    },
    feasible: () => true,
    run(ctx, t, rng, variant) {
      const params = drawShadowRayParams(rng, (variant ?? 'dashboard-jobs-api') as ShadowRayVariant);
      const out = generateShadowRay(ctx, t.lateral, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params } };
    },
  },
  'data-poisoning': {
    variants: DATA_POISONING_VARIANTS,
    describe: {
      'configmap-repoint': "a compromised data-loader token: pipeline recon, fluent-bit config patch + pod delete, overwrites of shards a training job reads, patch of the job's pipeline ConfigMap",
      'cronjob-image-swap': "HELD OUT: fluent-bit DaemonSet pinned to no node; the pipeline change is an image swap on the dataset's refresh CronJob",
    },
    feasible: (t) => t.training.length > 0,
    run(ctx, t, rng, variant) {
      const victim = rng.pick(t.training);
      const params = drawDataPoisoningParams(rng, (variant ?? 'configmap-repoint') as DataPoisoningVariant);
      const out = generateDataPoisoning(ctx, victim, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params, victim: victim.key } };
    },
  },
  'model-extraction': {
    variants: MODEL_EXTRACTION_VARIANTS,
    describe: {
      'logprob-flood': 'a client Job maps the serving endpoints, then floods the gateway (1.5k–6k req/min, ~all prompts distinct, log-probabilities, some 429s) and uploads the harvested pairs',
      'under-rate-limit': 'HELD OUT: 25–70 req/min for the rest of the window, no log-probabilities, no 429s',
    },
    feasible: (t) => t.inferenceModels.length > 0,
    run(ctx, t, rng, variant) {
      const model = rng.pick(t.inferenceModels);
      const params = drawModelExtractionParams(rng, (variant ?? 'logprob-flood') as ModelExtractionVariant);
      const out = generateModelExtraction(ctx, model, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params, model } };
    },
  },
  'insider-exfil': {
    variants: INSIDER_EXFIL_VARIANTS,
    describe: {
      'notebook-artifact-client': "a researcher's notebook loads one checkpoint shard at a time and uploads each (60–420 MB) to a personal bucket, minutes apart",
      'kubectl-cp-chunks': "HELD OUT: the same cadence as kubectl cp (exec tar cf -) from the training job's pod by the researcher; keys to the training job",
    },
    feasible: (t, variant) => (variant === 'kubectl-cp-chunks' ? freeTraining(t) !== undefined : t.training.length > 0),
    run(ctx, t, rng, variant) {
      const v = (variant ?? 'notebook-artifact-client') as InsiderExfilVariant;
      const source = v === 'kubectl-cp-chunks' ? freeTraining(t)! : rng.pick(t.training);
      const params = drawInsiderExfilParams(rng, v);
      const out = generateInsiderExfil(ctx, source, params);
      return { trajectory: claim(t, out.trajectory), params: { ...params, source: source.key } };
    },
  },
};
