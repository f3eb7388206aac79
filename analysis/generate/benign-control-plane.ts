/**
 * Cluster plumbing every real audit log is full of: kubelet heartbeats (node Lease renewals every
 * 10 s, node status every 5 min) and their volume watches, informer watches of system add-ons
 * (CoreDNS, kube-state-metrics, Prometheus, Argo CD, the Kubeflow training operator) that reconnect
 * when the server-side timeout ends, and cluster-autoscaler's status ConfigMap.
 */
import type { ClusterBuilder, Workload } from './cluster.js';
import { kubeletActor, podActor, rbacReason } from './k8s-identity.js';
import { type Actor, watchQuery } from './k8s-request.js';
import { periodicTimes } from './arrival-times.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';

interface WatchSpec {
  resource: string;
  namespace?: string;
  fieldSelector?: string;
}

/** Back-to-back watch requests (ResponseStarted now, ResponseComplete when the timeout ends). */
export function recordWatchStream(ctx: ScenarioContext, rng: Prng, actor: Actor, w: WatchSpec, tag: RecordTag): void {
  let t = ctx.startUs + rng.range(0, 540) * 1e6;
  while (t < ctx.endUs) {
    const extra = w.fieldSelector ? `fieldSelector=${encodeURIComponent(w.fieldSelector)}` : undefined;
    const { query, seconds } = watchQuery(rng, ctx.resourceVersion(t) - rng.int(50, 5000), extra);
    ctx.timeline.call(rng, { at: t, actor, verb: 'watch', resource: w.resource, namespace: w.namespace, query, streamSeconds: seconds }, tag);
    t += (seconds + rng.range(0.01, 1.5)) * 1e6;
  }
}

function kubelets(ctx: ScenarioContext, rng: Prng): void {
  for (const node of ctx.cluster.nodes) {
    const actor = kubeletActor(node.name, node.ip);
    const none: RecordTag = { trajectory: null };
    for (const t of periodicTimes(rng, ctx.startUs, ctx.endUs, 10, 0.15)) {
      ctx.timeline.call(rng, { at: t, actor, verb: 'update', resource: 'leases', namespace: 'kube-node-lease', name: node.name, query: 'timeout=10s' }, none);
    }
    for (const t of periodicTimes(rng, ctx.startUs, ctx.endUs, 300, 2)) {
      ctx.timeline.call(rng, { at: t, actor, verb: 'get', resource: 'nodes', name: node.name, query: 'resourceVersion=0&timeout=10s' }, none);
      ctx.timeline.call(rng, { at: t + rng.int(4_000, 30_000), actor, verb: 'patch', resource: 'nodes', name: node.name, subresource: 'status', query: 'timeout=10s' }, none);
    }
    // Volume sources of the pods on the node are watched by name (kubelet configMapAndSecretChangeDetectionStrategy=Watch).
    const podsHere = ctx.cluster.workloads.flatMap((w) => w.pods).filter((p) => p.node === node.name);
    const namespaces = [...new Set(podsHere.map((p) => p.namespace))].slice(0, 3);
    for (const ns of namespaces) {
      recordWatchStream(ctx, rng, actor, { resource: 'configmaps', namespace: ns, fieldSelector: 'metadata.name=kube-root-ca.crt' }, none);
    }
  }
}

const ADDON_UA: Record<string, string> = {
  coredns: 'coredns/v0.0.0 (linux/amd64) kubernetes/$Format',
  'kube-state-metrics': 'kube-state-metrics/v2.13.0 (linux/amd64) kubernetes/$Format',
  prometheus: 'Prometheus/2.54.1',
  'argocd-application-controller': 'argocd-application-controller/v2.12.4+b53f8ef (linux/amd64) kubernetes/$Format',
  'training-operator': 'training-operator/v0.0.0 (linux/amd64) kubernetes/$Format',
  'cluster-autoscaler': 'cluster-autoscaler/v1.30.2 (linux/amd64) kubernetes/$Format',
};

function addonActor(wl: Workload, podIndex = 0): Actor {
  const pod = wl.pods[podIndex] ?? wl.pods[0]!;
  const ua = ADDON_UA[wl.name] ?? ADDON_UA[wl.serviceAccount] ?? `${wl.name}/v0.0.0 (linux/amd64) kubernetes/$Format`;
  const reason = rbacReason({ kind: 'ClusterRoleBinding', name: wl.serviceAccount }, { kind: 'ClusterRole', name: wl.serviceAccount }, `ServiceAccount "${wl.serviceAccount}/${wl.namespace}"`);
  return podActor(pod, ua, reason);
}

/** System add-ons and their informers; returns the workloads it created. */
export function addControlPlaneWorkloads(b: ClusterBuilder): Workload[] {
  return [
    b.addDeployment('coredns', 'kube-system', 'dns', 2, 'coredns'),
    b.addDeployment('cluster-autoscaler', 'kube-system', 'autoscaler', 1, 'cluster-autoscaler'),
    b.addDeployment('kube-state-metrics', 'monitoring', 'monitoring', 1, 'kube-state-metrics'),
    b.addStatefulSet('prometheus-k8s', 'monitoring', 'monitoring', 1, 'prometheus', 'prometheus'),
    b.addStatefulSet('argocd-application-controller', 'argocd', 'gitops', 1, 'argocd-application-controller'),
    b.addDeployment('training-operator', 'kubeflow', 'operator', 1, 'training-operator'),
  ];
}

export function generateControlPlane(ctx: ScenarioContext, addons: Workload[]): void {
  const rng = ctx.rng.fork('control-plane');
  kubelets(ctx, rng.fork('kubelets'));
  for (const wl of addons) {
    const tag: RecordTag = { trajectory: wl.key };
    const r = rng.fork(wl.key);
    switch (wl.role) {
      case 'dns':
        wl.pods.forEach((_, i) => {
          for (const res of ['endpointslices', 'services', 'namespaces']) recordWatchStream(ctx, r, addonActor(wl, i), { resource: res }, tag);
        });
        break;
      case 'monitoring':
        for (const res of wl.name === 'prometheus-k8s' ? ['endpoints', 'pods', 'services'] : ['pods', 'nodes', 'deployments', 'jobs', 'persistentvolumeclaims', 'services', 'secrets', 'configmaps', 'pytorchjobs']) {
          recordWatchStream(ctx, r, addonActor(wl), { resource: res }, tag);
        }
        break;
      case 'gitops':
        for (const res of ['applications', 'deployments', 'services', 'configmaps']) recordWatchStream(ctx, r, addonActor(wl), { resource: res }, tag);
        for (const app of ['triton-llama', 'vllm-mistral', 'feature-store']) {
          for (const t of periodicTimes(r, ctx.startUs, ctx.endUs, 180, 20)) {
            ctx.timeline.call(r, { at: t, actor: addonActor(wl), verb: 'patch', resource: 'applications', namespace: 'argocd', name: app }, tag);
          }
        }
        break;
      case 'operator':
        for (const res of ['pytorchjobs', 'pods', 'services']) recordWatchStream(ctx, r, addonActor(wl), { resource: res }, tag);
        break;
      case 'autoscaler':
        for (const t of periodicTimes(r, ctx.startUs, ctx.endUs, 30, 0.5)) {
          ctx.timeline.call(r, { at: t, actor: addonActor(wl), verb: 'update', resource: 'configmaps', namespace: 'kube-system', name: 'cluster-autoscaler-status' }, tag);
        }
        break;
      default:
        break;
    }
  }
}
