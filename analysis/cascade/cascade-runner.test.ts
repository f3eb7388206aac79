/**
 * The cascade end to end on the bundled sample incident: real ingest into a real SQLite case, the
 * shipped rule files, and Layer 2 pointed at a folder with no models — which must escalate, never
 * drop. (The trained models are exercised by analysis/models tests and the analyze CLI test.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { defaultRulesDir, loadRulesFrom } from './rule-files.js';
import { loadLayer2Models } from '../models/layer2-models.js';
import { OUTCOME, runCascade, type CascadeSummary } from './cascade-runner.js';
import { cascadeMetrics } from './cascade-metrics.js';
import { parseGroundTruth, resolveGroundTruth } from './ground-truth.js';
import { createJudge } from './judge/judge.js';
import { createMemoryJudgementCache } from './judge/judgement-cache.js';
import { dataBlockOf } from './judge/judge-prompt.js';
import { maliciousAnswer, startMessagesApiServer, toolUseReply } from './judge/messages-api-server.test-support.js';

const SAMPLE = resolve(import.meta.dirname, '../../samples/weight-exfil-seed1');
let dir: string;
let store: CaseStore;
let run: CascadeSummary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-cascade-'));
  store = CaseStore.open(join(dir, 'case.sqlite'));
  await ingestBundle(await openBundleRoot(join(SAMPLE, 'bundle')), store);
  const rules = loadRulesFrom([defaultRulesDir()!]);
  const models = await loadLayer2Models('cpu', join(dir, 'no-models-here'));
  run = await runCascade(store, { rules: rules.rules, models, judge: null, toolVersion: 'test' });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runCascade', () => {
  it('gives every event exactly one outcome and stores the run', () => {
    const ids = store.db.prepare('SELECT id FROM events').all() as { id: number }[];
    for (const { id } of ids) expect(run.outcomes[id], `event ${id}`).toBeGreaterThan(0);
    const c = run.counts;
    expect(c.l1.cleared + c.l1.alert + c.l1.escalate + c.l1.pass).toBe(run.events);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM detections').get()).toEqual({ n: run.detections });
    const stored = store.db.prepare('SELECT summary FROM analysis_runs WHERE id = ?').get(run.runId) as { summary: string };
    expect(JSON.parse(stored.summary).events).toBe(run.events);
    // Foreign keys are off while the run writes its detections, and back on after it.
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const orphans = store.db.prepare('SELECT COUNT(*) AS n FROM detections d WHERE d.event_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id)').get();
    expect(orphans).toEqual({ n: 0 });
  });

  it('escalates, never drops, what would reach a missing model', () => {
    const c = run.counts;
    expect(c.l2.unavailable).toBe(c.l2.reached);
    expect(c.l3.reached).toBe(c.l2.reached);
    // No judge: each of them is left open for the analyst.
    const open = [...run.outcomes].filter((o) => o === OUTCOME.OPEN).length;
    expect(open).toBe(c.l2.reached);
    expect(c.l3.open).toBe(c.l2.reached);
  });

  it('sends the judge each uncertain event and its trajectory window with their raw records', async () => {
    const server = await startMessagesApiServer({ apiKey: 'sk-ant-cascade', script: () => toolUseReply(maliciousAnswer()) });
    try {
      const judgeRun = async (keptEventBytes?: number): Promise<CascadeSummary> => {
        const judge = createJudge({ apiKey: 'sk-ant-cascade', baseURL: server.url, model: 'claude-test-model', cache: createMemoryJudgementCache(), maxRetries: 0, env: {} });
        const models = await loadLayer2Models('cpu', join(dir, 'no-models-here'));
        return runCascade(store, { rules: loadRulesFrom([defaultRulesDir()!]).rules, models, judge, toolVersion: 'test', ...(keptEventBytes === undefined ? {} : { keptEventBytes }) });
      };
      // Layer 2 reading the windows back from the case sends the judge exactly what it sends when
      // Layer 1's events were kept (kept-trajectories.ts): the same requests, byte for byte.
      await judgeRun(0);
      const readBack = server.requests.splice(0).map((r) => JSON.stringify(r.body)).sort();
      expect(readBack.length).toBeGreaterThan(0);
      const judged = await judgeRun();
      expect(server.requests.map((r) => JSON.stringify(r.body)).sort()).toEqual(readBack);
      expect(judged.counts.l3.reached).toBeGreaterThan(0);
      expect(server.requests.length).toBeGreaterThan(0);
      const stored = new Set(store.db.prepare('SELECT raw FROM events WHERE raw IS NOT NULL').pluck().all() as string[]);
      type Sent = { raw: string | null; rawOmitted?: boolean; truncated: string[] };
      let windowRaws = 0;
      for (const req of server.requests) {
        const body = req.body as { messages: Array<{ content: Array<{ text: string }> }> };
        const doc = JSON.parse(dataBlockOf(body.messages[0]!.content[0]!.text)!) as { event: Sent; trajectoryWindow: { events: Sent[] } };
        expect(doc.event.raw).not.toBeNull();
        for (const e of [doc.event, ...doc.trajectoryWindow.events]) {
          if (e.rawOmitted) continue; // (the window's byte budget leaves some raw records out, and says so)
          expect(e.raw).not.toBeNull();
          if (!e.truncated.includes('raw')) expect(stored.has(e.raw!)).toBe(true);
        }
        windowRaws += doc.trajectoryWindow.events.filter((e) => e.raw !== null).length;
      }
      expect(windowRaws).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('detects the weight-exfiltration trajectory and scores against the labels', () => {
    const gt = parseGroundTruth(readFileSync(join(SAMPLE, 'labels.json'), 'utf8'), 'labels.json');
    const m = cascadeMetrics(store.db, run, resolveGroundTruth(store.db, gt));
    expect(m.attacks).toBe(1);
    expect(m.unmatchedLabels).toBe(0);
    expect(m.detected).toBe(1);
    expect(m.eir5).toBe(1);
    expect(m.damagePrevented).toBeGreaterThan(0);
  });
});

describe('runCascade with the trained models (checked-in ONNX files)', () => {
  const gt = () => resolveGroundTruth(store.db, parseGroundTruth(readFileSync(join(SAMPLE, 'labels.json'), 'utf8'), 'labels.json'));

  it('suspect-only (the default) flags the attack and no benign trajectory; score sends more to Layer 2', async () => {
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const models = await loadLayer2Models('cpu');
    const byDefault = await runCascade(store, { rules, models, judge: null, toolVersion: 'test' });
    const m = cascadeMetrics(store.db, byDefault, gt());
    expect(m.detected).toBe(1);
    expect(m.flaggedNormals).toBe(0);
    expect(byDefault.layers.l1Cleared).toBeGreaterThan(0.95);
    expect(byDefault.layers.l2Reached).toBeLessThan(0.05);

    // An uncertain-band score alerts only where a rule escalated the same event.
    const bands = models.lstmBands!;
    const confirmed = store.db
      .prepare(`SELECT event_id AS id, score FROM detections WHERE run_id = ? AND layer = 2 AND attrs LIKE '%confirmedEscalation%'`)
      .all(byDefault.runId) as { id: number; score: number }[];
    expect(confirmed.length).toBeGreaterThan(0);
    for (const c of confirmed) {
      expect(c.score).toBeGreaterThanOrEqual(bands.clearBelow);
      expect(c.score).toBeLessThan(bands.alertAtOrAbove);
      const l1 = store.db.prepare(`SELECT decision FROM detections WHERE run_id = ? AND layer = 1 AND event_id = ?`).get(byDefault.runId, c.id) as { decision: string };
      expect(l1.decision).toBe('escalate');
      expect(byDefault.outcomes[c.id]).toBe(OUTCOME.ALERT_L2);
    }

    const scored = await runCascade(store, { rules, models, judge: null, toolVersion: 'test', noHitPolicy: 'score' });
    expect(scored.counts.l2.reached).toBeGreaterThan(byDefault.counts.l2.reached);
    expect(scored.counts.l1.passCleared).toBe(0);
  });

  it('gives the same detections whether Layer 2 reads trajectories back or gets them kept from Layer 1', async () => {
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const detections = (runId: number): unknown[] =>
      store.db.prepare('SELECT event_id, job, ts, layer, rule_id, model, score, decision, phase, severity, family, reasoning, attrs FROM detections WHERE run_id = ? ORDER BY id').raw(true).all(runId);
    const runs: Array<{ run: CascadeSummary; rows: unknown[] }> = [];
    // Kept (the default), read back (no budget), and a budget the case overflows part-way.
    for (const keptEventBytes of [undefined, 0, 64 * 1024]) {
      // (a run releases its models when it ends)
      const models = await loadLayer2Models('cpu');
      const run = await runCascade(store, { rules, models, judge: null, toolVersion: 'test', noHitPolicy: 'score', ...(keptEventBytes === undefined ? {} : { keptEventBytes }) });
      runs.push({ run, rows: detections(run.runId) });
    }
    const [kept, ...others] = runs;
    expect(kept!.run.counts.l2.reached).toBeGreaterThan(20);
    expect(kept!.run.counts.l2.unavailable).toBe(0);
    expect(kept!.rows.some((r) => (r as unknown[])[3] === 2)).toBe(true);
    for (const o of others) {
      expect(o.rows).toEqual(kept!.rows);
      expect(o.run.counts).toEqual(kept!.run.counts);
      expect([...o.run.outcomes]).toEqual([...kept!.run.outcomes]);
      expect([...o.run.lstmScores]).toEqual([...kept!.run.lstmScores]);
    }
  });
});
