/**
 * What behavioural specs remember per job (spec.ts): its namespace, its labels learned from its
 * events (a pod create carries its labels, so a label selector also covers the job's later API
 * calls and its GPU telemetry), whether each spec selects it, its last checkpoint time and its
 * egress byte window. At most `maxJobs` jobs, least recently added evicted first.
 *
 * The namespace: a Kubernetes job key is `<namespace>/<name>` (core/workload.ts qualify, used by
 * the audit, DCGM and app readers), so for such a key the namespace is its prefix, fixed for the
 * job's life. An event's own namespace is not the job's: an audit event names the namespace of the
 * object touched, so a job `ml-train/x` listing secrets in `kube-system` must still be judged as an
 * `ml-train` job (else the training spec would stop applying to exactly its cross-namespace
 * actions, and another namespace's spec would start to). Keys without a namespace part (an app
 * event's free-form job_id, a cluster-scoped object or node name) keep learning it from their
 * events: the last namespace an event named.
 *
 * One table serves every spec that sees the same events and windows (issue 3: L1 throughput):
 * such specs would each have added the same jobs in the same order and evicted the same ones, so
 * sharing the table changes nothing but the cost — one lookup per event instead of one per spec.
 * Per-spec state is indexed by the spec's slot in the table.
 */
import type { EventRecord } from '../../core/records.js';
import { attrOf, attrSlot } from './event-scope.js';
import { KeyedLru, SumWindow } from './window-state.js';

export const MAX_LABELS = 64;

export interface SpecJob {
  lastTs: number;
  namespace: string | null;
  /** True when `namespace` comes from the job key (`<namespace>/<name>`): events do not change it. */
  keyNamespace: boolean;
  labels: Record<string, string> | null;
  labelCount: number;
  /** Per spec: -1 unknown, 0 not selected, 1 selected (recomputed when namespace or labels change). */
  selected: Int8Array;
  /** Per spec: time of the last checkpoint save (NaN: none yet). */
  lastSave: Float64Array;
  /** Per spec: egress bytes over the rate window, made on first use. */
  egress: Array<SumWindow | null>;
}

/** A DNS-1123 label: what a Kubernetes namespace name must be. */
const NAMESPACE_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The namespace a job key names: the part before the first `/` when it is a valid namespace name
 * and a name follows (Kubernetes names hold no `/`, so the first one ends the namespace), else null.
 * Runs once per new job, not per event.
 */
export function namespaceOfJobKey(job: string): string | null {
  const slash = job.indexOf('/');
  if (slash <= 0 || slash === job.length - 1) return null;
  const ns = job.slice(0, slash);
  return NAMESPACE_NAME.test(ns) ? ns : null;
}

function plainObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

const LABELS = attrSlot('labels');

/**
 * The labels an event reveals about its job: app `attrs.labels`, else the audit object's after the
 * write (responseObject: the whole object), else the request's (a patch carries only the labels it
 * changes, so its requestObject is not the pod's label set).
 */
export function labelSource(e: EventRecord, audit: Record<string, unknown> | null): Record<string, unknown> | null {
  const src = plainObject(attrOf(e, LABELS, 'labels'));
  if (src || !audit) return src;
  return plainObject(plainObject(plainObject(audit.responseObject)?.metadata)?.labels) ?? plainObject(plainObject(plainObject(audit.requestObject)?.metadata)?.labels);
}

function usableLabel(k: string, v: unknown): v is string {
  return typeof v === 'string' && k.length <= 317 && v.length <= 512;
}

/** True when `src` holds exactly the labels `cur` was copied from (the same first MAX_LABELS usable ones). */
function sameLabels(cur: Record<string, string> | null, count: number, src: Record<string, unknown>): boolean {
  if (cur === null) return false;
  let n = 0;
  for (const k in src) {
    const v = src[k];
    if (!usableLabel(k, v)) continue;
    if (cur[k] !== v) return false;
    if (++n >= MAX_LABELS) break;
  }
  return n === count;
}

/** A copy of the usable labels (at most MAX_LABELS), or null when there is none. */
function copyLabels(src: Record<string, unknown>): { labels: Record<string, string>; count: number } | null {
  // No prototype: label keys are attacker-chosen (`__proto__`, `constructor`).
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let n = 0;
  for (const k in src) {
    const v = src[k];
    if (!usableLabel(k, v)) continue;
    out[k] = v;
    if (++n >= MAX_LABELS) break;
  }
  return n ? { labels: out, count: n } : null;
}

export class SpecJobs {
  private readonly lru: KeyedLru<SpecJob>;
  private readonly create: () => SpecJob;
  /** The last job looked up, while no job has been removed since (consecutive events share jobs). */
  private lastJob: string | null = null;
  private lastState: SpecJob | null = null;
  private lastRemovals = -1;

  /** `specs`: how many specs share the table; `tracksLabels`: whether one of them selects by label. */
  constructor(
    specs: number,
    private readonly tracksLabels: boolean,
    maxJobs: number,
  ) {
    this.lru = new KeyedLru<SpecJob>(maxJobs);
    this.create = () => ({
      lastTs: -Infinity,
      namespace: null,
      keyNamespace: false,
      labels: null,
      labelCount: 0,
      selected: new Int8Array(specs).fill(-1),
      lastSave: new Float64Array(specs).fill(NaN),
      egress: new Array<SumWindow | null>(specs).fill(null),
    });
  }

  /**
   * The job's state once `e` is seen: created when new, its time and labels updated, and its
   * namespace when the key does not name one (see the file comment).
   */
  forEvent(e: EventRecord, job: string, audit: Record<string, unknown> | null): SpecJob {
    const st = this.lookup(job);
    if (e.ts > st.lastTs) st.lastTs = e.ts;
    if (!st.keyNamespace && e.namespace !== null && st.namespace !== e.namespace) {
      st.namespace = e.namespace;
      st.selected.fill(-1);
    }
    if (this.tracksLabels) {
      // Labels seen again unchanged keep the job's selection; others replace them.
      const src = labelSource(e, audit);
      const copy = src && !sameLabels(st.labels, st.labelCount, src) ? copyLabels(src) : null;
      if (copy) {
        st.labels = copy.labels;
        st.labelCount = copy.count;
        st.selected.fill(-1);
      }
    }
    return st;
  }

  /** The job's state for a GPU window: created when new (windows teach nothing but the key's namespace). */
  forWindow(job: string): SpecJob {
    return this.lookup(job);
  }

  /** `peek ?? touch`: jobs are added in order of first sight (a lookup does not reorder them). */
  private lookup(job: string): SpecJob {
    const lru = this.lru;
    if (job === this.lastJob && lru.removals === this.lastRemovals) return this.lastState!;
    let st = lru.peek(job);
    if (!st) {
      st = lru.touch(job, this.create);
      const ns = namespaceOfJobKey(job);
      if (ns !== null) {
        st.namespace = ns;
        st.keyNamespace = true;
      }
    }
    this.lastJob = job;
    this.lastState = st;
    this.lastRemovals = lru.removals;
    return st;
  }
}
