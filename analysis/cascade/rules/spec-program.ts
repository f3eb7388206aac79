/**
 * One behavioural spec compiled (spec.ts validates it): whether it selects a job, and the checks
 * it runs on the events and GPU windows of the jobs it selects. Every configured field is checked;
 * each violation is a hit `<spec id>/<field>` whose reason names the field, the observed value and
 * the expectation, written when read (rule-hit.ts) from the values seen at the time.
 * Job state (namespace, labels, selection, checkpoint time, egress window) lives in spec-job.ts;
 * a checker keeps only per-engine memos.
 * Paths and destinations are judged in every plausible reading (path-readings.ts): a deny entry, or
 * a data path whose glob does not allow the operation, matches when ANY reading does; an allow
 * entry, a rate exemption or a permitted path counts only when EVERY reading does. A destination's
 * host is read so too: an ambiguous dotted quad (`010.1.2.3`: decimal 10.1.2.3, octal 8.1.2.3 to URL
 * clients) in each of its IP readings (egress-match.ts `firstMatchAnyIp`, `everyIpMatches`), with
 * each path reading.
 */
import type { EventRecord } from '../../core/records.js';
import type { RuleHit, RuleMeta } from './compiled-rule.js';
import { everyIpMatches, firstMatchAnyIp, type Destination, type EgressEntry } from './egress-match.js';
import { eventDestination, eventExecCanonical, eventParsedDestination } from './event-fields.js';
import { canonicalExecAllowed } from './exec-canonical.js';
import { obj } from './json-patch-view.js';
import { attrOf, attrSlot, derivedOf, derivedSlot } from './event-scope.js';
import type { GpuStat, GpuWindow } from './gpu-window.js';
import { compilePathGlobSet } from './path-glob.js';
import { dataGlobReading, entryReadsPath, firstDataPathReading, otherDataPathReadings, otherDestinationReadings } from './path-readings.js';
import { LazyHit } from './rule-hit.js';
import type { SpecChecks } from './spec-checks.js';
import { artifactFormat, dataOperationOf, declaredOperation, isArtifactAction } from './spec-fields.js';
import type { SpecJob, SpecJobs } from './spec-job.js';
import { DATA_OPERATIONS } from './spec-schema.js';
import { formatBytes, formatDuration, parseByteSize } from './units.js';
import { windowAmount } from './window-state.js';

const MEMO_SIZE = 1024;

/** A string-keyed memo that forgets everything when full (bounded memory, no eviction order). */
class BoundedMemo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string, compute: (key: string) => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.clear();
      v = compute(key);
      this.map.set(key, v);
    }
    return v;
  }
}

const A = {
  exec: attrSlot('exec'),
  subresource: attrSlot('subresource'),
  path: attrSlot('path'),
  operation: attrSlot('operation'),
  bytes: attrSlot('bytes'),
  format: attrSlot('format'),
  size: attrSlot('size'),
};

/**
 * The data path an event touches: `attrs.path`, else an app event's `resource` when it is a path or
 * a URI (the seed's app events name the file or object there: `/mnt/ckpt/…`, `s3://bucket/…`).
 */
function dataPathOf(e: EventRecord): string | null {
  const p = attrOf(e, A.path, 'path');
  if (typeof p === 'string') return p;
  const r = e.resource;
  if (e.source === 'app' && typeof r === 'string' && (r.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//.test(r))) return r;
  return null;
}

// The readings of an event's data path and destination, computed once per event for all specs
// (event-scope.ts derived slots; module-level functions, no closure per event).
const DATA_PATH = derivedSlot();
const DATA_PATH_MORE = derivedSlot();
const DESTINATION_MORE = derivedSlot();

const MAX_DATA_PATH = 4096;

function dataPathOfEvent(e: EventRecord): string | null {
  const raw = dataPathOf(e);
  return raw === null ? null : firstDataPathReading(raw.slice(0, MAX_DATA_PATH));
}

/** The data path's first reading (path-readings.ts): dot segments resolved, `/data/../etc/shadow` is not under `/data/**`. */
function eventDataPath(e: EventRecord): string | null {
  return derivedOf(e, DATA_PATH, dataPathOfEvent);
}

function dataPathMoreOfEvent(e: EventRecord): string[] | null {
  const raw = dataPathOf(e);
  const first = eventDataPath(e);
  return raw === null || first === null ? null : otherDataPathReadings(raw.slice(0, MAX_DATA_PATH), first);
}

/** The data path's other readings, or null (nearly always: a path without `%` or `\` has one). */
function eventDataPathMore(e: EventRecord): string[] | null {
  return derivedOf(e, DATA_PATH_MORE, dataPathMoreOfEvent);
}

function destinationMoreOfEvent(e: EventRecord): Destination[] | null {
  const text = eventDestination(e);
  const d = eventParsedDestination(e);
  return text === null || d === null ? null : otherDestinationReadings(text, d);
}

/** The destination's other readings beside eventParsedDestination, or null. */
function eventDestinationMore(e: EventRecord): Destination[] | null {
  return derivedOf(e, DESTINATION_MORE, destinationMoreOfEvent);
}

/** The first entry matching `d` or one of its other path readings, each in either IP reading (a deny: ANY reading). */
function firstMatchAny(entries: readonly EgressEntry[], d: Destination, more: readonly Destination[] | null): EgressEntry | null {
  const m = firstMatchAnyIp(entries, d);
  if (m !== null || more === null) return m;
  for (let i = 0; i < more.length; i++) {
    const x = firstMatchAnyIp(entries, more[i]!);
    if (x !== null) return x;
  }
  return null;
}

/** True when `d` and each of its other path readings, each in every IP reading, match an entry (an allow: EVERY reading). */
function everyMatches(entries: readonly EgressEntry[], d: Destination, more: readonly Destination[] | null): boolean {
  if (!everyIpMatches(entries, d)) return false;
  if (more !== null) for (let i = 0; i < more.length; i++) if (!everyIpMatches(entries, more[i]!)) return false;
  return true;
}

/**
 * Data-path globs as one test for "any glob" and one per operation (path-glob.ts
 * `compilePathGlobSet`: linear in the path, whatever the globs; not one backtracking RegExp).
 */
function dataPathMatcher(written: ReadonlyArray<{ glob: string; ops: ReadonlySet<string> }>): { known(path: string): boolean; allowed(path: string, op: string): boolean } {
  // In the spelling of the paths' first reading (path-readings.ts `dataGlobReading`).
  const globs = written.map((g) => ({ glob: dataGlobReading(g.glob), ops: g.ops }));
  const known = compilePathGlobSet(globs.map((g) => g.glob));
  const byOp = new Map(DATA_OPERATIONS.map((op) => [op as string, compilePathGlobSet(globs.filter((g) => g.ops.has(op)).map((g) => g.glob))]));
  return { known, allowed: (p, op) => byOp.get(op)?.(p) ?? false };
}

/**
 * An artifact's size as the event reports it (`attrs.size`, else `attrs.bytes`): a finite number
 * ≥ 0, a numeric string as sum windows read one (windowAmount), or a size with a unit (`30GiB`):
 * app events are attacker-written, and a size written as text must not slip past `max_size`.
 */
function artifactSize(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const n = windowAmount(v);
  if (n !== null || v.length >= 32) return n;
  return Number.isFinite(Number(v)) ? null : parseByteSize(v);
}

/** A destination as reasons quote it. */
function shownDestination(dest: string): string {
  return JSON.stringify(dest.slice(0, 200));
}

// Reasons, one writer per kind of violation (what they quote is captured at the time of the hit).
const actorReason = (actor: string, job: string): string => `actors: actor ${JSON.stringify(actor)} is not allowed for job ${JSON.stringify(job)}`;
const execReason = (text: string): string => `exec: command ${JSON.stringify(text.slice(0, 200))} is not allowed`;
const pathReason = (op: string, path: string): string => `data.paths: ${op} of ${JSON.stringify(path.slice(0, 200))} outside the allowed paths`;
const operationReason = (op: string, path: string): string => `data.operations: ${op} of ${JSON.stringify(path.slice(0, 200))} is not an allowed operation there`;
const unparsedReason = (dest: string): string => `egress.allow: destination ${shownDestination(dest)} cannot be parsed`;
const deniedReason = (dest: string, entry: string): string => `egress.deny: destination ${shownDestination(dest)} matches deny entry '${entry}'`;
const notAllowedReason = (dest: string): string => `egress.allow: destination ${shownDestination(dest)} matches no allow entry`;
const writerReason = (actor: string): string => `checkpoints.actors: checkpoint saved by ${JSON.stringify(actor)}`;
const asIs = (text: string): string => text;
const sizeReason = (size: number, max: number): string => `artifacts.max_size: artifact of ${formatBytes(size)} (max ${formatBytes(max)})`;

/** What a spec needs to know of an action (remembered per action). */
interface ActionFacts {
  checkpoint: boolean;
  artifact: boolean;
  /** The data operation of `attrs.path` when the event declares none. */
  operation: string;
}

export interface GpuRange {
  field: string;
  dcgm: string;
  min?: number;
  max?: number;
  stat: GpuStat;
}

export interface SpecParts {
  metaFor(field: string): RuleMeta;
  checks: SpecChecks;
  jobTests: ReadonlyArray<(s: string) => boolean>;
  nsTests: ReadonlyArray<(s: string) => boolean>;
  labelTests: ReadonlyArray<readonly [string, (s: string) => boolean]>;
  dataGlobs: ReadonlyArray<{ glob: string; ops: ReadonlySet<string> }>;
  egress: { allow: EgressEntry[]; deny: EgressEntry[]; rateExempt: EgressEntry[]; rateWindow: number; rateMax: number } | null;
  checkpoints: { interval: number; tolerance: number; actions: ReadonlySet<string> } | null;
  artifacts: { formats: ReadonlySet<string> | null; maxSize: number | null } | null;
  gpuRanges: GpuRange[];
  hasEventChecks: boolean;
}

/** One spec's checks on one event or window of a job it selects (per-engine memos inside). */
export interface SpecChecker {
  event(e: EventRecord, job: string, st: SpecJob, out: RuleHit[]): void;
  gpu(w: GpuWindow, job: string, st: SpecJob, out: RuleHit[]): void;
}

export interface SpecProgram {
  readonly usesLabels: boolean;
  readonly hasEventChecks: boolean;
  readonly hasGpuRanges: boolean;
  /** Whether the spec applies to `job` as `st` knows it; remembered in `st.selected[slot]`. */
  selects(job: string, st: SpecJob, slot: number): boolean;
  /** The checks of the spec at `slot` of the job table `jobs` (which makes and charges its egress windows). */
  checker(slot: number, jobs: SpecJobs): SpecChecker;
}

function anyTest(tests: ReadonlyArray<(s: string) => boolean>, v: string): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
  return false;
}

export function specProgram(p: SpecParts): SpecProgram {
  const { metaFor, checks, jobTests, nsTests, labelTests, dataGlobs, egress, checkpoints, artifacts, gpuRanges } = p;
  const dataPaths = dataPathMatcher(dataGlobs);
  // Other path readings matter only to entries that name a path (hosts and CIDRs read the same in
  // all); IP readings only to CIDR entries, which take them from the destination (egress-match.ts).
  const denyReadsPath = egress?.deny.some((x) => entryReadsPath(x.text)) ?? false;
  const allowReadsPath = egress?.allow.some((x) => entryReadsPath(x.text)) ?? false;
  const exemptReadsPath = egress?.rateExempt.some((x) => entryReadsPath(x.text)) ?? false;
  const destinationReadings = denyReadsPath || allowReadsPath || exemptReadsPath;
  /** 0: the operation is allowed on `path`; 1: no glob covers it; 2: globs cover it, none allows `op`. */
  const pathVerdict = (path: string, op: string): number => (dataPaths.allowed(path, op) ? 0 : dataPaths.known(path) ? 2 : 1);
  const interval = checkpoints?.interval ?? 0;
  const tolerance = checkpoints?.tolerance ?? 0;
  const ckptActions = checkpoints?.actions ?? new Set<string>(['checkpoint_save']);
  const formats = artifacts?.formats ?? null;
  const maxSize = artifacts?.maxSize ?? null;
  const formatList = formats ? [...formats].join(', ') : '';
  const rateWindow = egress?.rateWindow ?? 0;
  const rateMax = egress?.rateMax ?? 0;
  const rateReason = (total: number, job: string): string => `egress.rate: ${formatBytes(total)} sent by job ${JSON.stringify(job)} in ${formatDuration(rateWindow)} (max ${formatBytes(rateMax)})`;
  const intervalReason = (gap: number): string => `checkpoints.interval: checkpoint ${formatDuration(Math.round(gap / 1e6) * 1e6)} after the previous one (expected ${formatDuration(interval)} ± ${formatDuration(tolerance)})`;
  const formatReason = (f: string): string => `artifacts.formats: format ${JSON.stringify(f)} not in [${formatList}]`;
  const M = (field: string): RuleMeta => metaFor(field);

  function selects(job: string, st: SpecJob, slot: number): boolean {
    const known = st.selected[slot]!;
    if (known >= 0) return known === 1;
    let ok = true;
    if (jobTests.length && !anyTest(jobTests, job)) ok = false;
    if (ok && nsTests.length) ok = st.namespace !== null && anyTest(nsTests, st.namespace);
    if (ok && labelTests.length) {
      const labels = st.labels;
      ok = labels !== null;
      for (let i = 0; ok && i < labelTests.length; i++) {
        const [k, t] = labelTests[i]!;
        const v = labels![k];
        ok = typeof v === 'string' && t(v);
      }
    }
    st.selected[slot] = ok ? 1 : 0;
    return ok;
  }

  function checker(slot: number, jobs: SpecJobs): SpecChecker {
    // Per-value memos: the same actors and actions recur on every event of a job.
    const actorOk = new BoundedMemo<boolean>(MEMO_SIZE);
    const actionFacts = new BoundedMemo<ActionFacts>(MEMO_SIZE);
    // Actions compare case-insensitively (the spec's checkpoint actions are lower-cased at compile
    // time): `CHECKPOINT_SAVE` or `DeleteShard` are what they say.
    const factsOf = (x: string): ActionFacts => {
      const a = x.toLowerCase();
      return { checkpoint: ckptActions.has(a), artifact: isArtifactAction(a, ckptActions), operation: dataOperationOf(a, undefined) };
    };
    const needsFacts = dataGlobs.length > 0 || checkpoints !== null || artifacts !== null;
    return {
      event(e, job, st, out) {
        const facts = needsFacts ? actionFacts.get(e.action, factsOf) : null;
        if (checks.actorAllowed && e.actor !== null && !actorOk.get(e.actor, checks.actorAllowed)) out.push(new LazyHit(M('actors'), actorReason, e.actor, job, null));

        if (checks.execAllowed) {
          const exec = attrOf(e, A.exec, 'exec');
          const sub = attrOf(e, A.subresource, 'subresource');
          if (exec !== undefined || sub === 'exec' || sub === 'attach' || e.action === 'exec') {
            const cmd = obj(exec)?.command;
            const text = Array.isArray(cmd) ? cmd.filter((x) => typeof x === 'string').join(' ').slice(0, 1024) : null;
            if (text === null) {
              const what = `exec: ${String(sub ?? e.action)} into job ${JSON.stringify(job)} without a command (interactive attach or unparsed exec)`;
              out.push(new LazyHit(M('exec'), asIs, what, null, null));
            } else if (!checks.execAllowed(text) || !canonicalExecAllowed(eventExecCanonical(e), checks.execAllowed)) {
              // Every reading must be allowed: the joined argv, and a shell script as the shell reads it.
              out.push(new LazyHit(M('exec'), execReason, text, null, null));
            }
          }
        }

        const pathRaw = dataGlobs.length || formats ? dataPathOf(e) : null;
        if (dataGlobs.length && pathRaw !== null) {
          let path = eventDataPath(e)!;
          const op = declaredOperation(attrOf(e, A.operation, 'operation')) ?? facts!.operation;
          // A path allowed for the operation is a known path: one scan for most events.
          let verdict = pathVerdict(path, op);
          // Every reading must be allowed; one in a glob that forbids the operation (2) outranks one outside all (1).
          const more = verdict === 2 ? null : eventDataPathMore(e);
          if (more !== null) {
            for (let i = 0; i < more.length && verdict !== 2; i++) {
              const v = pathVerdict(more[i]!, op);
              if (v > verdict) {
                verdict = v;
                path = more[i]!;
              }
            }
          }
          if (verdict === 1) out.push(new LazyHit(M('data.paths'), pathReason, op, path, null));
          else if (verdict === 2) out.push(new LazyHit(M('data.operations'), operationReason, op, path, null));
        }

        const destRaw = egress ? eventDestination(e) : null;
        if (destRaw !== null && egress) {
          const d = eventParsedDestination(e);
          if (!d) {
            if (egress.allow.length) out.push(new LazyHit(M('egress.allow'), unparsedReason, destRaw, null, null));
          } else {
            // Deny: ANY reading; allow: EVERY reading (path-readings.ts).
            const more = destinationReadings ? eventDestinationMore(e) : null;
            const denied = firstMatchAny(egress.deny, d, denyReadsPath ? more : null);
            if (denied) out.push(new LazyHit(M('egress.deny'), deniedReason, destRaw, denied.text, null));
            else if (egress.allow.length && !everyMatches(egress.allow, d, allowReadsPath ? more : null)) out.push(new LazyHit(M('egress.allow'), notAllowedReason, destRaw, null, null));
          }
          // Counted as the MLShield sum windows count it: a byte count written as text counts too.
          const bytes = windowAmount(attrOf(e, A.bytes, 'bytes'));
          // Exempt only when every reading is (an exemption is an allow entry).
          if (rateMax && bytes !== null && !(d && egress.rateExempt.length && everyMatches(egress.rateExempt, d, exemptReadsPath ? eventDestinationMore(e) : null))) {
            const win = jobs.egressWindow(job, st, slot, rateWindow);
            const total = win.add(st.lastTs, bytes);
            if (total > rateMax) out.push(new LazyHit(M('egress.rate'), rateReason, total, job, null));
          }
        }

        if (checkpoints && facts!.checkpoint) {
          if (checks.checkpointActorAllowed && e.actor !== null && !checks.checkpointActorAllowed(e.actor)) out.push(new LazyHit(M('checkpoints.actors'), writerReason, e.actor, null, null));
          const lastSave = st.lastSave[slot]!;
          if (!Number.isNaN(lastSave)) {
            const gap = st.lastTs - lastSave;
            if (gap < interval - tolerance || gap > interval + tolerance) out.push(new LazyHit(M('checkpoints.interval'), intervalReason, gap, null, null));
          }
          st.lastSave[slot] = st.lastTs;
        }

        if (artifacts) {
          const artifact = facts!.artifact;
          const format = attrOf(e, A.format, 'format');
          if (formats && (artifact || typeof format === 'string')) {
            const f = artifactFormat(format, pathRaw);
            if (f !== null && !formats.has(f)) out.push(new LazyHit(M('artifacts.formats'), formatReason, f, null, null));
          }
          if (maxSize !== null && artifact) {
            const size = artifactSize(attrOf(e, A.size, 'size')) ?? artifactSize(attrOf(e, A.bytes, 'bytes'));
            if (size !== null && size > maxSize) out.push(new LazyHit(M('artifacts.max_size'), sizeReason, size, maxSize, null));
          }
        }
      },
      gpu(w, job, _st, out) {
        const fields = w.fields as unknown;
        if (fields === null || typeof fields !== 'object') return;
        for (const r of gpuRanges) {
          const f = Object.prototype.hasOwnProperty.call(fields, r.dcgm) ? (fields as GpuWindow['fields'])[r.dcgm] : undefined;
          if (f === null || typeof f !== 'object') continue;
          const v = f[r.stat];
          if (!Number.isFinite(v)) continue;
          if ((r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)) {
            const expect = `${r.min ?? '-∞'}..${r.max ?? '∞'}`;
            const text = `${r.field}: ${r.dcgm} ${r.stat} ${Number(v.toFixed(2))} outside ${expect} on ${w.node ?? '?'}/${w.gpu ?? '?'} for job ${JSON.stringify(job)}`;
            out.push(new LazyHit(M(r.field), asIs, text, null, null));
          }
        }
      },
    };
  }

  return {
    usesLabels: labelTests.length > 0,
    hasEventChecks: p.hasEventChecks,
    hasGpuRanges: gpuRanges.length > 0,
    selects,
    checker,
  };
}
