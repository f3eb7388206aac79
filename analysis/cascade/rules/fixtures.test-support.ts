/**
 * Test-only helpers: read the rule files from disk, and build EventRecords from audit Event JSON
 * with a minimal mapping (the real audit reader lives in analysis/ingest; tests here must not
 * depend on its details).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventRecord } from '../../core/records.js';
import { parseTimestampMicros } from '../../core/records.js';
import type { RuleFile } from './rule-loader.js';
import { DEFAULT_ENGINE_LIMITS, type CompiledRule, type RuleHit } from './compiled-rule.js';

export const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function readRuleFiles(sub: string): RuleFile[] {
  const dir = join(RULES_DIR, sub);
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: `${sub}/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

/** A file holding one JSON document, a JSON array, or JSON lines → the audit objects in it. */
export function auditObjectsOf(text: string): unknown[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v : [v];
  } catch {
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  }
}

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function auditEvent(obj: unknown, line = 1, job: string | null = null): EventRecord {
  const o = rec(obj);
  const ref = rec(o.objectRef);
  const user = rec(o.user);
  const ts = parseTimestampMicros(String(o.requestReceivedTimestamp ?? o.timestamp ?? '')) ?? 0;
  return {
    ts,
    source: 'k8s_audit',
    actor: typeof user.username === 'string' ? user.username : null,
    action: typeof o.verb === 'string' ? o.verb : '',
    resource: typeof ref.resource === 'string' ? ref.resource : null,
    namespace: typeof ref.namespace === 'string' ? ref.namespace : null,
    job,
    node: null,
    gpu: null,
    outcome: rec(o.responseStatus).code !== undefined ? String(rec(o.responseStatus).code) : null,
    attrs: { audit: o, subresource: ref.subresource, objectName: ref.name, code: rec(o.responseStatus).code },
    line,
    offset: 0,
  };
}

let appLine = 0;
/** An app event (source 'app') with the given fields and details. */
export function appEvent(ts: number, action: string, fields: Partial<EventRecord> = {}, attrs: Record<string, unknown> = {}): EventRecord {
  return {
    ts,
    source: 'app',
    actor: null,
    action,
    resource: null,
    namespace: null,
    job: null,
    node: null,
    gpu: null,
    outcome: null,
    line: ++appLine,
    offset: 0,
    ...fields,
    attrs,
  };
}

export const MIN = 60_000_000;
export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0) * 1000;

/**
 * `rules` evaluated one by one with no index, gate or memo: what the engine must give. Returns the
 * rule ids an event hits, sorted (each call advances the rules' window state, as the engine's would).
 */
export function referenceEngine(rules: readonly CompiledRule[]): (e: EventRecord) => string[] {
  const evals = rules.map((r) => r.instantiate(DEFAULT_ENGINE_LIMITS));
  return (e) => {
    const out: RuleHit[] = [];
    const a = e.attrs.audit;
    const ctx = { audit: e.source === 'k8s_audit' && a !== null && typeof a === 'object' && !Array.isArray(a) ? (a as Record<string, unknown>) : null };
    rules.forEach((r, i) => {
      if (r.inputs.event) evals[i]!.event?.(e, ctx, out);
    });
    return out.map((h) => h.ruleId).sort();
  };
}
