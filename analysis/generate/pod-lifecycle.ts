/**
 * The API traffic around a pod's life, as the control plane produces it: the creator's `create pods`,
 * the scheduler's `pods/binding`, the kubelet's `pods/status` patches while the container starts and
 * when it ends,. Used by benign workloads and attack
 * families alike, so a pod an attacker creates looks like any other pod start.
 */
import type { PodInfo } from './cluster.js';
import { kubeletActor, schedulerActor } from './k8s-identity.js';
import type { Actor } from './k8s-request.js';
import type { Prng } from './prng.js';
import type { ScenarioContext } from './scenario-context.js';
import type { RecordTag } from './timeline.js';

function kubeletFor(ctx: ScenarioContext, pod: PodInfo): Actor {
  return kubeletActor(pod.node, ctx.builder.node(pod.node).ip);
}

/** Records a pod start; returns when its container is running. */
export function recordPodStart(
  ctx: ScenarioContext,
  rng: Prng,
  pod: PodInfo,
  creator: Actor,
  atUs: number,
  body: unknown,
  createTag: RecordTag,
): number {
  const side: RecordTag = { trajectory: createTag.trajectory };
  const t = ctx.timeline;
  // Pod Security admission annotates pod creates with the namespace's enforced level.
  const psa = { 'pod-security.kubernetes.io/enforce-policy': pod.namespace === 'kube-system' ? 'privileged:latest' : 'baseline:latest' };
  t.call(rng, { at: atUs, actor: creator, verb: 'create', resource: 'pods', namespace: pod.namespace, name: pod.name, body, annotations: psa }, createTag);
  const boundAt = atUs + rng.int(20_000, 450_000);
  t.call(rng, { at: boundAt, actor: schedulerActor(ctx.cluster.apiserverIP), verb: 'create', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'binding' }, side);
  const kubelet = kubeletFor(ctx, pod);
  const creatingAt = boundAt + rng.int(300_000, 2_500_000);
  t.call(rng, { at: creatingAt, actor: kubelet, verb: 'patch', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'status' }, side);
  const runningAt = creatingAt + rng.int(2_000_000, 35_000_000);
  t.call(rng, { at: runningAt, actor: kubelet, verb: 'patch', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'status' }, side);
  return runningAt;
}

/** Records a pod finishing (or being deleted by `deleter`). */
export function recordPodEnd(ctx: ScenarioContext, rng: Prng, pod: PodInfo, atUs: number, deleter: Actor | null, deleteTag: RecordTag): void {
  const side: RecordTag = { trajectory: deleteTag.trajectory };
  const t = ctx.timeline;
  const kubelet = kubeletFor(ctx, pod);
  if (deleter) {
    t.call(rng, { at: atUs, actor: deleter, verb: 'delete', resource: 'pods', namespace: pod.namespace, name: pod.name }, deleteTag);
    const stopped = atUs + rng.int(1_000_000, 31_000_000);
    t.call(rng, { at: stopped, actor: kubelet, verb: 'patch', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'status' }, side);
    t.call(rng, { at: stopped + rng.int(20_000, 300_000), actor: kubelet, verb: 'delete', resource: 'pods', namespace: pod.namespace, name: pod.name }, side);
  } else {
    t.call(rng, { at: atUs, actor: kubelet, verb: 'patch', resource: 'pods', namespace: pod.namespace, name: pod.name, subresource: 'status' }, side);
  }
}
