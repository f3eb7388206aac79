/**
 * Behavioural specs (spec-schema.ts) compiled to one evaluator per spec. The spec applies to events
 * and GPU windows of the jobs its selector picks; it learns each job's namespace and labels from
 * the events it sees (a pod create carries its labels), so a label selector also covers the job's
 * later API calls and its GPU telemetry. Every configured field is checked; each violation is a
 * hit `<spec id>/<field>` whose reason names the field, the observed value and the expectation.
 * State per spec: at most `maxJobsPerSpec` jobs (namespace, ≤64 labels, last checkpoint time,
 * 60-bucket egress sum), least recently added evicted first.
 */
import type { EventRecord } from '../../core/records.js';
import type { CompiledRule, EngineLimits, RuleEvaluator, RuleHit, RuleMeta } from './compiled-rule.js';
import { hitFromMeta } from './compiled-rule.js';
import type { Issue } from './detection.js';
import { compileEgressEntry, firstMatch, parseDestination, type EgressEntry } from './egress-match.js';
import type { GpuWindow, GpuStat } from './gpu-window.js';
import { zodIssues } from './meta-schema.js';
import { compilePathGlob, pathGlobSource } from './path-glob.js';
import type { CompileOutput } from './sigma-compile.js';
import { SPEC_FIELDS, specSchema, type SpecDoc } from './spec-schema.js';
import { artifactFormat, dataOperationOf, GPU_RANGE_FIELDS, isArtifactAction, SPEC_FIELD_DEFAULTS } from './spec-fields.js';
import { formatBytes, formatDuration, parseByteSize, parseDurationMicros } from './units.js';
import { KeyedLru, SumWindow } from './window-state.js';
import { compileNameGlob } from './wildcard.js';
import { buildSpecChecks, type SpecChecks } from './spec-checks.js';

const MAX_LABELS = 64;
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

interface JobState {
  lastTs: number;
  namespace: string | null;
  labels: Record<string, string> | null;
  labelCount: number;
  /** -1 unknown, 0 not selected, 1 selected. */
  selected: number;
  lastSave: number;
  egress: SumWindow | null;
}

/**
 * The data path an event touches: `attrs.path`, else an app event's `resource` when it is a path or
 * a URI (the seed's app events name the file or object there: `/mnt/ckpt/…`, `s3://bucket/…`).
 */
function dataPathOf(e: EventRecord): string | null {
  const p = e.attrs.path;
  if (typeof p === 'string') return p;
  const r = e.resource;
  if (e.source === 'app' && typeof r === 'string' && (r.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//.test(r))) return r;
  return null;
}

function plainObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The labels an event reveals about its job: app `attrs.labels`, or the audit request/response object's. */
function labelSource(e: EventRecord, audit: Record<string, unknown> | null): Record<string, unknown> | null {
  const src = plainObject(e.attrs.labels);
  if (src || !audit) return src;
  return plainObject(plainObject(plainObject(audit.requestObject)?.metadata)?.labels) ?? plainObject(plainObject(plainObject(audit.responseObject)?.metadata)?.labels);
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

const DATA_OPERATIONS = ['read', 'write', 'list', 'delete'] as const;

/**
 * Data-path globs as one RegExp for "any glob" and one per operation (two scans instead of one per
 * glob); glob by glob, as written, if such a RegExp cannot be built.
 */
function dataPathMatcher(globs: ReadonlyArray<{ glob: string; ops: ReadonlySet<string> }>): { known(path: string): boolean; allowed(path: string, op: string): boolean } {
  try {
    // Every source starts with `^`: one anchor for the whole alternation.
    const union = (list: ReadonlyArray<{ glob: string }>): RegExp | null => (list.length ? new RegExp(`^(?:${list.map((g) => pathGlobSource(g.glob).slice(1)).join('|')})`) : null);
    const any = union(globs);
    const byOp = new Map(DATA_OPERATIONS.map((op) => [op as string, union(globs.filter((g) => g.ops.has(op)))]));
    return { known: (p) => any !== null && any.test(p), allowed: (p, op) => byOp.get(op)?.test(p) ?? false };
  } catch {
    const tests = globs.map((g) => ({ test: compilePathGlob(g.glob), ops: g.ops }));
    return { known: (p) => tests.some((t) => t.test(p)), allowed: (p, op) => tests.some((t) => t.ops.has(op) && t.test(p)) };
  }
}

/** A destination as reasons quote it. */
function shownDestination(dest: string): string {
  return JSON.stringify(dest.slice(0, 200));
}

export function compileSpec(doc: unknown, file: string, line: number): CompileOutput {
  const warnings: Issue[] = [];
  const parsed = specSchema.safeParse(doc);
  if (!parsed.success) return { rule: null, issues: zodIssues(parsed.error), warnings };
  const s: SpecDoc = parsed.data;
  const issues: Issue[] = [];
  const family = s.family ?? 'weight-exfil';

  // Per-field metadata, overrides applied.
  const fieldMeta = new Map<string, RuleMeta>();
  const metaFor = (field: string): RuleMeta => {
    let m = fieldMeta.get(field);
    if (m) return m;
    const base = field.startsWith('gpu.fields.') ? SPEC_FIELD_DEFAULTS['gpu.fields'] : SPEC_FIELD_DEFAULTS[field as keyof typeof SPEC_FIELD_DEFAULTS];
    const o = s.overrides?.[field];
    m = {
      id: `${s.id}/${field}`,
      title: `${s.title}: ${base.title}`,
      severity: o?.severity ?? base.severity,
      decision: o?.decision ?? base.decision,
      family: o?.family ?? base.family ?? family,
      phase: o?.phase ?? base.phase,
      attack: base.attack,
      atlas: base.atlas,
      file,
      line,
    };
    fieldMeta.set(field, m);
    return m;
  };
  const gpuFieldNames = Object.keys(s.gpu?.fields ?? {});
  for (const key of Object.keys(s.overrides ?? {})) {
    const known = (SPEC_FIELDS as readonly string[]).includes(key) || (key.startsWith('gpu.fields.') && gpuFieldNames.includes(key.slice(11)));
    if (!known) issues.push({ path: ['overrides', key], message: `unknown spec field '${key}' (known: ${SPEC_FIELDS.join(', ')}, gpu.fields.<NAME>)` });
  }

  const egressAllow: EgressEntry[] = [];
  const egressDeny: EgressEntry[] = [];
  // Destinations whose bytes the rate does not count (e.g. the checkpoint bucket the job must use).
  const rateExempt: EgressEntry[] = [];
  const lists = [
    [['egress', 'allow'], s.egress?.allow, egressAllow],
    [['egress', 'deny'], s.egress?.deny, egressDeny],
    [['egress', 'rate', 'exempt'], s.egress?.rate?.exempt, rateExempt],
  ] as const;
  for (const [path, texts, out] of lists) {
    (texts ?? []).forEach((text, i) => {
      const entry = compileEgressEntry(text);
      if (!entry) issues.push({ path: [...path, i], message: `invalid egress entry '${text}' (CIDR, scheme://bucket[/path-glob], or host glob)` });
      else out.push(entry);
    });
  }
  if (s.checkpoints) {
    const interval = parseDurationMicros(s.checkpoints.interval)!;
    const tol = parseDurationMicros(s.checkpoints.tolerance)!;
    if (tol >= interval) warnings.push({ path: ['checkpoints', 'tolerance'], message: 'tolerance is not smaller than the interval: early saves cannot be flagged' });
  }
  if (issues.length) return { rule: null, issues, warnings };

  const nsTests = (s.selector.namespaces ?? []).map((g) => compileNameGlob(g, true));
  const jobTests = (s.selector.jobs ?? []).map((g) => compileNameGlob(g, true));
  const labelTests = Object.entries(s.selector.labels ?? {}).map(([k, g]) => [k, compileNameGlob(g, true)] as const);
  const checks: SpecChecks = buildSpecChecks(s, egressAllow, egressDeny);

  const anyTest = (tests: ReadonlyArray<(s: string) => boolean>, v: string): boolean => {
    for (let i = 0; i < tests.length; i++) if (tests[i]!(v)) return true;
    return false;
  };
  function selects(job: string, st: JobState): boolean {
    if (st.selected >= 0) return st.selected === 1;
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
    st.selected = ok ? 1 : 0;
    return ok;
  }

  const rateWindow = s.egress?.rate ? parseDurationMicros(s.egress.rate.window)! : 0;
  const rateMax = s.egress?.rate ? parseByteSize(s.egress.rate.max_bytes)! : 0;
  const interval = s.checkpoints ? parseDurationMicros(s.checkpoints.interval)! : 0;
  const tolerance = s.checkpoints ? parseDurationMicros(s.checkpoints.tolerance)! : 0;
  const ckptActions = new Set((s.checkpoints?.actions ?? ['checkpoint_save']).map((a) => a.toLowerCase()));
  const formats = s.artifacts?.formats ? new Set(s.artifacts.formats.map((f) => f.toLowerCase().replace(/^\./, ''))) : null;
  const maxSize = s.artifacts?.max_size !== undefined ? parseByteSize(s.artifacts.max_size)! : null;
  const gpuRanges: Array<{ field: string; dcgm: string; min?: number; max?: number; stat: GpuStat }> = [];
  for (const name of ['utilization', 'memory_used_mib'] as const) {
    const r = s.gpu?.[name];
    if (r) gpuRanges.push({ field: `gpu.${name}`, dcgm: GPU_RANGE_FIELDS[name], min: r.min, max: r.max, stat: r.stat ?? 'mean' });
  }
  for (const [dcgm, r] of Object.entries(s.gpu?.fields ?? {})) gpuRanges.push({ field: `gpu.fields.${dcgm}`, dcgm, min: r.min, max: r.max, stat: r.stat ?? 'mean' });
  const hasEventChecks = !!(s.data || s.egress || s.checkpoints || s.artifacts || s.actors || s.exec);
  const dataGlobs = (s.data?.paths ?? []).map((p) => ({ glob: p.glob, ops: new Set<string>(p.operations) }));
  const dataPaths = dataPathMatcher(dataGlobs);

  function instantiate(limits: EngineLimits): RuleEvaluator {
    const jobs = new KeyedLru<JobState>(limits.maxJobsPerSpec);
    // Per-value memos: the same actors and actions recur on every event of a job.
    const actorOk = new BoundedMemo<boolean>(MEMO_SIZE);
    const artifactAction = new BoundedMemo<boolean>(MEMO_SIZE);
    const operationOf = new BoundedMemo<string>(MEMO_SIZE);
    const create = (): JobState => ({ lastTs: -Infinity, namespace: null, labels: null, labelCount: 0, selected: -1, lastSave: NaN, egress: null });
    const hit = (field: string, reason: string, out: RuleHit[]): void => {
      out.push(hitFromMeta(metaFor(field), `${field}: ${reason}`));
    };

    return {
      event: (e, ctx, out) => {
        const job = e.job;
        if (job === null) return;
        const st = jobs.peek(job) ?? jobs.touch(job, create);
        if (e.ts > st.lastTs) st.lastTs = e.ts;
        if (e.namespace !== null && st.namespace !== e.namespace) {
          st.namespace = e.namespace;
          st.selected = -1;
        }
        if (labelTests.length) {
          // Labels seen again unchanged keep the job's selection; others replace them.
          const src = labelSource(e, ctx.audit);
          const copy = src && !sameLabels(st.labels, st.labelCount, src) ? copyLabels(src) : null;
          if (copy) {
            st.labels = copy.labels;
            st.labelCount = copy.count;
            st.selected = -1;
          }
        }
        if (!hasEventChecks || !selects(job, st)) return;
        const a = e.attrs;

        if (checks.actorAllowed && e.actor !== null && !actorOk.get(e.actor, checks.actorAllowed)) hit('actors', `actor ${JSON.stringify(e.actor)} is not allowed for job ${JSON.stringify(job)}`, out);

        if (checks.execAllowed && (a.exec !== undefined || a.subresource === 'exec' || a.subresource === 'attach' || e.action === 'exec')) {
          const cmd = plainObject(a.exec)?.command;
          const text = Array.isArray(cmd) ? cmd.filter((x) => typeof x === 'string').join(' ').slice(0, 1024) : null;
          if (text === null) hit('exec', `${String(a.subresource ?? e.action)} into job ${JSON.stringify(job)} without a command (interactive attach or unparsed exec)`, out);
          else if (!checks.execAllowed(text)) hit('exec', `command ${JSON.stringify(text.slice(0, 200))} is not allowed`, out);
        }

        const pathRaw = dataGlobs.length || formats ? dataPathOf(e) : null;
        if (dataGlobs.length && pathRaw !== null) {
          const path = pathRaw.slice(0, 4096);
          const op = a.operation !== undefined ? dataOperationOf(e.action, a.operation) : operationOf.get(e.action, (x) => dataOperationOf(x, undefined));
          const pathKnown = dataPaths.known(path);
          const opAllowed = pathKnown && dataPaths.allowed(path, op);
          if (!pathKnown) hit('data.paths', `${op} of ${JSON.stringify(path.slice(0, 200))} outside the allowed paths`, out);
          else if (!opAllowed) hit('data.operations', `${op} of ${JSON.stringify(path.slice(0, 200))} is not an allowed operation there`, out);
        }

        const destRaw = typeof a.destination === 'string' ? a.destination : typeof a.url === 'string' ? a.url : null;
        if (destRaw !== null && s.egress) {
          const d = parseDestination(destRaw);
          if (!d) {
            if (egressAllow.length) hit('egress.allow', `destination ${shownDestination(destRaw)} cannot be parsed`, out);
          } else {
            const denied = firstMatch(egressDeny, d);
            if (denied) hit('egress.deny', `destination ${shownDestination(destRaw)} matches deny entry '${denied.text}'`, out);
            else if (egressAllow.length && !firstMatch(egressAllow, d)) hit('egress.allow', `destination ${shownDestination(destRaw)} matches no allow entry`, out);
          }
          const bytes = typeof a.bytes === 'number' && Number.isFinite(a.bytes) && a.bytes >= 0 ? a.bytes : null;
          if (rateMax && bytes !== null && !(d && firstMatch(rateExempt, d))) {
            st.egress ??= new SumWindow(rateWindow);
            const total = st.egress.add(st.lastTs, bytes);
            if (total > rateMax) hit('egress.rate', `${formatBytes(total)} sent by job ${JSON.stringify(job)} in ${formatDuration(rateWindow)} (max ${formatBytes(rateMax)})`, out);
          }
        }

        if (s.checkpoints && ckptActions.has(e.action)) {
          if (checks.checkpointActorAllowed && e.actor !== null && !checks.checkpointActorAllowed(e.actor)) hit('checkpoints.actors', `checkpoint saved by ${JSON.stringify(e.actor)}`, out);
          if (!Number.isNaN(st.lastSave)) {
            const gap = st.lastTs - st.lastSave;
            if (gap < interval - tolerance || gap > interval + tolerance) hit('checkpoints.interval', `checkpoint ${formatDuration(Math.round(gap / 1e6) * 1e6)} after the previous one (expected ${formatDuration(interval)} ± ${formatDuration(tolerance)})`, out);
          }
          st.lastSave = st.lastTs;
        }

        if (s.artifacts) {
          const artifact = artifactAction.get(e.action, (x) => isArtifactAction(x, ckptActions));
          if (formats && (artifact || typeof a.format === 'string')) {
            const f = artifactFormat(a.format, pathRaw);
            if (f !== null && !formats.has(f)) hit('artifacts.formats', `format ${JSON.stringify(f)} not in [${[...formats].join(', ')}]`, out);
          }
          if (maxSize !== null && artifact) {
            const size = typeof a.size === 'number' ? a.size : typeof a.bytes === 'number' ? a.bytes : null;
            if (size !== null && size > maxSize) hit('artifacts.max_size', `artifact of ${formatBytes(size)} (max ${formatBytes(maxSize)})`, out);
          }
        }
      },
      gpu: (w: GpuWindow, out: RuleHit[]) => {
        const fields: unknown = w.fields;
        if (!gpuRanges.length || typeof w.job !== 'string' || fields === null || typeof fields !== 'object') return;
        const st = jobs.peek(w.job) ?? jobs.touch(w.job, create);
        if (!selects(w.job, st)) return;
        for (const r of gpuRanges) {
          const f = Object.prototype.hasOwnProperty.call(fields, r.dcgm) ? (fields as GpuWindow['fields'])[r.dcgm] : undefined;
          if (f === null || typeof f !== 'object') continue;
          const v = f[r.stat];
          if (!Number.isFinite(v)) continue;
          if ((r.min !== undefined && v < r.min) || (r.max !== undefined && v > r.max)) {
            const expect = `${r.min ?? '-∞'}..${r.max ?? '∞'}`;
            hit(r.field, `${r.dcgm} ${r.stat} ${Number(v.toFixed(2))} outside ${expect} on ${w.node ?? '?'}/${w.gpu ?? '?'} for job ${JSON.stringify(w.job)}`, out);
          }
        }
      },
    };
  }

  const meta: RuleMeta = { id: s.id, title: s.title, severity: 'high', family, phase: null, decision: 'alert', attack: [], atlas: [], file, line };
  const rule: CompiledRule = { meta, origin: 'spec', inputs: { event: hasEventChecks, gpu: gpuRanges.length > 0 }, index: null, stateful: true, instantiate };
  return { rule, issues, warnings };
}
