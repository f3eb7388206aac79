/**
 * Sigma rules (SigmaHQ format, Sigma specification v2) for `logsource: {product: kubernetes,
 * service: audit}`, compiled once to a closure tree over the audit.k8s.io Event. Metadata maps to
 * ours: `level` → severity, `tags` → ATT&CK ids and phase, and an optional `mlshield:` block
 * (family, phase, decision, severity, atlas) — SigmaHQ tools ignore unknown top-level keys, so a
 * rule with the block still loads in sigma-cli. Family defaults to `k8s-misconfig`.
 */
import { z } from 'zod';
import type { CompiledRule, RuleEvaluator, RuleIndexKey, RuleMeta } from './compiled-rule.js';
import { chooseIndex, hitFromMeta, SIGMA_INDEX_FIELDS } from './compiled-rule.js';
import { compileDetection, type Issue } from './detection.js';
import { LazyHit } from './rule-hit.js';
import { auditFieldResolver, type AuditObject } from './audit-fields.js';
import { attackFromTags, SIGMA_LEVEL_SEVERITY } from './attack-tags.js';
import {
  atlasIdsSchema, attackIdsSchema, decisionSchema, defaultDecision, familySchema, longText, phaseSchema,
  severitySchema, shortText, zodIssues,
} from './meta-schema.js';

const dateish = z.union([z.string().max(32), z.date()]);

const sigmaSchema = z.looseObject({
  title: shortText,
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'id must be a UUID or a simple identifier'),
  name: z.string().max(256).optional(),
  status: z.enum(['stable', 'test', 'experimental', 'deprecated', 'unsupported']).optional(),
  description: longText.optional(),
  license: z.string().max(256).optional(),
  author: z.string().max(1024).optional(),
  references: z.array(z.string().max(2048)).max(64).optional(),
  date: dateish.optional(),
  modified: dateish.optional(),
  tags: z.array(z.string().max(128)).max(64).optional(),
  related: z.array(z.looseObject({ id: z.string().max(128), type: z.string().max(32) })).max(32).optional(),
  logsource: z.looseObject({
    category: z.string().max(128).optional(),
    product: z.string().max(128).optional(),
    service: z.string().max(128).optional(),
    definition: z.string().max(2048).optional(),
  }),
  detection: z.record(z.string(), z.unknown()),
  fields: z.array(z.string().max(256)).max(64).optional(),
  falsepositives: z.union([z.string().max(2048), z.array(z.string().max(2048)).max(64)]).optional(),
  level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).optional(),
  mlshield: z
    .strictObject({
      family: familySchema.optional(),
      phase: phaseSchema.optional(),
      decision: decisionSchema.optional(),
      severity: severitySchema.optional(),
      atlas: atlasIdsSchema.optional(),
      attack: attackIdsSchema.optional(),
    })
    .optional(),
});

export interface CompileOutput {
  rule: CompiledRule | null;
  issues: Issue[];
  warnings: Issue[];
}

/** True when a YAML document looks like a Sigma rule (it has a `logsource`). */
export function isSigmaDocument(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'logsource' in doc;
}

export function compileSigmaRule(doc: unknown, file: string, line: number): CompileOutput {
  const issues: Issue[] = [];
  const warnings: Issue[] = [];
  const parsed = sigmaSchema.safeParse(doc);
  if (!parsed.success) return { rule: null, issues: zodIssues(parsed.error), warnings };
  const r = parsed.data;
  const product = r.logsource.product?.toLowerCase();
  const service = r.logsource.service?.toLowerCase();
  if (product !== 'kubernetes' || service !== 'audit') {
    issues.push({ path: ['logsource'], message: `unsupported logsource (product: ${product ?? '-'}, service: ${service ?? '-'}); only kubernetes/audit` });
    return { rule: null, issues, warnings };
  }
  if (r.status === 'deprecated' || r.status === 'unsupported') warnings.push({ path: ['status'], message: `rule status is '${r.status}'` });

  const det = compileDetection<AuditObject>(r.detection, auditFieldResolver, ['detection'], issues, warnings);
  if (!('condition' in r.detection)) issues.push({ path: ['detection'], message: "detection has no 'condition'" });
  if (issues.length) return { rule: null, issues, warnings };
  const cond = det.compileCondition(r.detection.condition as string | string[], ['detection', 'condition']);
  if (!cond.ok) return { rule: null, issues: [cond.issue], warnings };

  const tags = attackFromTags(r.tags ?? []);
  const severity = r.mlshield?.severity ?? SIGMA_LEVEL_SEVERITY[r.level ?? 'medium']!;
  if (!r.level) warnings.push({ path: [], message: "no 'level'; assuming medium" });
  const phase = r.mlshield?.phase ?? tags.phase;
  if (!phase) warnings.push({ path: ['tags'], message: 'no attack phase derivable from tags; add mlshield.phase' });
  const meta: RuleMeta = {
    id: r.id,
    title: r.title,
    severity,
    family: r.mlshield?.family ?? 'k8s-misconfig',
    phase,
    decision: r.mlshield?.decision ?? defaultDecision(severity),
    attack: [...new Set([...tags.attack, ...(r.mlshield?.attack ?? [])])],
    atlas: r.mlshield?.atlas ?? [],
    file,
    line,
  };

  const chosen = chooseIndex(SIGMA_INDEX_FIELDS, (f) => det.requiredValues(cond.node, f));
  const index: RuleIndexKey | null = chosen ? { key: `audit.${chosen.field}`, values: chosen.values } : null;
  const pred = cond.pred;
  const node = cond.node;
  const clearHit = meta.decision === 'clear' ? Object.freeze(hitFromMeta(meta, `known benign: ${det.outline(node)}`)) : null;
  const explain = (a: AuditObject): string => det.describe(a, node);
  const evaluator: RuleEvaluator = {
    event: (_e, ctx, out) => {
      const a = ctx.audit;
      if (a !== null && pred(a)) out.push(clearHit ?? new LazyHit(meta, explain, a, null, null));
    },
  };
  const rule: CompiledRule = {
    meta,
    origin: 'sigma',
    inputs: { event: true, gpu: false },
    index,
    stateful: false,
    instantiate: () => evaluator,
  };
  return { rule, issues, warnings };
}
