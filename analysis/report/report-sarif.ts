/**
 * SARIF 2.1.0 (OASIS sarif-schema-2.1.0.json) for a whole case: every cascade alert and every
 * checkpoint finding as a `result`. Alerts point at their input file and line
 * (physicalLocation.artifactLocation + region.startLine, §3.28/§3.30); GPU-window alerts, which
 * have no record, get a logical location (the trajectory). ruleId is stable: the Layer-1 rule id,
 * `model/<name>` for Layer 2, `judge/<model>` for Layer 3; checkpoint findings keep their finding id.
 * partialFingerprints hash the rule, the file and the line (or the in-file location), never the
 * message, so dashboards keep one result per issue across exports. Levels and the triage
 * fingerprint come from the triage SARIF writer (triage/report/sarif.ts).
 */
import { createHash } from 'node:crypto';
import { TOOL_NAME, TOOL_VERSION } from '../core/version.js';
import { SARIF_FINGERPRINT_KEY, SARIF_LEVEL, SARIF_SCHEMA, SARIF_VERSION, partialFingerprint, pathUri, type SarifLevel } from '../triage/report/sarif.js';
import { isSeverity, maxSeverity, type Severity } from '../triage/severity.js';
import type { AlertEntry, ForensicReport } from './forensic-report.js';

export const ALERT_FINGERPRINT_KEY = 'mlshieldAlert/v1';

export interface CaseSarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: {
    physicalLocation?: { artifactLocation: { uri: string; index: number }; region?: { startLine: number } };
    logicalLocations?: { fullyQualifiedName: string; kind: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, unknown>;
}

export interface CaseSarifLog {
  version: typeof SARIF_VERSION;
  $schema: string;
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: { id: string; name: string; shortDescription: { text: string }; defaultConfiguration: { level: SarifLevel }; properties: { tags: string[] } }[] } };
    artifacts: { location: { uri: string }; length: number; hashes?: Record<string, string> }[];
    results: CaseSarifResult[];
    invocations: { executionSuccessful: boolean; endTimeUtc: string }[];
    columnKind: 'unicodeCodePoints';
  }[];
}

const severityOf = (s: string): Severity => (isSeverity(s) ? s : 'medium');

export function alertRuleId(a: AlertEntry): string {
  if (a.layer === 1 && a.ruleId) return a.ruleId;
  if (a.layer === 2) return `model/${a.model ?? a.ruleId ?? 'layer2'}`;
  if (a.layer === 3) return `judge/${a.model ?? 'llm'}`;
  return a.ruleId ?? `layer${a.layer}`;
}

function fingerprint(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

export function caseSarifLog(report: ForensicReport): CaseSarifLog {
  const artifacts: CaseSarifLog['runs'][number]['artifacts'] = [];
  const artifactIndex = new Map<string, number>();
  const artifact = (path: string, length: number, sha256: string | null): number => {
    const uri = pathUri(path);
    let i = artifactIndex.get(uri);
    if (i === undefined) {
      i = artifacts.length;
      artifactIndex.set(uri, i);
      artifacts.push({ location: { uri }, length, ...(sha256 ? { hashes: { 'sha-256': sha256 } } : {}) });
    }
    return i;
  };
  for (const s of report.sources) artifact(s.path, s.bytes, s.sha256);

  const worst = new Map<string, { severity: Severity; title: string; tag: string }>();
  const note = (id: string, sev: Severity, title: string, tag: string): void => {
    const w = worst.get(id);
    worst.set(id, { severity: w ? maxSeverity(w.severity, sev) : sev, title: w?.title ?? title, tag });
  };
  for (const a of report.alerts) note(alertRuleId(a), severityOf(a.severity), (a.reasoning ?? alertRuleId(a)).slice(0, 200), a.family ?? 'cascade');
  for (const c of report.checkpoints) for (const f of c.findings) note(f.id, severityOf(f.severity), f.id.replace(/[.\-_]/g, ' '), 'checkpoint');
  const ruleIds = [...worst.keys()].sort();
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const rules = ruleIds.map((id) => {
    const w = worst.get(id)!;
    return {
      id,
      name: id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((x) => x[0]!.toUpperCase() + x.slice(1)).join(''),
      shortDescription: { text: w.title },
      defaultConfiguration: { level: SARIF_LEVEL[w.severity] },
      properties: { tags: ['security', w.tag] },
    };
  });

  const results: CaseSarifResult[] = [];
  for (const a of report.alerts) {
    const ruleId = alertRuleId(a);
    const sev = severityOf(a.severity);
    const props = { severity: sev, layer: a.layer, phase: a.phase, family: a.family, job: a.job, ts: a.ts, detectionId: a.detectionId, eventId: a.eventId, attack: a.attack, atlas: a.atlas };
    const text = `${a.reasoning ?? ruleId}${a.phase ? ` [${a.phase}]` : ''}`;
    if (a.source) {
      const index = artifact(a.source.path, -1, a.source.sha256);
      const uri = artifacts[index]!.location.uri;
      results.push({
        ruleId, ruleIndex: ruleIndex.get(ruleId)!, level: SARIF_LEVEL[sev], message: { text },
        locations: [{ physicalLocation: { artifactLocation: { uri, index }, region: { startLine: a.source.line } } }],
        partialFingerprints: { [ALERT_FINGERPRINT_KEY]: fingerprint(ruleId, uri, a.source.line) },
        properties: props,
      });
    } else {
      const where = a.job ?? 'cluster';
      results.push({
        ruleId, ruleIndex: ruleIndex.get(ruleId)!, level: SARIF_LEVEL[sev], message: { text },
        locations: [{ logicalLocations: [{ fullyQualifiedName: where, kind: 'namespace' }] }],
        partialFingerprints: { [ALERT_FINGERPRINT_KEY]: fingerprint(ruleId, where, a.tsMicros) },
        properties: props,
      });
    }
  }
  for (const c of report.checkpoints) {
    const index = artifact(c.path, -1, c.sha256);
    const uri = artifacts[index]!.location.uri;
    for (const f of c.findings) {
      const sev = severityOf(f.severity);
      const loc: CaseSarifResult['locations'][number] = { physicalLocation: { artifactLocation: { uri, index } } };
      if (f.location) loc.logicalLocations = [{ fullyQualifiedName: f.location, kind: 'member' }];
      results.push({
        ruleId: f.id, ruleIndex: ruleIndex.get(f.id)!, level: SARIF_LEVEL[sev], message: { text: f.message }, locations: [loc],
        partialFingerprints: { [SARIF_FINGERPRINT_KEY]: partialFingerprint(f.id, uri, { id: f.id, severity: sev, message: f.message, ...(f.location ? { location: f.location } : {}) }) },
        properties: { severity: sev, checkpointVerdict: c.verdict },
      });
    }
  }
  return {
    version: SARIF_VERSION,
    $schema: SARIF_SCHEMA,
    runs: [{
      tool: { driver: { name: TOOL_NAME, version: TOOL_VERSION, semanticVersion: TOOL_VERSION, informationUri: 'https://mlshield.dev', rules } },
      artifacts,
      results,
      invocations: [{ executionSuccessful: true, endTimeUtc: report.generatedAt }],
      columnKind: 'unicodeCodePoints',
    }],
  };
}
