/**
 * Layer 2's failure handling in the cascade (DESIGN.md "A missing model never silently drops"; issue
 * 3): every event sent to Layer 2 comes back scored or 'unavailable' (which escalates), whatever the
 * attacker names its job, however long or short its trajectory, and whatever a broken model answers
 * (NaN, ±Infinity, a run that throws). The sample incident in a real SQLite case, the checked-in
 * models, and hand-built broken graphs (analysis/models/broken-models.test-support.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CaseStore } from '../store/case-store.js';
import { ingestBundle } from '../ingest/pipeline.js';
import { openBundleRoot } from '../ingest/archive/fs-root.js';
import { loadLayer2Models, releaseLayer2Models, type Layer2Models } from '../models/layer2-models.js';
import { EVENT_FEATURE_COUNT, SEQUENCE_LENGTH, buildFeatureContext, trajectoryFeatureRows, trajectoryWindows } from '../models/event-features.js';
import { MAX_RUN_BATCH, loadOnnxModel, scoreSequences, type ModelHandle } from '../models/onnx-runtime.js';
import { GPU_FEATURE_COUNT } from '../models/gpu-features.js';
import { brokenModel, type BrokenGraph } from '../models/broken-models.test-support.js';
import { caseEvents } from './case-events.js';
import { Layer2Scorer, trajectoryKey, type Band } from './layer2-scorer.js';
import { defaultRulesDir, loadRulesFrom } from './rule-files.js';
import { OUTCOME, runCascade } from './cascade-runner.js';

const SAMPLE = resolve(import.meta.dirname, '../../samples/weight-exfil-seed1/bundle');
const T0 = 1_763_600_000_000_000;
/** A job named like the key of a job-less actor's trajectory (app events' job_id is attacker-written). */
const COLLIDING_JOB = 'actor:mallory@corp.example';
const LONG_JOB = 'ml-train/long-run';
const LONG = 2048 + MAX_RUN_BATCH + 7; // past the scorer's batch and the runtime's run size
let dir: string;
let store: CaseStore;
let real: Layer2Models;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-l2fail-'));
  store = CaseStore.open(join(dir, 'case.sqlite'));
  await ingestBundle(await openBundleRoot(SAMPLE), store);
  const src = (store.db.prepare('SELECT id FROM sources LIMIT 1').get() as { id: number }).id;
  const ins = store.db.prepare(`INSERT INTO events(ts, source, actor, action, resource, job, attrs, source_id, line, offset) VALUES (?, 'app', ?, ?, ?, ?, ?, ?, 1, 0)`);
  const actions = ['checkpoint_download', 'model_export', 'upload', 'k8s_get'];
  for (let i = 0; i < 12; i++) {
    ins.run(T0 + i * 1e6, 'mallory@corp.example', actions[i % 4], 'ckpt/model.safetensors', COLLIDING_JOB, JSON.stringify({ bytes: '1e999', destination: 's3://exfil-bucket/x' }), src);
    ins.run(T0 + i * 1e6 + 5e5, 'mallory@corp.example', 'k8s_get', 'secrets/x', null, '{}', src);
  }
  for (let i = 0; i < LONG; i++) ins.run(T0 + i * 7e6, 'svc-train@corp.example', actions[i % 4], `ckpt/step-${i}.pt`, LONG_JOB, JSON.stringify({ bytes: i * 1000 }), src);
  real = await loadLayer2Models('cpu');
  expect([real.lstm.status, real.iforest.status]).toEqual(['loaded', 'loaded']);
}, 120_000);
afterAll(async () => {
  await releaseLayer2Models(real);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Seen = { id: number; score: number | null; band: Band; window: number[] };

/** Scores the events `pick` chooses through Layer2Scorer as the cascade does (named trajectories, built context). */
async function scored(models: Layer2Models, pick: (e: { job: string | null; actor: string | null }) => boolean): Promise<{ sent: number[]; seen: Seen[] }> {
  const events = [...caseEvents(store.db, { audit: false })];
  const outcomes = new Uint8Array(Math.max(...events.map((e) => e.id)) + 1);
  const keys = new Set<string>();
  const sent: number[] = [];
  for (const e of events) {
    if (!pick(e)) continue;
    outcomes[e.id] = OUTCOME.TO_L2;
    keys.add(trajectoryKey(e));
    sent.push(e.id);
  }
  const seen: Seen[] = [];
  await new Layer2Scorer(models, store.db).scoreEvents(outcomes, OUTCOME.TO_L2, (e, score, band, window) => seen.push({ id: e.id, score, band, window: window.map((w) => w.id) }), { context: buildFeatureContext(events), trajectories: keys });
  return { sent, seen };
}

async function withBroken(g: BrokenGraph): Promise<Layer2Models> {
  return { ...real, lstm: await loadOnnxModel(brokenModel(g), 'cpu', `broken ${JSON.stringify(g)}`) };
}

describe('every event sent to Layer 2 comes back', () => {
  it('scores a job named like a job-less actor trajectory key apart from that actor’s job-less events', async () => {
    const { sent, seen } = await scored(real, (e) => e.actor === 'mallory@corp.example');
    expect(sent.length).toBe(24);
    expect(seen.map((s) => s.id).sort((a, b) => a - b)).toEqual([...sent].sort((a, b) => a - b));
    expect(seen.every((s) => s.band !== 'unavailable' && Number.isFinite(s.score))).toBe(true);
    expect(trajectoryKey({ job: COLLIDING_JOB, actor: 'x' })).not.toBe(trajectoryKey({ job: null, actor: 'mallory@corp.example' }));
    const events = [...caseEvents(store.db, { audit: false })];
    const context = buildFeatureContext(events);
    const byId = new Map(seen.map((s) => [s.id, s]));
    for (const own of [(e: { job: string | null }) => e.job === COLLIDING_JOB, (e: { job: string | null }) => e.job === null]) {
      const mine = events.filter((e) => e.actor === 'mallory@corp.example' && own(e));
      expect(mine).toHaveLength(12);
      const ids = new Set(mine.map((e) => e.id));
      // The judge's window holds only the trajectory's own earlier events…
      mine.forEach((e, i) => expect(byId.get(e.id)!.window).toEqual(mine.slice(Math.max(0, i - 20), i).map((w) => w.id)));
      expect(mine.every((e) => byId.get(e.id)!.window.every((id) => ids.has(id)))).toBe(true);
      // …and the LSTM scores it as the trajectory alone (its features see none of the other's events).
      const windows = trajectoryWindows(trajectoryFeatureRows(mine, context));
      const alone = await scoreSequences(real.lstm, windows, mine.length, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(alone.status).toBe('scored');
      mine.forEach((e, i) => expect(byId.get(e.id)!.score!, `event ${e.id}`).toBeCloseTo(alone.status === 'scored' ? alone.scores[i]! : Number.NaN, 5));
    }
  }, 60_000);

  it('scores a trajectory past the batch sizes, and its first events (shorter than the window), as scoring each window alone does', async () => {
    const { sent, seen } = await scored(real, (e) => e.job === LONG_JOB);
    expect(seen.map((s) => s.id)).toEqual(sent);
    const events = [...caseEvents(store.db, { audit: false })];
    const rows = trajectoryFeatureRows(events.filter((e) => e.job === LONG_JOB), buildFeatureContext(events));
    const windows = trajectoryWindows(rows);
    const stride = SEQUENCE_LENGTH * EVENT_FEATURE_COUNT;
    for (const i of [0, 1, SEQUENCE_LENGTH - 2, SEQUENCE_LENGTH, MAX_RUN_BATCH - 1, MAX_RUN_BATCH, 2047, 2048, LONG - 1]) {
      const one = await scoreSequences(real.lstm, windows.slice(i * stride, (i + 1) * stride), 1, SEQUENCE_LENGTH, EVENT_FEATURE_COUNT);
      expect(one.status === 'scored' && one.scores[0], `event ${i}`).toBeCloseTo(seen[i]!.score!, 5);
    }
  }, 60_000);
});

describe('a broken LSTM escalates, never clears', () => {
  it.each([
    ['NaN', { value: -1, log: true }],
    ['-Infinity', { value: 0, log: true }],
    ['+Infinity', { value: Number.POSITIVE_INFINITY }],
  ] as const)('treats a %s score as unavailable', async (_name, g) => {
    const models = await withBroken(g);
    expect(models.lstm.status).toBe('loaded');
    const { sent, seen } = await scored(models, (e) => e.job === LONG_JOB || e.actor === 'mallory@corp.example');
    expect(seen).toHaveLength(sent.length);
    expect(seen.filter((s) => s.band !== 'unavailable' || s.score !== null)).toEqual([]);
  }, 60_000);

  it('treats every event of a batch whose run fails part-way as unavailable', async () => {
    const models = await withBroken({ value: 0.1, fixedRows: MAX_RUN_BATCH });
    const { sent, seen } = await scored(models, (e) => e.job === LONG_JOB);
    expect(seen).toHaveLength(sent.length);
    expect(seen.filter((s) => s.band !== 'unavailable')).toEqual([]);
  }, 60_000);

  it('clears nothing at Layer 2 in the cascade when the LSTM answers -Infinity', async () => {
    const models = await withBroken({ value: 0, log: true });
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const run = await runCascade(store, { rules, models, judge: null, toolVersion: 'test', noHitPolicy: 'score' });
    expect(run.counts.l2.reached).toBeGreaterThan(0);
    expect(run.counts.l2.cleared).toBe(0);
    expect(run.counts.l2.unavailable).toBe(run.counts.l2.reached);
    expect([...run.outcomes].filter((o) => o === OUTCOME.CLEARED_L2)).toEqual([]);
  }, 120_000);
});

describe('the cascade with the checked-in models', () => {
  it('leaves no event waiting on Layer 2, the colliding job’s included', async () => {
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const run = await runCascade(store, { rules, models: await loadLayer2Models('cpu'), judge: null, toolVersion: 'test', noHitPolicy: 'score' });
    const stuck = [...run.outcomes].flatMap((o, id) => (o === OUTCOME.TO_L2 ? [id] : []));
    expect(stuck).toEqual([]);
    const c = run.counts;
    expect(c.l2.reached).toBe(c.l1.escalate + c.l1.pass);
    expect(c.l2.cleared + c.l2.alert + c.l2.uncertain + c.l2.unavailable).toBe(c.l2.reached);
    expect(c.gpu.windows).toBeGreaterThan(0);
    expect([c.gpu.unscored, c.gpu.unscoredReason]).toEqual([0, null]);
  }, 120_000);

  it('escalates, as unscored, an event Layer 2 never called back for', async () => {
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const skip = vi.spyOn(Layer2Scorer.prototype, 'scoreEvents').mockImplementation(async () => undefined);
    try {
      const run = await runCascade(store, { rules, models: await loadLayer2Models('cpu'), judge: null, toolVersion: 'test', noHitPolicy: 'score' });
      const c = run.counts;
      expect(c.l1.escalate + c.l1.pass).toBeGreaterThan(0);
      expect(c.l2.unavailable).toBe(c.l1.escalate + c.l1.pass);
      expect(c.l3.open).toBe(c.l2.unavailable);
      expect([...run.outcomes].filter((o) => o === OUTCOME.TO_L2)).toEqual([]);
    } finally {
      skip.mockRestore();
    }
  }, 120_000);
});

describe('a broken Isolation Forest leaves GPU windows unscored, and the summary says so', () => {
  const forest = (g: Omit<BrokenGraph, 'input'>): Promise<ModelHandle> => loadOnnxModel(brokenModel({ ...g, input: ['batch', GPU_FEATURE_COUNT] }), 'cpu', 'broken iforest');
  it.each([
    ['unavailable', async (): Promise<ModelHandle> => loadOnnxModel(new Uint8Array([1, 2, 3]), 'cpu', 'garbage'), /^Isolation Forest unavailable/],
    ['failing', () => forest({ value: 0.9, fixedRows: 1 }), /^Isolation Forest run failed: /],
    ['NaN-scoring', () => forest({ value: -1, log: true }), /^non-finite Isolation Forest score$/],
    ['+Infinity-scoring', () => forest({ value: Number.POSITIVE_INFINITY }), /^non-finite Isolation Forest score$/],
  ] as const)('counts every window of an %s forest as unscored, with its reason, and alerts on none', async (_name, make, reason) => {
    const models: Layer2Models = { ...real, iforest: await make() };
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const run = await runCascade(store, { rules, models, judge: null, toolVersion: 'test' });
    const g = run.counts.gpu;
    expect(g.windows).toBeGreaterThan(1);
    expect(g.unscored).toBe(g.windows);
    expect(g.unscoredReason).toMatch(reason);
    expect(g.unscoredReason!.length).toBeLessThanOrEqual(160);
    expect(g.forestAlerts).toBe(0);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM detections WHERE model = 'iforest'").get()).toEqual({ n: 0 });
    const stored = JSON.parse((store.db.prepare('SELECT summary FROM analysis_runs WHERE id = ?').get(run.runId) as { summary: string }).summary) as { counts: { gpu: unknown } };
    expect(stored.counts.gpu).toEqual(g);
  }, 120_000);
});
