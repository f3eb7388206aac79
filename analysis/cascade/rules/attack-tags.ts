/**
 * Sigma tags (`attack.t1609`, `attack.privilege-escalation`) mapped to MITRE ATT&CK technique ids
 * and to our attack phases, and Sigma `level` mapped to our severities. ATT&CK tactics without a
 * phase of their own (execution, privilege escalation, command and control) give no phase; a
 * technique then maps through its primary tactic (table below: the techniques SigmaHQ's
 * Kubernetes and cloud rules use), else the phase stays unknown and the loader warns.
 */
import type { Severity } from '../../triage/severity.js';
import type { AttackPhase } from '../taxonomy.js';

const TACTIC_PHASE: Readonly<Record<string, AttackPhase | null>> = {
  reconnaissance: 'recon',
  discovery: 'recon',
  'resource-development': null,
  'initial-access': 'initial-access',
  execution: null,
  persistence: 'persistence',
  'privilege-escalation': null,
  'defense-evasion': 'defense-evasion',
  'credential-access': 'credential-access',
  'lateral-movement': 'lateral-movement',
  collection: 'collection',
  'command-and-control': null,
  exfiltration: 'exfiltration',
  impact: 'impact',
};

/** Primary tactic of ATT&CK techniques seen in Kubernetes / cloud rules. */
const TECHNIQUE_TACTIC: Readonly<Record<string, string>> = {
  T1036: 'defense-evasion',
  T1069: 'discovery',
  T1070: 'defense-evasion',
  T1078: 'initial-access',
  T1087: 'discovery',
  T1098: 'persistence',
  T1133: 'initial-access',
  T1136: 'persistence',
  T1190: 'initial-access',
  T1496: 'impact',
  T1485: 'impact',
  T1530: 'collection',
  T1528: 'credential-access',
  T1552: 'credential-access',
  T1562: 'defense-evasion',
  T1565: 'impact',
  T1567: 'exfiltration',
  T1048: 'exfiltration',
  T1609: 'execution',
  T1610: 'defense-evasion',
  T1611: 'privilege-escalation',
  T1612: 'defense-evasion',
  T1613: 'discovery',
};

export interface TagInfo {
  attack: string[];
  phase: AttackPhase | null;
}

/** Reads ATT&CK technique ids and the first phase-bearing tactic from Sigma tags. */
export function attackFromTags(tags: readonly string[]): TagInfo {
  const attack: string[] = [];
  let tacticPhase: AttackPhase | null = null;
  let techniquePhase: AttackPhase | null = null;
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const rest = tag.slice(7);
    const t = /^t(\d{4})(?:\.(\d{3}))?$/.exec(rest);
    if (t) {
      const id = `T${t[1]}${t[2] ? '.' + t[2] : ''}`;
      if (!attack.includes(id)) attack.push(id);
      const tactic = Object.prototype.hasOwnProperty.call(TECHNIQUE_TACTIC, `T${t[1]}`) ? TECHNIQUE_TACTIC[`T${t[1]}`] : undefined;
      if (!techniquePhase && tactic) techniquePhase = TACTIC_PHASE[tactic] ?? null;
      continue;
    }
    const tactic = rest.replace(/_/g, '-');
    if (!tacticPhase && Object.prototype.hasOwnProperty.call(TACTIC_PHASE, tactic)) tacticPhase = TACTIC_PHASE[tactic] ?? null;
  }
  return { attack, phase: tacticPhase ?? techniquePhase };
}

/** Sigma `level` → our severity (`informational` → `info`). */
export const SIGMA_LEVEL_SEVERITY: Readonly<Record<string, Severity>> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

export const ATTACK_ID = /^T\d{4}(\.\d{3})?$/;
export const ATLAS_ID = /^AML\.T\d{4}(\.\d{3})?$/;
