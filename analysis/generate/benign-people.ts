/**
 * People and pipelines: on-call engineers doing what on-call engineers do (list pods, read logs,
 * `kubectl exec` into training pods to run nvidia-smi or look at the checkpoint volume, read secrets,
 * port-forward to TensorBoard, now and then `kubectl cp` a checkpoint out to debug it), researchers
 * checking their jobs and working in notebooks, and CI pipelines applying inference deployments
 * (including LoadBalancer services). These are the look-alikes of an intrusion that a real cluster has.
 */
import type { HumanUser } from './k8s-identity.js';
import type { PodInfo, Workload } from './cluster.js';
import { controllerActor, humanActor, KUBECTL_LINUX_UA, podActor, PYTHON_CLIENT_UA, rbacReason } from './k8s-identity.js';
import { execQuery, recordDiscovery } from './kubectl-calls.js';
import { podBody, serviceBody } from './k8s-manifests.js';
import { recordPodEnd, recordPodStart } from './pod-lifecycle.js';
import { poissonTimes } from './arrival-times.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';
import { checkpointEvery, checkpointSteps, timeOfStep } from './benign-training.js';

function oncallSession(ctx: ScenarioContext, rng: Prng, h: HumanUser, atUs: number, job: Workload): void {
  const actor = humanActor(h);
  const tag: RecordTag = { trajectory: job.key };
  const none: RecordTag = { trajectory: null };
  const ns = job.namespace;
  const pod = rng.pick(job.pods);
  let t = atUs;
  const step = (lo: number, hi: number): number => (t += rng.range(lo, hi) * 1e6);
  if (rng.chance(0.3)) t = recordDiscovery(ctx, rng, actor, t, none);
  ctx.timeline.call(rng, { at: t, actor, verb: 'list', resource: 'pods', namespace: ns, query: 'limit=500' }, none);
  step(3, 25);
  ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'pods', namespace: ns, name: pod.name }, tag);
  ctx.timeline.call(rng, { at: t + rng.int(20_000, 90_000), actor, verb: 'list', resource: 'events', namespace: ns, query: `fieldSelector=${encodeURIComponent(`involvedObject.name=${pod.name},involvedObject.namespace=${ns},involvedObject.uid=${pod.uid}`)}` }, tag);
  step(5, 40);
  ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'pods', namespace: ns, name: pod.name, subresource: 'log', query: `container=${pod.container}&tailLines=${rng.pick([100, 200, 500])}` }, tag);
  const commands: string[][] = [['nvidia-smi'], ['df', '-h', '/mnt/ckpt'], ['ls', '-la', `/mnt/ckpt/${job.name}`], ['sh', '-c', 'ps aux | grep -i python | head'], ['cat', '/proc/meminfo']];
  const nExec = rng.int(1, 3);
  for (let i = 0; i < nExec; i++) {
    step(8, 90);
    const cmd = rng.pick(commands);
    const tty = cmd.length === 1 || rng.chance(0.3);
    ctx.timeline.call(rng, { at: t, actor, verb: 'create', resource: 'pods', namespace: ns, name: pod.name, subresource: 'exec', query: execQuery(cmd, pod.container, tty), streamSeconds: rng.range(0.4, tty ? 240 : 3) }, tag);
  }
  if (rng.chance(0.5)) {
    step(10, 120);
    ctx.timeline.call(rng, { at: t, actor, verb: 'list', resource: 'secrets', namespace: ns, query: 'limit=500' }, none);
    step(4, 30);
    ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'secrets', namespace: ns, name: rng.pick([`${job.name}-wandb`, 'registry-pull', `${job.name}-s3`]) }, none);
  }
  if (rng.chance(0.35)) {
    step(20, 120);
    ctx.timeline.call(rng, { at: t, actor, verb: 'create', resource: 'pods', namespace: ns, name: job.pods[0]!.name, subresource: 'portforward', streamSeconds: rng.range(120, 1500) }, tag);
  }
  if (rng.chance(0.3)) {
    // `kubectl cp pod:/mnt/ckpt/... ./` runs `tar cf - <path>` in the container.
    const steps = checkpointSteps(ctx, job, checkpointEvery(job)).filter((s) => timeOfStep(ctx, job, s) < t);
    if (steps.length > 0) {
      step(30, 200);
      const s = steps[steps.length - 1]!;
      ctx.timeline.call(rng, { at: t, actor, verb: 'create', resource: 'pods', namespace: ns, name: job.pods[0]!.name, subresource: 'exec', query: execQuery(['tar', 'cf', '-', `/mnt/ckpt/${job.name}/step_${s}/${rng.pick(['model.pt', 'trainer_state.json', 'config.json'])}`], 'pytorch', false), streamSeconds: rng.range(0.5, 4) }, tag);
    }
  }
}

function researcherActivity(ctx: ScenarioContext, rng: Prng, h: HumanUser, training: Workload[]): void {
  const actor = humanActor(h);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 1500)) {
    const job = rng.pick(training);
    const tag: RecordTag = { trajectory: job.key };
    ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'pytorchjobs', namespace: job.namespace, name: job.name }, tag);
    ctx.timeline.call(rng, { at: t + rng.int(2e6, 20e6), actor, verb: 'get', resource: 'pods', namespace: job.namespace, name: job.pods[0]!.name, subresource: 'log', query: 'container=pytorch&follow=true&tailLines=50', streamSeconds: rng.range(5, 300) }, tag);
  }
}

function notebook(ctx: ScenarioContext, rng: Prng, wl: Workload): void {
  const tag: RecordTag = { trajectory: wl.key };
  const actor = podActor(wl.pods[0]!, PYTHON_CLIENT_UA);
  for (const t of poissonTimes(rng, ctx.startUs, ctx.endUs, 700)) {
    ctx.timeline.call(rng, { at: t, actor, verb: 'list', resource: 'pods', namespace: wl.namespace }, tag);
    if (rng.chance(0.4)) ctx.timeline.call(rng, { at: t + rng.int(1e6, 30e6), actor, verb: 'get', resource: 'secrets', namespace: wl.namespace, name: 'hf-token' }, tag);
    if (rng.chance(0.3)) ctx.timeline.call(rng, { at: t + rng.int(1e6, 60e6), actor, verb: 'list', resource: 'pytorchjobs', namespace: wl.namespace }, tag);
  }
}

/** A CI pipeline pod rolling out a new image of an inference deployment. */
function ciDeploy(ctx: ScenarioContext, rng: Prng, runner: Workload, target: Workload, atUs: number): void {
  const pipeline = rng.int(40_000, 99_999);
  const wl = ctx.builder.addWorkload({ name: `deploy-${target.name}-${pipeline}`, namespace: 'ci', role: 'ci', serviceAccount: 'ci-deployer', owner: 'svc-ci@corp.example' });
  const name = wl.name;
  const cpu = ctx.builder.cpuNodes();
  const pod = ctx.builder.addPod(wl, `${name}-${rng.podSuffixWithDigit()}`, rng.pick(cpu.length > 0 ? cpu : ctx.cluster.nodes), 'kubectl');
  const tag: RecordTag = { trajectory: wl.key };
  const runnerActor = podActor(runner.pods[0]!, 'gitlab-runner 17.5.1 (17-5-stable; go1.22.7; linux/amd64)');
  const body = podBody({ name: pod.name, namespace: 'ci', labels: { 'job-name': name, pipeline: String(pipeline) }, serviceAccount: 'ci-deployer', container: 'kubectl', image: 'registry.corp.example/ci/kubectl:1.30', command: ['sh', '-c', 'kubectl apply -f deploy/'], gpus: 0, cpu: '500m', memory: '512Mi', restartPolicy: 'Never' }, 'controller');
  let t = recordPodStart(ctx, rng, pod, runnerActor, atUs, body, tag);
  const actor = podActor(pod, KUBECTL_LINUX_UA, rbacReason({ kind: 'RoleBinding', name: 'ci-deployer', namespace: target.namespace }, { kind: 'ClusterRole', name: 'edit' }, 'ServiceAccount "ci-deployer/ci"'));
  t = recordDiscovery(ctx, rng, actor, t + rng.int(1e6, 3e6), tag);
  const image = `registry.corp.example/serving/${target.name}:r${rng.int(20, 90)}`;
  for (const res of ['configmaps', 'deployments', 'services'] as const) {
    t += rng.int(30_000, 400_000);
    ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: res, namespace: target.namespace, name: target.name }, tag);
    t += rng.int(5_000, 80_000);
    const svcType = rng.chance(0.5) ? 'LoadBalancer' : 'NodePort';
    const body =
      res === 'deployments'
        ? { spec: { template: { spec: { containers: [{ name: target.pods[0]!.container, image }] } } } }
        : res === 'services'
          ? serviceBody({ name: target.name, namespace: target.namespace, type: svcType, selector: { app: target.name }, port: 8000, targetPort: 8000, nodePort: svcType === 'NodePort' ? rng.int(30000, 32767) : undefined }, 'kubectl')
          : undefined;
    ctx.timeline.call(rng, { at: t, actor, verb: 'patch', resource: res, namespace: target.namespace, name: target.name, body }, tag);
  }
  // The rollout: a new ReplicaSet's pods start, the old ones go.
  const rsCtl = controllerActor('replicaset-controller', ctx.builder.controllerUid('replicaset-controller'), ctx.cluster.apiserverIP);
  const targetTag: RecordTag = { trajectory: target.key };
  const hash = rng.templateHash();
  const old: PodInfo[] = [...target.pods];
  for (const o of old) {
    const np = ctx.builder.addPod(target, `${target.name}-${hash}-${rng.podSuffix()}`, ctx.builder.node(o.node), o.container);
    t += rng.int(200_000, 3_000_000);
    const running = recordPodStart(ctx, rng, np, rsCtl, t, podBody({ name: np.name, namespace: target.namespace, labels: { app: target.name, 'pod-template-hash': hash }, owner: { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${target.name}-${hash}`, uid: rng.uuid() }, serviceAccount: target.serviceAccount, container: o.container, image, command: ['tritonserver', '--model-repository=/models'], gpus: 0, cpu: '4', memory: '16Gi', restartPolicy: 'Always' }, 'controller'), targetTag);
    recordPodEnd(ctx, rng, o, running + rng.int(2e6, 15e6), rsCtl, targetTag);
  }
  recordPodEnd(ctx, rng, pod, t + rng.int(5e6, 20e6), null, tag);
}

export interface PeopleWorkloads {
  training: Workload[];
  notebooks: Workload[];
  inference: Workload[];
  runner: Workload;
}

export function generatePeople(ctx: ScenarioContext, w: PeopleWorkloads, ciRuns: number): void {
  const rng = ctx.rng.fork('people');
  const span = ctx.endUs - ctx.startUs;
  for (const h of ctx.cluster.oncall) {
    const r = rng.fork(h.email);
    const sessions = r.int(1, 3);
    for (let i = 0; i < sessions; i++) oncallSession(ctx, r, h, ctx.startUs + r.range(0.02, 0.9) * span, r.pick(w.training));
  }
  for (const h of ctx.cluster.researchers) researcherActivity(ctx, rng.fork(h.email), h, w.training);
  for (const nb of w.notebooks) notebook(ctx, rng.fork(nb.key), nb);
  const ci = rng.fork('ci');
  for (let i = 0; i < ciRuns && w.inference.length > 0; i++) ciDeploy(ctx, ci, w.runner, w.inference[i % w.inference.length]!, ctx.startUs + ci.range(0.05, 0.85) * span);
}
