/**
 * Adversarial review of configuration and caching (issue 3, Layer 3): key and model from option
 * (flag / settings) or environment; no key → "not run" and the event stays open; verdicts cached
 * by prompt hash (same prompt → no second request; a different event → a different hash).
 */
import { describe, expect, it } from 'vitest';
import { resolveJudgeSettings } from './judge.js';
import { demoWindow, EXEC_RULE_HIT, execPodEvent, judgeInput } from './judge-fixtures.test-support.js';
import { combineWithJudge } from './judge-policy.js';
import { type JudgementCache } from './judgement-cache.js';
import { maliciousAnswer, toolUseReply } from './messages-api-server.test-support.js';
import { useJudgeServer } from './judge-server.test-support.js';

const KEY = 'sk-ant-test-cache-config';
const fx = useJudgeServer(KEY, { script: () => toolUseReply(maliciousAnswer()) });
const judgeWith = fx.judgeWith;

describe('configuration', () => {
  it('option (flag or settings) wins over the environment; blank values fall through', () => {
    const env = { ANTHROPIC_API_KEY: 'env-key', MLSHIELD_JUDGE_MODEL: 'env-model', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' };
    expect(resolveJudgeSettings({ apiKey: 'opt-key', model: 'opt-model', env })).toEqual({ apiKey: 'opt-key', model: 'opt-model', baseURL: 'http://127.0.0.1:1' });
    expect(resolveJudgeSettings({ apiKey: '  ', model: '', env })).toMatchObject({ apiKey: 'env-key', model: 'env-model' });
    expect(resolveJudgeSettings({ env: { ANTHROPIC_API_KEY: ' \t' } }).apiKey).toBeNull();
  });

  it('the settings key is the one sent, not the environment one', async () => {
    const r = await judgeWith({ env: { ANTHROPIC_API_KEY: 'sk-env-wrong' } }).judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('verdict');
  });

  it('a blank key in settings and none in the environment: not run, nothing sent, the event stays open', async () => {
    const judge = judgeWith({ apiKey: '   ', env: {} });
    expect(judge.available).toBe(false);
    const r = await judge.judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('not-run');
    expect(fx.server.allRequests).toBe(0);
    expect(combineWithJudge('pass', null, r).decision).toBe('open');
    expect(combineWithJudge('escalate', 'medium', r).decision).toBe('open');
    expect(combineWithJudge(EXEC_RULE_HIT.decision, EXEC_RULE_HIT.severity, r).decision).toBe('alert');
  });
});

describe('cache by prompt hash', () => {
  it('same prompt: one request, across judge instances sharing the case cache', async () => {
    const a = await judgeWith().judge(judgeInput(execPodEvent()));
    const b = await judgeWith().judge(judgeInput(execPodEvent()));
    expect(b).toMatchObject({ status: 'cached', fromCache: true, promptHash: a.promptHash, verdict: 'malicious' });
    expect(fx.server.requests).toHaveLength(1);
  });

  it('different event, different window, different Layer-1 hits or scores, different model: different hashes, new requests', async () => {
    const base = judgeInput(execPodEvent(), demoWindow(3));
    const later = execPodEvent();
    later.ts += 1;
    const variants = [
      base,
      judgeInput(later, demoWindow(3)),
      judgeInput(execPodEvent(), demoWindow(4)),
      { ...base, layer1: [] },
      { ...base, layer2: { lstmScore: 0.56, iforestScore: null, band: 'uncertain' } },
    ];
    const hashes = new Set<string>();
    for (const v of variants) hashes.add((await judgeWith().judge(v)).promptHash);
    hashes.add((await judgeWith({ model: 'claude-other' }).judge(base)).promptHash);
    expect(hashes.size).toBe(6);
    expect(fx.server.requests).toHaveLength(6);
  });

  it('an invisible-character or __proto__-only difference is a different prompt', async () => {
    const a = execPodEvent();
    const b = execPodEvent();
    b.actor = `${b.actor}\u200b`;
    const c = execPodEvent();
    c.raw = null;
    const d = { ...c, attrs: '{"__proto__":"x"}' };
    const e = { ...c, attrs: '{"__proto__":"y"}' };
    const hashes = new Set<string>();
    for (const ev of [a, b, d, e]) hashes.add((await judgeWith().judge(judgeInput(ev))).promptHash);
    expect(hashes.size).toBe(4);
  });

  it('a cached verdict is served without a key; a cache that throws is an error, not a throw', async () => {
    await judgeWith().judge(judgeInput(execPodEvent()));
    expect((await judgeWith({ apiKey: null }).judge(judgeInput(execPodEvent()))).status).toBe('cached');
    const broken: JudgementCache = {
      get: () => {
        throw new Error('database is locked');
      },
      put: () => undefined,
      record: () => undefined,
      hasVerdicts: () => true,
    };
    const r = await judgeWith({ cache: broken }).judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/database is locked/);
  });
});
