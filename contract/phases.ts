/**
 * Attack phases the Timeline draws as swimlanes, in kill-chain order (DESIGN.md "The cascade":
 * recon → staging → conversion → exfiltration). Detections with another phase or family get a
 * lane of their own after these; detections without a phase go to 'other'.
 */
export const ATTACK_PHASES = ['recon', 'staging', 'conversion', 'exfiltration'] as const;
export type AttackPhase = (typeof ATTACK_PHASES)[number];
export const OTHER_PHASE = 'other';

/** Severity order for sorting and colouring (the same scale as analysis/triage/severity.ts). */
export const SEVERITY_ORDER = ['info', 'low', 'medium', 'high', 'critical'] as const;
