/**
 * The judge's circuit breaker through the whole cascade: the bundled sample incident ingested into
 * a real SQLite case, Layer 2 without models (so every event past Layer 1 reaches the judge), and
 * the judge pointed at a loopback Messages API that fails every call. The run must stop asking
 * after a few calls, leave the remaining events open for the analyst, and say so in its summary.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRulesFrom } from '../rule-files.js';
import { loadLayer2Models } from '../../models/layer2-models.js';
import { OUTCOME, runCascade } from '../cascade-runner.js';
import { createJudge } from './judge.js';
import { createMemoryJudgementCache } from './judgement-cache.js';
import { errorReply, startMessagesApiServer } from './messages-api-server.test-support.js';
import { useSampleCase } from '../sample-case.test-support.js';

const KEY = 'sk-ant-breaker-cascade';
const sample = useSampleCase('mlshield-breaker-');

async function runAgainst(status: number, type: string, apiKey = KEY) {
  const server = await startMessagesApiServer({ apiKey: KEY, script: () => errorReply(status, type) });
  try {
    const judge = createJudge({ apiKey, baseURL: server.url, model: 'claude-test-model', cache: createMemoryJudgementCache(), maxRetries: 0, timeoutMs: 2000, env: {} });
    const models = await loadLayer2Models('cpu', join(sample.dir, 'no-models-here'));
    const summary = await runCascade(sample.store, { rules: loadRulesFrom([defaultRulesDir()!]).rules, models, judge, toolVersion: 'test' });
    return { summary, requests: server.allRequests };
  } finally {
    await server.close();
  }
}

describe('runCascade with a judge whose API fails every call', () => {
  it('stops after 5 failed calls (500s), leaves the rest open and says so in the summary', async () => {
    const { summary, requests } = await runAgainst(500, 'api_error');
    const l3 = summary.counts.l3;
    expect(l3.reached).toBeGreaterThan(20); // enough events that stopping matters
    expect(requests).toBeGreaterThanOrEqual(5);
    expect(requests).toBeLessThanOrEqual(5 + 3); // 4 in flight at once
    expect(summary.judge.status).toMatch(/^stopped: 5 consecutive failed calls \(last: HTTP 500: /);
    // The events never sent, and those in flight it cut short, are not-run; the failed ones are
    // errors (at least the 5 that opened it); all stay open.
    expect(l3.notRun).toBeGreaterThanOrEqual(l3.reached - requests);
    expect(l3.notRun).toBeLessThanOrEqual(l3.reached - 5);
    expect(l3.open).toBe(l3.reached);
    expect(l3.alert + l3.cleared).toBe(0);
    expect([...summary.outcomes].filter((o) => o === OUTCOME.OPEN).length).toBe(l3.reached);
    const notes = sample.store.db.prepare("SELECT reasoning FROM detections WHERE layer = 3 AND json_extract(attrs, '$.status') = 'not-run'").pluck().all() as string[];
    expect(notes).toHaveLength(l3.notRun);
    for (const n of notes) expect(n).toMatch(/^Layer 3 not run: judge stopped: 5 consecutive failed calls .*left open for the analyst$/);
    const stored = sample.store.db.prepare('SELECT summary FROM analysis_runs WHERE id = ?').pluck().get(summary.runId) as string;
    expect(JSON.parse(stored).judge.status).toBe(summary.judge.status);
  });

  it('a revoked key stops at the first 401; the summary names it', async () => {
    const { summary, requests } = await runAgainst(200, 'unused', 'sk-ant-revoked');
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(requests).toBeLessThanOrEqual(4);
    expect(summary.judge.status).toMatch(/^stopped: HTTP 401: /);
    expect(summary.counts.l3.notRun).toBeGreaterThanOrEqual(summary.counts.l3.reached - requests);
    expect(summary.counts.l3.notRun).toBeLessThanOrEqual(summary.counts.l3.reached - 1);
  });

  it('without a key, builds no request unless the case holds a verdict it could reuse', async () => {
    const models = await loadLayer2Models('cpu', join(sample.dir, 'no-models-here'));
    const rules = loadRulesFrom([defaultRulesDir()!]).rules;
    const hashesOfRun = (): Array<string | null> =>
      sample.store.db.prepare("SELECT json_extract(attrs, '$.promptHash') FROM detections WHERE layer = 3").pluck().all() as Array<string | null>;

    const empty = createMemoryJudgementCache();
    const keyless = await runCascade(sample.store, { rules, models, judge: createJudge({ apiKey: null, cache: empty, env: {} }), toolVersion: 'test' });
    expect(keyless.counts.l3.reached).toBeGreaterThan(20);
    expect(keyless.counts.l3.notRun).toBe(keyless.counts.l3.reached);
    expect(keyless.counts.l3.open).toBe(keyless.counts.l3.reached);
    // Every event still has its row saying why; no request was built, so none has a prompt hash.
    expect(hashesOfRun()).toEqual(new Array(keyless.counts.l3.reached).fill(null));

    const withVerdict = createMemoryJudgementCache();
    withVerdict.put({
      eventId: null, promptHash: 'f'.repeat(64), prompt: '{}', model: 'claude-test-model', verdict: 'benign', confidence: 0.9,
      family: 'weight-exfil', phase: null, reasoning: 'an earlier run', inputTokens: 1, outputTokens: 1, status: 'verdict', createdAt: '2026-11-23T00:00:00Z',
    });
    const reused = await runCascade(sample.store, { rules, models, judge: createJudge({ apiKey: null, cache: withVerdict, env: {} }), toolVersion: 'test' });
    expect(reused.counts.l3.notRun).toBe(reused.counts.l3.reached);
    for (const h of hashesOfRun()) expect(h).toMatch(/^[0-9a-f]{64}$/); // each request built and looked up
  });
});
