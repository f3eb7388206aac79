/**
 * Behavioural specs (spec-schema.ts): validated and compiled here to a program (spec-program.ts)
 * that applies to the events and GPU windows of the jobs its selector picks. A job's namespace is
 * its key's `<namespace>/` prefix (else learnt from its events, spec-job.ts); its labels are learnt
 * from the events it sees (a pod create carries its labels), so a label selector also covers the
 * job's later API calls and its GPU telemetry. Every configured field is
 * checked; each violation is a hit `<spec id>/<field>`. State: at most `maxJobsPerSpec` jobs
 * (namespace, ≤64 labels, last checkpoint time, 60-bucket egress sum), least recently added
 * evicted first — kept in tables the specs of one engine share (spec-set.ts).
 */
import type { CompiledRule, EngineLimits, RuleEvaluator, RuleMeta } from './compiled-rule.js';
import type { Issue } from './detection.js';
import { compileEgressEntry, type EgressEntry } from './egress-match.js';
import { zodIssues } from './meta-schema.js';
import type { CompileOutput } from './sigma-compile.js';
import { SPEC_FIELDS, specSchema, type SpecDoc } from './spec-schema.js';
import { GPU_RANGE_FIELDS, SPEC_FIELD_DEFAULTS } from './spec-fields.js';
import { parseByteSize, parseDurationMicros } from './units.js';
import { compileNameGlob } from './wildcard.js';
import { buildSpecChecks } from './spec-checks.js';
import { specProgram, type GpuRange } from './spec-program.js';
import { createSpecSet } from './spec-set.js';

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
  const gpuRanges: GpuRange[] = [];
  for (const name of ['utilization', 'memory_used_mib'] as const) {
    const r = s.gpu?.[name];
    if (r) gpuRanges.push({ field: `gpu.${name}`, dcgm: GPU_RANGE_FIELDS[name], min: r.min, max: r.max, stat: r.stat ?? 'mean' });
  }
  for (const [dcgm, r] of Object.entries(s.gpu?.fields ?? {})) gpuRanges.push({ field: `gpu.fields.${dcgm}`, dcgm, min: r.min, max: r.max, stat: r.stat ?? 'mean' });
  const hasEventChecks = !!(s.data || s.egress || s.checkpoints || s.artifacts || s.actors || s.exec);
  const program = specProgram({
    metaFor,
    checks: buildSpecChecks(s, egressAllow, egressDeny),
    jobTests,
    nsTests,
    labelTests,
    dataGlobs: (s.data?.paths ?? []).map((p) => ({ glob: p.glob, ops: new Set<string>(p.operations) })),
    egress: s.egress
      ? {
          allow: egressAllow,
          deny: egressDeny,
          rateExempt,
          rateWindow: s.egress.rate ? parseDurationMicros(s.egress.rate.window)! : 0,
          rateMax: s.egress.rate ? parseByteSize(s.egress.rate.max_bytes)! : 0,
        }
      : null,
    checkpoints: s.checkpoints
      ? {
          interval: parseDurationMicros(s.checkpoints.interval)!,
          tolerance: parseDurationMicros(s.checkpoints.tolerance)!,
          actions: new Set((s.checkpoints.actions ?? ['checkpoint_save']).map((a) => a.toLowerCase())),
        }
      : null,
    artifacts: s.artifacts
      ? {
          formats: s.artifacts.formats ? new Set(s.artifacts.formats.map((f) => f.toLowerCase().replace(/^\./, ''))) : null,
          maxSize: s.artifacts.max_size !== undefined ? parseByteSize(s.artifacts.max_size)! : null,
        }
      : null,
    gpuRanges,
    hasEventChecks,
  });

  // Alone (a reference engine, a test), the spec is a set of one; the engine groups its specs.
  function instantiate(limits: EngineLimits): RuleEvaluator {
    const set = createSpecSet([program], limits);
    const gpu = set.gpu[0];
    return gpu ? { event: set.event, gpu } : { event: set.event };
  }

  const meta: RuleMeta = { id: s.id, title: s.title, severity: 'high', family, phase: null, decision: 'alert', attack: [], atlas: [], file, line };
  const rule: CompiledRule = { meta, origin: 'spec', inputs: { event: hasEventChecks, gpu: gpuRanges.length > 0 }, index: null, stateful: true, spec: program, instantiate };
  return { rule, issues, warnings };
}
