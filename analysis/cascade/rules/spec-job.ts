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
 *
 * Memory (state-pool.ts): a job is attacker-made (a pod create carries up to MAX_LABELS labels of
 * 317 + 512 characters, about 110 KB), so a table charges what it holds to a StateAccount on the
 * engine's pool, one account per table (spec-set.ts): the job's key and fixed arrays when it is
 * added, its labels when they are copied, a namespace learnt from events, each spec's egress window
 * when it is made (`egressWindow`). Past the account's limit (`over`: the table's own limit, or the
 * pool's shared half while the table holds more than its reserve) the table forgets its own oldest
 * jobs, never the current event's: that job is moved to the newest place first, the one place
 * KeyedLru never evicts (so under memory pressure the order is "least recently added or grown").
 * Forgetting a job only loses what it remembered (labels, checkpoint time, egress bytes): a job
 * seen again starts from nothing, which can lose a hit, never invent one (spec-job-memory.test.ts).
 * Accounting is arithmetic on numbers: no allocation on the event path.
 */
import type { EventRecord } from '../../core/records.js';
import { attrOf, attrSlot } from './event-scope.js';
import { obj, requestBody } from './json-patch-view.js';
import { keyBytes, KEY_CHAR_BYTES, TYPED_ARRAY_BYTES, type StateAccount } from './state-pool.js';
import { KeyedLru, SumWindow } from './window-state.js';

export const MAX_LABELS = 64;
/** A SpecJob beyond what keyBytes counts for a key's state object (10 fields, a boxed time): 64 more. */
const JOB_OBJECT_BYTES = 64;
/** A JSArray with its FixedArray's header (the per-spec egress array, 8 bytes per slot beside). */
const ARRAY_BYTES = 32;
/** A label object made with Object.create(null): dictionary mode from the start, its header and table. */
const LABELS_OBJECT_BYTES = 96;
/** One label beside its characters: its dictionary entry with slack (3 words, ×2) and two string headers. */
const LABEL_ENTRY_BYTES = 80;
/** A string's header (map, hash, length), for a namespace learnt from events. */
const STRING_BYTES = 16;

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
  /** Per spec: egress bytes over the rate window, made on first use (`SpecJobs.egressWindow`). */
  egress: Array<SumWindow | null>;
  /** Estimated bytes charged to the table's account for this job (state-pool.ts), released when it is forgotten. */
  bytes: number;
  /** The part of `bytes` its labels hold. */
  labelBytes: number;
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

const LABELS = attrSlot('labels');

/**
 * The labels an event reveals about its job: app `attrs.labels`, else the audit object's after the
 * write (responseObject: the whole object), else the request's (a patch carries only the labels it
 * changes, so its requestObject is not the pod's label set; a JSON Patch's is what it writes, json-patch-view.ts).
 */
export function labelSource(e: EventRecord, audit: Record<string, unknown> | null): Record<string, unknown> | null {
  const src = obj(attrOf(e, LABELS, 'labels'));
  if (src || !audit) return src;
  return obj(obj(obj(audit.responseObject)?.metadata)?.labels) ?? obj(obj(requestBody(audit.requestObject)?.metadata)?.labels);
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

/** A copy of the usable labels (at most MAX_LABELS) with its estimated bytes, or null when there is none. */
function copyLabels(src: Record<string, unknown>): { labels: Record<string, string>; count: number; bytes: number } | null {
  // No prototype: label keys are attacker-chosen (`__proto__`, `constructor`).
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let n = 0;
  let chars = 0;
  for (const k in src) {
    const v = src[k];
    if (!usableLabel(k, v)) continue;
    chars += k.length + v.length;
    out[k] = v;
    if (++n >= MAX_LABELS) break;
  }
  return n ? { labels: out, count: n, bytes: LABELS_OBJECT_BYTES + n * LABEL_ENTRY_BYTES + KEY_CHAR_BYTES * chars } : null;
}

/** The estimated bytes of a namespace string the job holds on its own (one from the key is part of the key). */
function namespaceBytes(ns: string | null): number {
  return ns === null ? 0 : STRING_BYTES + KEY_CHAR_BYTES * ns.length;
}

export class SpecJobs {
  private readonly lru: KeyedLru<SpecJob>;
  private readonly create: (job: string) => SpecJob;
  /** A new job's bytes beside its key's characters: its state, its per-spec arrays. */
  private readonly baseBytes: number;
  /** The last job looked up, while no job has been removed since (consecutive events share jobs). */
  private lastJob: string | null = null;
  private lastState: SpecJob | null = null;
  private lastRemovals = -1;

  /**
   * `specs`: how many specs share the table; `tracksLabels`: whether one of them selects by label;
   * `account`: the table's memory on the engine's pool (see the file comment).
   */
  constructor(
    specs: number,
    private readonly tracksLabels: boolean,
    maxJobs: number,
    readonly account: StateAccount,
  ) {
    this.lru = new KeyedLru<SpecJob>(maxJobs, (st) => account.charge(-st.bytes));
    // Int8Array (rounded up to 8), Float64Array, the egress array.
    this.baseBytes = JOB_OBJECT_BYTES + 2 * TYPED_ARRAY_BYTES + ((specs + 7) & ~7) + 8 * specs + ARRAY_BYTES + 8 * specs;
    const base = this.baseBytes;
    this.create = (job) => ({
      lastTs: -Infinity,
      namespace: null,
      keyNamespace: false,
      labels: null,
      labelCount: 0,
      selected: new Int8Array(specs).fill(-1),
      lastSave: new Float64Array(specs).fill(NaN),
      egress: new Array<SumWindow | null>(specs).fill(null),
      bytes: base + keyBytes(job.length),
      labelBytes: 0,
    });
  }

  /** Jobs held. */
  get size(): number {
    return this.lru.size;
  }

  /**
   * The job's state once `e` is seen: created when new, its time and labels updated, and its
   * namespace when the key does not name one (see the file comment).
   */
  forEvent(e: EventRecord, job: string, audit: Record<string, unknown> | null): SpecJob {
    const st = this.lookup(job);
    if (e.ts > st.lastTs) st.lastTs = e.ts;
    let grew = 0;
    if (!st.keyNamespace && e.namespace !== null && st.namespace !== e.namespace) {
      grew += namespaceBytes(e.namespace) - namespaceBytes(st.namespace);
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
        grew += copy.bytes - st.labelBytes;
        st.labelBytes = copy.bytes;
        st.selected.fill(-1);
      }
    }
    if (grew !== 0) this.charge(job, st, grew);
    return st;
  }

  /** The job's state for a GPU window: created when new (windows teach nothing but the key's namespace). */
  forWindow(job: string): SpecJob {
    return this.lookup(job);
  }

  /** Spec `slot`'s egress window of the job `job` (whose state is `st`), made and charged on first use. */
  egressWindow(job: string, st: SpecJob, slot: number, size: number): SumWindow {
    let w = st.egress[slot];
    if (w == null) {
      w = st.egress[slot] = new SumWindow(size);
      this.charge(job, st, SumWindow.bytes);
    }
    return w;
  }

  /**
   * Charges `bytes` for the job `job` (state `st`, which the table holds), then, over the account,
   * forgets the table's oldest jobs, never this one: it is made the newest first (KeyedLru keeps it).
   */
  private charge(job: string, st: SpecJob, bytes: number): void {
    st.bytes += bytes;
    const account = this.account;
    account.charge(bytes);
    if (bytes > 0 && account.over) {
      this.lru.touch(job, this.create);
      this.lru.fitAccount(account);
    }
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
      // The new job is the newest: fitting the account never forgets it.
      const account = this.account;
      account.charge(st.bytes);
      if (account.over) lru.fitAccount(account);
    }
    this.lastJob = job;
    this.lastState = st;
    this.lastRemovals = lru.removals;
    return st;
  }
}
