/**
 * The judge end to end: a real case file (SQLite) as the cache, the real @anthropic-ai/sdk, and a
 * loopback server speaking the Messages API as the remote end, scripted per test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJudge, DEFAULT_JUDGE_MODEL, type JudgeOptions } from './judge.js';
import { caseWithExecEvent, demoWindow, execPodEvent, judgeInput, judgementTableRows, type JudgementTableRow, type TestCase } from './judge-fixtures.test-support.js';
import { createSqliteJudgementCache } from './judgement-cache.js';
import {
  errorReply,
  maliciousAnswer,
  startMessagesApiServer,
  textReply,
  toolUseReply,
  type MessagesApiServer,
} from './messages-api-server.test-support.js';

const KEY = 'sk-ant-test-0123456789';
let server: MessagesApiServer;
let kase: TestCase;

beforeEach(async () => {
  server = await startMessagesApiServer({ apiKey: KEY });
  kase = caseWithExecEvent();
});

afterEach(async () => {
  await server.close();
  kase.cleanup();
});

function judgeWith(extra: Partial<JudgeOptions> = {}) {
  return createJudge({
    apiKey: KEY,
    baseURL: server.url,
    model: 'claude-test-model',
    cache: createSqliteJudgementCache(kase.store.db),
    maxRetries: 0,
    timeoutMs: 5000,
    env: {},
    ...extra,
  });
}

const judgementRows = (): JudgementTableRow[] => judgementTableRows(kase);

describe('judge against a loopback Messages API', () => {
  it('round-trips a verdict and stores it with its token counts', async () => {
    server.script = () => toolUseReply(maliciousAnswer(), { input_tokens: 2345, output_tokens: 67 });
    const r = await judgeWith().judge(judgeInput(kase.event));
    expect(r).toMatchObject({
      status: 'verdict',
      verdict: 'malicious',
      confidence: 0.9,
      family: 'weight-exfil',
      phase: 'staging',
      model: 'claude-test-model',
      inputTokens: 2345,
      outputTokens: 67,
      fromCache: false,
    });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.rawBody).toBe(r.prompt); // the stored prompt is the exact request
    expect(req.headers['anthropic-version']).toBeTruthy();
    // @anthropic-ai/sdk 1.x sends the key as a bearer token; the server also accepts x-api-key.
    expect(req.headers.authorization ?? `x-api-key ${String(req.headers['x-api-key'])}`).toBe(`Bearer ${KEY}`);
    expect(req.body.model).toBe('claude-test-model');
    expect(req.body.tool_choice).toEqual({ type: 'tool', name: 'record_verdict', disable_parallel_tool_use: true });

    const rows = judgementRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event_id: kase.event.id,
      prompt_hash: r.promptHash,
      prompt: r.prompt,
      model: 'claude-test-model',
      verdict: 'malicious',
      family: 'weight-exfil',
      phase: 'staging',
      input_tokens: 2345,
      output_tokens: 67,
      status: 'verdict',
    });
  });

  it('answers an identical second call from the case file, also after reopening it', async () => {
    server.script = () => toolUseReply(maliciousAnswer());
    const first = await judgeWith().judge(judgeInput(kase.event));
    const second = await judgeWith().judge(judgeInput(kase.event));
    expect(second).toMatchObject({ status: 'cached', fromCache: true, verdict: 'malicious', promptHash: first.promptHash });
    kase.reopen();
    const third = await judgeWith().judge(judgeInput(kase.event));
    expect(third.status).toBe('cached');
    expect(server.requests).toHaveLength(1);
    expect(judgementRows()).toHaveLength(1);
  });

  it('shares one call between identical concurrent requests', async () => {
    server.script = () => ({ ...toolUseReply(maliciousAnswer()), delayMs: 100 });
    const judge = judgeWith();
    const [a, b] = await Promise.all([judge.judge(judgeInput(kase.event)), judge.judge(judgeInput(kase.event))]);
    expect([a.status, b.status].sort()).toEqual(['cached', 'verdict']);
    expect(server.requests).toHaveLength(1);
  });

  it.each([
    ['confidence out of range', () => toolUseReply({ ...maliciousAnswer(), confidence: 2 })],
    ['family outside the taxonomy', () => toolUseReply({ ...maliciousAnswer(), family: 'cryptomining' })],
    ['extra property', () => toolUseReply({ ...maliciousAnswer(), clear: true })],
    ['prose instead of JSON', () => textReply('This looks benign to me.')],
    ['truncated JSON text', () => textReply('{"verdict":"benign","confidence":0.9,')],
  ])('a schema-violating answer (%s) is no-verdict: recorded per call, never served from the cache', async (_name, reply) => {
    server.script = reply;
    const judge = judgeWith();
    const r = await judge.judge(judgeInput(kase.event));
    expect(r.status).toBe('no-verdict');
    expect(r.verdict).toBeUndefined();
    expect(r.why).toBeTruthy();
    expect(r.inputTokens).toBeGreaterThan(0);
    await judge.judge(judgeInput(kase.event));
    expect(server.requests).toHaveLength(2);
    // Each call's answer is on the record (what the model said, and what it cost), but as no verdict.
    const rows = judgementRows();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ event_id: kase.event.id, prompt_hash: r.promptHash, prompt: r.prompt, status: 'no-verdict', verdict: null, confidence: null });
      expect(row.reasoning).toBe(`No verdict: ${r.why}`);
      expect(row.input_tokens).toBe(r.inputTokens);
    }
    expect(createSqliteJudgementCache(kase.store.db).get(r.promptHash)).toBeNull();
  });

  it('reads a verdict given as fenced text when the tool was not used', async () => {
    server.script = () => textReply('```json\n' + JSON.stringify(maliciousAnswer()) + '\n```');
    expect((await judgeWith().judge(judgeInput(kase.event))).status).toBe('verdict');
  });

  it('a 500 after bounded retries is an error, retried on the next run', async () => {
    server.script = () => errorReply(500);
    const judge = judgeWith({ maxRetries: 2 });
    const r = await judge.judge(judgeInput(kase.event));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/^HTTP 500/);
    expect(server.requests).toHaveLength(3);
    expect(judgementRows()).toHaveLength(0);
    server.script = () => toolUseReply(maliciousAnswer());
    expect((await judge.judge(judgeInput(kase.event))).status).toBe('verdict');
  });

  it('a transient 529 is retried into a verdict', async () => {
    server.script = (_req, i) => (i === 0 ? errorReply(529, 'overloaded_error') : toolUseReply(maliciousAnswer()));
    const r = await judgeWith({ maxRetries: 1 }).judge(judgeInput(kase.event));
    expect(r.status).toBe('verdict');
    expect(server.requests).toHaveLength(2);
  });

  it('a server that never answers is an error after the per-call timeout', async () => {
    server.script = () => ({ hang: true });
    const t0 = Date.now();
    const r = await judgeWith({ timeoutMs: 300 }).judge(judgeInput(kase.event));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/timeout/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a wrong key (401) and a broken body are errors, not throws', async () => {
    const r = await judgeWith({ apiKey: 'sk-wrong' }).judge(judgeInput(kase.event));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/^HTTP 401/);
    server.script = () => ({ text: 'not json {' });
    expect((await judgeWith().judge(judgeInput(kase.event))).status).toBe('error');
  });

  it('without a key: not-run at once, no request made, cached verdicts still served', async () => {
    const judge = judgeWith({ apiKey: null, env: {} });
    expect(judge.available).toBe(false);
    const r = await judge.judge(judgeInput(kase.event));
    expect(r).toMatchObject({ status: 'not-run', fromCache: false });
    expect(r.why).toContain('ANTHROPIC_API_KEY');
    expect(r.prompt.length).toBeGreaterThan(0); // what would have been sent, for the report
    expect(server.allRequests).toBe(0);

    server.script = () => toolUseReply(maliciousAnswer());
    await judgeWith().judge(judgeInput(kase.event));
    expect((await judge.judge(judgeInput(kase.event))).status).toBe('cached');
    expect(server.allRequests).toBe(1);
  });

  it('says it can answer nothing without a key until the case holds a verdict to reuse', async () => {
    const noKey = judgeWith({ apiKey: null, env: {} });
    expect(noKey.unanswerable()).toContain('ANTHROPIC_API_KEY');
    expect(judgeWith().unanswerable()).toBeNull(); // a key: it may ask
    server.script = () => toolUseReply(maliciousAnswer());
    await judgeWith().judge(judgeInput(kase.event));
    // The verdict is in the case now: the keyless judge may serve it, so it must be asked.
    expect(noKey.unanswerable()).toBeNull();
    expect((await noKey.judge(judgeInput(kase.event))).status).toBe('cached');
  });

  it('takes key, base URL and model from the environment when no option is given', async () => {
    server.script = () => toolUseReply(maliciousAnswer());
    const judge = createJudge({
      cache: createSqliteJudgementCache(kase.store.db),
      env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, MLSHIELD_JUDGE_MODEL: 'claude-from-env' },
      maxRetries: 0,
    });
    expect(judge.model).toBe('claude-from-env');
    expect((await judge.judge(judgeInput(kase.event))).status).toBe('verdict');
    expect(server.requests[0]!.body.model).toBe('claude-from-env');
    expect(createJudge({ cache: createSqliteJudgementCache(kase.store.db), env: {} }).model).toBe(DEFAULT_JUDGE_MODEL);
  });

  it('keeps at most 4 calls in flight', async () => {
    server.script = () => ({ ...toolUseReply(maliciousAnswer()), delayMs: 50 });
    const judge = judgeWith({ maxConcurrency: 4 });
    const inputs = Array.from({ length: 10 }, (_, i) => {
      const e = execPodEvent(undefined, 200 + i);
      e.ts += i; // distinct prompts
      return judgeInput(e, demoWindow(3));
    });
    const results = await Promise.all(inputs.map((x) => judge.judge(x)));
    expect(results.every((r) => r.status === 'verdict')).toBe(true);
    expect(server.requests).toHaveLength(10);
    expect(server.maxConcurrent).toBeLessThanOrEqual(4);
    expect(server.maxConcurrent).toBeGreaterThan(1);
  });
});
