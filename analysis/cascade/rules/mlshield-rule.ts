/**
 * Plain MLShield rules (`analysis/rules/mlshield/*.yaml`): Sigma's detection language over our
 * normalised event fields (event-fields.ts), plus three stateful forms (mlshield-stateful.ts):
 *   window:   {by: [actor], size: 10m, threshold: {count: 20}}
 *             {by: [actor], size: 10m, distinct: attrs.objectName, threshold: {distinct: 15}}
 *             {by: [job],   size: 1h,  sum: attrs.bytes, threshold: {sum: 5GiB}}
 *   sequence: {by: [job], within: 2h, steps: [sel_read, sel_upload]}   (A then B, same key;
 *             `reset: sel_delete` forgets the key's progress)
 *   input: gpu — the detection runs over GPU windows (`DCGM_FI_DEV_GPU_UTIL.mean|gte: 90`).
 * `decision: clear` marks known-benign traffic so it ends at Layer 1.
 */
import { z } from 'zod';
import type { EventRecord } from '../../core/records.js';
import type { CompiledRule, RuleEvaluator, RuleHit, RuleIndexKey, RuleLogic, RuleMeta } from './compiled-rule.js';
import { chooseIndex, EVENT_INDEX_FIELDS, hitFromMeta, PRESENCE_INDEX_FIELD, PRESENCE_PREFIX } from './compiled-rule.js';
import { compileDetection, type CompiledDetection, type Issue } from './detection.js';
import { LazyHit } from './rule-hit.js';
import { eventFieldResolver, gpuFieldResolver } from './event-fields.js';
import type { GpuWindow } from './gpu-window.js';
import {
  atlasIdsSchema, attackIdsSchema, decisionSchema, defaultDecision, familySchema, longText, phaseSchema,
  severitySchema, shortText, zodIssues,
} from './meta-schema.js';
import { parseByteSize, parseDurationMicros } from './units.js';
import { compileSequenceRule, compileWindowRule } from './mlshield-stateful.js';
import type { CompileOutput } from './sigma-compile.js';

export const MAX_THRESHOLD = 4096;

const duration = z.union([z.string(), z.number()]).refine((v) => parseDurationMicros(v) !== null, 'duration must look like 90s, 10m, 1h, 7d (at most 31d)');
const byteSize = z.union([z.string(), z.number()]).refine((v) => parseByteSize(v) !== null, 'size must look like 1048576, 512MiB or 5GB');
const keyFields = z.array(z.string().min(1).max(128)).min(1).max(3);

const windowSchema = z.strictObject({
  by: keyFields,
  size: duration,
  distinct: z.string().min(1).max(128).optional(),
  sum: z.string().min(1).max(128).optional(),
  threshold: z.strictObject({
    count: z.number().int().min(1).max(MAX_THRESHOLD).optional(),
    distinct: z.number().int().min(1).max(MAX_THRESHOLD).optional(),
    sum: byteSize.optional(),
  }),
});

const stepSchema = z.union([
  z.string().min(1).max(1024),
  z.strictObject({ condition: z.string().min(1).max(1024), input: z.enum(['event', 'gpu']).optional() }),
]);

const sequenceSchema = z.strictObject({
  by: keyFields,
  within: duration,
  steps: z.array(stepSchema).min(2).max(8),
  /** An event condition that forgets a key's progress (the object deleted: what was written before it no longer holds). */
  reset: z.string().min(1).max(1024).optional(),
});

const ruleSchema = z.strictObject({
  id: z.string().regex(/^MLS-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{3}$/, 'MLShield rule ids look like MLS-EXFIL-003'),
  title: shortText,
  description: longText.optional(),
  author: z.string().max(256).optional(),
  status: z.enum(['stable', 'test', 'experimental']).optional(),
  references: z.array(z.string().max(2048)).max(32).optional(),
  falsepositives: z.array(z.string().max(1024)).max(32).optional(),
  severity: severitySchema,
  family: familySchema,
  phase: phaseSchema.nullable().optional(),
  decision: decisionSchema.optional(),
  attack: attackIdsSchema.optional(),
  atlas: atlasIdsSchema.optional(),
  input: z.enum(['event', 'gpu']).optional(),
  detection: z.record(z.string(), z.unknown()),
  window: windowSchema.optional(),
  sequence: sequenceSchema.optional(),
});

export type MlsRuleDoc = z.infer<typeof ruleSchema>;
export type WindowDoc = z.infer<typeof windowSchema>;
export type SequenceDoc = z.infer<typeof sequenceSchema>;

/** True when a YAML document looks like an MLShield rule. */
export function isMlshieldRuleDocument(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'detection' in doc && !('logsource' in doc);
}

/** The engine's index key for a condition (compiled-rule.ts `chooseIndex`). */
export function indexFor(det: CompiledDetection<EventRecord>, node: Parameters<CompiledDetection<EventRecord>['requiredValues']>[0]): RuleIndexKey | null {
  // Optional fields the condition cannot do without may serve as presence dimensions: `attrs.*` only
  // (derived fields such as sourceIP are present on every audit event).
  const optional = det.fieldNames().filter((f) => f.startsWith('attrs.') && det.requiresPresent(node, f));
  const fields: string[] = [...EVENT_INDEX_FIELDS, PRESENCE_INDEX_FIELD, ...optional.map((f) => PRESENCE_PREFIX + f)];
  const chosen = chooseIndex(fields, (f) => {
    if (f === PRESENCE_INDEX_FIELD) return det.requiresPresent(node, 'destination') || det.requiresPresent(node, 'destinationHost') ? ['*'] : null;
    if (f.startsWith(PRESENCE_PREFIX)) return [f.slice(PRESENCE_PREFIX.length)];
    return det.requiredValues(node, f);
  });
  if (!chosen) return null;
  if (chosen.field.startsWith(PRESENCE_PREFIX)) return { key: 'event.present', values: chosen.values };
  return { key: `event.${chosen.field}` as RuleIndexKey['key'], values: chosen.values };
}

export function compileMlshieldRule(doc: unknown, file: string, line: number): CompileOutput {
  const warnings: Issue[] = [];
  const parsed = ruleSchema.safeParse(doc);
  if (!parsed.success) return { rule: null, issues: zodIssues(parsed.error), warnings };
  const r = parsed.data;
  const issues: Issue[] = [];
  const meta: RuleMeta = {
    id: r.id,
    title: r.title,
    severity: r.severity,
    family: r.family,
    phase: r.phase ?? null,
    decision: r.decision ?? defaultDecision(r.severity),
    attack: r.attack ?? [],
    atlas: r.atlas ?? [],
    file,
    line,
  };
  if (r.window && r.sequence) issues.push({ path: ['sequence'], message: "a rule has either 'window' or 'sequence', not both" });
  if (r.input === 'gpu' && (r.window || r.sequence)) issues.push({ path: ['input'], message: "GPU-window rules cannot have 'window'; use 'sequence' steps with input: gpu" });
  if (meta.decision === 'clear' && (r.window || r.sequence)) issues.push({ path: ['decision'], message: 'clear rules must be stateless' });
  if (issues.length) return { rule: null, issues, warnings };

  if (r.sequence) return compileSequenceRule(r, r.sequence, meta, warnings);

  const gpu = r.input === 'gpu';
  const hasCondition = 'condition' in r.detection;
  if (!hasCondition) return { rule: null, issues: [{ path: ['detection'], message: "detection has no 'condition'" }], warnings };
  if (gpu) {
    const det = compileDetection<GpuWindow>(r.detection, gpuFieldResolver, ['detection'], issues, warnings);
    if (issues.length) return { rule: null, issues, warnings };
    const cond = det.compileCondition(r.detection.condition as string | string[], ['detection', 'condition']);
    if (!cond.ok) return { rule: null, issues: [cond.issue], warnings };
    const { pred, node } = cond;
    const explain = (w: GpuWindow): string => det.describe(w, node);
    const evaluator: RuleEvaluator = {
      gpu: (w, out) => {
        if (pred(w)) out.push(new LazyHit(meta, explain, w, null, null));
      },
    };
    return { rule: { meta, origin: 'mlshield', inputs: { event: false, gpu: true }, index: null, stateful: false, instantiate: () => evaluator }, issues, warnings };
  }

  const det = compileDetection<EventRecord>(r.detection, eventFieldResolver, ['detection'], issues, warnings);
  if (issues.length) return { rule: null, issues, warnings };
  const cond = det.compileCondition(r.detection.condition as string | string[], ['detection', 'condition']);
  if (!cond.ok) return { rule: null, issues: [cond.issue], warnings };
  const index = indexFor(det, cond.node);
  if (r.window) return compileWindowRule(r.window, meta, det, cond, index, warnings);

  const { pred, node } = cond;
  // Clear rules match most benign events: their reason is the static outline, not the values.
  // One frozen hit object serves every match of a clear rule (no per-event allocation).
  const clearHit = meta.decision === 'clear' ? Object.freeze(hitFromMeta(meta, `known benign: ${det.outline(node)}`)) : null;
  const explain = (e: EventRecord): string => det.describe(e, node);
  const evaluator: RuleEvaluator = {
    event: (e, _ctx, out) => {
      if (pred(e)) out.push(clearHit ?? new LazyHit(meta, explain, e, null, null));
    },
  };
  const hit = (e: EventRecord): RuleHit => clearHit ?? new LazyHit(meta, explain, e, null, null);
  const logic: RuleLogic = { nodes: [node], selection: (name) => det.selection(name), hit, ...(clearHit ? { constantHit: clearHit } : {}) };
  const rule: CompiledRule = { meta, origin: 'mlshield', inputs: { event: true, gpu: false }, index, stateful: false, constraints: det.constraints([node]), logic, instantiate: () => evaluator };
  return { rule, issues, warnings };
}
