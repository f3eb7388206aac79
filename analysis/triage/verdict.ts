/**
 * From findings to a verdict and an exit decision. A finding in a code-execution category (pickle
 * imports and calls, TorchScript code, Keras Lambda layers and module gadgets) at `high` or above
 * makes the artifact malicious: loading it runs attacker code. Any other finding at `medium` or
 * above makes it suspicious. The CLI's `--gate` is separate: it only decides the exit code.
 */
import type { Finding } from './finding.js';
import { TRIAGE_FINDINGS } from './finding-ids.js';
import { isAtLeast, type Severity } from './severity.js';
import type { Verdict } from './triage-result.js';

/** Finding-id prefixes whose findings describe code a loader would run. */
export const CODE_EXECUTION_PREFIXES: readonly string[] = ['pickle.', 'torchscript.', 'keras.layer.lambda', 'keras.module.'];

export const DEFAULT_GATE: Severity = 'medium';

export function isCodeExecutionFinding(id: string): boolean {
  for (const p of CODE_EXECUTION_PREFIXES) if (id.startsWith(p)) return true;
  return false;
}

/** The verdict for an artifact that was read (an unreadable one is 'error', decided by the caller). */
export function verdictOf(findings: readonly Finding[]): Verdict {
  let suspicious = false;
  for (const f of findings) {
    if (isAtLeast(f.severity, 'high') && isCodeExecutionFinding(f.id)) return 'malicious';
    if (isAtLeast(f.severity, 'medium') && !READ_FAILURE_IDS.has(f.id)) suspicious = true;
  }
  return suspicious ? 'suspicious' : 'clean';
}

const VERDICT_RANK: Readonly<Record<Verdict, number>> = { clean: 0, suspicious: 1, error: 2, malicious: 3 };

/** The worse of two verdicts: malicious, then error (something could not be checked), suspicious, clean. */
export function worseVerdict(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

/** Findings that say an input could not be read: they make exit code 1, never an alert. */
export const READ_FAILURE_IDS: ReadonlySet<string> = new Set([TRIAGE_FINDINGS.INPUT_UNREADABLE.id, TRIAGE_FINDINGS.FORMAT_UNRECOGNIZED.id]);

/** True when any finding (other than a read failure) reaches the gate. */
export function reachesGate(findings: readonly Finding[], gate: Severity): boolean {
  return findings.some((f) => isAtLeast(f.severity, gate) && !READ_FAILURE_IDS.has(f.id));
}
