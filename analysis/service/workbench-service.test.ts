import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../contract/calls.js';
import type { EventName, EventPayloads } from '../../contract/events.js';
import { WorkbenchService, UserError } from './workbench-service.js';
import { createCallHandlers, dispatchCall, ContractError, callErrorMessage } from './contract-handlers.js';
import { fakeIngestRunner, T0 } from './service-test-support.js';
import { prometheusText } from './monitoring.js';

let dir: string;
let bundle: string;
let events: { event: EventName; payload: unknown }[];

function newService(runner = fakeIngestRunner()): WorkbenchService {
  const s = new WorkbenchService({ runner, caseDirectory: dir });
  s.on((event, payload) => events.push({ event, payload }));
  return s;
}

async function ingested(): Promise<WorkbenchService> {
  const s = newService();
  await s.startIngest({ bundlePath: bundle });
  await s.idle();
  return s;
}

const q = (over: Record<string, unknown> = {}) => ({ offset: 0, limit: 200, sort: 'ts' as const, desc: false, filters: {}, search: '', starredOnly: false, ...over });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-service-'));
  bundle = join(dir, 'incident-7');
  mkdirSync(join(bundle, 'audit'), { recursive: true });
  writeFileSync(join(bundle, 'audit', 'a.log'), '{}\n');
  writeFileSync(join(bundle, 'manifest.json'), '{}');
  events = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('WorkbenchService', () => {
  it('ingests into a case named after the bundle and reports progress with an ETA, then the result', async () => {
    const s = await ingested();
    const info = s.caseInfo()!;
    expect(info.path).toBe(join(dir, 'incident-7.mlshield.sqlite'));
    expect(info.schemaVersion).toBeGreaterThanOrEqual(2);
    expect(info.events).toBe(50);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('case.opened');
    expect(names).toContain('ingest.progress');
    expect(names.slice(-3)).toEqual(['ingest.finished', 'analysis.progress', 'analysis.finished']);
    expect(names.indexOf('analysis.progress')).toBeGreaterThan(names.indexOf('ingest.finished'));
    const first = events.find((e) => e.event === 'ingest.progress')!.payload as EventPayloads['ingest.progress'];
    expect(first.totalFiles).toBe(2);
    expect(first.etaSeconds).not.toBeNull();
    const fin = events.find((e) => e.event === 'ingest.finished')!.payload as EventPayloads['ingest.finished'];
    expect(fin.case.events).toBe(50);
    expect(fin.quarantined).toBe(1);
    s.close();
  });

  it('says in plain words when the bundle does not exist or a case file is not SQLite', async () => {
    const s = newService();
    await expect(s.startIngest({ bundlePath: join(dir, 'nope') })).rejects.toThrow(/nope does not exist\./);
    const bogus = join(dir, 'bogus.sqlite');
    writeFileSync(bogus, 'this is not a database, just text '.repeat(200));
    expect(() => s.openCase(bogus)).toThrow(UserError);
    expect(() => s.openCase(bogus)).toThrow(/is not an MLShield case file|not a database/);
  });

  it('reports a failed ingest as an event with a sentence, not a stack', async () => {
    const err = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const s = newService(fakeIngestRunner({ fail: err }));
    await s.startIngest({ bundlePath: bundle });
    await s.idle();
    const failed = events.find((e) => e.event === 'ingest.failed')!.payload as EventPayloads['ingest.failed'];
    expect(failed.message).toMatch(/incident-7 does not exist\.$/);
    s.close();
  });

  it('summarises the latest analysis run, flagged trajectories with phases in time order, and re-runs on demand', async () => {
    const s = await ingested();
    const sum = s.summary();
    expect(sum.analysis).toMatchObject({ runId: 1, events: 50, layers: { l1Cleared: 0.9, l2Reached: 0.08, l3Reached: 0.02 } });
    expect(sum.analysis!.judge.status).toBe('not run: no API key');
    expect(sum.flagged.map((t) => t.job)).toEqual(['train-42', 'train-7']);
    for (const t of sum.flagged) expect(t.phases.map((p) => p.firstTs)).toEqual([...t.phases.map((p) => p.firstTs)].sort((a, b) => a - b));
    events = [];
    const started = s.runAnalysis();
    expect(() => s.runAnalysis()).toThrow(/already running/);
    await s.idle();
    expect(events.map((e) => e.event)).toEqual(['analysis.progress', 'analysis.finished']);
    expect((events[1]!.payload as EventPayloads['analysis.finished']).jobId).toBe(started.jobId);
    expect(s.summary().analysis!.runId).toBe(2);
    s.close();
  });

  it('reports a failed analysis as an event after the ingest finished', async () => {
    const s = newService(fakeIngestRunner({ failAnalysis: new Error('model file damaged\nstack…') }));
    await s.startIngest({ bundlePath: bundle });
    await s.idle();
    const failed = events.find((e) => e.event === 'analysis.failed')!.payload as EventPayloads['analysis.failed'];
    expect(failed.message).toBe('The analysis did not finish: model file damaged');
    expect(s.summary().analysis).toBeNull();
    s.close();
  });

  it('lists judgements (with from-cache) and the detections waiting for the judge', async () => {
    const s = await ingested();
    const db = (s as unknown as { store: { db: import('better-sqlite3').Database } }).store.db;
    const ev = db.prepare('SELECT id, ts, job FROM events ORDER BY id LIMIT 3').all() as { id: number; ts: number; job: string }[];
    const det = db.prepare(`INSERT INTO detections(event_id, job, ts, layer, model, score, decision, phase, severity, reasoning, attrs, run_id) VALUES (?, ?, ?, ?, 'lstm', 0.5, ?, 'recon', 'medium', ?, ?, 1)`);
    det.run(ev[0]!.id, ev[0]!.job, ev[0]!.ts, 3, 'open', 'Layer 3 not run', JSON.stringify({ promptHash: 'h0', fromCache: false }));
    det.run(ev[1]!.id, ev[1]!.job, ev[1]!.ts, 2, 'escalate', 'uncertain', '{}');
    det.run(ev[2]!.id, ev[2]!.job, ev[2]!.ts, 3, 'alert', 'exfiltration', JSON.stringify({ promptHash: 'h2', fromCache: true }));
    const judgement = db.prepare(`INSERT INTO judgements(event_id, prompt_hash, prompt, model, verdict, confidence, reasoning, input_tokens, output_tokens, status, created_at)
      VALUES (?, 'h2', 'p', 'claude', 'malicious', 0.9, 'copies weights out', ?, ?, ?, 'now')`);
    // The call that answered, then an event with the same evidence that reused its answer (judgement-cache.ts).
    judgement.run(ev[0]!.id, 100, 20, 'verdict');
    judgement.run(ev[2]!.id, null, null, 'cached');
    const j = s.judgeOverview();
    expect(j.status).toBe('not run: no API key');
    expect(j.judgements).toEqual([
      expect.objectContaining({ eventId: ev[2]!.id, verdict: 'malicious', confidence: 0.9, inputTokens: null, fromCache: true }),
      expect.objectContaining({ eventId: ev[0]!.id, verdict: 'malicious', confidence: 0.9, inputTokens: 100, fromCache: false }),
    ]);
    expect(j.waiting.map((d) => [d.eventId, d.layer, d.decision])).toEqual([[ev[0]!.id, 3, 'open'], [ev[1]!.id, 2, 'escalate']]);
    expect(j.waitingTotal).toBe(2);
    s.close();
  });

  it('pages, sorts and filters events with a total', async () => {
    const s = await ingested();
    const p1 = s.queryEvents(q({ limit: 20 }));
    expect(p1.total).toBe(50);
    expect(p1.rows).toHaveLength(20);
    expect(p1.rows[0]!.ts).toBe(T0);
    const p3 = s.queryEvents(q({ limit: 20, offset: 40 }));
    expect(p3.rows).toHaveLength(10);
    const desc = s.queryEvents(q({ desc: true, limit: 1 }));
    expect(desc.rows[0]!.ts).toBe(T0 + 49 * 60_000_000);
    const f = s.queryEvents(q({ filters: { actor: 'alice', job: 'train-42' } }));
    expect(f.rows.every((r) => r.actor === 'alice' && r.job === 'train-42')).toBe(true);
    expect(f.total).toBe(f.rows.length);
    expect(f.total).toBeGreaterThan(0);
    expect(s.distinct({ field: 'job', limit: 10 }).sort()).toEqual(['train-42', 'train-7']);
    s.close();
  });

  it('full-text search gives the same rows through the trigram index and the LIKE fallback', async () => {
    const s = await ingested();
    const viaFts = s.queryEvents(q({ search: 'AWS-credentials' }));
    expect(viaFts.total).toBe(5);
    // A two-letter term cannot use trigrams; LIKE answers it.
    expect(s.queryEvents(q({ search: 'n=' })).total).toBe(50);
    // % and _ are literal characters, not wildcards.
    expect(s.queryEvents(q({ search: '%' })).total).toBe(0);
    // Force the fallback and compare.
    (s as unknown as { ftsFresh: boolean }).ftsFresh = false;
    const viaLike = s.queryEvents(q({ search: 'aws-credentials' }));
    expect(viaLike.rows.map((r) => r.id)).toEqual(viaFts.rows.map((r) => r.id));
    s.close();
  });

  it('returns an event with its raw record, file:line, detections and annotation; stars filter', async () => {
    const s = await ingested();
    const secret = s.queryEvents(q({ search: 'aws-credentials', limit: 1 })).rows[0]!;
    expect(secret.severity).toBe('high');
    const d = s.eventDetail(secret.id);
    expect(d.source.path).toBe('audit/audit.log');
    expect(d.source.line).toBe(4);
    expect(JSON.parse(d.raw!).objectRef.resource).toBe('secrets/aws-credentials');
    expect(d.detections).toHaveLength(1);
    expect(d.detections[0]).toMatchObject({ layer: 1, ruleId: 'secret-read', phase: 'recon' });
    expect(d.annotation.starred).toBe(false);
    s.setAnnotation({ targetKind: 'event', targetId: secret.id, starred: true });
    const a = s.setAnnotation({ targetKind: 'event', targetId: secret.id, tags: ['exfil', ' exfil ', 'creds'], comment: 'first read' });
    expect(a).toMatchObject({ starred: true, tags: ['exfil', 'creds'], comment: 'first read' });
    expect(events.some((e) => e.event === 'annotations.changed')).toBe(true);
    const starred = s.queryEvents(q({ starredOnly: true }));
    expect(starred.rows.map((r) => r.id)).toEqual([secret.id]);
    expect(starred.rows[0]!.starred).toBe(true);
    const list = s.listAnnotations();
    expect(list).toHaveLength(1);
    expect(list[0]!.label).toContain('secrets/aws-credentials');
    expect(() => s.eventDetail(999_999)).toThrow(/no event #999999/);
    s.close();
  });

  it('builds a timeline: detections per phase and GPU telemetry on the same buckets', async () => {
    const s = await ingested();
    const t = s.timeline({ buckets: 50 });
    expect(t.buckets).toHaveLength(50);
    expect(t.from).toBe(T0);
    expect(t.phases.slice(0, 4)).toEqual(['recon', 'staging', 'conversion', 'exfiltration']);
    expect(t.detections.map((d) => d.phase).sort()).toEqual(['recon', ...Array(4).fill('staging')].sort());
    expect(t.eventCounts.reduce((a, b) => a + b, 0)).toBe(50);
    const util = t.gpu.find((g) => g.field === 'DCGM_FI_DEV_GPU_UTIL')!;
    const filled = util.mean.map((m, i) => [m, util.max[i]]).filter(([m]) => m !== null);
    expect(filled.length).toBeGreaterThan(0);
    for (const [m, x] of filled) {
      expect(m).toBe(75);
      expect(x).toBe(100);
    }
    // A zoomed window keeps only what lies inside it.
    const z = s.timeline({ from: T0, to: T0 + 5 * 60_000_000, buckets: 10 });
    expect(z.eventCounts.reduce((a, b) => a + b, 0)).toBe(6);
    s.close();
  });

  it('lists checkpoints not yet triaged as pending', async () => {
    const s = await ingested();
    expect(s.listCheckpoints()).toMatchObject([{ path: 'ckpt/model.pt', verdict: 'pending', findings: 0 }]);
    s.close();
  });

  it('stores an event of the seed monitoring API shape as an app event, searchable at once', async () => {
    const s = await ingested();
    const r = s.storeAppEvent({ action: 'K8S_GET', resource: 'secrets/vault-token', job_id: 'train-42', user: 'bob', ts: '2024-05-01T13:00:00Z', extra: 1 });
    const d = s.eventDetail(r.id);
    expect(d.event).toMatchObject({ source: 'app', action: 'k8s_get', job: 'train-42', actor: 'bob', ts: Date.UTC(2024, 4, 1, 13) * 1000 });
    expect(d.event.attrs).toEqual({ extra: 1 });
    expect(d.source.path).toBe('api:/api/v1/events');
    expect(s.queryEvents(q({ search: 'vault-token' })).total).toBe(1);
    const second = s.storeAppEvent({ action: 'exec' });
    expect(s.eventDetail(second.id).source.line).toBe(2);
    const stats = s.stats()!;
    expect(stats.eventsBySource).toEqual({ k8s_audit: 50, app: 2 });
    expect(stats.alerts).toBe(5);
    expect(s.recentAppEvents(10)).toHaveLength(2);
    s.close();
  });
});

describe('contract handlers', () => {
  it('has exactly one handler per contract call', () => {
    const s = newService();
    expect(Object.keys(createCallHandlers(s, { shell: 'http' })).sort()).toEqual([...CALL_NAMES].sort());
  });

  it('validates every argument before the handler runs', async () => {
    const s = await ingested();
    const h = createCallHandlers(s, { shell: 'http' });
    await expect(dispatchCall(h, 'fs.readFile', {})).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'events.query', { sort: 'raw; DROP TABLE events' })).rejects.toThrow(/Invalid argument for events\.query: sort/);
    await expect(dispatchCall(h, 'events.query', { limit: 10_000_000 })).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'events.query', { extra: 1 })).rejects.toThrow(ContractError);
    await expect(dispatchCall(h, 'case.open', { path: 'x'.repeat(5000) })).rejects.toThrow(ContractError);
    const page = (await dispatchCall(h, 'events.query', { limit: 3 })) as { rows: unknown[]; total: number };
    expect(page.rows).toHaveLength(3);
    expect(page.total).toBe(50);
    expect(await dispatchCall(h, 'dialog.openBundle', {})).toBeNull();
    expect(callErrorMessage(new UserError('No case is open.'))).toBe('No case is open.');
    expect(callErrorMessage(new TypeError('x is undefined\n at foo'))).toBe('Internal error: x is undefined');
    s.close();
  });

  it('says that no case is open instead of failing obscurely', async () => {
    const h = createCallHandlers(newService(), { shell: 'http' });
    await expect(dispatchCall(h, 'case.summary', {})).rejects.toThrow('No case is open. Open a case file or an incident bundle first.');
    expect(await dispatchCall(h, 'case.current', {})).toBeNull();
  });
});

describe('prometheus exposition', () => {
  it('writes HELP/TYPE lines and escaped labels (text format 0.0.4)', () => {
    const text = prometheusText(
      { events: 3, eventsBySource: { 'a"b\\c': 3 }, gpuSamples: 0, quarantined: 0, detections: 0, detectionsByLayer: {}, alerts: 0 },
      { requests: 7, wsClients: 1 },
    );
    expect(text).toContain('# TYPE mlshield_http_requests_total counter\nmlshield_http_requests_total 7\n');
    expect(text).toContain('mlshield_events{source="a\\"b\\\\c"} 3');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[\d.e+]+)$/);
  });
});
