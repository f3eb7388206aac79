/**
 * What a violation of each behavioural-spec field means by default: severity, decision, threat
 * family, phase, ATT&CK and ATLAS ids. A spec's `overrides` can change severity, decision, family
 * and phase per field. `family: null` means the spec's own family (default weight-exfil).
 */
import type { Severity } from '../../triage/severity.js';
import type { AttackPhase, Decision, ThreatFamily } from '../taxonomy.js';
import type { SpecField } from './spec-schema.js';

export interface FieldDefault {
  title: string;
  severity: Severity;
  decision: Decision;
  family: ThreatFamily | null;
  phase: AttackPhase;
  attack: string[];
  atlas: string[];
}

export const SPEC_FIELD_DEFAULTS: Readonly<Record<SpecField | 'gpu.fields', FieldDefault>> = {
  'data.paths': { title: 'data access outside the allowed paths', severity: 'high', decision: 'alert', family: null, phase: 'collection', attack: ['T1005'], atlas: ['AML.T0037'] },
  'data.operations': { title: 'operation not allowed on a data path', severity: 'high', decision: 'alert', family: 'data-poisoning', phase: 'impact', attack: ['T1565.001'], atlas: ['AML.T0020'] },
  'gpu.utilization': { title: 'GPU utilisation outside the expected range', severity: 'medium', decision: 'escalate', family: 'shadowray', phase: 'impact', attack: ['T1496'], atlas: ['AML.T0034'] },
  'gpu.memory_used_mib': { title: 'GPU memory use outside the expected range', severity: 'medium', decision: 'escalate', family: 'shadowray', phase: 'impact', attack: ['T1496'], atlas: ['AML.T0034'] },
  'gpu.fields': { title: 'GPU telemetry outside the expected range', severity: 'medium', decision: 'escalate', family: 'shadowray', phase: 'impact', attack: ['T1496'], atlas: ['AML.T0034'] },
  'egress.deny': { title: 'egress to a denied destination', severity: 'critical', decision: 'alert', family: null, phase: 'exfiltration', attack: ['T1567'], atlas: ['AML.T0025'] },
  'egress.allow': { title: 'egress to a destination not on the allow list', severity: 'high', decision: 'alert', family: null, phase: 'exfiltration', attack: ['T1048'], atlas: ['AML.T0025'] },
  'egress.rate': { title: 'egress volume above the allowed rate', severity: 'high', decision: 'alert', family: null, phase: 'exfiltration', attack: ['T1030', 'T1048'], atlas: ['AML.T0025'] },
  'checkpoints.interval': { title: 'checkpoint saved off schedule', severity: 'medium', decision: 'escalate', family: null, phase: 'staging', attack: ['T1074'], atlas: ['AML.T0035'] },
  'checkpoints.actors': { title: 'checkpoint saved by an unexpected actor', severity: 'high', decision: 'alert', family: null, phase: 'staging', attack: ['T1074'], atlas: ['AML.T0035'] },
  'artifacts.formats': { title: 'model artifact in a format not allowed', severity: 'high', decision: 'alert', family: null, phase: 'conversion', attack: ['T1560'], atlas: ['AML.T0035'] },
  'artifacts.max_size': { title: 'model artifact larger than allowed', severity: 'medium', decision: 'escalate', family: null, phase: 'staging', attack: ['T1074'], atlas: ['AML.T0035'] },
  actors: { title: 'workload accessed by an actor not allowed', severity: 'high', decision: 'alert', family: null, phase: 'initial-access', attack: ['T1078'], atlas: ['AML.T0012'] },
  exec: { title: 'exec into the workload with a command not allowed', severity: 'high', decision: 'alert', family: null, phase: 'lateral-movement', attack: ['T1609'], atlas: [] },
};

/** GPU range names → DCGM field (dcgm-exporter default counters). */
export const GPU_RANGE_FIELDS: Readonly<Record<'utilization' | 'memory_used_mib', string>> = {
  utilization: 'DCGM_FI_DEV_GPU_UTIL',
  memory_used_mib: 'DCGM_FI_DEV_FB_USED',
};

const DELETE_RE = /delete|remove|purge|(^|_)rm($|_)/;
const LIST_RE = /(^|_)list($|_)|(^|_)ls($|_)/;
const WRITE_RE = /write|save|put|create|update|patch|append|modify|overwrite|download|convert|export|quantiz/;

/** `attrs.operation` when it names a data operation, in any case (`WRITE` is a write); else null. */
export function declaredOperation(declared: unknown): 'read' | 'write' | 'list' | 'delete' | null {
  if (declared === 'read' || declared === 'write' || declared === 'list' || declared === 'delete') return declared;
  if (typeof declared !== 'string' || declared.length < 4 || declared.length > 6) return null;
  const d = declared.toLowerCase();
  return d === 'read' || d === 'write' || d === 'list' || d === 'delete' ? d : null;
}

/**
 * The data operation an app event performs on `attrs.path`: `attrs.operation` when it names one,
 * else from the action word — delete, list, write (download, convert and export write their
 * output to the path), else read (read, load, get, copy and upload read the path).
 */
export function dataOperationOf(action: string, declared: unknown): 'read' | 'write' | 'list' | 'delete' {
  const d = declaredOperation(declared);
  if (d !== null) return d;
  if (DELETE_RE.test(action)) return 'delete';
  if (LIST_RE.test(action)) return 'list';
  if (WRITE_RE.test(action)) return 'write';
  return 'read';
}

const ARTIFACT_RE = /checkpoint_save|export|convert|quantiz|save_model|model_save/;

/** True for actions that produce a model artifact (format and size limits apply). */
export function isArtifactAction(action: string, checkpointActions: ReadonlySet<string>): boolean {
  return checkpointActions.has(action) || ARTIFACT_RE.test(action);
}

/** Normalised format: `attrs.format`, else the artifact path's extension. */
export function artifactFormat(format: unknown, path: unknown): string | null {
  if (typeof format === 'string' && format.length > 0 && format.length <= 64) return format.toLowerCase().replace(/^\./, '');
  if (typeof path !== 'string') return null;
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1 || base.length - dot > 16) return null;
  return base.slice(dot + 1).toLowerCase();
}
