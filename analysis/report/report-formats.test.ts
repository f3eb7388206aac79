/**
 * JSON (validated against the checked-in report.schema.json), SARIF 2.1.0 (the specification's
 * required properties, stable ruleIds and fingerprints) and Timesketch JSONL (message, datetime,
 * timestamp_desc on every line), each produced from the sample incident's case with numbers equal
 * to the case's. Plus the schema validator itself: it rejects what it must and never throws on a
 * mutated document.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { buildReportFor, renderReport } from './report-export.js';
import type { ForensicReport } from './forensic-report.js';
import { reportJson, reportSchema } from './report-json.js';
import { validateJsonSchema } from './json-schema-check.js';
import { ALERT_FINGERPRINT_KEY, alertRuleId, caseSarifLog, type CaseSarifLog } from './report-sarif.js';
import { TIMESKETCH_REQUIRED_FIELDS, timesketchLines } from './report-timesketch.js';
import { formatForPath } from './report-formats.js';

let sample: SampleCase;
let report: ForensicReport;
const n = (sql: string): number => (sample.store.db.prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  sample = await buildSampleCase();
  report = buildReportFor(sample.store.db, { format: 'json', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() });
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

describe('JSON report', () => {
  it('validates against report.schema.json and has the case numbers', async () => {
    const text = Buffer.from(await renderReport(report, 'json')).toString('utf8');
    const doc = JSON.parse(text) as ForensicReport;
    expect(validateJsonSchema(doc, reportSchema())).toEqual([]);
    expect(doc.summary.events).toBe(n('SELECT COUNT(*) AS n FROM events'));
    expect(doc.summary.detections).toBe(n('SELECT COUNT(*) AS n FROM detections'));
    expect(doc.sources).toHaveLength(n('SELECT COUNT(*) AS n FROM sources'));
    expect(doc.summary.quarantined).toBe(n('SELECT COUNT(*) AS n FROM quarantine'));
    // Machines get every alert.
    expect(doc.alerts).toHaveLength(n("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert'"));
  });

  it('schema rejects a missing field, a wrong type, a bad hash, an unknown property and a bad enum', () => {
    const schema = reportSchema();
    const doc = JSON.parse(reportJson(report)) as Record<string, unknown> & ForensicReport;
    const broken = (edit: (d: typeof doc) => void): string[] => {
      const d = structuredClone(doc);
      edit(d);
      return validateJsonSchema(d, schema).map((e) => e.path);
    };
    expect(broken((d) => delete (d as Partial<ForensicReport>).custody)).toEqual(['/']);
    expect(broken((d) => ((d.summary as unknown as Record<string, unknown>)['events'] = '3021'))).toEqual(['/summary/events']);
    expect(broken((d) => (d.sources[0]!.sha256 = 'abc'))).toEqual(['/sources/0/sha256']);
    expect(broken((d) => ((d as Record<string, unknown>)['extra'] = 1))).toEqual(['/']);
    expect(broken((d) => (d.alerts[0]!.severity = 'severe'))).toEqual(['/alerts/0/severity']);
    expect(broken((d) => (d.summary.events = -1))).toEqual(['/summary/events']);
  });

  it('the validator never throws on random mutations (seeded)', () => {
    const schema = reportSchema();
    const base = JSON.parse(reportJson({ ...report, alerts: report.alerts.slice(0, 20) })) as unknown;
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const values: unknown[] = [null, 0, -1, 1.5, '', 'x', [], {}, true, '2026-01-01T00:00:00Z'];
    for (let i = 0; i < 300; i++) {
      const doc = structuredClone(base);
      // walk to a random container and replace one member
      let node: unknown = doc;
      for (let depth = 0; depth < 6; depth++) {
        if (!node || typeof node !== 'object') break;
        const keys = Object.keys(node as object);
        if (keys.length === 0) break;
        const k = keys[Math.floor(rnd() * keys.length)]!;
        const child = (node as Record<string, unknown>)[k];
        if (rnd() < 0.3 || !child || typeof child !== 'object') {
          (node as Record<string, unknown>)[k] = values[Math.floor(rnd() * values.length)];
          break;
        }
        node = child;
      }
      expect(() => validateJsonSchema(doc, schema)).not.toThrow();
    }
  });
});

/** SARIF 2.1.0 required properties (sarif-schema-2.1.0.json "required" lists) checked by hand. */
function sarifProblems(log: CaseSarifLog): string[] {
  const p: string[] = [];
  if (log.version !== '2.1.0') p.push('version');
  if (!Array.isArray(log.runs)) return [...p, 'runs'];
  for (const run of log.runs) {
    if (typeof run.tool?.driver?.name !== 'string') p.push('tool.driver.name');
    const ruleIds = new Set<string>();
    run.tool.driver.rules.forEach((r, i) => {
      if (typeof r.id !== 'string' || r.id === '') p.push(`rules[${i}].id`);
      ruleIds.add(r.id);
    });
    run.artifacts.forEach((a, i) => {
      if (!Number.isInteger(a.length) || a.length < -1) p.push(`artifacts[${i}].length`);
    });
    run.results.forEach((r, i) => {
      if (typeof r.message?.text !== 'string') p.push(`results[${i}].message`);
      if (!ruleIds.has(r.ruleId) || run.tool.driver.rules[r.ruleIndex]?.id !== r.ruleId) p.push(`results[${i}].ruleIndex`);
      if (!['none', 'note', 'warning', 'error'].includes(r.level)) p.push(`results[${i}].level`);
      for (const loc of r.locations) {
        const pl = loc.physicalLocation;
        if (pl) {
          if (run.artifacts[pl.artifactLocation.index]?.location.uri !== pl.artifactLocation.uri) p.push(`results[${i}].artifactLocation`);
          if (pl.region && (!Number.isInteger(pl.region.startLine) || pl.region.startLine < 1)) p.push(`results[${i}].region`);
        }
        if (!pl && !loc.logicalLocations?.length) p.push(`results[${i}].location`);
      }
      if (Object.keys(r.partialFingerprints).length === 0) p.push(`results[${i}].partialFingerprints`);
    });
  }
  return p;
}

describe('SARIF 2.1.0', () => {
  it('has every alert and checkpoint finding as a structurally valid result', () => {
    const log = JSON.parse(Buffer.from(caseSarifLogBytes()).toString('utf8')) as CaseSarifLog;
    expect(sarifProblems(log)).toEqual([]);
    const results = log.runs[0]!.results;
    expect(results.length).toBe(n("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert'") + n('SELECT COUNT(*) AS n FROM findings'));
    const withLine = results.filter((r) => r.locations[0]?.physicalLocation?.region);
    expect(withLine.length).toBe(n("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert' AND event_id IS NOT NULL"));
    expect(log.runs[0]!.artifacts.find((a) => a.location.uri === 'app/events.jsonl')?.hashes?.['sha-256']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps ruleIds and fingerprints stable across exports', () => {
    const again = caseSarifLog(buildReportFor(sample.store.db, { format: 'sarif', casePath: sample.casePath, schemaVersion: 2, now: new Date(0) }));
    const first = caseSarifLog(report);
    const key = (r: CaseSarifLog['runs'][number]['results'][number]): string => `${r.ruleId} ${JSON.stringify(r.partialFingerprints)}`;
    expect(again.runs[0]!.results.map(key)).toEqual(first.runs[0]!.results.map(key));
    const alert = report.alerts.find((a) => a.layer === 1)!;
    expect(alertRuleId(alert)).toBe(alert.ruleId);
    const fp = first.runs[0]!.results.map((r) => Object.values(r.partialFingerprints)[0]);
    expect(fp.every((f) => /^[0-9a-f]{64}$/.test(f ?? ''))).toBe(true);
    expect(first.runs[0]!.results.some((r) => ALERT_FINGERPRINT_KEY in r.partialFingerprints)).toBe(true);
  });
});

function caseSarifLogBytes(): string {
  return JSON.stringify(caseSarifLog(report));
}

describe('Timesketch JSONL', () => {
  it('writes one line per event and per GPU-window alert, each with the required fields', () => {
    const lines = [...timesketchLines(sample.store.db)];
    expect(lines.length).toBe(n('SELECT COUNT(*) AS n FROM events') + n("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert' AND event_id IS NULL"));
    let alerted = 0;
    let annotated = 0;
    for (const l of lines) {
      expect(l.endsWith('\n')).toBe(true);
      const o = JSON.parse(l) as Record<string, unknown>;
      for (const f of TIMESKETCH_REQUIRED_FIELDS) expect(typeof o[f], f).toBe('string');
      expect(o['datetime']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(Date.parse(o['datetime'] as string)).toBe(Math.floor((o['timestamp'] as number) / 1000));
      if (o['mlshield_alerts']) alerted++;
      if (o['comment']) annotated++;
    }
    expect(alerted).toBe(n("SELECT COUNT(DISTINCT event_id) AS n FROM detections WHERE decision = 'alert' AND event_id IS NOT NULL"));
    expect(annotated).toBe(1);
    const starred = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o['comment']);
    expect(starred?.['tag']).toEqual(['initial-access', 'exfil', 'starred', 'mlshield-alert']);
    expect(starred?.['source_file']).toBeTypeOf('string');
  });
});

describe('formatForPath', () => {
  it('maps file names to formats', () => {
    expect(['r.html', 'r.pdf', 'r.json', 'r.sarif', 'r.sarif.json', 'r.jsonl', 'r.txt'].map(formatForPath)).toEqual(['html', 'pdf', 'json', 'sarif', 'sarif', 'jsonl', null]);
  });
});
