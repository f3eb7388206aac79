/**
 * The trajectory key (`events.job`) and node of one audit.k8s.io/v1 Event. The same helpers from
 * core/workload.ts key DCGM samples, so a pod's API calls and its GPU telemetry share a trajectory.
 */
import { jobForPod, qualify, workloadFromLabels, workloadFromOwners, type OwnerReference } from '../../core/workload.js';
import { isRecord, str } from './k8s-audit-json-bounds.js';

/** `user.extra` key the service-account token authenticator sets for bound pod tokens. */
const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
const SA_PREFIX = 'system:serviceaccount:';
const NODE_USER_PREFIX = 'system:node:';

/** The parts of an audit Event the derivations read, pulled out once by the normaliser. */
export interface AuditSubject {
  username: string | undefined;
  /** `user.extra` (values are string arrays in audit.k8s.io/v1). */
  extra: unknown;
  resource: string | undefined;
  subresource: string | undefined;
  namespace: string | undefined;
  name: string | undefined;
  requestObject: unknown;
  responseObject: unknown;
}

/**
 * Job derivation, most specific first: the pod that made the call (bound service-account token),
 * the pod acted on, the workload named by the object's labels / owners, the object itself.
 */
export function auditJob(s: AuditSubject): string | null {
  const actorPod = actorPodName(s.username, s.extra);
  if (actorPod) return actorPodJobs.jobOf(actorPod.namespace, actorPod.pod);

  const reqMeta = metadataOf(s.requestObject);
  const respMeta = metadataOf(s.responseObject);
  if (s.resource === 'pods') {
    // A pod created from generateName has no objectRef.name; the response carries the name.
    const pod = s.name ?? str(respMeta?.name) ?? str(reqMeta?.name);
    if (pod) {
      const labels = labelsOf(respMeta) ?? labelsOf(reqMeta);
      const owners = ownersOf(respMeta) ?? ownersOf(reqMeta);
      return jobForPod(s.namespace, pod, labels, owners);
    }
  }
  const workload =
    workloadFromLabels(labelsOf(respMeta)) ??
    workloadFromLabels(labelsOf(reqMeta)) ??
    workloadFromOwners(ownersOf(respMeta)) ??
    workloadFromOwners(ownersOf(reqMeta));
  if (workload) return qualify(s.namespace, workload);
  if (s.name) return qualify(s.namespace, s.name);
  return null;
}

/** The node an event concerns: the node object, a pod's (binding) target node, else a kubelet caller's node. */
export function auditNode(s: AuditSubject): string | null {
  if (s.resource === 'nodes' && s.name) return s.name;
  if ((s.resource === 'pods' && s.subresource === 'binding') || s.resource === 'bindings') {
    // core/v1 Binding: { target: { kind: "Node", name } }
    const target = isRecord(s.requestObject) ? s.requestObject.target : undefined;
    const node = isRecord(target) ? str(target.name) : undefined;
    if (node) return node;
  }
  if (s.resource === 'pods') {
    const node = nodeNameOf(s.responseObject) ?? nodeNameOf(s.requestObject);
    if (node) return node;
  }
  if (s.username && s.username.startsWith(NODE_USER_PREFIX) && s.username.length > NODE_USER_PREFIX.length) {
    return s.username.slice(NODE_USER_PREFIX.length);
  }
  return null;
}

/**
 * `jobForPod` of a pod known by name only (the pod behind a bound service-account token),
 * remembered per pod name: the same pods call the API server all day, and reading a workload out
 * of a pod name takes up to four regexes. The job comes back as the same string each time, which
 * the row encoder's string table then finds without hashing its text again (measured on the parse
 * worker's work alone: ~0.05–0.15 µs less per event, of ~7). Names come from the log, so the memo
 * is bounded: at most `maxEntries` pods, names and namespaces of at most `maxName` UTF-16 units
 * (longer ones are derived every time); when full it starts over.
 */
export class PodJobMemo {
  private readonly jobs = new Map<string, { namespace: string; job: string }>();

  constructor(
    private readonly maxEntries = 4096,
    private readonly maxName = 253,
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  jobOf(namespace: string, pod: string): string {
    if (pod.length > this.maxName || namespace.length > this.maxName) return jobForPod(namespace, pod);
    const known = this.jobs.get(pod);
    if (known !== undefined && known.namespace === namespace) return known.job;
    const job = jobForPod(namespace, pod);
    if (known === undefined && this.jobs.size >= this.maxEntries) this.jobs.clear();
    this.jobs.set(pod, { namespace, job });
    return job;
  }
}

const actorPodJobs = new PodJobMemo();

/** `system:serviceaccount:<ns>:<sa>` with a bound pod token → that pod. */
function actorPodName(username: string | undefined, extra: unknown): { namespace: string; pod: string } | null {
  if (!username || !username.startsWith(SA_PREFIX) || !isRecord(extra)) return null;
  const raw = extra[POD_NAME_EXTRA];
  const pod = Array.isArray(raw) ? str(raw[0]) : str(raw);
  if (!pod) return null;
  const rest = username.slice(SA_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon <= 0) return null;
  return { namespace: rest.slice(0, colon), pod };
}

function metadataOf(obj: unknown): Record<string, unknown> | undefined {
  if (!isRecord(obj)) return undefined;
  return isRecord(obj.metadata) ? obj.metadata : undefined;
}

function labelsOf(meta: Record<string, unknown> | undefined): Record<string, unknown> | null {
  return meta && isRecord(meta.labels) ? meta.labels : null;
}

function ownersOf(meta: Record<string, unknown> | undefined): OwnerReference[] | null {
  if (!meta || !Array.isArray(meta.ownerReferences)) return null;
  const owners = meta.ownerReferences.filter(isRecord) as OwnerReference[];
  return owners.length > 0 ? owners : null;
}

function nodeNameOf(obj: unknown): string | undefined {
  if (!isRecord(obj) || !isRecord(obj.spec)) return undefined;
  return str(obj.spec.nodeName);
}
