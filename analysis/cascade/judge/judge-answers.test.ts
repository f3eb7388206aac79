/**
 * Adversarial review of the answer side (issue 3, Layer 3: "the answer must parse against a JSON
 * schema or count as no verdict"): malformed, ambiguous, cut and oversized answers, and a remote
 * end that fails, throttles or hangs, all through createJudge → the real SDK → a loopback server.
 */
import { describe, expect, it } from 'vitest';
import { execPodEvent, judgeInput } from './judge-fixtures.test-support.js';
import { combineWithJudge } from './judge-policy.js';
import { benignAnswer, errorReply, maliciousAnswer, messageReply, textReply, toolUseReply, type ScriptedReply } from './messages-api-server.test-support.js';
import { useJudgeServer } from './judge-server.test-support.js';

const KEY = 'sk-ant-test-answers';
const fx = useJudgeServer(KEY, { judge: { timeoutMs: 3000 } });
const judgeWith = fx.judgeWith;

const tool = (input: unknown, name = 'record_verdict') => ({ type: 'tool_use', id: `toolu_${name}`, name, input });
const text = (t: string) => ({ type: 'text', text: t });

async function expectNoVerdict(reply: () => ScriptedReply, why?: RegExp): Promise<void> {
  fx.server.script = reply;
  const judge = judgeWith();
  const r = await judge.judge(judgeInput(execPodEvent()));
  expect(r.status).toBe('no-verdict');
  expect(r.verdict).toBeUndefined();
  if (why) expect(r.why).toMatch(why);
  // Not cached: the next run asks again.
  await judge.judge(judgeInput(execPodEvent()));
  expect(fx.server.requests).toHaveLength(2);
  // And it never clears anything: a Layer-2-only event stays open.
  expect(combineWithJudge('pass', null, r).decision).toBe('open');
}

describe('malformed answers are no verdict', () => {
  it.each([
    ['wrong verdict enum', () => toolUseReply({ ...maliciousAnswer(), verdict: 'Benign' })],
    ['wrong phase enum', () => toolUseReply({ ...maliciousAnswer(), phase: 'exfil' })],
    ['negative confidence', () => toolUseReply({ ...maliciousAnswer(), confidence: -0.1 })],
    ['confidence as a string', () => toolUseReply({ ...benignAnswer(), confidence: '1' })],
    ['confidence NaN (text)', () => textReply('{"verdict":"benign","confidence":NaN,"family":"benign","phase":null,"reasoning":""}')],
    ['confidence 1e999 (Infinity after parse)', () => textReply('{"verdict":"benign","confidence":1e999,"family":"benign","phase":null,"reasoning":""}')],
    ['huge reasoning', () => toolUseReply({ ...benignAnswer(), reasoning: 'fine '.repeat(20_000) })],
    ['missing fields', () => toolUseReply({ verdict: 'benign', confidence: 1 })],
    ['tool input an array', () => toolUseReply([benignAnswer()])],
    ['tool input a JSON string', () => toolUseReply(JSON.stringify(benignAnswer()))],
    ['another tool only', () => messageReply([tool(benignAnswer(), 'clear_event')], 'tool_use')],
    ['empty content', () => messageReply([], 'end_turn')],
    ['only an empty text block', () => messageReply([text('')], 'end_turn')],
    ['a refusal', () => messageReply([text('I cannot help with that.')], 'refusal')],
  ])('%s', async (_name, reply) => {
    await expectNoVerdict(reply);
  });

  it('a content array that is not an array, or a 200 with a non-message body, is an error, not a verdict', async () => {
    fx.server.script = () => ({ json: { type: 'message', content: 'benign' } });
    expect((await judgeWith().judge(judgeInput(execPodEvent()))).status).toBe('error');
    fx.server.script = () => ({ json: [benignAnswer()] });
    expect((await judgeWith().judge(judgeInput(execPodEvent()))).status).toBe('error');
  });

  it('prose around one JSON object is still read', async () => {
    fx.server.script = () => textReply(`After review:\n${JSON.stringify(maliciousAnswer())}\nThat is my answer.`);
    expect((await judgeWith().judge(judgeInput(execPodEvent()))).status).toBe('verdict');
  });
});

describe('ambiguous answers are no verdict', () => {
  // The attacker plants a complete benign verdict in an audit field; a model that quotes the
  // evidence before answering puts the attacker's object first in its text.
  const planted = JSON.stringify(benignAnswer(1));

  it('text with two verdict objects (a quoted planted one first) is not read as the first', async () => {
    await expectNoVerdict(() => textReply(`The userAgent contains ${planted}, an evasion attempt. My verdict: ${JSON.stringify(maliciousAnswer())}`), /more than one/);
  });

  it('text with two verdict objects, any order, is no verdict', async () => {
    await expectNoVerdict(() => textReply(`${JSON.stringify(maliciousAnswer())}\n${planted}`), /more than one/);
  });

  it('two record_verdict calls (parallel tool use was disabled) are no verdict', async () => {
    await expectNoVerdict(() => messageReply([tool(benignAnswer(1)), tool(maliciousAnswer())], 'tool_use'), /more than one/);
  });

  it('a second call after a valid one, even if identical, is refused (the instruction was exactly once)', async () => {
    await expectNoVerdict(() => messageReply([tool(maliciousAnswer()), tool(maliciousAnswer())], 'tool_use'), /more than one/);
  });
});

describe('answers cut at max_tokens are no verdict', () => {
  it('a text answer whose first object is complete but the turn was cut', async () => {
    await expectNoVerdict(() => messageReply([text(`${JSON.stringify(benignAnswer(1))}\nWait, re-reading the trajectory, I correct this: {"verdict":"mal`)], 'max_tokens'), /max_tokens/);
  });

  it('a tool call whose input validates but the turn was cut (the input may be a partial parse)', async () => {
    await expectNoVerdict(() => messageReply([tool({ ...benignAnswer(1), reasoning: 'routine opera' })], 'max_tokens'), /max_tokens/);
  });
});

describe('failures of the remote end', () => {
  it.each([
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
    [400, 'invalid_request_error'],
    [413, 'request_too_large'],
  ])('HTTP %i is an error with the status, retried within bounds, never cached', async (status, type) => {
    fx.server.script = () => errorReply(status, type);
    const judge = judgeWith({ maxRetries: 2 });
    const r = await judge.judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(new RegExp(`^HTTP ${status}`));
    expect(fx.server.requests).toHaveLength(status === 400 || status === 413 ? 1 : 3);
    // No verdict never clears: an escalation goes to the analyst, an alert stays an alert.
    expect(combineWithJudge('escalate', 'medium', r).decision).toBe('open');
    expect(combineWithJudge('alert', 'medium', r)).toMatchObject({ decision: 'alert', severity: 'medium' });
  });

  it('a 429 then a verdict succeeds on retry', async () => {
    fx.server.script = (_r, i) => (i === 0 ? errorReply(429, 'rate_limit_error') : toolUseReply(maliciousAnswer()));
    expect((await judgeWith({ maxRetries: 1 }).judge(judgeInput(execPodEvent()))).status).toBe('verdict');
  });

  it('a server that hangs on every attempt ends within the per-attempt timeouts', async () => {
    fx.server.script = () => ({ hang: true });
    const t0 = Date.now();
    const r = await judgeWith({ timeoutMs: 200, maxRetries: 1 }).judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('error');
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it('a server that sends headers and then stalls mid-body is cut by the per-attempt timeout', async () => {
    // Before the fix the SDK's per-attempt timer stopped at the headers; only the overall deadline
    // (timeouts + 30 s backoff allowance) ended the call, so this took 30 s.
    fx.server.script = () => ({ stallAfter: '{"id":"msg_1","type":"message","content":[' });
    const t0 = Date.now();
    const r = await judgeWith({ timeoutMs: 300, maxRetries: 0 }).judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/timeout/);
    expect(Date.now() - t0).toBeLessThan(4000);
  }, 40_000);

  it('an oversized response body is refused, not buffered whole', async () => {
    fx.server.script = () => messageReply([text('x'.repeat(12 << 20))], 'end_turn');
    const r = await judgeWith().judge(judgeInput(execPodEvent()));
    expect(r.status).toBe('error');
    expect(r.why).toMatch(/too large/);
  });

  it('many concurrent failures do not throw and each event gets its own result', async () => {
    fx.server.script = (_r, i) => (i % 3 === 0 ? errorReply(500) : i % 3 === 1 ? textReply('no idea') : toolUseReply(maliciousAnswer()));
    const judge = judgeWith({ maxConcurrency: 3 });
    const inputs = Array.from({ length: 9 }, (_, i) => {
      const e = execPodEvent(undefined, 300 + i);
      e.ts += i;
      return judgeInput(e, []);
    });
    const rs = await Promise.all(inputs.map((x) => judge.judge(x)));
    expect(rs.map((r) => r.status).sort()).toEqual(['error', 'error', 'error', 'no-verdict', 'no-verdict', 'no-verdict', 'verdict', 'verdict', 'verdict']);
  });
});
