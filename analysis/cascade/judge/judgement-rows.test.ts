/**
 * The `judgements` table as the forensic record (judgement-cache.ts): every event the judge
 * decided has its own row, also when it reused another event's answer — shared in flight within a
 * run, or from the case's cache in a later run — and the cache still serves the one original
 * verdict per prompt hash. A real case file (the same audit line logged three times: three events,
 * identical evidence), the real SDK, the loopback Messages API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJudge, type JudgeOptions } from './judge.js';
import { caseWithExecEvent, judgeInput, judgementTableRows, type JudgementTableRow, type TestCase } from './judge-fixtures.test-support.js';
import { createSqliteJudgementCache } from './judgement-cache.js';
import { maliciousAnswer, startMessagesApiServer, textReply, toolUseReply, type MessagesApiServer } from './messages-api-server.test-support.js';

const KEY = 'sk-ant-test-rows';
let server: MessagesApiServer;
let kase: TestCase;

beforeEach(async () => {
  server = await startMessagesApiServer({ apiKey: KEY });
  kase = caseWithExecEvent(3);
});

afterEach(async () => {
  await server.close();
  kase.cleanup();
});

function judgeWith(extra: Partial<JudgeOptions> = {}) {
  return createJudge({ apiKey: KEY, baseURL: server.url, model: 'claude-test-model', cache: createSqliteJudgementCache(kase.store.db), maxRetries: 0, timeoutMs: 5000, env: {}, ...extra });
}

type Row = JudgementTableRow;
const rows = (): Row[] => judgementTableRows(kase);
const ids = (): number[] => kase.events.map((e) => e.id!);
const answerOf = (r: Row) => ({ verdict: r.verdict, confidence: r.confidence, family: r.family, phase: r.phase, reasoning: r.reasoning });

describe('one judgements row per decided event', () => {
  it('identical evidence judged together: one call, a verdict row and a cached row per other event', async () => {
    server.script = () => ({ ...toolUseReply(maliciousAnswer(), { input_tokens: 3000, output_tokens: 70 }), delayMs: 100 });
    const judge = judgeWith();
    const rs = await Promise.all(kase.events.map((e) => judge.judge(judgeInput(e))));
    expect(new Set(rs.map((r) => r.promptHash)).size).toBe(1); // the evidence does not hold the event id
    expect(server.requests).toHaveLength(1);
    expect(rs.map((r) => r.status).sort()).toEqual(['cached', 'cached', 'verdict']);

    const all = rows();
    // Before: only the event that made the call had a row; the others showed no reasoning.
    expect(all.map((r) => r.event_id).sort()).toEqual(ids());
    const original = all.find((r) => r.status === 'verdict')!;
    expect(original).toMatchObject({ verdict: 'malicious', input_tokens: 3000, output_tokens: 70 });
    for (const r of all.filter((x) => x !== original)) {
      expect(r.status).toBe('cached');
      expect(r).toMatchObject({ prompt_hash: original.prompt_hash, prompt: original.prompt, model: 'claude-test-model' });
      expect(answerOf(r)).toEqual(answerOf(original));
      // No call of its own: no tokens (a sum over the table counts the call once).
      expect([r.input_tokens, r.output_tokens]).toEqual([null, null]);
    }
    // The reused results are counted as from cache (their tokens not added again by the cascade).
    expect(rs.filter((r) => r.fromCache)).toHaveLength(2);
    // The cache still has exactly one answer for the hash: the original.
    expect(createSqliteJudgementCache(kase.store.db).get(original.prompt_hash)).toMatchObject({ eventId: original.event_id, verdict: 'malicious' });
  });

  it('across runs: a later event reusing the cached verdict gets its row once; re-runs add none', async () => {
    server.script = () => toolUseReply(maliciousAnswer());
    const [e1, e2, e3] = kase.events;
    const first = await judgeWith().judge(judgeInput(e1!));
    expect(first.status).toBe('verdict');
    expect(await judgeWith().judge(judgeInput(e2!))).toMatchObject({ status: 'cached', fromCache: true, verdict: 'malicious' });
    expect(rows().map((r) => [r.event_id, r.status])).toEqual([[e1!.id, 'verdict'], [e2!.id, 'cached']]);

    // Re-analysis, after reopening the case: all three again.
    kase.reopen();
    for (let run = 0; run < 2; run++) {
      const judge = judgeWith();
      for (const e of kase.events) expect((await judge.judge(judgeInput(e))).status).toBe('cached');
    }
    expect(rows().map((r) => [r.event_id, r.status])).toEqual([[e1!.id, 'verdict'], [e2!.id, 'cached'], [e3!.id, 'cached']]);
    expect(server.requests).toHaveLength(1);
    const hits = kase.store.db.prepare("SELECT COUNT(*) FROM judgements WHERE prompt_hash = ? AND status = 'verdict'").pluck().get(first.promptHash);
    expect(hits).toBe(1);
    expect(createSqliteJudgementCache(kase.store.db).get(first.promptHash)?.eventId).toBe(e1!.id);
  });

  it('a cached copy never becomes the answer: a newer altered copy does not change what the cache serves', async () => {
    server.script = () => toolUseReply(maliciousAnswer());
    const [e1, e2] = kase.events;
    const first = await judgeWith().judge(judgeInput(e1!));
    await judgeWith().judge(judgeInput(e2!));
    // An attacker-edited (or buggy) copy, newer than the original: still not served.
    kase.store.db.prepare("UPDATE judgements SET verdict = 'benign', family = 'benign', phase = NULL WHERE status = 'cached'").run();
    expect(await judgeWith().judge(judgeInput(e1!))).toMatchObject({ status: 'cached', verdict: 'malicious' });
    expect(createSqliteJudgementCache(kase.store.db).get(first.promptHash)).toMatchObject({ eventId: e1!.id, verdict: 'malicious' });
  });

  it('a no-verdict shared in flight: each event has its row, the other marked cached; the next run asks again', async () => {
    server.script = () => ({ ...textReply('I cannot tell from this.', { input_tokens: 900, output_tokens: 12 }), delayMs: 100 });
    const judge = judgeWith();
    const [e1, e2] = kase.events;
    const rs = await Promise.all([judge.judge(judgeInput(e1!)), judge.judge(judgeInput(e2!))]);
    expect(rs.map((r) => r.status)).toEqual(['no-verdict', 'no-verdict']);
    expect(rs.map((r) => r.fromCache)).toEqual([false, true]); // tokens counted once
    expect(server.requests).toHaveLength(1);
    const [own, copy] = rows();
    expect(own).toMatchObject({ event_id: e1!.id, status: 'no-verdict', verdict: null, input_tokens: 900, output_tokens: 12 });
    expect(own!.reasoning).toBe(`No verdict: ${rs[0]!.why}`);
    expect(copy).toMatchObject({ event_id: e2!.id, status: 'cached', verdict: null, reasoning: own!.reasoning, prompt_hash: own!.prompt_hash, prompt: own!.prompt });
    // Not an answer the cache serves: the next run asks again and records that call too.
    server.script = () => toolUseReply(maliciousAnswer());
    expect((await judgeWith().judge(judgeInput(e2!))).status).toBe('verdict');
    expect(server.requests).toHaveLength(2);
    expect(rows().map((r) => [r.event_id, r.status])).toEqual([[e1!.id, 'no-verdict'], [e2!.id, 'cached'], [e2!.id, 'verdict']]);
  });

  it('a row that cannot be written does not lose the answer (noted in why)', async () => {
    server.script = () => ({ ...toolUseReply(maliciousAnswer()), delayMs: 50 });
    const judge = judgeWith();
    const [e1] = kase.events;
    const ghost = { ...e1!, id: 987_654 }; // not in the case: the foreign key refuses its row
    const [a, b] = await Promise.all([judge.judge(judgeInput(e1!)), judge.judge(judgeInput(ghost))]);
    expect(a.status).toBe('verdict');
    expect(b).toMatchObject({ status: 'cached', verdict: 'malicious' });
    expect(b.why).toMatch(/^judgement not stored: /);
    expect(rows()).toHaveLength(1);
  });
});
