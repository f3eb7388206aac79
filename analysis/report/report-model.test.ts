/**
 * The report model from the sample incident's case: every number equals the case's own count
 * (events, detections, sources, quarantine), alerts carry their raw record and `file:line`,
 * checkpoints carry findings and a heatmap, and an empty case still gives a complete report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { TOOL_VERSION } from '../core/version.js';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { collectCustody } from './custody.js';
import { buildForensicReport } from './report-model.js';
import type { ForensicReport } from './forensic-report.js';
import { ATTACK_PHASES, type AttackPhase } from '../cascade/taxonomy.js';

let sample: SampleCase;
let report: ForensicReport;
const n = (sql: string): number => (sample.store.db.prepare(sql).get() as { n: number }).n;

beforeAll(async () => {
  sample = await buildSampleCase();
  const db = sample.store.db;
  report = buildForensicReport(db, collectCustody(db, { casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() }));
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

describe('buildForensicReport on the sample incident', () => {
  it("has the case's counts", () => {
    const s = report.summary;
    expect(s.events).toBe(n('SELECT COUNT(*) AS n FROM events'));
    expect(s.detections).toBe(n('SELECT COUNT(*) AS n FROM detections'));
    expect(s.alerts).toBe(n("SELECT COUNT(*) AS n FROM detections WHERE decision = 'alert'"));
    expect(s.sources).toBe(n('SELECT COUNT(*) AS n FROM sources'));
    expect(s.quarantined).toBe(n('SELECT COUNT(*) AS n FROM quarantine'));
    expect(s.gpuSamples).toBe(n('SELECT COUNT(*) AS n FROM gpu_samples'));
    expect(s.incidentId).toBe('INC-20261120-6083');
    expect(report.alertsTotal).toBe(s.alerts);
    expect(report.sources.reduce((a, x) => a + x.read, 0)).toBe(report.sources.reduce((a, x) => a + x.stored + x.quarantined, 0));
    expect(report.timeline.phases.reduce((a, p) => a + p.alerts, 0)).toBe(s.alerts);
    for (const p of report.timeline.phases) expect(p.buckets.reduce((a, b) => a + b, 0)).toBe(p.alerts);
    expect(report.cascade?.events).toBe(s.events);
    expect(report.cascade?.funnel[0]!.events).toBe(s.events);
  });

  it('orders kill-chain phases first and lists flagged trajectories', () => {
    const phases = report.timeline.phases.map((p) => p.phase);
    expect(phases.length).toBeGreaterThan(1);
    const known = phases.filter((p) => (ATTACK_PHASES as readonly string[]).includes(p));
    expect(known).toEqual([...known].sort((a, b) => ATTACK_PHASES.indexOf(a as AttackPhase) - ATTACK_PHASES.indexOf(b as AttackPhase)));
    expect(phases.slice(0, known.length)).toEqual(known);
    expect(report.timeline.trajectories.length).toBe(report.summary.flaggedTrajectories);
  });

  it('gives each event alert its raw record and file:line', () => {
    const lineOf = sample.store.db.prepare('SELECT e.line, e.raw, s.path FROM events e JOIN sources s ON s.id = e.source_id WHERE e.id = ?');
    const withEvent = report.alerts.filter((a) => a.eventId !== null);
    expect(withEvent.length).toBeGreaterThan(0);
    for (const a of withEvent.slice(0, 50)) {
      const row = lineOf.get(a.eventId) as { line: number; raw: string; path: string };
      expect(a.source).toEqual({ path: row.path, line: row.line, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(row.raw.startsWith(a.raw ?? '')).toBe(true);
    }
    // GPU-window alerts have no record, and say so rather than inventing a location.
    expect(report.alerts.filter((a) => a.eventId === null).every((a) => a.source === null)).toBe(true);
  });

  it('carries the stored ground-truth metrics, checkpoints with heatmaps, the judge and annotations', () => {
    expect(report.metrics).toMatchObject({ attacks: 1, detected: 1, eir5: 1 });
    expect(report.checkpoints.length).toBe(n('SELECT COUNT(*) AS n FROM checkpoints'));
    expect(report.checkpoints.length).toBe(3);
    for (const c of report.checkpoints) {
      expect(c.heatmap?.tensors.length).toBeGreaterThan(0);
      expect(c.heatmap?.cells[0]!.length).toBe(c.heatmap?.binLabels.length);
    }
    expect(report.summary.checkpointFindings).toBe(n('SELECT COUNT(*) AS n FROM findings'));
    expect(report.judgements[0]).toMatchObject({ model: 'claude-test', promptHash: 'a'.repeat(64), verdict: 'malicious' });
    expect(report.annotations[0]).toMatchObject({ targetKind: 'event', starred: true, tags: ['initial-access', 'exfil'], author: 'analyst' });
  });

  it('records the chain of custody', () => {
    const c = report.custody;
    expect(c.inputs.map((i) => i.sha256)).toEqual(report.sources.map((s) => s.sha256));
    expect(c.tool.version).toBe(TOOL_VERSION);
    expect(c.ruleFiles.some((f) => f.path === 'analysis/rules/mlshield/weight-exfil.yaml')).toBe(true);
    expect(c.modelFiles.map((f) => f.path)).toEqual(expect.arrayContaining(['analysis/models/event-lstm.onnx', 'analysis/models/training-report.json']));
    expect(c.analysis?.runId).toBe(report.cascade?.runId);
    expect(c.exportedBy.user.length).toBeGreaterThan(0);
  });

  it('bounds alerts and raw records but keeps the exact total', () => {
    const db = sample.store.db;
    const small = buildForensicReport(db, report.custody, { maxAlerts: 5, maxRawBytes: 20 });
    expect(small.alerts).toHaveLength(5);
    expect(small.alertsTotal).toBe(report.alertsTotal);
    const raw = small.alerts.find((a) => a.raw !== null)!;
    expect(raw.raw!.length).toBeLessThanOrEqual(20);
    expect(raw.rawTruncated).toBe(true);
  });
});

describe('buildForensicReport on an empty case', () => {
  it('gives a complete report with nothing in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-empty-'));
    const store = CaseStore.open(join(dir, 'empty.sqlite'));
    try {
      const r = buildForensicReport(store.db, collectCustody(store.db, { casePath: 'empty.sqlite', schemaVersion: store.schemaVersion(), rulesDir: null, modelsDir: null }));
      expect(r.summary.events).toBe(0);
      expect(r.cascade).toBeNull();
      expect(r.metrics).toBeNull();
      expect(r.alerts).toEqual([]);
      expect(r.checkpoints).toEqual([]);
      expect(r.timeline.phases).toEqual([]);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
