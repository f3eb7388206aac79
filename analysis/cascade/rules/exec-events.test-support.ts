/**
 * Exec events through the shipped rule set, for the rule-level exec tests (exec-obfuscation,
 * exec-indirect-rule): a `pods/exec` audit event carrying a command, and the rule ids one such
 * event raises on a fresh engine; and the two expectations the per-rule tests make of script lines.
 */
import { expect } from 'vitest';
import type { EventRecord } from '../../core/records.js';
import { defaultRulesDir, loadRulesFrom } from '../rule-files.js';
import { createRuleEngine } from './engine.js';
import { auditEvent, T0 } from './fixtures.test-support.js';

export const SHIPPED_RULES = loadRulesFrom([defaultRulesDir()!]).rules;
/** A human's identity and a workload's, as exec actors. */
export const PERSON = 'oidc:alice@corp.example';
export const SA = 'system:serviceaccount:ml-train:llama-ft-trainer';

/** A `pods/exec` into a training pod at T0 with `command` as `attrs.exec.command`. */
export function execEvent(command: unknown, actor = PERSON, job: string | null = null): EventRecord {
  const ev = auditEvent({ verb: 'create', user: { username: actor }, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'ml-train', name: 'llama-ft-worker-0' }, responseStatus: { code: 101 } }, 1, job);
  ev.ts = T0;
  ev.attrs.exec = { command, container: 'pytorch', stdin: false, tty: false };
  return ev;
}

/** The rule ids one exec raises on a fresh engine (no window state from other cases), sorted. */
export function execRuleIds(command: unknown, actor = PERSON): string[] {
  return [...new Set(createRuleEngine(SHIPPED_RULES).evaluate(execEvent(command, actor)).map((h) => h.ruleId))].sort();
}

/** argv running `line` as a shell script. */
export const sh = (line: string): string[] => ['sh', '-c', line];

/** Expects each script line to raise `rule`, run by a person and by a service account. */
export function expectRaised(rule: string, lines: readonly string[]): void {
  for (const line of lines) {
    expect(execRuleIds(sh(line)), line).toContain(rule);
    expect(execRuleIds(sh(line), SA), line).toContain(rule);
  }
}

/** Expects no script line to raise `rule` (run by a person). */
export function expectQuiet(rule: string, lines: readonly string[]): void {
  for (const line of lines) expect(execRuleIds(sh(line)), line).not.toContain(rule);
}
