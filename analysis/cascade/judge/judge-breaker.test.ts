/**
 * The judge's circuit breaker (judge-breaker.ts): the counting rules on their own, with a seeded
 * random sequence checked against a plain model of them, and then through createJudge → the real
 * SDK → the loopback Messages API server: failing, refusing and stalled remote ends stop getting
 * requests (counted on the server), the events left are `not-run` with the reason, and cached
 * verdicts are still served.
 */
import { describe, expect, it } from 'vitest';
import { createJudgeBreaker, MAX_CONSECUTIVE_FAILURES } from './judge-breaker.js';
import { type JudgeResult } from './judge.js';
import { execPodEvent, judgeInput } from './judge-fixtures.test-support.js';
import type { JudgeInput } from './judge-evidence.js';
import { combineWithJudge } from './judge-policy.js';
import { errorReply, maliciousAnswer, textReply, toolUseReply, type ScriptedReply } from './messages-api-server.test-support.js';
import { useJudgeServer } from './judge-server.test-support.js';
import { mulberry32 } from '../../core/mulberry32.js';

describe('the breaker on its own', () => {
  it('opens after the limit of failures in a row, and a success ends the streak', () => {
    const b = createJudgeBreaker();
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++) b.failed('HTTP 500: boom', 500);
    b.succeeded();
    for (let i = 0; i < MAX_CONSECUTIVE_FAILURES - 1; i++) b.failed('timeout: no response within 200 ms', null);
    expect(b.stopped).toBeNull();
    b.failed('timeout: no response within 200 ms', null);
    expect(b.stopped).toBe('5 consecutive failed calls (last: timeout: no response within 200 ms)');
    // Latched: a late answer from a call in flight does not close it, the first reason stays.
    b.succeeded();
    b.failed('HTTP 401: invalid x-api-key', 401);
    expect(b.stopped).toMatch(/^5 consecutive/);
  });

  it.each([401, 403, 404])('HTTP %i opens it at once', (status) => {
    const b = createJudgeBreaker();
    b.failed(`HTTP ${status}: scripted`, status);
    expect(b.stopped).toBe(`HTTP ${status}: scripted`);
  });

  it('other statuses count toward the streak only; a bad limit falls back to the default', () => {
    const b = createJudgeBreaker(Number.NaN);
    for (const s of [400, 408, 413, 429, 500]) b.failed(`HTTP ${s}: x`, s);
    expect(b.stopped).toMatch(/^5 consecutive failed calls \(last: HTTP 500/);
    const one = createJudgeBreaker(1);
    one.failed('Error: Connection error.', null);
    expect(one.stopped).toMatch(/^1 consecutive/);
  });

  it('random outcome sequences agree with a plain model (seeded)', () => {
    const rnd = mulberry32(0x5eed);
    for (let round = 0; round < 500; round++) {
      const limit = 1 + Math.floor(rnd() * 6);
      const b = createJudgeBreaker(limit);
      let streak = 0;
      let open: string | null = null;
      for (let i = 0; i < 40; i++) {
        const x = rnd();
        if (x < 0.3) {
          b.succeeded();
          if (open === null) streak = 0;
        } else {
          const status = x < 0.35 ? [401, 403, 404][i % 3]! : x < 0.6 ? 500 : null;
          const why = `failure ${i}`;
          b.failed(why, status);
          if (open === null) {
            streak++;
            if (status === 401 || status === 403 || status === 404) open = why;
            else if (streak >= limit) open = `${streak} consecutive failed calls (last: ${why})`;
          }
        }
        expect(b.stopped).toBe(open);
      }
    }
  });
});

const KEY = 'sk-ant-test-breaker';
const fx = useJudgeServer(KEY, { judge: { timeoutMs: 2000 } });
const judgeWith = fx.judgeWith;

/** `n` events with distinct prompts. */
function inputs(n: number, from = 0): JudgeInput[] {
  return Array.from({ length: n }, (_, i) => {
    const e = execPodEvent(undefined, 500 + from + i);
    e.ts += from + i;
    return judgeInput(e, []);
  });
}

function byStatus(rs: JudgeResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('through the judge against a loopback Messages API', () => {
  it('a server answering 500 gets exactly 5 calls, one at a time; the rest are not-run with the reason', async () => {
    fx.server.script = () => errorReply(500);
    const judge = judgeWith({ maxConcurrency: 1 });
    const rs = await Promise.all(inputs(12).map((x) => judge.judge(x)));
    expect(fx.server.allRequests).toBe(MAX_CONSECUTIVE_FAILURES);
    expect(byStatus(rs)).toEqual({ error: 5, 'not-run': 7 });
    expect(judge.stopped).toMatch(/^5 consecutive failed calls \(last: HTTP 500: /);
    for (const r of rs.filter((x) => x.status === 'not-run')) {
      expect(r.why).toMatch(/^judge stopped: 5 consecutive failed calls \(last: HTTP 500/);
      expect(r.prompt.length).toBeGreaterThan(0); // what would have been sent, for the report
      expect(combineWithJudge('pass', null, r).decision).toBe('open');
      expect(combineWithJudge('alert', 'high', r).decision).toBe('alert');
    }
    // Later events are not-run at once, without a request.
    expect((await judge.judge(inputs(1, 50)[0]!)).status).toBe('not-run');
    expect(fx.server.allRequests).toBe(5);
  });

  it('with 4 in flight, a 500 streak stops within one more round of calls', async () => {
    fx.server.script = () => errorReply(500);
    const judge = judgeWith({ maxConcurrency: 4 });
    const rs = await Promise.all(inputs(40).map((x) => judge.judge(x)));
    // 5 failures open it; at most 3 others were in flight then, and those it cut short are not-run.
    expect(fx.server.allRequests).toBeGreaterThanOrEqual(5);
    expect(fx.server.allRequests).toBeLessThanOrEqual(5 + 3);
    const counts = byStatus(rs);
    expect(counts.error).toBeGreaterThanOrEqual(5);
    expect(counts.error).toBeLessThanOrEqual(fx.server.allRequests);
    expect(counts['not-run']).toBe(40 - counts.error!);
  });

  it('a wrong key (401) stops after one call; queued calls are not sent', async () => {
    const judge = judgeWith({ apiKey: 'sk-ant-revoked', maxConcurrency: 1 });
    const rs = await Promise.all(inputs(10).map((x) => judge.judge(x)));
    expect(fx.server.allRequests).toBe(1);
    expect(byStatus(rs)).toEqual({ error: 1, 'not-run': 9 });
    expect(judge.stopped).toMatch(/^HTTP 401: /);
    expect(rs.find((r) => r.status === 'not-run')!.why).toMatch(/^judge stopped: HTTP 401: .*invalid x-api-key/);

    // Four at once: only those already in flight when the first 401 came back went out.
    const wide = judgeWith({ apiKey: 'sk-ant-revoked', maxConcurrency: 4 });
    const before = fx.server.allRequests;
    const rs4 = await Promise.all(inputs(20, 100).map((x) => wide.judge(x)));
    expect(fx.server.allRequests - before).toBeGreaterThanOrEqual(1);
    expect(fx.server.allRequests - before).toBeLessThanOrEqual(4);
    // Sent ones whose 401 had not come back when the first did were cut short: not-run too.
    expect(byStatus(rs4)['not-run']).toBeGreaterThanOrEqual(20 - (fx.server.allRequests - before));
    expect(byStatus(rs4).error).toBeGreaterThanOrEqual(1);
  });

  it.each([
    [403, 'permission_error'],
    [404, 'not_found_error'],
  ])('HTTP %i (%s) stops after one call', async (status, type) => {
    fx.server.script = () => errorReply(status, type, status === 404 ? 'model: claude-test-model' : 'no access');
    const judge = judgeWith({ maxConcurrency: 1 });
    const rs = await Promise.all(inputs(6).map((x) => judge.judge(x)));
    expect(fx.server.requests).toHaveLength(1);
    expect(byStatus(rs)).toEqual({ error: 1, 'not-run': 5 });
    expect(judge.stopped).toMatch(new RegExp(`^HTTP ${status}: `));
  });

  it('a stalled server: 20 events end in about two timeouts, not twenty', async () => {
    fx.server.script = () => ({ hang: true });
    const timeoutMs = 200;
    const judge = judgeWith({ timeoutMs, maxConcurrency: 4 });
    const t0 = Date.now();
    const rs = await Promise.all(inputs(20).map((x) => judge.judge(x)));
    const elapsed = Date.now() - t0;
    // Without the breaker: 20 calls, 5 rounds of 4 timeouts (and 20 x 210 s with the defaults).
    expect(fx.server.requests.length).toBeGreaterThanOrEqual(5);
    expect(fx.server.requests.length).toBeLessThanOrEqual(8);
    // The 5th timeout opens it; the second round's other calls are cut short (not-run), not waited out.
    const counts = byStatus(rs);
    expect(counts.error).toBeGreaterThanOrEqual(5);
    expect(counts.error).toBeLessThanOrEqual(fx.server.requests.length);
    expect(counts['not-run']).toBe(20 - counts.error!);
    expect(judge.stopped).toMatch(/^5 consecutive failed calls \(last: timeout: no response within 200 ms\)$/);
    expect(elapsed).toBeLessThan(20 * timeoutMs);
  });

  it('a failure streak broken by answers (verdict or no verdict) does not stop the judge', async () => {
    // Four failures, then an answer, repeated: the streak never reaches 5.
    fx.server.script = (_r, i) => (i % 10 === 4 ? toolUseReply(maliciousAnswer()) : i % 10 === 9 ? textReply('no idea') : errorReply(500));
    const judge = judgeWith({ maxConcurrency: 1 });
    const rs = await Promise.all(inputs(30).map((x) => judge.judge(x)));
    expect(fx.server.requests).toHaveLength(30);
    expect(byStatus(rs)).toEqual({ error: 24, verdict: 3, 'no-verdict': 3 });
    expect(judge.stopped).toBeNull();
  });

  it('cached verdicts are still served after it stopped', async () => {
    fx.server.script = () => toolUseReply(maliciousAnswer());
    const [a, b] = inputs(2);
    const judge = judgeWith({ maxConcurrency: 1 });
    expect((await judge.judge(a!)).status).toBe('verdict');
    fx.server.script = () => errorReply(403, 'permission_error');
    expect((await judge.judge(b!)).status).toBe('error');
    expect(judge.stopped).toMatch(/^HTTP 403/);
    expect(await judge.judge(a!)).toMatchObject({ status: 'cached', verdict: 'malicious', fromCache: true });
    expect((await judge.judge(b!)).status).toBe('not-run');
    expect(fx.server.requests).toHaveLength(2);
  });

  it('identical prompts in flight still share one call when it stops', async () => {
    fx.server.script = () => ({ ...errorReply(401, 'authentication_error'), delayMs: 50 });
    const judge = judgeWith({ maxConcurrency: 4 });
    const [x] = inputs(1);
    const rs = await Promise.all([judge.judge(x!), judge.judge(x!), ...inputs(3, 10).map((y) => judge.judge(y))]);
    // Its own 401, or cut short by another call's: either way shared, not a second call.
    expect(['error', 'not-run']).toContain(rs[0]!.status);
    expect(rs[1]).toEqual(rs[0]);
    expect(rs.filter((r) => r.status === 'error').length).toBeGreaterThanOrEqual(1);
    expect(fx.server.requests.length).toBeLessThanOrEqual(4);
  });

  it('random mixes of answers and failures, one at a time: requests stop exactly where the model says (seeded)', async () => {
    const rnd = mulberry32(0xb4ea);
    for (let round = 0; round < 6; round++) {
      const plan: Array<'ok' | 'fail' | 'fatal'> = Array.from({ length: 15 }, () => {
        const x = rnd();
        return x < 0.25 ? 'ok' : x < 0.3 ? 'fatal' : 'fail';
      });
      const limit = 2 + Math.floor(rnd() * 4);
      // The model: requests go out until `limit` failures in a row or a fatal status.
      let expected = 0;
      let streak = 0;
      for (const p of plan) {
        expected++;
        if (p === 'fatal') break;
        streak = p === 'ok' ? 0 : streak + 1;
        if (streak >= limit) break;
      }
      const before = fx.server.requests.length;
      fx.server.script = (_r, i): ScriptedReply => {
        const p = plan[i - before];
        return p === 'ok' ? toolUseReply(maliciousAnswer()) : p === 'fatal' ? errorReply(404, 'not_found_error') : errorReply(529, 'overloaded_error');
      };
      const judge = judgeWith({ maxConcurrency: 1, maxConsecutiveFailures: limit });
      const rs = await Promise.all(inputs(plan.length, round * 100).map((x) => judge.judge(x)));
      expect(fx.server.requests.length - before, `round ${round}`).toBe(expected);
      expect(rs.filter((r) => r.status === 'not-run')).toHaveLength(plan.length - expected);
      expect(rs.every((r) => typeof r.status === 'string')).toBe(true);
    }
  });
});
