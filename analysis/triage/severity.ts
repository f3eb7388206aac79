/**
 * Severity scale shared by every triage finding (pickle, tensors, archives, reports). Defined once
 * here and imported everywhere else (STYLE.md: severities are a typed constant). The order is the
 * rank: index 0 is the least severe. SARIF 2.1.0 `level` mapping lives with the SARIF writer.
 */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** 0 (info) … 4 (critical). */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** True when `s` is at least as severe as `min`. */
export function isAtLeast(s: Severity, min: Severity): boolean {
  return RANK[s] >= RANK[min];
}

/** The most severe of a list, or `null` for an empty list. */
export function highestSeverity(list: Iterable<Severity>): Severity | null {
  let best: Severity | null = null;
  for (const s of list) best = best === null ? s : maxSeverity(best, s);
  return best;
}

export function isSeverity(x: unknown): x is Severity {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(RANK, x);
}
