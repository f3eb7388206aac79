/**
 * The behavioural specification format (the MLShield seed's "YAML behavioral specification engine":
 * per-workload expectations). Every field here is enforced by spec.ts; a violated field yields a
 * hit named `<spec id>/<field>`. Shape:
 *
 *   kind: BehaviouralSpec
 *   id: SPEC-TRAINING-DEFAULT
 *   title: …
 *   family: weight-exfil                 # default family for violations
 *   selector: {namespaces: [globs], jobs: [globs], labels: {key: glob}}    # AND of the given parts
 *     # namespaces: the job's own namespace — the prefix of a `<namespace>/<name>` job key, fixed
 *     # for the job's life (an audit event's namespace is the touched object's: a training job
 *     # reading secrets in kube-system stays a training job); for keys without one (app job_id,
 *     # node names) the last namespace an event named. jobs: the job key. labels: the last label
 *     # set its events revealed.
 *   data: {paths: [{glob: '/data/**', operations: [read, list]}]}
 *   gpu: {utilization: {min, max, stat}, memory_used_mib: {min, max, stat}, fields: {DCGM_…: {…}}}
 *   egress: {allow: [entries], deny: [entries], rate: {window: 1h, max_bytes: 2GiB, exempt: [entries]}}
 *   checkpoints: {interval: 30m, tolerance: 10m, actions: [checkpoint_save], actors: [globs]}
 *   artifacts: {formats: [pt, safetensors], max_size: 20GiB}
 *   actors: {allow: [globs], service_accounts: ['ml-train:trainer', 'ml-train:*']}
 *   exec: {allow: ['nvidia-smi*', 'python -m torch.distributed.run *']}   # `*`/`?` never match ; & | ` $ < >
 *   overrides: {<field>: {severity, decision, family, phase}}
 */
import { z } from 'zod';
import { decisionSchema, familySchema, longText, phaseSchema, severitySchema, shortText } from './meta-schema.js';
import { GPU_STATS } from './gpu-window.js';
import { parseByteSize, parseDurationMicros } from './units.js';

export const DATA_OPERATIONS = ['read', 'write', 'list', 'delete'] as const;
export type DataOperation = (typeof DATA_OPERATIONS)[number];

/** The fields a violation can name (hit id suffix). `gpu.fields.<NAME>` is added per configured field. */
export const SPEC_FIELDS = [
  'data.paths', 'data.operations', 'gpu.utilization', 'gpu.memory_used_mib', 'egress.deny', 'egress.allow',
  'egress.rate', 'checkpoints.interval', 'checkpoints.actors', 'artifacts.formats', 'artifacts.max_size',
  'actors', 'exec',
] as const;
export type SpecField = (typeof SPEC_FIELDS)[number];

const duration = z.union([z.string(), z.number()]).refine((v) => parseDurationMicros(v) !== null, 'duration must look like 90s, 10m, 1h, 7d (at most 31d)');
const byteSize = z.union([z.string(), z.number()]).refine((v) => parseByteSize(v) !== null, 'size must look like 1048576, 512MiB or 5GB');
const globs = z.array(z.string().min(1).max(512)).max(256);

const range = z
  .strictObject({ min: z.number().optional(), max: z.number().optional(), stat: z.enum(GPU_STATS).optional() })
  .refine((r) => r.min !== undefined || r.max !== undefined, 'a range needs min or max')
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min must not exceed max');

const override = z.strictObject({
  severity: severitySchema.optional(),
  decision: decisionSchema.optional(),
  family: familySchema.optional(),
  phase: phaseSchema.optional(),
});

export const specSchema = z.strictObject({
  kind: z.enum(['BehaviouralSpec', 'BehavioralSpec']),
  id: z.string().regex(/^SPEC-[A-Z0-9]+(?:-[A-Z0-9]+)*$/, 'spec ids look like SPEC-TRAINING-DEFAULT'),
  title: shortText,
  description: longText.optional(),
  family: familySchema.optional(),
  selector: z
    .strictObject({
      namespaces: globs.optional(),
      jobs: globs.optional(),
      labels: z.record(z.string().min(1).max(317), z.string().max(512)).optional(),
    })
    .refine((s) => s.namespaces?.length || s.jobs?.length || (s.labels && Object.keys(s.labels).length), 'a selector needs namespaces, jobs or labels'),
  data: z
    .strictObject({
      paths: z.array(z.strictObject({ glob: z.string().min(1).max(1024), operations: z.array(z.enum(DATA_OPERATIONS)).min(1) })).min(1).max(256),
    })
    .optional(),
  gpu: z
    .strictObject({
      utilization: range.optional(),
      memory_used_mib: range.optional(),
      fields: z.record(z.string().regex(/^[A-Z][A-Z0-9_]{1,80}$/, 'DCGM field names look like DCGM_FI_DEV_GPU_UTIL'), range).optional(),
    })
    .optional(),
  egress: z
    .strictObject({
      allow: globs.optional(),
      deny: globs.optional(),
      rate: z.strictObject({ window: duration, max_bytes: byteSize, exempt: globs.optional() }).optional(),
    })
    .optional(),
  checkpoints: z
    .strictObject({
      interval: duration,
      tolerance: duration,
      actions: z.array(z.string().min(1).max(128)).min(1).max(32).optional(),
      actors: globs.optional(),
    })
    .optional(),
  artifacts: z
    .strictObject({
      formats: z.array(z.string().min(1).max(32)).min(1).max(64).optional(),
      max_size: byteSize.optional(),
    })
    .optional(),
  actors: z.strictObject({ allow: globs.optional(), service_accounts: globs.optional() }).optional(),
  exec: z.strictObject({ allow: globs }).optional(),
  overrides: z.record(z.string(), override).optional(),
});

export type SpecDoc = z.infer<typeof specSchema>;

export function isSpecDocument(doc: unknown): boolean {
  return doc !== null && typeof doc === 'object' && 'kind' in doc && typeof (doc as { kind: unknown }).kind === 'string' && /^Behaviou?ralSpec$/.test((doc as { kind: string }).kind);
}
