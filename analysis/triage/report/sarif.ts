/**
 * SARIF 2.1.0 (OASIS, sarif-schema-2.1.0.json) log of a triage run: one run, the tool driver with
 * a rule per finding id (`ruleId` = the stable finding id), one result per finding with its
 * artifact location (the input file) and logical location (where inside it), and
 * `partialFingerprints` built from the rule, the file and the in-file location only — not the
 * message's numbers, not the file's hash — so code-scanning dashboards keep one alert per issue
 * across runs.
 */
import { createHash } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../../core/version.js';
import type { Finding } from '../finding.js';
import { triageFindingTitle } from '../finding-ids.js';
import type { Severity } from '../severity.js';
import type { TriageResult } from '../triage-result.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_FINGERPRINT_KEY = 'mlshieldFinding/v1';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** SARIF `level` (§3.27.10) for a severity. */
export const SARIF_LEVEL: Readonly<Record<Severity, SarifLevel>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };
/** GitHub code scanning's `security-severity` property (CVSS-like 0–10). */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; index: number } }; logicalLocations?: { fullyQualifiedName: string; kind: string }[] }[];
  partialFingerprints: Record<string, string>;
  properties: { severity: Severity };
}

export interface SarifLog {
  version: typeof SARIF_VERSION;
  $schema: string;
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
    artifacts: { location: { uri: string }; length: number; hashes: Record<string, string> }[];
    results: SarifResult[];
    columnKind: 'unicodeCodePoints';
  }[];
}

/** `pickle.import.dangerous` → `PickleImportDangerous` (SARIF reportingDescriptor.name). */
function ruleName(id: string): string {
  return id.split(/[.\-_]/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** A relative path as a URI reference (RFC 3986): `/` separators, each segment percent-encoded. */
export function pathUri(path: string): string {
  return path.replace(/\\/g, '/').split('/').map((s) => encodeURIComponent(s)).join('/');
}

export function partialFingerprint(ruleId: string, uri: string, f: Finding): string {
  const where = f.location ?? f.message.replace(/\d+/g, '#');
  return createHash('sha256').update(`${ruleId}\0${uri}\0${where}`).digest('hex');
}

export function sarifLog(results: readonly TriageResult[]): SarifLog {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const worst = new Map<string, Severity>();
  for (const r of results) for (const f of r.findings) {
    const w = worst.get(f.id);
    if (w === undefined || RANK[f.severity] > RANK[w]) worst.set(f.id, f.severity);
  }
  for (const id of [...worst.keys()].sort()) {
    const sev = worst.get(id)!;
    ruleIndex.set(id, rules.length);
    rules.push({
      id,
      name: ruleName(id),
      shortDescription: { text: triageFindingTitle(id) ?? id.replace(/[.\-_]/g, ' ') },
      defaultConfiguration: { level: SARIF_LEVEL[sev] },
      properties: { tags: ['security', id.split('.')[0]!], 'security-severity': SECURITY_SEVERITY[sev] },
    });
  }
  const artifacts = results.map((r) => ({ location: { uri: pathUri(r.path) }, length: r.size, hashes: (r.sha256 ? { 'sha-256': r.sha256 } : {}) as Record<string, string> }));
  const out: SarifResult[] = [];
  results.forEach((r, index) => {
    const uri = pathUri(r.path);
    for (const f of r.findings) {
      const loc: SarifResult['locations'][number] = { physicalLocation: { artifactLocation: { uri, index } } };
      if (f.location) loc.logicalLocations = [{ fullyQualifiedName: f.location, kind: 'member' }];
      out.push({
        ruleId: f.id,
        ruleIndex: ruleIndex.get(f.id)!,
        level: SARIF_LEVEL[f.severity],
        message: { text: f.message },
        locations: [loc],
        partialFingerprints: { [SARIF_FINGERPRINT_KEY]: partialFingerprint(f.id, uri, f) },
        properties: { severity: f.severity },
      });
    }
  });
  return {
    version: SARIF_VERSION,
    $schema: SARIF_SCHEMA,
    runs: [{
      tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, semanticVersion: TOOL_VERSION, rules } },
      artifacts,
      results: out,
      columnKind: 'unicodeCodePoints',
    }],
  };
}
