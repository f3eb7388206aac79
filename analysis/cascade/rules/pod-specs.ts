/**
 * The pod specs and containers an audit event's request body carries: what a create, update or
 * patch of a workload asks the cluster to run. A workload reaches the API server in many wrappers,
 * and an attacker picks whichever one the detections do not read, so every wrapper an ML cluster
 * runs is unwrapped here, for the Sigma fields (audit-fields.ts) and the MLShield workload fields
 * (workload-fields.ts) alike:
 *   - a Pod: `requestObject.spec` (also a patch body holding only `ephemeralContainers`);
 *   - a template: `spec.template.spec` (Deployment, DaemonSet, StatefulSet, ReplicaSet,
 *     ReplicationController, Job, Kubeflow Notebook), a PodTemplate's own `template.spec`;
 *   - a CronJob: `spec.jobTemplate.spec.template.spec`;
 *   - the Kubeflow training operator: `spec.<kind>ReplicaSpecs.<role>.template.spec`
 *     (pytorchReplicaSpecs, tfReplicaSpecs, mpiReplicaSpecs, xgbReplicaSpecs…);
 *   - KubeRay: `headGroupSpec.template.spec` and each `workerGroupSpecs[].template.spec` of a
 *     RayCluster's spec, a RayJob's `rayClusterSpec` or a RayService's `rayClusterConfig`, and a
 *     RayJob's `submitterPodTemplate.spec`;
 *   - KServe: an InferenceService's `spec.predictor`, `transformer` and `explainer` (pod specs
 *     with their containers inline).
 * A JSON Patch body (`kubectl patch --type=json`) is read as what it writes (json-patch-view.ts).
 * Argo Workflows' `spec.templates[].container` and `.script` (a WorkflowTemplate's too, and a
 * CronWorkflow's `spec.workflowSpec.templates`) are containers without a pod spec around them
 * (`containersOf`); Kubeflow Pipelines run on Argo.
 *
 * Bounded: at most MAX_POD_SPECS pod specs and MAX_CONTAINERS containers per event, whatever the
 * body holds (hostile input: a patch may carry thousands of replica specs).
 */

import { obj, requestBody, type JsonObject } from './json-patch-view.js';

export { obj, type JsonObject };

/** Pod specs read from one request body. */
export const MAX_POD_SPECS = 32;
/** Containers read from one request body, across its pod specs. */
export const MAX_CONTAINERS = 256;

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
const KSERVE_COMPONENTS = ['predictor', 'transformer', 'explainer'] as const;
const RAY_CLUSTER_SPECS = ['rayClusterSpec', 'rayClusterConfig'] as const;

/** True when `spec` lists containers of any kind: a pod spec (or a patch of one). */
function isPodSpec(spec: JsonObject): boolean {
  return CONTAINER_LISTS.some((k) => Array.isArray(spec[k]));
}

/** `x.template.spec`, when it is a pod spec. */
function templateSpec(x: unknown): JsonObject | null {
  const s = obj(obj(obj(x)?.template)?.spec);
  return s !== null && isPodSpec(s) ? s : null;
}

/** The pod specs of a KubeRay cluster spec: its head group's and each worker group's. */
function rayGroups(cluster: JsonObject, out: JsonObject[]): void {
  const head = templateSpec(cluster.headGroupSpec);
  if (head) out.push(head);
  const workers = cluster.workerGroupSpecs;
  if (!Array.isArray(workers)) return;
  for (let i = 0; i < workers.length && out.length < MAX_POD_SPECS; i++) {
    const w = templateSpec(workers[i]);
    if (w) out.push(w);
  }
}

/** The pod specs a request body carries (see the file comment), at most MAX_POD_SPECS. */
export function podSpecsOf(audit: JsonObject): JsonObject[] {
  const body = requestBody(audit.requestObject);
  if (!body) return [];
  const out: JsonObject[] = [];
  const own = templateSpec(body);
  if (own) out.push(own);
  const spec = obj(body.spec);
  if (!spec) return out;
  if (isPodSpec(spec)) return [spec];
  const tmpl = templateSpec(spec);
  if (tmpl) out.push(tmpl);
  const cron = templateSpec(obj(obj(spec.jobTemplate)?.spec));
  if (cron) out.push(cron);
  for (const key of Object.keys(spec)) {
    if (out.length >= MAX_POD_SPECS) break;
    if (!key.endsWith('ReplicaSpecs')) continue;
    const roles = obj(spec[key]);
    if (!roles) continue;
    for (const role of Object.keys(roles)) {
      if (out.length >= MAX_POD_SPECS) break;
      const s = templateSpec(roles[role]);
      if (s) out.push(s);
    }
  }
  rayGroups(spec, out);
  for (const key of RAY_CLUSTER_SPECS) {
    const cluster = obj(spec[key]);
    if (cluster) rayGroups(cluster, out);
  }
  const submitter = obj(obj(spec.submitterPodTemplate)?.spec);
  if (submitter && isPodSpec(submitter)) out.push(submitter);
  for (const key of KSERVE_COMPONENTS) {
    const c = obj(spec[key]);
    if (c && isPodSpec(c)) out.push(c);
  }
  return out.length > MAX_POD_SPECS ? out.slice(0, MAX_POD_SPECS) : out;
}

/** Argo's templates of a workflow spec: their containers (`container`, and a `script`, which is one with its `source` run by its command). */
function argoContainers(spec: JsonObject, out: JsonObject[]): void {
  const wf = Array.isArray(spec.templates) ? spec : obj(spec.workflowSpec);
  const templates = wf?.templates;
  if (!Array.isArray(templates)) return;
  for (let i = 0; i < templates.length && out.length < MAX_CONTAINERS; i++) {
    const t = obj(templates[i]);
    const c = obj(t?.container);
    if (c) out.push(c);
    const s = obj(t?.script);
    if (s && out.length < MAX_CONTAINERS) out.push(s);
  }
}

/**
 * Every container of the request body's pod specs (init and ephemeral ones too), then Argo's; at
 * most MAX_CONTAINERS. `specs`: the body's pod specs, when the caller has them already.
 */
export function containersOf(audit: JsonObject, specs: readonly JsonObject[] = podSpecsOf(audit)): JsonObject[] {
  const out: JsonObject[] = [];
  for (const spec of specs) {
    for (const list of CONTAINER_LISTS) {
      const arr = spec[list];
      if (!Array.isArray(arr)) continue;
      for (let i = 0; i < arr.length; i++) {
        if (out.length >= MAX_CONTAINERS) return out;
        const c = obj(arr[i]);
        if (c) out.push(c);
      }
    }
  }
  const spec = obj(requestBody(audit.requestObject)?.spec);
  if (spec) argoContainers(spec, out);
  return out;
}
