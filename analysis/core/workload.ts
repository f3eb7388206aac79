/**
 * Derives the trajectory key (`events.job`, `gpu_samples.job`): the training job or workload that
 * owns a pod or object. Both the audit reader and the DCGM reader use it, so a pod's API calls and
 * its GPU telemetry land on the same trajectory.
 */

/** Labels that name the owning job, most specific first (Kubeflow training operator, batch/v1, Helm). */
const JOB_LABELS = [
  'training.kubeflow.org/job-name',
  'kubeflow.org/job-name',
  'batch.kubernetes.io/job-name',
  'job-name',
  'ray.io/cluster',
  'leaderworkerset.sigs.k8s.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/name',
  'app',
] as const;

export interface OwnerReference {
  kind?: string;
  name?: string;
  controller?: boolean;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function qualify(namespace: string | null | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The workload name from labels, if one of the well-known job labels is present. */
export function workloadFromLabels(labels: Record<string, unknown> | undefined | null): string | null {
  if (!labels) return null;
  for (const key of JOB_LABELS) {
    const v = labels[key];
    if (typeof v === 'string' && v.length > 0 && v.length <= 253) return v;
  }
  return null;
}

/** The controlling owner's name, stripping the ReplicaSet hash so a Deployment's pods share a key. */
export function workloadFromOwners(owners: readonly OwnerReference[] | undefined | null): string | null {
  if (!Array.isArray(owners)) return null;
  const owner = owners.find((o) => o && o.controller) ?? owners[0];
  if (!owner || typeof owner.name !== 'string' || owner.name.length === 0) return null;
  if (owner.kind === 'ReplicaSet') return stripReplicaSetHash(owner.name);
  return owner.name;
}

function stripReplicaSetHash(name: string): string {
  const m = /^(.+)-[a-z0-9]{5,10}$/.exec(name);
  return m ? m[1]! : name;
}

/**
 * The workload a pod name most likely belongs to, from Kubernetes naming conventions:
 * Deployment `<deploy>-<rs hash>-<5>`, Job `<job>-<5>`, Kubeflow `<job>-(master|worker|launcher|ps|chief|evaluator)-<n>`,
 * StatefulSet `<sts>-<n>`. Falls back to the pod name itself.
 */
export function workloadFromPodName(pod: string): string {
  let m = /^(.+)-(?:master|worker|launcher|ps|chief|evaluator|head|driver|executor)-\d+$/.exec(pod);
  if (m) return m[1]!;
  m = /^(.+)-[a-z0-9]{8,10}-[a-z0-9]{5}$/.exec(pod);
  if (m) return m[1]!;
  m = /^(.+)-[a-z0-9]{5}$/.exec(pod);
  if (m && /\d/.test(pod.slice(-5))) return m[1]!;
  m = /^(.+)-\d+$/.exec(pod);
  if (m) return m[1]!;
  return pod;
}

/** The trajectory key of a pod: labels, then owner references, then its name. */
export function jobForPod(
  namespace: string | null | undefined,
  pod: string,
  labels?: Record<string, unknown> | null,
  owners?: readonly OwnerReference[] | null,
): string {
  const name = workloadFromLabels(labels) ?? workloadFromOwners(owners) ?? workloadFromPodName(pod);
  return qualify(namespace, name);
}
