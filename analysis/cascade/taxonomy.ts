/**
 * The detection cascade's shared vocabulary (DESIGN.md "The cascade"): threat families from the
 * MLShield seed's threat list, attack phases (the seed's recon → staging → conversion → exfiltration
 * plus the ATT&CK-style phases of the other families), and Layer decisions. Defined once here and
 * imported everywhere else (STYLE.md: rule ids, severities and kinds are typed constants).
 */

export const THREAT_FAMILIES = [
  'weight-exfil',
  'distillation',
  'shadowray',
  'data-poisoning',
  'model-extraction',
  'insider-exfil',
  'k8s-misconfig',
  'benign',
] as const;
export type ThreatFamily = (typeof THREAT_FAMILIES)[number];

export const ATTACK_PHASES = [
  'recon',
  'staging',
  'conversion',
  'exfiltration',
  'initial-access',
  'credential-access',
  'lateral-movement',
  'impact',
  'persistence',
  'defense-evasion',
  'collection',
] as const;
export type AttackPhase = (typeof ATTACK_PHASES)[number];

/** `clear`: known benign, stop here; `alert`: confident detection; `escalate`: ask the next layer. */
export const DECISIONS = ['clear', 'alert', 'escalate'] as const;
export type Decision = (typeof DECISIONS)[number];

export function isThreatFamily(x: unknown): x is ThreatFamily {
  return typeof x === 'string' && (THREAT_FAMILIES as readonly string[]).includes(x);
}

export function isAttackPhase(x: unknown): x is AttackPhase {
  return typeof x === 'string' && (ATTACK_PHASES as readonly string[]).includes(x);
}
