/**
 * Schema pieces shared by Sigma rules, MLShield rules and behavioural specs (zod), and the rule
 * metadata defaults: a rule's decision, when it does not say, follows its severity — critical and
 * high alert at Layer 1, medium, low and info escalate to Layer 2/3 for a second opinion.
 */
import { z } from 'zod';
import { SEVERITIES, type Severity } from '../../triage/severity.js';
import { ATTACK_PHASES, DECISIONS, THREAT_FAMILIES, type Decision } from '../taxonomy.js';
import { ATLAS_ID, ATTACK_ID } from './attack-tags.js';
import type { Issue, YamlPath } from './detection.js';

export const severitySchema = z.enum(SEVERITIES);
export const familySchema = z.enum(THREAT_FAMILIES);
export const phaseSchema = z.enum(ATTACK_PHASES);
export const decisionSchema = z.enum(DECISIONS);
export const attackIdsSchema = z.array(z.string().regex(ATTACK_ID, 'ATT&CK ids look like T1609 or T1552.007')).max(32);
export const atlasIdsSchema = z.array(z.string().regex(ATLAS_ID, 'ATLAS ids look like AML.T0024 or AML.T0024.001')).max(32);
export const shortText = z.string().min(1).max(256);
export const longText = z.string().max(8192);

export function defaultDecision(severity: Severity): Decision {
  return severity === 'critical' || severity === 'high' ? 'alert' : 'escalate';
}

/** Turns zod issues into our issues (paths relative to the YAML document root). */
export function zodIssues(error: z.ZodError, base: YamlPath = []): Issue[] {
  return error.issues.map((i) => {
    const path = [...base, ...i.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')];
    const where = path.length ? `${path.join('.')}: ` : '';
    return { path, message: `${where}${i.message}` };
  });
}
