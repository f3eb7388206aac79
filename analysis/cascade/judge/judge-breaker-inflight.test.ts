/**
 * The breaker and the calls already in flight when it opens (judge-breaker.ts, judge-client.ts):
 * through createJudge → the real SDK → the loopback Messages API, with 4 calls at once. The call
 * that opens it (a 401) comes back while the others stall (or sleep before a retry); those must
 * be cut short at once and reported `not-run` with the breaker's reason, like the events never
 * sent, and the client must leave no request, socket or timer behind.
 */
import { describe, expect, it, vi } from 'vitest';
import type { JudgeResult } from './judge.js';
import { execPodEvent, judgeInput } from './judge-fixtures.test-support.js';
import type { JudgeInput } from './judge-evidence.js';
import { errorReply, maliciousAnswer, toolUseReply, type ScriptedReply } from './messages-api-server.test-support.js';
import { useJudgeServer } from './judge-server.test-support.js';

const KEY = 'sk-ant-test-inflight';
/** Per attempt; far longer than any of these runs may take. */
const TIMEOUT_MS = 5000;
const fx = useJudgeServer(KEY, { judge: { timeoutMs: TIMEOUT_MS, maxRetries: 1, maxConcurrency: 4 } });

/** `n` events with distinct prompts. */
function inputs(n: number): JudgeInput[] {
  return Array.from({ length: n }, (_, i) => {
    const e = execPodEvent(undefined, 700 + i);
    e.ts += i;
    return judgeInput(e, []);
  });
}

function byStatus(rs: JudgeResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/** A promise and its resolver: the script answers the first request once the fourth has arrived. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('calls in flight when the breaker opens', () => {
  it('a 401 while three calls stall: they end at once as not-run with the 401 reason', { timeout: 20_000 }, async () => {
    const allIn = gate();
    fx.server.script = (_r, i): ScriptedReply => {
      if (i === 3) allIn.open();
      return i === 0 ? { ...errorReply(401, 'authentication_error', 'invalid x-api-key'), after: allIn.opened } : { hang: true };
    };
    const timersBefore = timers();
    const judge = fx.judgeWith();
    const t0 = performance.now();
    const rs = await Promise.all(inputs(10).map((x) => judge.judge(x)));
    const elapsed = performance.now() - t0;

    // Before: the three stalled calls waited out 2 attempts of 5 s each (and 3 x 60 s + backoff with the defaults).
    expect(elapsed).toBeLessThan(TIMEOUT_MS / 2);
    expect(fx.server.requests).toHaveLength(4); // the stalled ones really were in flight
    expect(judge.stopped).toMatch(/^HTTP 401: .*invalid x-api-key/);
    expect(byStatus(rs)).toEqual({ error: 1, 'not-run': 9 });
    expect(rs.find((r) => r.status === 'error')!.why).toBe(judge.stopped);
    // Cut short or never sent: the same wording, the breaker's reason.
    for (const r of rs.filter((x) => x.status === 'not-run')) {
      expect(r).toMatchObject({ why: `judge stopped: ${judge.stopped}`, fromCache: false });
      expect(r.prompt.length).toBeGreaterThan(0);
    }
    // The client dropped the stalled requests itself (the server has not been closed yet) …
    await vi.waitFor(() => expect(fx.server.inFlight).toBe(0), { timeout: 2000, interval: 10 });
    // … and left no timer running (per-attempt timeouts, the call deadline, backoff sleeps).
    expect(timers()).toBeLessThanOrEqual(timersBefore);
  });

  it('calls sleeping before a retry are cut short too', { timeout: 20_000 }, async () => {
    const allIn = gate();
    fx.server.script = (_r, i): ScriptedReply => {
      if (i === 3) allIn.open();
      if (i === 0) return { ...errorReply(401, 'authentication_error', 'invalid x-api-key'), after: allIn.opened, delayMs: 100 };
      // Retryable, with a long Retry-After: the SDK sleeps before its second attempt.
      return { ...errorReply(529, 'overloaded_error'), headers: { 'retry-after-ms': String(TIMEOUT_MS) } };
    };
    const judge = fx.judgeWith();
    const t0 = performance.now();
    const rs = await Promise.all(inputs(6).map((x) => judge.judge(x)));
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS / 2);
    expect(fx.server.requests).toHaveLength(4); // no second attempt went out
    expect(byStatus(rs)).toEqual({ error: 1, 'not-run': 5 });
    for (const r of rs.filter((x) => x.status === 'not-run')) expect(r.why).toBe(`judge stopped: ${judge.stopped}`);
  });

  it('an answer that arrived before it opened is kept; only the calls still waiting are cut short', { timeout: 20_000 }, async () => {
    const allIn = gate();
    fx.server.script = (_r, i): ScriptedReply => {
      if (i === 3) allIn.open();
      if (i === 0) return { ...toolUseReply(maliciousAnswer()), after: allIn.opened };
      if (i === 1) return { ...errorReply(403, 'permission_error', 'no access'), after: allIn.opened, delayMs: 150 };
      return { hang: true };
    };
    const judge = fx.judgeWith();
    const ins = inputs(8);
    const t0 = performance.now();
    const rs = await Promise.all(ins.map((x) => judge.judge(x)));
    expect(performance.now() - t0).toBeLessThan(TIMEOUT_MS / 2);
    expect(judge.stopped).toMatch(/^HTTP 403: /);
    // The verdict freed a slot, so a fifth request went out and stalled before the 403 came back.
    expect(fx.server.requests).toHaveLength(5);
    expect(byStatus(rs)).toEqual({ verdict: 1, error: 1, 'not-run': 6 });
    const kept = rs.find((r) => r.status === 'verdict')!;
    expect(kept).toMatchObject({ verdict: 'malicious', fromCache: false });
    expect(fx.cache.get(kept.promptHash)?.verdict).toBe('malicious');
    await vi.waitFor(() => expect(fx.server.inFlight).toBe(0), { timeout: 2000, interval: 10 });
  });
});
