/**
 * From a dcgm-exporter label set to the identity columns of `gpu_samples` (node, gpu, job) plus
 * the remaining labels. Label names follow dcgm-exporter (`Hostname`, `gpu`, `UUID`, `device`,
 * `modelName`, `GPU_I_ID`, `GPU_I_PROFILE`, `pod`, `namespace`, `container`) and Prometheus's
 * `exported_*` renaming when the scraper's own target labels collide with them.
 */
import { jobForPod } from '../../core/workload.js';

/** The identity of one series; `labels` is shared by every sample of the series and must not be mutated. */
export interface SeriesIdentity {
  node: string | null;
  gpu: string | null;
  job: string | null;
  labels: Record<string, string> | undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Collects one series' labels. `Hostname` and `gpu` become the node and gpu columns instead of
 * labels, so the common case stores each fact once; every other label is kept.
 */
export class SeriesLabels {
  hostname: string | null = null;
  gpu: string | null = null;
  labels: Record<string, string> | null = null;

  reset(): void {
    this.hostname = null;
    this.gpu = null;
    this.labels = null;
  }

  /** Adds a label; false when the name was already present (Prometheus rejects duplicate label names). */
  add(name: string, value: string): boolean {
    if (name === 'Hostname') {
      if (this.hostname !== null) return false;
      this.hostname = value;
      return true;
    }
    if (name === 'gpu') {
      if (this.gpu !== null) return false;
      this.gpu = value;
      return true;
    }
    let labels = this.labels;
    if (labels === null) {
      labels = {};
      this.labels = labels;
    } else if (hasOwn.call(labels, name)) {
      return false;
    }
    if (name === '__proto__') {
      // A legal Prometheus label name; plain assignment would set the prototype instead.
      Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      labels[name] = value;
    }
    return true;
  }

  /**
   * The series identity. `extra` labels (such as `ts_inferred`) are added to the label object.
   * After this call the collector must be reset before reuse.
   */
  identity(extraName?: string, extraValue?: string): SeriesIdentity {
    let labels = this.labels;
    if (extraName !== undefined && extraValue !== undefined) {
      if (labels === null) labels = {};
      labels[extraName] = extraValue;
    }
    const node = this.hostname || (labels ? nodeFromLabels(labels) : null);
    let gpu = this.gpu || null;
    if (gpu !== null && labels !== null) {
      // MIG: one physical GPU exposes several instances; `<gpu>/<GPU_I_ID>` keeps them apart.
      const gi = labels['GPU_I_ID'];
      if (gi !== undefined && gi !== '') gpu = `${gpu}/${gi}`;
    }
    const job = labels ? jobFromLabels(labels) : null;
    return { node: node || null, gpu, job, labels: labels ?? undefined };
  }
}

/** `hostname`, else `instance` without its port. */
function nodeFromLabels(labels: Record<string, string>): string | null {
  const h = labels['hostname'];
  if (h) return h;
  const inst = labels['instance'];
  return inst ? stripPort(inst) : null;
}

/** `host:9400` → `host`, `[::1]:9400` → `::1`; a bare IPv6 address is left whole. */
export function stripPort(instance: string): string {
  if (instance.charCodeAt(0) === 91 /* [ */) {
    const close = instance.indexOf(']');
    return close > 1 ? instance.slice(1, close) : instance;
  }
  const colon = instance.indexOf(':');
  if (colon <= 0 || instance.indexOf(':', colon + 1) !== -1) return instance;
  return instance.slice(0, colon);
}

/**
 * The workload of the pod the GPU is attached to. When Prometheus scraped dcgm-exporter through
 * Kubernetes service discovery, `pod`/`namespace` name the exporter and `exported_pod` /
 * `exported_namespace` the workload, so the exported pair wins.
 */
function jobFromLabels(labels: Record<string, string>): string | null {
  const exported = labels['exported_pod'];
  if (exported) return cachedJob(labels['exported_namespace'] || labels['namespace'] || '', exported);
  const pod = labels['pod'];
  if (pod) return cachedJob(labels['namespace'] || '', pod);
  return null;
}

/**
 * jobForPod runs a few regexes; telemetry repeats the same pods on every line, so results are
 * memoised. The cache is bounded and simply restarts when full.
 */
const JOB_CACHE_MAX = 4096;
const jobCache = new Map<string, string>();

function cachedJob(namespace: string, pod: string): string {
  const key = namespace + '\u0000' + pod;
  let job = jobCache.get(key);
  if (job === undefined) {
    job = jobForPod(namespace || null, pod, null, null);
    if (jobCache.size >= JOB_CACHE_MAX) jobCache.clear();
    jobCache.set(key, job);
  }
  return job;
}
